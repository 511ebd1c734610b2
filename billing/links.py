"""Links a client can open without logging in: an invoice's PDF (in reminders) and a
debt-clearance declaration's PDF. The signed token is the proof; it names the document
and expires after BILLING_PUBLIC_LINK_DAYS."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

_SALT = "billing.public-document"
INVOICE, DECLARATION = "invoice", "declaration"


def document_link(kind, pk):
    token = signing.dumps([kind, pk], salt=_SALT, compress=True)
    return settings.MALHA_PUBLIC_URL + reverse("billing-public-document", args=[token])


def document_from_token(token):
    """(kind, pk) of a valid, unexpired token; signing.BadSignature otherwise."""
    kind, pk = signing.loads(token, salt=_SALT, max_age=settings.BILLING_PUBLIC_LINK_DAYS * 86400)
    return kind, pk
