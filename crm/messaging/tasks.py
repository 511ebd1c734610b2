"""Celery wrappers around crm.messaging.services.

Every task is acks_late (settings): a worker killed mid-task leaves its message
unacknowledged and the broker hands it to another worker; the services make
that second run harmless.
"""

from celery import shared_task

from . import direct, live, services

WATCH_INTERVAL_SECONDS = 2
# A long rate-limit wait (hourly or daily quota spent) is re-checked at least this often.
MAX_DEFER_SECONDS = 300


@shared_task(acks_late=True, reject_on_worker_lost=True)
def prepare_campaign(campaign_id):
    return services.prepare_campaign(campaign_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_batch(campaign_id, delivery_ids):
    outcome = services.send_deliveries(campaign_id, delivery_ids)
    for countdown, ids in outcome.retry.items():
        send_batch.apply_async((campaign_id, ids), countdown=countdown)
    if outcome.deferred:
        send_batch.apply_async(
            (campaign_id, outcome.deferred), countdown=min(outcome.defer_for, MAX_DEFER_SECONDS)
        )
    return {"sent": outcome.sent, "failed": outcome.failed, "deferred": len(outcome.deferred)}


@shared_task(acks_late=True, reject_on_worker_lost=True)
def watch_campaign(campaign_id):
    """While a campaign sends: take over dead workers' claims, publish progress, finish it."""
    services.recover_stalled(campaign_id)
    finished = services.finish_if_done(campaign_id)
    live.publish_report(campaign_id)
    if not finished:
        watch_campaign.apply_async((campaign_id,), countdown=WATCH_INTERVAL_SECONDS)
    return finished


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=50)
def send_to_person_task(self, person_id, channel, body, key, subject=""):
    """crm.messaging.direct.send_to_person, tried again while the message is pending
    (temporary failure, rate limit); the key keeps every run to one message."""
    from crm.people.models import Person

    result = direct.send_to_person(
        Person.objects.get(pk=person_id), channel, body=body, key=key, subject=subject
    )
    if result.status == direct.DirectStatus.PENDING:
        raise self.retry(countdown=min(max(result.retry_in, 1), MAX_DEFER_SECONDS))
    return result.as_dict()
