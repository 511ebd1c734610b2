"""Uploaded files: checked by their content at upload, and never served as plain MEDIA.

A view checks access, then answers with private_file_response. Both the upload check and the
answer sniff the bytes (never the name or the sender's word), so a page or an SVG renamed
``.png``, or an ``oferta.html`` stored before the check existed, cannot run script in our origin.
"""
import re
from io import BytesIO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

# What may be shown inline: sniffed format → (content type, the extension we store it under).
# Office documents are left out on purpose: proposals go out as our own PDF, and an attachment
# is a photo or a scan; anything else is refused at upload.
FILE_TYPES = {
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "WEBP": ("image/webp", ".webp"),
    "PDF": ("application/pdf", ".pdf"),
}
IMAGE_FORMATS = ("JPEG", "PNG", "WEBP")
_LABELS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "PDF": "PDF"}
# Served files run nothing, even one opened directly in a tab.
FILE_CSP = "default-src 'none'; sandbox"
# Browsers' PDF viewers do not render inside a sandbox; a PDF still loads nothing else.
PDF_CSP = "default-src 'none'"
_UNSAFE_PATH = re.compile(r"[\x00-\x1f\x7f\\]|(^|/)\.\.?(/|$)")


def sniff(head):
    """The allow-listed format the first bytes of a file show, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head.startswith(b"%PDF-"):
        return "PDF"
    return None


def _is_whole_image(data):
    try:
        with Image.open(BytesIO(data)) as image:
            image.verify()
        return True
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return False


def checked_upload(upload, *, field, formats):
    """(data, content type, extension) of an upload whose content is one of `formats`, or a 400
    on `field`: too large, another type, or a broken image. The extension is ours, never the
    uploaded name's."""
    if upload.size > settings.MALHA_ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            {
                field: [
                    _("The file has %(size)s bytes; at most %(max)s are accepted.")
                    % {"size": upload.size, "max": settings.MALHA_ATTACHMENT_MAX_BYTES}
                ]
            }
        )
    data = upload.read()
    found = sniff(data[:16])
    if found not in formats or (found in IMAGE_FORMATS and not _is_whole_image(data)):
        raise ValidationError(
            {field: [_("Send a file of one of these types: %(types)s.") % {"types": ", ".join(_LABELS[f] for f in formats)}]}
        )
    content_type, extension = FILE_TYPES[found]
    return data, content_type, extension


def save_with_file(instance, field_file, name, data):
    """Writes `data` as `field_file` (a FileField of `instance`) under `name`, then saves
    `instance`; a row that fails to save takes its file with it, so no orphan stays on disk."""
    field_file.save(name, ContentFile(data), save=False)
    try:
        instance.save()
    except Exception:
        field_file.delete(save=False)
        raise
    return instance


def safe_media_path(path):
    """`path` (the part of a media URL after its prefix) if it could name a stored file, else None:
    control characters, backslashes and `.`/`..` segments never can (and NUL would make the
    database refuse the lookup)."""
    return None if not path or _UNSAFE_PATH.search(path) else path


def private_file_response(field_file):
    """An allow-listed image or PDF inline with its sniffed type; anything else (say an
    `oferta.html` stored before uploads were checked) as an octet-stream download. Cached only by
    the browser that asked, never sniffed into another type, and under a CSP that runs nothing."""
    handle = field_file.open("rb")
    found = sniff(handle.read(16))
    handle.seek(0)
    if found is None:
        response = FileResponse(
            handle, content_type="application/octet-stream", as_attachment=True,
            filename=field_file.name.rsplit("/", 1)[-1],
        )
    else:
        response = FileResponse(handle, content_type=FILE_TYPES[found][0])
        response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = PDF_CSP if found == "PDF" else FILE_CSP
    return response
