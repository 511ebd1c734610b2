"""Credit bureau listings (negativação at SPC, Serasa, Boa Vista).

An overdue invoice is listed once it is at least the wallet's `bureau_min_days_overdue`
days late; the listing is cleared automatically as soon as the invoice is no longer owed
(paid, cancelled, renegotiated — the new invoice replaces the old debt —, deleted), or by a
person with a reason. The bureaus' APIs are for later: `BureauClient` is the interface and
`CsvFileClient` writes the file a clerk uploads to the bureau's portal (layout in
docs/billing.md).
"""

from typing import Protocol

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.spreadsheets import csv_lines
from crm.people.choices import PersonType

from .choices import RECEIVABLE_STATUSES, BureauRecordStatus, CreditBureau, InvoiceStatus
from .models import CreditBureauRecord, Invoice


class BureauClient(Protocol):
    """Sends listings and clearings to a bureau; returns what the bureau receives (file or receipt)."""

    def submit(self, records) -> str: ...


class CsvFileClient:
    """The export file: one line per listing (operation I) or clearing (operation E)."""

    COLUMNS = [
        "operation", "bureau", "record", "debtor_type", "document", "name", "street", "number",
        "complement", "neighbourhood", "city", "state", "cep", "contract", "invoice", "due_date",
        "amount", "listed_at", "cleared_at",
    ]

    def submit(self, records):
        return "".join(csv_lines(self.COLUMNS, map(self._line, records), delimiter=",", bom=False))

    @staticmethod
    def _line(record):
        person, contract = record.person, record.invoice.contract
        address = contract.installation_address
        return [
            "E" if record.status == BureauRecordStatus.CLEARED else "I",
            record.bureau, record.pk,
            "J" if person.person_type == PersonType.COMPANY else "F",
            person.document, person.name, address.street, address.number, address.complement,
            address.neighbourhood, address.city, address.state, address.cep, contract.number,
            str(record.invoice), record.invoice.due_date.isoformat(), f"{record.amount:.2f}",
            record.sent_at.isoformat(timespec="seconds"),
            record.cleared_at.isoformat(timespec="seconds") if record.cleared_at else "",
        ]


@transaction.atomic
def send_to_bureau(invoice, *, bureau, user=None, today=None):
    """List an overdue invoice's balance at a bureau; a 400 when it is not overdue long enough."""
    today = today or timezone.localdate()
    if bureau not in CreditBureau.values:
        raise ValidationError({"bureau": [_("Choose %(bureaus)s.") % {"bureaus": ", ".join(CreditBureau.values)}]})
    invoice = Invoice.objects.select_for_update().select_related("wallet", "contract").get(pk=invoice.pk)
    if invoice.deleted_at or invoice.status not in RECEIVABLE_STATUSES:
        raise ValidationError(
            _("Invoice %(invoice)s is %(status)s: only a debt still owed can be listed.")
            % {"invoice": invoice, "status": invoice.get_status_display().lower()}
        )
    days_late = (today - invoice.due_date).days
    minimum = invoice.wallet.bureau_min_days_overdue
    if invoice.status != InvoiceStatus.OVERDUE or days_late < max(minimum, 1):
        raise ValidationError(
            _("Invoice %(invoice)s is %(days)s day(s) past its due date; wallet %(wallet)s lists "
              "debts overdue for at least %(minimum)s days.")
            % {"invoice": invoice, "days": max(days_late, 0), "wallet": invoice.wallet, "minimum": minimum}
        )
    if invoice.bureau_records.filter(bureau=bureau, status=BureauRecordStatus.SENT).exists():
        raise ValidationError(
            _("Invoice %(invoice)s is already listed at %(bureau)s.")
            % {"invoice": invoice, "bureau": CreditBureau(bureau).label}
        )
    return CreditBureauRecord.objects.create(
        invoice=invoice, person_id=invoice.contract.person_id, bureau=bureau, amount=invoice.balance,
        sent_by=user if user and user.is_authenticated else None,
    )


@transaction.atomic
def clear_record(record, *, reason, user=None):
    """Clear a listing by hand (debt contested, agreement, error), with a reason."""
    record = CreditBureauRecord.objects.select_for_update().get(pk=record.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give a reason.")]})
    if record.status != BureauRecordStatus.SENT:
        raise ValidationError(_("This listing was already cleared."))
    record.status = BureauRecordStatus.CLEARED
    record.cleared_at = timezone.now()
    record.cleared_by = user if user and user.is_authenticated else None
    record.clear_reason = reason[:255]
    record.save(update_fields=["status", "cleared_at", "cleared_by", "clear_reason"])
    return record


def clear_settled(invoice_ids=None):
    """Clear the listings of invoices no longer owed; returns how many. Billing's services call
    it for the invoices they settle, cancel, renegotiate or delete; the daily job sweeps all."""
    records = CreditBureauRecord.objects.filter(status=BureauRecordStatus.SENT)
    if invoice_ids is not None:
        records = records.filter(invoice_id__in=list(invoice_ids))
    why = {_("Invoice deleted: cleared automatically."): Q(invoice__deleted_at__isnull=False)}
    for status in set(InvoiceStatus.values) - set(RECEIVABLE_STATUSES):
        text = _("Invoice %(status)s: cleared automatically.") % {"status": InvoiceStatus(status).label.lower()}
        why[text] = Q(invoice__status=status, invoice__deleted_at__isnull=True)
    now = timezone.now()
    return sum(
        records.filter(condition).update(status=BureauRecordStatus.CLEARED, cleared_at=now, clear_reason=text)
        for text, condition in why.items()
    )


def record_list():
    return CreditBureauRecord.objects.select_related(
        "invoice", "invoice__contract", "invoice__contract__installation_address", "person"
    )
