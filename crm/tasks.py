"""Celery tasks of crm (found by autodiscovery); messaging and sales keep theirs in their
subpackages."""

from crm.messaging.tasks import prepare_campaign, send_batch, watch_campaign
from crm.sales.tasks import expire_proposals_task, send_proposal_task

__all__ = [
    "prepare_campaign", "send_batch", "watch_campaign", "expire_proposals_task", "send_proposal_task",
]
