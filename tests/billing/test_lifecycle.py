"""Contract lifecycle with its audit trail, and the daily overdue-suspension job."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from billing import services
from billing.choices import ContractStatus, InvoiceStatus, RetentionStatus
from billing.models import Contract, Invoice
from billing.signals import contract_access_changed

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def access_changes():
    """What the network would have been told: (contract_ids, blocked) per signal."""
    received = []

    def receiver(sender, contract_ids, blocked, **kwargs):
        received.append((sorted(contract_ids), blocked))

    contract_access_changed.connect(receiver)
    yield received
    contract_access_changed.disconnect(receiver)


@pytest.fixture
def march_invoice(active_contract):
    """R$ 99,90 due 2026-04-10; the wallet suspends 10 days after the due date."""
    services.run_monthly_invoices(D(2026, 3, 1))
    return Invoice.objects.get()


def reload(contract):
    return Contract.objects.get(pk=contract.pk)


def test_suspension_waits_for_the_wallets_tolerance(march_invoice, django_capture_on_commit_callbacks, access_changes):
    contract = march_invoice.contract
    assert services.run_overdue_suspensions(D(2026, 4, 20)) == (0, 0)  # due + 10 days: still tolerated
    march_invoice.refresh_from_db()
    assert march_invoice.status == InvoiceStatus.OVERDUE
    with django_capture_on_commit_callbacks(execute=True):
        assert services.run_overdue_suspensions(D(2026, 4, 21)) == (1, 0)
    contract = reload(contract)
    assert (contract.status, contract.suspension_kind, contract.suspended_on) == ("suspended", "debt", D(2026, 4, 21))
    assert access_changes == [([contract.pk], True)]
    assert services.run_overdue_suspensions(D(2026, 4, 21)) == (0, 0)  # rerun: nothing
    assert contract.events.filter(action="suspended").count() == 1


def test_do_not_block_until_is_honoured(march_invoice):
    contract = march_invoice.contract
    today = timezone.localdate()
    services.set_do_not_block_until(contract, until=today + datetime.timedelta(days=3), reason="Promised Friday")
    assert services.run_overdue_suspensions(today + datetime.timedelta(days=3)) == (0, 0)
    assert services.run_overdue_suspensions(today + datetime.timedelta(days=4)) == (1, 0)
    with pytest.raises(ValidationError):
        services.set_do_not_block_until(contract, until=D(2020, 1, 1), reason="past")


def test_trust_unlock_then_payment_lifts_the_suspension(march_invoice, django_capture_on_commit_callbacks, access_changes):
    contract = march_invoice.contract
    services.suspend_contract(contract, kind="debt", reason="Overdue")
    with pytest.raises(ValidationError):
        services.trust_unlock(contract, days=6)  # the wallet allows 5
    services.trust_unlock(contract, days=2)
    today = timezone.localdate()
    contract = reload(contract)
    assert (contract.status, contract.trust_unlock_until) == ("active", today + datetime.timedelta(days=2))
    assert services.run_overdue_suspensions(today + datetime.timedelta(days=2)) == (0, 0)
    assert services.run_overdue_suspensions(today + datetime.timedelta(days=3)) == (1, 0)
    with django_capture_on_commit_callbacks(execute=True):
        services.settle_invoice(march_invoice, amount="99.90", paid_on=D(2026, 4, 10))
    assert reload(contract).status == ContractStatus.ACTIVE
    assert access_changes[-1] == ([contract.pk], False)
    actions = list(contract.events.order_by("id").values_list("action", flat=True))
    assert actions == ["activated", "suspended", "trust_unlock", "suspended", "reactivated"]


def test_suspension_on_request_is_not_lifted_by_payment(march_invoice):
    contract = services.suspend_contract(march_invoice.contract, kind="request", reason="Travelling")
    services.settle_invoice(march_invoice, amount="99.90", paid_on=D(2026, 4, 10))
    assert services.run_overdue_suspensions(D(2026, 6, 1)) == (0, 0)
    assert reload(contract).status == ContractStatus.SUSPENDED
    with pytest.raises(ValidationError):
        services.trust_unlock(contract, days=1)
    services.reactivate_contract(contract, reason="Back home")
    assert reload(contract).status == ContractStatus.ACTIVE


def test_retention_queue_win_back_or_confirm(active_contract, make_user):
    clerk = make_user("clerk", "billing")
    request = services.request_cancellation(active_contract, reason="Moving to another city", user=clerk)
    with pytest.raises(ValidationError):
        services.request_cancellation(active_contract, reason="twice")
    services.win_back(request, note="Offered a cheaper plan", user=clerk)
    request.refresh_from_db()
    assert request.status == RetentionStatus.WON_BACK
    assert reload(active_contract).status == ContractStatus.ACTIVE
    second = services.request_cancellation(active_contract, reason="Really moving")
    services.confirm_cancellation(second, user=clerk)
    contract = reload(active_contract)
    assert (contract.status, contract.cancellation_reason, contract.cancelled_on) == (
        "cancelled", "Really moving", timezone.localdate()
    )
    assert contract.events.get(action="cancelled").user == clerk
    with pytest.raises(ValidationError):
        services.win_back(second, note="too late")
    with pytest.raises(ValidationError):
        services.cancel_contract(contract, reason="again")


def test_due_day_outside_1_to_28_refused(active_contract):
    for bad in (0, 29, "10", None):
        with pytest.raises(ValidationError):
            services.change_due_day(active_contract, due_day=bad)
    services.change_due_day(active_contract, due_day=28)
    assert reload(active_contract).due_day == 28
    assert active_contract.events.get(action="due_day_changed").details == {"old": 10, "new": 28}


def test_cancel_needs_reason_and_activation_only_once(active_contract):
    with pytest.raises(ValidationError):
        services.cancel_contract(active_contract, reason="  ")
    with pytest.raises(ValidationError):
        services.activate_contract(active_contract)
    assert reload(active_contract).status == ContractStatus.ACTIVE


def test_editing_an_active_contract_audits_plan_and_due_day(active_contract):
    from billing.models import Charge, Plan
    from core.services import create_object

    bigger = create_object(Plan, name="Fibra 1G", download_mbps=1000, upload_mbps=500, monthly_price=Decimal("149.90"))
    services.update_contract(active_contract, plan=bigger, due_day=15)
    contract = reload(active_contract)
    assert (contract.plan, contract.due_day) == (bigger, 15)
    assert set(contract.events.values_list("action", flat=True)) >= {"plan_changed", "due_day_changed"}
    # Today's days at the old price come back as a credit on the next invoice (unless it is the 1st).
    today = timezone.localdate()
    assert Charge.objects.filter(contract=contract).exists() == (today.day > 1)


def test_daily_task_suspends_today(march_invoice):
    from billing.tasks import run_overdue_suspensions_task

    assert run_overdue_suspensions_task.apply().get() == {"suspended": 1, "unsuspended": 0}
    assert run_overdue_suspensions_task.apply().get() == {"suspended": 0, "unsuspended": 0}
