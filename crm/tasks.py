"""Celery tasks of crm (found by autodiscovery); messaging keeps its own in crm.messaging."""

from crm.messaging.tasks import prepare_campaign, send_batch, watch_campaign

__all__ = ["prepare_campaign", "send_batch", "watch_campaign"]
