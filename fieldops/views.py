"""Field attachments (photos, signatures) served only to those who may see their order."""
from django.core.exceptions import PermissionDenied
from django.http import Http404

from core.files import private_file_response, safe_media_path

from .models import Attachment
from .selectors import service_orders_visible_to


def attachment_file(request, path):
    """MEDIA_URL/fieldops/<path>: the order's technician (as their visibility allows), dispatchers
    and admins get the file; anonymous users a 403 and other users a 404, so the address does not
    even confirm the file exists."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    path = safe_media_path(path) or ""
    order_id = path.split("/")[1] if path.startswith("orders/") and path.count("/") == 2 else ""
    if not (order_id.isascii() and order_id.isdigit()):
        raise Http404
    attachment = Attachment.objects.filter(
        order_id=int(order_id), file=f"fieldops/{path}", order__in=service_orders_visible_to(request.user)
    ).first()
    if attachment is None or not request.user.has_perm("fieldops.view_serviceorder"):
        raise Http404
    return private_file_response(attachment.file)
