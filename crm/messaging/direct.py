"""Send one message to one person (billing reminders, declarations) on the campaigns' path.

A message to one person is a Delivery without a campaign, with its MessageLog (the
client's "messages sent" panel). The caller names the message with a key of its own
(e.g. "dunning-notice:42"); the delivery's idempotency key is derived from it, so a
retried task finds the same row, and the guarded claim of services.send_queued lets
one run send it. Consent and opt-outs are checked as for campaigns: an excluded
person gets nothing and the caller gets the reason.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from . import selectors, services
from .choices import Channel, DeliveryStatus
from .models import Delivery, MessageLog
from .providers import provider_for


class DirectStatus:
    SENT = "sent"
    FAILED = "failed"
    EXCLUDED = "excluded"
    # Not sent yet: a temporary failure, a rate limit, or another worker holds the claim.
    PENDING = "pending"


@dataclass
class DirectResult:
    status: str
    message: MessageLog | None = None
    reason: str = ""  # the ExclusionReason, or the provider's error
    retry_in: float = 0  # seconds until a PENDING message is worth trying again

    def as_dict(self):
        return {"status": self.status, "message": self.message and self.message.pk,
                "reason": self.reason, "retry_in": self.retry_in}


def delivery_key(key):
    """The provider-safe idempotency key of a caller's key: 32 hex digits, like a campaign's."""
    return hashlib.sha256(f"direct:{key}".encode()).hexdigest()[:32]


def send_to_person(person, channel, *, body, key, subject=""):
    """Send `body` to `person` on `channel` once per `key`; returns a DirectResult.

    Synchronous (call it from a Celery task: send_to_person_task retries PENDING).
    ValidationError when the channel has no provider or the message is over its limit.
    """
    provider_for(channel)
    delivery = Delivery.objects.filter(idempotency_key=delivery_key(key)).select_related("message").first()
    if delivery is not None:
        channel = delivery.message.channel  # a key names one message, whatever is asked now
    else:
        contact = selectors.person_contact(person)
        reason = contact.exclusion(channel)
        if reason:
            return DirectResult(DirectStatus.EXCLUDED, reason=reason)
        if channel == Channel.EMAIL:
            with translation.override(settings.LANGUAGE_CODE):
                body += services.email_footer(person.pk)
        services.measure_length(channel, [body])
        delivery = _queue(person, channel, contact.destination(channel), subject, body, key)
    outcome = services.send_queued(channel, [delivery.pk])
    delivery.refresh_from_db()
    return _result(delivery, outcome)


def _queue(person, channel, destination, subject, body, key):
    """The MessageLog and queued Delivery of a new message; the existing one if a concurrent
    call with the same key got there first."""
    try:
        with transaction.atomic():
            message = MessageLog.objects.create(
                person=person, channel=channel, destination=destination, subject=subject[:200],
                body=body,
            )
            return Delivery.objects.create(
                person=person, message=message, idempotency_key=delivery_key(key)
            )
    except IntegrityError:
        return Delivery.objects.get(idempotency_key=delivery_key(key))


def _result(delivery, outcome):
    message = MessageLog.objects.get(pk=delivery.message_id)
    if delivery.status in (DeliveryStatus.SENT, DeliveryStatus.DELIVERED):
        return DirectResult(DirectStatus.SENT, message)
    if delivery.status == DeliveryStatus.FAILED:
        return DirectResult(DirectStatus.FAILED, message, reason=delivery.error)
    if delivery.status == DeliveryStatus.QUEUED and delivery.retry_at:
        wait = max((delivery.retry_at - timezone.now()).total_seconds(), 0)
    elif delivery.status == DeliveryStatus.QUEUED:
        wait = outcome.defer_for  # the rate limit asked for a long wait
    else:
        wait = settings.MESSAGING_CLAIM_LEASE_SECONDS  # another worker is sending it
    return DirectResult(DirectStatus.PENDING, message, reason=delivery.error, retry_in=wait)
