"""The public page behind the links in reminders and declaration e-mails: the document's PDF,
no login (the signed, expiring token is the proof)."""

from django.core import signing
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from . import links, selectors
from .clearance import declaration_pdf
from .models import ClearanceDeclaration, Invoice
from .pdf import invoice_pdf


@require_GET
def public_document(request, token):
    try:
        kind, pk = links.document_from_token(token)
    except (signing.BadSignature, ValueError, TypeError):
        raise Http404 from None
    if kind == links.INVOICE:
        invoice = Invoice.objects.filter(pk=pk, deleted_at__isnull=True).select_related(
            "wallet", "contract__person").first()
        if invoice is None:
            raise Http404
        content, name = invoice_pdf(invoice, selectors.payment_slip(invoice, timezone.localdate())), str(invoice)
    elif kind == links.DECLARATION:
        declaration = ClearanceDeclaration.objects.filter(pk=pk).first()
        if declaration is None:
            raise Http404
        content, name = declaration_pdf(declaration), declaration.number
    else:
        raise Http404
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response
