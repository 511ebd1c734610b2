"""The monthly run against real PostgreSQL concurrency: two runs of one month, a contract
locked by someone else, and a database error mid-run that the task retries."""

import datetime
import time
from collections import Counter

import pytest
from django.db import OperationalError, connection, transaction

from billing import services
from billing.models import Contract, Invoice
from billing.tasks import run_monthly_invoices_task
from tests.fieldops.test_concurrency import in_thread

D = datetime.date
MARCH = D(2026, 3, 1)
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def contracts(active_contract, contract_factory):
    return [active_contract, *(contract_factory(port) for port in (1, 2, 4, 5, 6, 7, 8))]


def invoiced_once(contracts):
    counts = Counter(Invoice.objects.filter(period=MARCH).values_list("contract_id", flat=True))
    return counts == Counter({c.pk: 1 for c in contracts})


def test_two_runs_of_one_month_do_not_interleave_and_miss_nothing(contracts):
    held = contracts[-1]
    with transaction.atomic():
        Contract.objects.select_for_update().get(pk=held.pk)  # a clerk editing the last contract
        first, first_run = in_thread(lambda: services.run_monthly_invoices(MARCH, batch_size=2))
        first.join(timeout=1)
        assert first.is_alive(), "the run must wait for the locked contract, not skip it"
        second, second_run = in_thread(lambda: services.run_monthly_invoices(MARCH, batch_size=2))
        second.join(timeout=1)
        assert second.is_alive(), "a second run of the month must wait for the first"
    first.join(timeout=20), second.join(timeout=20)
    assert invoiced_once(contracts)
    assert (first_run["result"].created, first_run["result"].not_invoiced) == (len(contracts), {})
    assert (second_run["result"].created, second_run["result"].not_invoiced) == (0, {})


def test_a_contract_that_owes_nothing_is_reported_with_the_reason(contracts):
    free = contracts[0]
    services.add_charge(free, description="Outage credit", amount="-99.90", created_on=D(2026, 3, 5))
    run = services.run_monthly_invoices(MARCH)
    assert run.created == len(contracts) - 1
    assert run.as_dict()["not_invoiced"] == {
        str(free.pk): "Nothing is owed this month: the discount and credits cover it."
    }


def with_lock_timeout(work):
    """Run `work` on a connection that gives up on a row lock after 200 ms (a transient
    OperationalError, as when the database restarts mid-run)."""
    def run():
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '200ms'")
        try:
            return work()
        except OperationalError as error:
            return error
    return run


def test_a_run_after_a_partial_run_invoices_only_the_rest(contracts):
    held = contracts[-1]
    with transaction.atomic():
        Contract.objects.select_for_update().get(pk=held.pk)
        worker, outcome = in_thread(
            with_lock_timeout(lambda: services.run_monthly_invoices(MARCH, batch_size=2))
        )
        worker.join(timeout=10)
    assert isinstance(outcome["result"], OperationalError)
    partial = set(Invoice.objects.filter(period=MARCH).values_list("contract_id", flat=True))
    assert partial == {c.pk for c in contracts[:6]}  # three batches of two committed
    run = services.run_monthly_invoices(MARCH, batch_size=2)
    assert (run.created, run.not_invoiced) == (2, {})
    assert invoiced_once(contracts)


def test_the_task_retries_a_database_error_until_the_run_completes(contracts):
    held = contracts[-1]
    with transaction.atomic():
        Contract.objects.select_for_update().get(pk=held.pk)
        worker, _outcome = in_thread(
            with_lock_timeout(lambda: run_monthly_invoices_task.apply(kwargs={"period": "2026-03-01"}))
        )
        time.sleep(1)  # a few attempts fail on the locked contract and are retried
        assert worker.is_alive()
    worker.join(timeout=30)
    assert not worker.is_alive()
    assert invoiced_once(contracts)
