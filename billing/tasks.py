"""Celery wrappers: the monthly invoice run and the daily overdue-suspension job."""

import datetime

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(acks_late=True)
def run_monthly_invoices_task(period=None):
    """Invoice last month (billing is in arrears); `period` as YYYY-MM-DD picks another month.
    Safe to retry: the run skips contracts already invoiced for the month."""
    if period:
        month = datetime.date.fromisoformat(period)
    else:
        month = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    return services.run_monthly_invoices(month)


@shared_task(acks_late=True)
def run_overdue_suspensions_task():
    suspended, unsuspended = services.run_overdue_suspensions()
    return {"suspended": suspended, "unsuspended": unsuspended}
