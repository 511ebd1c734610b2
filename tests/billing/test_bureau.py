"""Credit bureau listings: only overdue debts past the wallet's minimum, the CSV export, and the
automatic clearing once the invoice is no longer owed."""

import csv
import datetime
import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from billing import bureau, services
from billing.choices import BureauRecordStatus, InvoiceStatus
from billing.models import CreditBureauRecord, Invoice
from billing.selectors import payment_slip
from core.services import update_object

D = datetime.date
RETURN_FILE = Path(__file__).parent / "data" / "itau_retorno_400.ret"
pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(active_contract):
    """March 2026 (R$ 99,90, due 2026-04-10), marked overdue by the daily job."""
    services.run_monthly_invoices(D(2026, 3, 1))
    services.run_overdue_suspensions()
    return Invoice.objects.get()


@pytest.fixture
def clerk(english_client_for):
    return english_client_for("billing")


def test_an_overdue_invoice_is_listed_and_exported(overdue, clerk):
    listed = clerk.post("/api/billing/bureau-records/", {"invoice": overdue.pk, "bureau": "serasa"}, format="json")
    assert listed.status_code == 201, listed.data
    assert (listed.data["amount"], listed.data["status"]) == ("99.90", "sent")
    again = clerk.post("/api/billing/bureau-records/", {"invoice": overdue.pk, "bureau": "serasa"}, format="json")
    assert again.status_code == 400
    assert "already listed at Serasa Experian" in str(again.data)

    export = clerk.get("/api/billing/bureau-records/export/?bureau=serasa")
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    [row] = list(csv.DictReader(io.StringIO(export.content.decode())))
    person = overdue.contract.person
    assert row["operation"] == "I" and row["debtor_type"] == "F"
    assert (row["document"], row["name"], row["invoice"], row["due_date"], row["amount"]) == (
        person.document, person.name, str(overdue), "2026-04-10", "99.90")
    assert (row["city"], row["state"], row["cep"]) == ("Porto Alegre", "RS", "90010000")


def test_an_invoice_not_overdue_long_enough_is_refused(active_contract, wallet, clerk):
    services.run_monthly_invoices(D(2026, 3, 1))
    invoice = Invoice.objects.get()
    refused = clerk.post("/api/billing/bureau-records/", {"invoice": invoice.pk, "bureau": "spc"}, format="json")
    assert refused.status_code == 400  # open: the daily job has not marked it overdue yet

    services.run_overdue_suspensions()
    update_object(wallet, bureau_min_days_overdue=365)
    refused = clerk.post("/api/billing/bureau-records/", {"invoice": invoice.pk, "bureau": "spc"}, format="json")
    assert refused.status_code == 400
    days = (timezone.localdate() - invoice.due_date).days
    assert f"{days} day(s) past its due date" in str(refused.data) and "at least 365 days" in str(refused.data)
    bad = clerk.post("/api/billing/bureau-records/", {"invoice": invoice.pk, "bureau": "nope"}, format="json")
    assert bad.status_code == 400 and "bureau" in bad.data
    assert not CreditBureauRecord.objects.exists()


def test_a_paid_invoice_clears_its_listing_at_once(overdue):
    record = bureau.send_to_bureau(overdue, bureau="spc")
    services.settle_invoice(overdue, amount="10.00")  # partial: still owed
    record.refresh_from_db()
    assert record.status == BureauRecordStatus.SENT

    rest = payment_slip(Invoice.objects.get(), timezone.localdate())["total_on"]
    with translation.override("en"):
        services.settle_invoice(overdue, amount=str(rest))

    record.refresh_from_db()
    assert record.status == BureauRecordStatus.CLEARED and record.cleared_at and record.cleared_by is None
    assert record.clear_reason == "Invoice paid: cleared automatically."


def test_a_bank_return_file_clears_the_listings_of_what_it_settles(active_contract, contract_factory):
    contract_factory(4), contract_factory(5)
    services.run_monthly_invoices(D(2026, 3, 1))
    services.run_overdue_suspensions()
    first, second = (bureau.send_to_bureau(Invoice.objects.get(nosso_numero=n), bureau="spc") for n in (1, 2))

    services.import_return_file(RETURN_FILE.read_bytes(), filename="CN110426.RET")

    first.refresh_from_db(), second.refresh_from_db()
    assert first.status == BureauRecordStatus.CLEARED  # paid in full
    assert second.status == BureauRecordStatus.SENT  # R$ 50,00 of R$ 99,90: still owed


def test_a_renegotiated_or_cancelled_debt_clears_too(overdue, active_contract, contract_factory):
    record = bureau.send_to_bureau(overdue, bureau="spc")
    new = services.renegotiate_invoices([overdue], due_date=timezone.localdate(), reason="Agreement")
    record.refresh_from_db()
    assert record.status == BureauRecordStatus.CLEARED
    assert Invoice.objects.get(pk=overdue.pk).status == InvoiceStatus.RENEGOTIATED
    with pytest.raises(ValidationError):
        bureau.send_to_bureau(overdue, bureau="spc")  # no longer owed
    assert new.status == InvoiceStatus.OPEN


def test_the_sweep_clears_what_was_settled_elsewhere(overdue):
    record = bureau.send_to_bureau(overdue, bureau="boa_vista")
    Invoice.objects.filter(pk=overdue.pk).update(status=InvoiceStatus.PAID)  # e.g. an older import
    assert bureau.clear_settled() == 1
    record.refresh_from_db()
    assert record.status == BureauRecordStatus.CLEARED
    assert bureau.clear_settled() == 0


def test_a_listing_is_cleared_by_hand_with_a_reason(overdue, clerk):
    record = bureau.send_to_bureau(overdue, bureau="spc")
    assert clerk.post(f"/api/billing/bureau-records/{record.pk}/clear/", {}, format="json").status_code == 400
    cleared = clerk.post(f"/api/billing/bureau-records/{record.pk}/clear/", {"reason": "Debt contested"}, format="json")
    assert cleared.status_code == 200
    assert (cleared.data["status"], cleared.data["clear_reason"]) == ("cleared", "Debt contested")
    assert cleared.data["cleared_by"] == clerk.user.pk
    twice = clerk.post(f"/api/billing/bureau-records/{record.pk}/clear/", {"reason": "Again"}, format="json")
    assert twice.status_code == 400 and "already cleared" in str(twice.data)

    [row] = list(csv.DictReader(io.StringIO(clerk.get("/api/billing/bureau-records/export/").content.decode())))
    assert row["operation"] == "E" and row["cleared_at"]


def test_other_roles_cannot_list_debts(overdue, english_client_for):
    sales = english_client_for("sales")
    assert sales.post("/api/billing/bureau-records/", {"invoice": overdue.pk, "bureau": "spc"}, format="json").status_code == 403
