"""Real Celery workers on the real Redis: rate limits, retries and a SIGKILL mid-campaign.

Everything is counted where it arrives (the fake gateway), not in our database.
"""

import time
from collections import Counter

import pytest

from crm.messaging import services
from crm.messaging.models import Campaign, Delivery

from .conftest import AREA, phone


def wait_until(condition, timeout=60, message="condition"):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {message}")
        time.sleep(0.1)


def send(channel="sms", body="Manutenção na sua rua."):
    campaign, _preview = services.create_campaign(name="Aviso", channel=channel, body=body,
                                                  subject="Aviso", area=AREA)
    services.confirm_campaign(campaign)
    return campaign


def finished(campaign):
    return lambda: Campaign.objects.get(pk=campaign.pk).status == "finished"


def test_the_per_second_limit_holds_at_the_gateway_across_two_worker_processes(
    gateway, make_client, start_worker
):
    for n in range(40):
        make_client(f"Cliente {n}", phone=phone(n))
    start_worker(concurrency=2, MESSAGING_SMS_RATE_PER_SECOND=10, MESSAGING_BATCH_SIZE=5)

    campaign = send()
    wait_until(finished(campaign), message="the campaign to finish")

    times = sorted(message["at"] for message in gateway.accepted)
    assert len(times) == 40 and not gateway.duplicates
    busiest_second = max(sum(1 for t in times if start <= t < start + 1) for start in times)
    assert busiest_second <= 11  # one message every 100 ms: at most 10 + 1 in any second
    assert times[-1] - times[0] >= 3.5  # 40 messages at 10/s cannot take less than 3.9 s


def test_temporary_failures_are_retried_with_backoff_and_permanent_ones_are_not(
    gateway, make_client, start_worker
):
    for n in range(6):
        make_client(f"Cliente {n}", phone=phone(n))
    gateway.flaky_numbers[phone(1)] = 2  # 503 twice, then accepted
    gateway.fail_numbers[phone(2)] = "invalid destination number"
    gateway.throttle_next = 3  # 429 for the first three requests: numbers 0, 1 and 2
    start_worker(concurrency=1, MESSAGING_RETRY_BASE_SECONDS=0.3)

    campaign = send()
    wait_until(finished(campaign), message="the campaign to finish")

    assert sorted(m["to"] for m in gateway.accepted) == [phone(n) for n in (0, 1, 3, 4, 5)]
    flaky = Delivery.objects.get(campaign=campaign, message__destination=phone(1))
    assert (flaky.status, flaky.attempts) == ("sent", 4)  # 429, 503, 503, accepted
    failed = Delivery.objects.get(campaign=campaign, message__destination=phone(2))
    assert (failed.status, failed.attempts, failed.error) == (  # 429, then 400: no retry
        "failed", 2, "HTTP 400: invalid destination number"
    )


@pytest.mark.slow
def test_exactly_once_when_the_worker_is_killed_mid_campaign(gateway, make_client, start_worker):
    recipients = 150
    for n in range(recipients):
        make_client(f"Cliente {n}", phone=phone(n))
    gateway.delay = 0.02
    settings = {"MESSAGING_BATCH_SIZE": 20, "MESSAGING_CLAIM_LEASE_SECONDS": 3,
                "MESSAGING_BATCH_BUDGET_SECONDS": 1, "CELERY_VISIBILITY_TIMEOUT": 4}
    worker = start_worker(concurrency=2, **settings)

    campaign = send()
    wait_until(lambda: len(gateway.accepted) >= 30, message="the first messages")
    worker.kill()
    sent_before_the_kill = len(gateway.accepted)
    start_worker(concurrency=2, **settings)
    wait_until(finished(campaign), timeout=90, message="the campaign to finish")

    keys = set(Delivery.objects.filter(campaign=campaign).values_list("idempotency_key", flat=True))
    assert sent_before_the_kill < recipients
    assert set(gateway.keys()) == keys  # nothing lost
    assert len(gateway.accepted) == recipients  # each key accepted once
    assert max(Counter(m["to"] for m in gateway.accepted).values()) == 1  # one per person
    assert set(Delivery.objects.filter(campaign=campaign).values_list("status", flat=True)) == {
        "sent"
    }


@pytest.mark.slow
@pytest.mark.parametrize("channel", ["email"])
def test_email_after_a_kill_reaches_everyone_under_one_message_id_each(
    smtp_server, make_client, start_worker, channel
):
    import email as email_parser

    recipients = 80
    for n in range(recipients):
        make_client(f"Cliente {n}", f"c{n}@example.com", phone(n))
    settings = {"MESSAGING_BATCH_SIZE": 10, "MESSAGING_CLAIM_LEASE_SECONDS": 3,
                "MESSAGING_BATCH_BUDGET_SECONDS": 1, "CELERY_VISIBILITY_TIMEOUT": 4,
                "MESSAGING_EMAIL_RATE_PER_SECOND": 40}
    worker = start_worker(concurrency=2, **settings)

    campaign = send(channel)
    wait_until(lambda: len(smtp_server.messages) >= 20, message="the first e-mails")
    worker.kill()
    start_worker(concurrency=2, **settings)
    wait_until(finished(campaign), timeout=90, message="the campaign to finish")

    received = [email_parser.message_from_bytes(m.original_content) for m in smtp_server.messages]
    ids_by_person = {}
    for message in received:
        ids_by_person.setdefault(message["To"], set()).add(message["Message-ID"])
    assert len(ids_by_person) == recipients  # nothing lost
    assert all(len(ids) == 1 for ids in ids_by_person.values())  # never two different messages
    # SMTP does not deduplicate: at most the message in flight in each killed process repeats.
    assert len(received) - recipients <= 2
