"""The client's financial panel (API and page): what it lists, the fees to today, who may see it."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.test import Client
from django.utils import timezone

from billing import services
from billing.models import Invoice
from core.services import create_object
from crm.messaging.models import MessageLog

D = datetime.date
pytestmark = pytest.mark.django_db


def panel_url(person_id):
    return f"/api/billing/clients/{person_id}/panel/"


@pytest.fixture
def clerk(english_client_for):
    return english_client_for("billing")


@pytest.fixture
def history(active_contract):
    """Ana's year: March owed and untouched, April half paid, May paid, June deleted, July
    cancelled, a router waiting for the next invoice, and one e-mail sent."""
    for month in range(3, 8):
        services.run_monthly_invoices(D(2026, month, 1))
    invoice = {i.period.month: i for i in Invoice.objects.all()}
    services.settle_invoice(invoice[4], amount="50.00", paid_on=D(2026, 5, 1))
    services.settle_invoice(invoice[5], amount="99.90", paid_on=D(2026, 6, 10))
    services.delete_invoice(invoice[6], reason="Issued by mistake")
    services.cancel_invoice(invoice[7], reason="Service down all month")
    services.add_charge(active_contract, description="Router", amount="150.00")
    create_object(
        MessageLog, person=active_contract.person, channel="email", destination="ana@example.com",
        subject="Sua fatura", body="Sua fatura de março venceu.",
    )
    return invoice


def late_fees(principal, due):
    """2% fine once, 1% a month for each day late as 1/30 of it, each rounded half up."""
    days = (timezone.localdate() - due).days
    interest = (principal * Decimal("0.01") / 30 * days).quantize(Decimal("0.01"), ROUND_HALF_UP)
    fine = (principal * Decimal("0.02")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return days, fine, interest


def test_the_panel_lists_everything_with_fees_to_today(clerk, history, active_contract):
    response = clerk.get(panel_url(active_contract.person_id))
    assert response.status_code == 200, response.json()
    panel = response.json()
    assert panel["person"]["name"] == "Ana Souza" and panel["today"] == timezone.localdate().isoformat()

    [contract] = panel["contracts"]
    assert (contract["number"], contract["plan_name"], contract["status"], contract["due_day"]) == (
        active_contract.number, "Fibra 500", "active", 10,
    )
    assert contract["actions"] == [
        "suspend", "do-not-block", "change-due-day", "change-plan", "change-wallet", "request-cancellation", "cancel",
    ]

    march, april = panel["receivable"]
    assert (march["id"], april["id"]) == (history[3].pk, history[4].pk)
    days, fine, interest = late_fees(Decimal("99.90"), D(2026, 4, 10))
    assert march["slip"]["fine"] == str(fine) == "2.00"
    assert march["slip"]["interest"] == str(interest)
    assert march["slip"]["total_on"] == str(Decimal("99.90") + fine + interest)
    assert march["days_late"] == days and march["is_overdue"] is True and march["actions"] == ["settle", "pdf", "renegotiate", "cancel", "delete"]
    assert march["slip"]["typeable_line"].startswith("34191.09") and march["slip"]["pix_payload"].startswith("000201")
    # April: half paid, so fees run on the 49.90 left, and it can no longer be cancelled or deleted.
    _days, april_fine, april_interest = late_fees(Decimal("49.90"), D(2026, 5, 10))
    assert april["balance"] == "49.90" and [p["amount"] for p in april["payments"]] == ["50.00"]
    assert april["slip"]["total_on"] == str(Decimal("49.90") + april_fine + april_interest)
    assert april["actions"] == ["settle", "pdf", "renegotiate"]
    assert panel["totals"] == {
        "balance": "149.80",
        "due_today": str(Decimal("149.80") + fine + interest + april_fine + april_interest),
        "overdue": 2,
    }

    [may] = panel["paid"]
    assert may["id"] == history[5].pk and may["actions"] == [] and may["payments"][0]["amount"] == "99.90"
    [july] = panel["other"]
    assert (july["status"], july["status_reason"]) == ("cancelled", "Service down all month")
    [june] = panel["deleted"]
    assert (june["id"], june["deletion_reason"]) == (history[6].pk, "Issued by mistake")
    assert [(c["description"], c["amount"]) for c in panel["unbilled_charges"]] == [("Router", "150.00")]
    assert [(m["channel"], m["subject"]) for m in panel["messages"]] == [("email", "Sua fatura")]


def test_contract_actions_follow_its_status(clerk, active_contract):
    services.suspend_contract(active_contract, kind="debt", reason="Overdue")
    services.request_cancellation(active_contract, reason="Moving away")
    [contract] = clerk.get(panel_url(active_contract.person_id)).json()["contracts"]
    assert contract["actions"] == [
        "reactivate", "trust-unlock", "do-not-block", "change-due-day", "change-plan", "change-wallet", "cancel",
    ]
    services.cancel_contract(active_contract, reason="Moved away")
    assert clerk.get(panel_url(active_contract.person_id)).json()["contracts"][0]["actions"] == []


def test_only_billing_and_admins_see_the_panel(english_client_for, clerk, active_contract):
    person = active_contract.person_id
    assert english_client_for("admin").get(panel_url(person)).status_code == 200
    for role in ("technician", "sales", "dispatcher"):
        assert english_client_for(role).get(panel_url(person)).status_code == 403
    assert clerk.get(panel_url(999999)).status_code == 404


def test_the_panel_page(history, active_contract, make_user):
    clerk = Client(HTTP_ACCEPT_LANGUAGE="en")
    clerk.force_login(make_user("financeiro", "billing"))
    page = clerk.get(f"/clients/{active_contract.person_id}/finance/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Issued by mistake" in html and "Router" in html and "Sua fatura" in html
    assert f"/api/billing/invoices/{history[3].pk}/settle/" in html
    assert f"/api/billing/contracts/{active_contract.pk}/suspend/" in html
    # April has a payment: it can be paid and renegotiated, not cancelled.
    assert f"/api/billing/invoices/{history[4].pk}/cancel/" not in html
    for role in ("technician", "sales"):
        other = Client()
        other.force_login(make_user(f"user-{role}", role))
        assert other.get(f"/clients/{active_contract.person_id}/finance/").status_code == 403


def test_bureau_listings_and_clearance_declarations(clerk, contract, wallet):
    from billing import bureau, clearance

    contract.signed_on = D(2025, 11, 1)
    contract.save(update_fields=["signed_on"])
    services.activate_contract(contract, activated_on=D(2025, 11, 1))
    services.run_monthly_invoices(D(2025, 11, 1))
    services.settle_invoice(Invoice.objects.get(), amount="99.90", paid_on=D(2025, 12, 10))
    services.run_monthly_invoices(D(2026, 3, 1))
    services.run_overdue_suspensions()
    march = Invoice.objects.get(period=D(2026, 3, 1))
    assert "send-to-bureau" in clerk.get(panel_url(contract.person_id)).json()["receivable"][0]["actions"]
    bureau.send_to_bureau(march, bureau="serasa")
    declaration, _created = clearance.issue_declaration(contract.person, 2025)

    panel = clerk.get(panel_url(contract.person_id)).json()
    assert [(r["invoice"], r["bureau"], r["amount"], r["status"]) for r in panel["bureau_records"]] == [
        (march.pk, "serasa", "99.90", "sent"),
    ]
    assert [(d["number"], d["year"], d["total_paid"]) for d in panel["clearance_declarations"]] == [
        (declaration.number, 2025, "99.90"),
    ]
    page = Client(HTTP_ACCEPT_LANGUAGE="en")
    page.force_login(clerk.user)
    html = page.get(f"/clients/{contract.person_id}/finance/").content.decode()
    assert declaration.number in html and f"/api/billing/clearance-declarations/{declaration.pk}/pdf/" in html
    assert "Serasa Experian" in html and "/api/billing/bureau-records/" in html
