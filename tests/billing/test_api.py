"""The billing API as the billing clerk uses it, and what other roles may not do."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from billing import services
from billing.models import Invoice, Payment

D = datetime.date
pytestmark = pytest.mark.django_db
RETURN_FILE = Path(__file__).parent / "data" / "itau_retorno_400.ret"
API = "/api/billing"


@pytest.fixture
def clerk(english_client_for):
    return english_client_for("billing")


@pytest.fixture
def march_invoice(active_contract):
    services.run_monthly_invoices(D(2026, 3, 1))
    return Invoice.objects.get()


def test_slip_has_the_boleto_and_pix_of_the_invoice(clerk, march_invoice):
    response = clerk.get(f"{API}/invoices/{march_invoice.pk}/slip/?on=2026-04-13")
    assert response.status_code == 200, response.json()
    slip = response.json()
    assert slip["nosso_numero"] == "109/00000001-1"  # DAC: modulo 10 of 1565 13877 109 00000001
    assert len(slip["barcode"]) == 44 and slip["barcode"][:4] == "3419"
    assert slip["typeable_line"].replace(".", "").replace(" ", "")[33:] == "14120000009990"  # factor 1412 = 2026-04-10, amount 99.90
    assert (slip["fine"], slip["interest"], slip["total_on"]) == ("2.00", "0.10", "102.00")
    assert "5406102.00" in slip["pix_payload"] and slip["pix_payload"].startswith("000201")
    assert clerk.get(f"{API}/invoices/{march_invoice.pk}/slip/?on=13/04/2026").status_code == 400


def test_a_retried_payment_with_its_client_action_id_is_booked_once(clerk, march_invoice):
    url = f"{API}/invoices/{march_invoice.pk}/settle/"
    key = "6f1c2a8e-9b7d-4c3e-8a51-2d0e4f6b7c90"
    partial = {"amount": "40.00", "paid_on": "2026-04-01", "client_action_id": key}
    first = clerk.post(url, partial, format="json")
    assert first.status_code == 201, first.json()
    retry = clerk.post(url, partial, format="json")
    assert (retry.status_code, retry.json()) == (200, first.json())
    other = clerk.post(url, {**partial, "amount": "50.00"}, format="json")
    assert other.status_code == 409
    assert other.json() == {"detail": "This client_action_id was already used for another payment."}
    assert Payment.objects.count() == 1
    assert clerk.get(f"{API}/invoices/{march_invoice.pk}/").json()["balance"] == "59.90"


def test_settle_reverse_and_bad_money(clerk, march_invoice):
    url = f"{API}/invoices/{march_invoice.pk}/settle/"
    for bad in (1.5, "-10.00", "abc", "99.999"):
        response = clerk.post(url, {"amount": bad, "paid_on": "2026-04-01"}, format="json")
        assert response.status_code == 400, bad
        assert "amount" in response.json()
    too_much = clerk.post(url, {"amount": "500.00", "paid_on": "2026-04-01"}, format="json")
    assert too_much.status_code == 400 and "more than that" in too_much.json()["amount"][0]
    assert not Payment.objects.exists()
    paid = clerk.post(url, {"amount": "99.90", "paid_on": "2026-04-01"}, format="json")
    assert paid.status_code == 201, paid.json()
    twice = clerk.post(url, {"amount": "99.90", "paid_on": "2026-04-01"}, format="json")
    assert twice.status_code == 400 and "is paid" in twice.json()["non_field_errors"][0]
    reverse = f"{API}/payments/{paid.json()['id']}/reverse/"
    assert clerk.post(reverse, {}, format="json").status_code == 400
    reversed_ = clerk.post(reverse, {"reason": "Cheque bounced"}, format="json")
    assert reversed_.status_code == 200 and reversed_.json()["reversal_reason"] == "Cheque bounced"
    assert clerk.get(f"{API}/invoices/{march_invoice.pk}/").json()["status"] == "reversed"


def test_delete_with_reason_moves_to_deleted_list(clerk, march_invoice):
    url = f"{API}/invoices/{march_invoice.pk}/delete/"
    assert clerk.post(url, {}, format="json").status_code == 400
    assert clerk.post(url, {"reason": "Duplicate"}, format="json").status_code == 200
    assert clerk.get(f"{API}/invoices/").json()["count"] == 0
    deleted = clerk.get(f"{API}/invoices/deleted/").json()
    assert [row["deletion_reason"] for row in deleted["results"]] == ["Duplicate"]


def test_return_file_upload_and_unmatched_list(clerk, active_contract, contract_factory):
    contract_factory(4), contract_factory(5)
    services.run_monthly_invoices(D(2026, 3, 1))
    with RETURN_FILE.open("rb") as upload:
        first = clerk.post(f"{API}/return-files/", {"file": upload}, format="multipart")
    assert first.status_code == 201, first.json()
    with RETURN_FILE.open("rb") as upload:
        again = clerk.post(f"{API}/return-files/", {"file": upload}, format="multipart")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    unmatched = clerk.get(f"{API}/return-records/?status=unmatched").json()["results"]
    assert [row["nosso_numero"] for row in unmatched] == [999]
    bad = clerk.post(f"{API}/return-files/", {"file": ("x.ret", b"garbage")}, format="multipart")
    assert bad.status_code == 400


def test_lifecycle_endpoints_and_audit(clerk, active_contract):
    url = f"{API}/contracts/{active_contract.pk}"
    assert clerk.post(f"{url}/change-due-day/", {"due_day": 31}, format="json").status_code == 400
    assert clerk.post(f"{url}/change-due-day/", {"due_day": 5}, format="json").json()["due_day"] == 5
    suspended = clerk.post(f"{url}/suspend/", {"kind": "debt", "reason": "Overdue"}, format="json")
    assert suspended.json()["status"] == "suspended"
    unlocked = clerk.post(f"{url}/trust-unlock/", {"days": 3}, format="json")
    assert unlocked.json()["status"] == "active" and unlocked.json()["trust_unlock_until"]
    request = clerk.post(f"{url}/request-cancellation/", {"reason": "Price"}, format="json")
    assert request.status_code == 201
    queue = clerk.get(f"{API}/cancellation-requests/?status=open").json()["results"]
    assert [row["id"] for row in queue] == [request.json()["id"]]
    won = clerk.post(f"{API}/cancellation-requests/{request.json()['id']}/win-back/", {"note": "Discount"}, format="json")
    assert won.json()["status"] == "won_back"
    events = clerk.get(f"{url}/events/").json()
    assert [e["action"] for e in events][:4] == ["won_back", "cancellation_requested", "trust_unlock", "suspended"]
    cancelled = clerk.post(f"{url}/cancel/", {"reason": "Moved"}, format="json")
    assert cancelled.json()["status"] == "cancelled"
    again = clerk.post(f"{url}/cancel/", {"reason": "Moved"}, format="json")
    assert again.status_code == 400 and "cancelled" in again.json()["non_field_errors"][0]


def test_charge_and_renegotiation(clerk, active_contract):
    response = clerk.post(f"{API}/charges/", {"contract": active_contract.pk, "description": "Router", "amount": "150.00"}, format="json")
    assert response.status_code == 201, response.json()
    assert clerk.post(f"{API}/charges/", {"contract": active_contract.pk, "description": "x", "amount": 1.5}, format="json").status_code == 400
    assert clerk.get(f"{API}/charges/?unbilled=true").json()["count"] == 1
    services.run_monthly_invoices(D(2026, 1, 1))
    invoice = Invoice.objects.get()
    today = datetime.date.today()
    renegotiated = clerk.post(
        f"{API}/invoices/renegotiate/",
        {"invoices": [invoice.pk], "due_date": str(today + datetime.timedelta(days=5)), "reason": "Agreement"},
        format="json",
    )
    assert renegotiated.status_code == 201, renegotiated.json()
    assert Decimal(renegotiated.json()["amount"]) > invoice.amount


def test_other_roles_cannot_touch_money(english_client_for, march_invoice):
    sales = english_client_for("sales")
    assert sales.post(f"{API}/invoices/{march_invoice.pk}/settle/", {"amount": "99.90"}, format="json").status_code == 403
    assert sales.post(f"{API}/contracts/{march_invoice.contract_id}/suspend/", {"kind": "debt", "reason": "x"}, format="json").status_code == 403
    technician = english_client_for("technician")
    assert technician.get(f"{API}/invoices/").status_code == 403


def test_invoice_pdf_carries_the_typeable_line(clerk, march_invoice):
    slip = clerk.get(f"{API}/invoices/{march_invoice.pk}/slip/").json()
    response = clerk.get(f"{API}/invoices/{march_invoice.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    content = b"".join(response) if response.streaming else response.content
    assert content.startswith(b"%PDF")
    assert slip["typeable_line"].encode() in content
    services.delete_invoice(march_invoice, reason="Duplicate")
    assert clerk.get(f"{API}/invoices/{march_invoice.pk}/pdf/").status_code == 404


def test_financial_panel(clerk, english_client_for, march_invoice):
    services.run_monthly_invoices(D(2026, 4, 1))
    april = Invoice.objects.get(period=D(2026, 4, 1))
    services.settle_invoice(march_invoice, amount="99.90", paid_on=D(2026, 4, 10))
    services.delete_invoice(april, reason="Issued by mistake")
    services.add_charge(march_invoice.contract, description="Router", amount="150.00")
    person = march_invoice.contract.person_id
    panel = clerk.get(f"{API}/panel/{person}/").json()
    assert [c["id"] for c in panel["contracts"]] == [march_invoice.contract_id]
    assert [i["id"] for i in panel["paid"]] == [march_invoice.pk]
    assert panel["receivable"] == [] and [i["id"] for i in panel["deleted"]] == [april.pk]
    assert [c["description"] for c in panel["unbilled_charges"]] == ["Router"]
    assert clerk.get(f"{API}/panel/999999/").status_code == 404
    assert english_client_for("technician").get(f"{API}/panel/{person}/").status_code == 403


def test_fiscal_document_endpoints(clerk, march_invoice):
    from billing.models import FiscalSeries
    from core.services import create_object

    url = f"{API}/invoices/{march_invoice.pk}/fiscal-document/"
    no_series = clerk.post(url, format="json")
    assert no_series.status_code == 400 and "fiscal series" in no_series.json()["non_field_errors"][0]
    create_object(FiscalSeries, kind="nfcom", series=1, issuer_cnpj="11222333000181", issuer_name="Provedor", is_default=True)
    issued = clerk.post(url, format="json")
    assert issued.status_code == 201 and issued.json()["number"] == 1
    assert clerk.post(url, format="json").status_code == 400
    panel = clerk.get(f"{API}/panel/{march_invoice.contract.person_id}/").json()
    assert [d["number"] for d in panel["fiscal_documents"]] == [1]
    cancel = clerk.post(f"{API}/fiscal-documents/{issued.json()['id']}/cancel/", {"reason": "Typo"}, format="json")
    assert cancel.json()["status"] == "cancelled"
