"""Celery wrappers around crm.sales.services (acks_late: a lost worker's task runs again, and
the services make the second run harmless)."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_proposal_task(proposal_id, send_request):
    return services.deliver_proposal(proposal_id, send_request)


@shared_task
def expire_proposals_task():
    return services.expire_proposals()
