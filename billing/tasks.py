"""Celery wrappers: the monthly invoice run, the daily overdue-suspension job, dunning,
credit bureau clearing and the yearly debt-clearance declarations."""

import datetime
import logging

from celery import shared_task
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from . import bureau, clearance, dunning, services

logger = logging.getLogger(__name__)


@shared_task(
    acks_late=True, reject_on_worker_lost=True, autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5, retry_backoff_max=600, max_retries=12,
)
def run_monthly_invoices_task(period=None):
    """Invoice last month (billing is in arrears); `period` as YYYY-MM-DD picks another month.

    A database that restarts or drops the connection mid-run retries the task with backoff
    (a killed worker's message is redelivered); that is safe because the run skips
    contracts already invoiced for the month. Returns the run's report.
    """
    if period:
        month = datetime.date.fromisoformat(period)
    else:
        month = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    report = services.run_monthly_invoices(month)
    if report.not_invoiced:
        logger.warning("Monthly run of %s left %s contracts without an invoice: %s",
                       report.period, len(report.not_invoiced), report.not_invoiced)
    return report.as_dict()


@shared_task(acks_late=True)
def run_overdue_suspensions_task():
    suspended, unsuspended = services.run_overdue_suspensions()
    return {"suspended": suspended, "unsuspended": unsuspended}


@shared_task(acks_late=True)
def run_dunning_task():
    """Create today's reminders (once each) and send every pending one in its own task."""
    scheduled = dunning.schedule_notices()
    pending = dunning.pending_notice_ids()
    for notice_id in pending:
        send_dunning_notice_task.delay(notice_id)
    return {"scheduled": scheduled, "dispatched": len(pending)}


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=50)
def send_dunning_notice_task(self, notice_id):
    """Safe to retry and to run twice: a notice is sent at most once (billing.dunning)."""
    notice, retry_in = dunning.send_notice(notice_id)
    if retry_in is not None:
        raise self.retry(countdown=min(max(retry_in, 1), 300))
    return notice.status


@shared_task(acks_late=True)
def clear_settled_bureau_records_task():
    return bureau.clear_settled()


@shared_task(acks_late=True)
def issue_clearance_declarations_task(year=None):
    """Last year's debt-clearance declarations, once per client (billing.clearance), each
    e-mailed in its own task."""
    issued = clearance.issue_year(year or timezone.localdate().year - 1)
    for declaration_id in issued:
        email_clearance_declaration_task.delay(declaration_id)
    return len(issued)


@shared_task(acks_late=True)
def email_clearance_declaration_task(declaration_id):
    """Safe to retry: the e-mail's key is the declaration's. No e-mail provider: nothing sent,
    the declaration is in the client's panel anyway."""
    declaration = clearance.declaration_list().get(pk=declaration_id)
    try:
        return clearance.email_declaration(declaration).as_dict()
    except ValidationError as error:
        return {"status": "not_sent", "reason": "; ".join(error.messages)}
