"""Uploaded files are never served as plain MEDIA: a view checks access, then answers here."""
import mimetypes

from django.http import FileResponse


def private_file_response(field_file, content_type=None):
    """The file inline, cached only by the browser that asked, never sniffed into another type."""
    content_type = content_type or mimetypes.guess_type(field_file.name)[0] or "application/octet-stream"
    response = FileResponse(field_file.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response
