"""The monthly run, invoice states, deletion with a reason, renegotiation."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from billing import services
from billing.choices import InvoiceStatus
from billing.models import Charge, Invoice
from billing.tasks import run_monthly_invoices_task

D = datetime.date
pytestmark = pytest.mark.django_db


def test_full_month_invoice_due_next_month(active_contract):
    assert services.run_monthly_invoices(D(2026, 3, 15)).created == 1
    invoice = Invoice.objects.get()
    assert (invoice.period, invoice.due_date, invoice.amount) == (D(2026, 3, 1), D(2026, 4, 10), Decimal("99.90"))
    assert invoice.status == InvoiceStatus.OPEN
    assert invoice.nosso_numero == 1


def test_rerun_and_retried_task_create_nothing_twice(active_contract):
    assert services.run_monthly_invoices(D(2026, 3, 1)).created == 1
    assert services.run_monthly_invoices(D(2026, 3, 1)).created == 0
    assert run_monthly_invoices_task.apply(kwargs={"period": "2026-03-01"}).get()["created"] == 0
    assert Invoice.objects.count() == 1
    # The database refuses a second invoice for the month even if the run's check were bypassed.
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.create(
            contract=active_contract, wallet=Invoice.objects.get().wallet, period=D(2026, 3, 1),
            issued_on=D(2026, 4, 1), due_date=D(2026, 4, 10), amount=Decimal("1.00"), nosso_numero=99,
        )


def test_run_resumes_after_interruption(active_contract, contract_factory):
    others = [contract_factory(port) for port in (4, 5, 6)]
    # An interrupted run committed its first batch of one contract only.
    assert services.run_monthly_invoices(D(2026, 3, 1), batch_size=1).created == 4
    assert services.run_monthly_invoices(D(2026, 3, 1), batch_size=1).created == 0
    assert sorted(Invoice.objects.values_list("nosso_numero", flat=True)) == [1, 2, 3, 4]
    assert {i.contract_id for i in Invoice.objects.all()} == {active_contract.pk, *(c.pk for c in others)}


def test_pro_rata_for_partial_first_month(contract, wallet):
    contract.signed_on = D(2026, 4, 1)
    contract.save(update_fields=["signed_on"])
    services.activate_contract(contract, activated_on=D(2026, 4, 16))
    services.run_monthly_invoices(D(2026, 4, 1))
    # 15 of 30 days of R$ 99,90 = 49,95.
    assert Invoice.objects.get().amount == Decimal("49.95")
    # Not yet active in March: no invoice.
    assert services.run_monthly_invoices(D(2026, 3, 1)).created == 0


def test_discount_and_one_off_charges_go_on_the_next_invoice(active_contract):
    active_contract.monthly_discount = Decimal("10.00")
    active_contract.save()
    services.add_charge(active_contract, description="Router", amount="150.00", created_on=D(2026, 3, 20))
    services.add_charge(active_contract, description="Later charge", amount="5.00", created_on=D(2026, 4, 2))
    services.run_monthly_invoices(D(2026, 3, 1))
    invoice = Invoice.objects.get()
    assert invoice.amount == Decimal("239.90")  # 99.90 - 10.00 + 150.00
    assert list(invoice.lines.values_list("kind", "amount")) == [
        ("plan", Decimal("99.90")), ("discount", Decimal("-10.00")), ("charge", Decimal("150.00"))
    ]
    assert Charge.objects.filter(invoice__isnull=True).get().description == "Later charge"


def test_charge_money_validation(active_contract):
    for bad in (1.5, "abc", "0", "1.234"):
        with pytest.raises(ValidationError):
            services.add_charge(active_contract, description="x", amount=bad)
    credit = services.add_charge(active_contract, description="Outage credit", amount="-20.00")
    assert credit.amount == Decimal("-20.00")


def test_plan_change_mid_month_prorates_the_difference(active_contract, plan):
    from billing.models import Plan
    from core.services import create_object

    cheaper = create_object(Plan, name="Fibra 300", download_mbps=300, upload_mbps=150, monthly_price=Decimal("69.90"))
    services.change_plan(active_contract, plan=cheaper, on=D(2026, 3, 11))
    services.run_monthly_invoices(D(2026, 3, 1))
    # March billed at 69.90, plus 10 of 31 days at the 30.00 difference = 9.68.
    assert Invoice.objects.get().amount == Decimal("79.58")
    assert active_contract.events.filter(action="plan_changed").exists()


def test_cancel_and_delete_need_reasons_and_keep_a_list(active_contract):
    services.run_monthly_invoices(D(2026, 3, 1))
    invoice = Invoice.objects.get()
    with pytest.raises(ValidationError):
        services.delete_invoice(invoice, reason=" ")
    services.delete_invoice(invoice, reason="Issued twice by mistake")
    invoice.refresh_from_db()
    assert invoice.deleted_at and invoice.deletion_reason == "Issued twice by mistake"
    # Its month is not invoiced again.
    assert services.run_monthly_invoices(D(2026, 3, 1)).created == 0
    services.run_monthly_invoices(D(2026, 4, 1))
    april = Invoice.objects.get(period=D(2026, 4, 1))
    services.cancel_invoice(april, reason="Client moved away")
    april.refresh_from_db()
    assert (april.status, april.status_reason) == (InvoiceStatus.CANCELLED, "Client moved away")
    with pytest.raises(ValidationError):
        services.settle_invoice(april, amount="99.90", paid_on=D(2026, 5, 1))


def test_renegotiation_settles_old_invoices_with_a_new_one(active_contract):
    services.run_monthly_invoices(D(2026, 1, 1))
    services.run_monthly_invoices(D(2026, 2, 1))
    old = list(Invoice.objects.order_by("period"))  # due 2026-02-10 and 2026-03-10
    new = services.renegotiate_invoices(
        old, due_date=D(2026, 3, 20), reason="Agreement by phone", issued_on=D(2026, 3, 12)
    )
    # Jan: 99.90 + 2.00 fine + 30 days of interest 1.00; Feb: 99.90 + 2.00 + 2 days 0.07.
    assert new.amount == Decimal("99.90") * 2 + Decimal("2.00") * 2 + Decimal("1.00") + Decimal("0.07")
    assert new.period is None
    for invoice in old:
        invoice.refresh_from_db()
        assert (invoice.status, invoice.renegotiated_into) == (InvoiceStatus.RENEGOTIATED, new)
    with pytest.raises(ValidationError):
        services.renegotiate_invoices(old, due_date=D(2026, 3, 20), reason="again", issued_on=D(2026, 3, 12))


def test_wallet_out_of_nosso_numeros_stops_the_run_cleanly(active_contract, wallet):
    wallet.next_nosso_numero = 10**8  # Itaú's nosso número has 8 digits
    wallet.save()
    with pytest.raises(ValidationError, match="run out"):
        services.run_monthly_invoices(D(2026, 3, 1))
    assert not Invoice.objects.exists()
