"""Messaging writes: campaigns, their deliveries, callbacks and opt-outs.

Delivery states: queued -> sending (claimed by one worker, guarded UPDATE) ->
sent -> delivered, or failed. A temporary failure puts the delivery back in
queued with `retry_at` (exponential backoff) until MESSAGING_MAX_ATTEMPTS; a
permanent one fails it at once. A claim older than the lease is a dead worker's
and is taken over; the provider then sees the same idempotency key again.
"""

import hashlib
import hmac
import json
import time
import unicodedata
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.parsers import load_json
from crm.people.models import Person
from gis.selection import clean_contract_filters, clean_selection_area

from . import selectors
from .choices import CampaignStatus, Channel, DeliveryStatus, ExclusionReason, OptOutSource
from .message_templates import UCS2, placeholders_in, render, sms_length
from .models import Campaign, Delivery, OptOut
from .providers import OutgoingMessage, PermanentFailure, TemporaryFailure, provider_for

WHATSAPP_MAX_CHARACTERS = 1024  # a Cloud API template parameter
EMAIL_MAX_CHARACTERS = 20_000
OPT_OUT_KEYWORDS = {"SAIR", "PARAR", "STOP", "CANCELAR", "DESCADASTRAR", "REMOVER"}
_OPT_OUT_SALT = "crm.messaging.optout"


@dataclass
class RenderedCampaign:
    """Every message a campaign would send, and why the others were left out."""

    contacts: int
    contracts: int
    messages: list  # [(Contact, destination, subject, body)]
    excluded: dict
    length: dict

    def summary(self):
        contact, destination, subject, body = self.messages[0]
        return {
            "contacts": self.contacts,
            "contracts": self.contracts,
            "recipients": len(self.messages),
            "excluded": self.excluded,
            "sample": {"to": destination, "subject": subject, "body": body},
            "length": self.length,
        }


def clean_selection(area, contract_statuses=(), plan_ids=()):
    """(SelectionArea, statuses, plan_ids) with errors under the campaign's own field names."""
    errors = {}
    try:
        selection_area = clean_selection_area(area)
    except ValidationError as error:
        errors["area"] = error.messages
    try:
        statuses, plans = clean_contract_filters(contract_statuses, plan_ids)
    except ValidationError as error:
        names = {"status": "contract_statuses", "plan": "plan_ids"}
        errors.update({names.get(key, key): value for key, value in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return selection_area, statuses, plans


def _check_template(channel, subject, body, window_start, window_end, protocol):
    errors = {}
    used = set()
    for name, text in (("body", body), ("subject", subject)):
        try:
            used |= placeholders_in(text or "")
        except ValidationError as error:
            errors[name] = error.messages
    if not (body or "").strip():
        errors["body"] = [_("Write the message.")]
    if channel == Channel.EMAIL and not (subject or "").strip():
        errors["subject"] = [_("An e-mail needs a subject.")]
    needed = {"window_start": window_start, "window_end": window_end, "protocol": protocol}
    for name, value in needed.items():
        if name in used and not value:
            errors[name] = [_("The message uses {%(name)s}: fill it in.") % {"name": name}]
    if window_start and window_end and window_end < window_start:
        errors["window_end"] = [_("The window must end after it starts.")]
    if errors:
        raise ValidationError(errors)


def _when(value):
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT") if value else ""


def _context(contact, window_start, window_end, protocol):
    name = contact.trade_name or contact.name
    return {
        "client_name": name,
        "first_name": (contact.name.split() or [""])[0] if not contact.trade_name else name,
        "contract": ", ".join(contact.contracts),
        "address": contact.address,
        "window_start": _when(window_start),
        "window_end": _when(window_end),
        "protocol": protocol,
    }


def opt_out_url(person_id, channel):
    token = signing.dumps([person_id, channel], salt=_OPT_OUT_SALT, compress=True)
    return f"{settings.MALHA_PUBLIC_URL}/optout/{token}/"


def email_footer(person_id):
    return "\n\n--\n" + _("To stop receiving these e-mails, open %(url)s") % {
        "url": opt_out_url(person_id, Channel.EMAIL)
    }


def measure_length(channel, bodies):
    """Length of the longest message, or ValidationError when it is over the channel's limit."""
    if channel == Channel.SMS:
        encoding, units, segments = max((sms_length(body) for body in bodies), key=lambda m: m[2:0:-1])
        limit = settings.MESSAGING_SMS_MAX_SEGMENTS
        length = {"encoding": encoding, "characters": units, "segments": segments,
                  "max_segments": limit}
        if segments > limit:
            hint = _(" Accented letters such as ã, õ and ç switch SMS to UCS-2 (70 characters "
                     "per segment).") if encoding == UCS2 else ""
            raise ValidationError({"body": [ngettext(
                "The longest message is %(characters)s characters in %(encoding)s, %(segments)s "
                "SMS segments; the limit is %(limit)s segment.",
                "The longest message is %(characters)s characters in %(encoding)s, %(segments)s "
                "SMS segments; the limit is %(limit)s segments.",
                limit,
            ) % {**length, "limit": limit} + hint]})
        return length
    limit = WHATSAPP_MAX_CHARACTERS if channel == Channel.WHATSAPP else EMAIL_MAX_CHARACTERS
    characters = max(len(body) for body in bodies)
    if characters > limit:
        raise ValidationError({"body": [
            _("The longest message has %(characters)s characters; %(channel)s allows %(limit)s.")
            % {"characters": characters, "channel": Channel(channel).label, "limit": limit}
        ]})
    return {"characters": characters, "max_characters": limit}


def render_campaign(*, channel, body, area, subject="", contract_statuses=(), plan_ids=(),
                    window_start=None, window_end=None, protocol="", check_length=True):
    """Every message of a campaign, rendered: the preview and the deliveries share this.

    `area` is a gis.selection.SelectionArea. Raises ValidationError for an empty
    selection, nobody reachable, or a message over the channel's limit.
    """
    _check_template(channel, subject, body, window_start, window_end, protocol)
    contacts = selectors.selection_contacts(area, channel, contract_statuses, plan_ids)
    if not contacts:
        raise ValidationError(
            {"area": [_("No contract inside the selection matches the filters.")]}, code="empty"
        )
    excluded = dict.fromkeys(ExclusionReason.values, 0)
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for contact in contacts:
            reason = contact.exclusion(channel)
            if reason:
                excluded[reason] += 1
                continue
            context = _context(contact, window_start, window_end, protocol)
            text = render(body, context)
            if channel == Channel.EMAIL:
                text += email_footer(contact.person_id)
            messages.append(
                (contact, contact.destination(channel), render(subject or "", context), text)
            )
    if not messages:
        raise ValidationError({"channel": [
            _("Nobody in the selection can receive %(channel)s: %(contacts)s contacts, all excluded.")
            % {"channel": Channel(channel).label, "contacts": len(contacts)}
        ]}, code="nobody")
    length = measure_length(channel, [text for *_rest, text in messages]) if check_length else {}
    return RenderedCampaign(
        len(contacts), sum(len(c.contracts) for c in contacts), messages, excluded, length
    )


def preview_campaign(*, area, contract_statuses=(), plan_ids=(), **template):
    """What a campaign would send: counts, exclusions by reason, a sample and its length."""
    selection_area, statuses, plans = clean_selection(area, contract_statuses, plan_ids)
    provider_for(template["channel"])
    return render_campaign(
        area=selection_area, contract_statuses=statuses, plan_ids=plans, **template
    ).summary()


@transaction.atomic
def create_campaign(*, name, created_by=None, area, contract_statuses=(), plan_ids=(), **template):
    """A draft campaign, validated like its preview; returns (campaign, preview summary)."""
    selection_area, statuses, plans = clean_selection(area, contract_statuses, plan_ids)
    provider_for(template["channel"])
    rendered = render_campaign(
        area=selection_area, contract_statuses=statuses, plan_ids=plans, **template
    )
    campaign = Campaign.objects.create(
        name=name, created_by=created_by, area=selection_area.geometry,
        contract_statuses=statuses, plan_ids=plans,
        recipient_count=len(rendered.messages), excluded_counts=rendered.excluded, **template,
    )
    return campaign, rendered.summary()


def _render_stored(campaign, check_length=True):
    area = clean_selection_area(json.loads(campaign.area.geojson))
    return render_campaign(
        channel=campaign.channel, subject=campaign.subject, body=campaign.body, area=area,
        contract_statuses=campaign.contract_statuses, plan_ids=campaign.plan_ids,
        window_start=campaign.window_start, window_end=campaign.window_end,
        protocol=campaign.protocol, check_length=check_length,
    )


@transaction.atomic
def confirm_campaign(campaign):
    """Draft -> queued; the deliveries are written and sent by Celery (prepare_campaign)."""
    from . import tasks

    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.DRAFT:
        raise ValidationError(_("This campaign was already confirmed."), code="not_draft")
    provider_for(campaign.channel)
    rendered = _render_stored(campaign)
    campaign.status = CampaignStatus.QUEUED
    campaign.confirmed_at = timezone.now()
    campaign.recipient_count = len(rendered.messages)
    campaign.excluded_counts = rendered.excluded
    campaign.save(update_fields=["status", "confirmed_at", "recipient_count", "excluded_counts"])
    transaction.on_commit(lambda: tasks.prepare_campaign.delay(campaign.pk))
    return campaign


def prepare_campaign(campaign_id):
    """Write one MessageLog + Delivery per recipient (once), then fan the sending out.

    Safe to run twice: a campaign past `queued` only gets its queued deliveries dispatched.
    """
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        if campaign.status == CampaignStatus.QUEUED:
            rendered = _render_stored(campaign, check_length=False)
            _write_deliveries(campaign, rendered.messages)
            campaign.status = CampaignStatus.SENDING
            campaign.recipient_count = len(rendered.messages)
            campaign.excluded_counts = rendered.excluded
            campaign.save(update_fields=["status", "recipient_count", "excluded_counts"])
        elif campaign.status != CampaignStatus.SENDING:
            return 0
    return start_sending(campaign_id, campaign.deliveries.filter(status=DeliveryStatus.QUEUED))


def _write_deliveries(campaign, messages):
    """One MessageLog and one Delivery per message, with COPY: 100,000 rows in seconds.

    Ids come from the tables' own sequences so each Delivery can name its MessageLog.
    """
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('crm_messagelog', 'id')) "
            "FROM generate_series(1, %s)", [len(messages)],
        )
        log_ids = [row[0] for row in cursor.fetchall()]
        with cursor.copy(
            "COPY crm_messagelog (id, person_id, campaign_id, channel, destination, subject, body,"
            " created_at) FROM STDIN"
        ) as copy:
            for log_id, (contact, destination, subject, body) in zip(log_ids, messages):
                copy.write_row((log_id, contact.person_id, campaign.pk, campaign.channel,
                                destination, subject, body, now))
        with cursor.copy(
            "COPY crm_delivery (campaign_id, person_id, message_id, idempotency_key, status,"
            " attempts, provider, provider_message_id, error) FROM STDIN"
        ) as copy:
            for log_id, (contact, *_message) in zip(log_ids, messages):
                copy.write_row((campaign.pk, contact.person_id, log_id, uuid.uuid4().hex,
                                DeliveryStatus.QUEUED, 0, "", "", ""))


def start_sending(campaign_id, deliveries):
    """Dispatch `deliveries` and start the campaign's watcher (progress, recovery, the end)."""
    from . import tasks

    dispatched = dispatch(campaign_id, deliveries)
    tasks.watch_campaign.apply_async((campaign_id,), countdown=tasks.WATCH_INTERVAL_SECONDS)
    return dispatched


def dispatch(campaign_id, deliveries, countdown=None):
    """Enqueue send_batch tasks for `deliveries` in MESSAGING_BATCH_SIZE chunks."""
    from . import tasks

    ids = list(deliveries.order_by("id").values_list("id", flat=True))
    size = settings.MESSAGING_BATCH_SIZE
    for start in range(0, len(ids), size):
        tasks.send_batch.apply_async((campaign_id, ids[start:start + size]), countdown=countdown)
    return len(ids)


_CLAIM_SQL = """
    UPDATE crm_delivery AS d
    SET status = 'sending', claimed_at = now(), attempts = d.attempts + 1
    FROM crm_messagelog AS m
    WHERE m.id = d.message_id AND d.id = ANY(%s) AND (
        (d.status = 'queued' AND (d.retry_at IS NULL OR d.retry_at <= now()))
        OR (d.status = 'sending' AND d.claimed_at < now() - make_interval(secs => %s)))
    RETURNING d.id, d.idempotency_key, d.attempts, m.destination, m.subject, m.body, d.person_id
"""


def _claim(ids):
    """Take the claimable deliveries among `ids` for this worker, in one guarded UPDATE."""
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_SQL, [list(ids), settings.MESSAGING_CLAIM_LEASE_SECONDS])
        return sorted(cursor.fetchall())


def _mark(delivery_id, **fields):
    """Record one outcome; sending -> x (or queued -> x when a watcher requeued a slow claim).

    Plain SQL: this runs once per message and the ORM's query building was a third of it.
    """
    assignments = ", ".join(f"{Delivery._meta.get_field(name).column} = %s" for name in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE crm_delivery SET {assignments} WHERE id = %s AND status IN ('sending', 'queued')",
            [*fields.values(), delivery_id],
        )


def _backoff(attempts, retry_after=None):
    delay = settings.MESSAGING_RETRY_BASE_SECONDS * 2 ** (attempts - 1)
    return max(delay, retry_after or 0)


@dataclass
class BatchOutcome:
    sent: int = 0
    failed: int = 0
    retry: dict = field(default_factory=dict)  # {countdown seconds: [delivery ids]}
    deferred: list = field(default_factory=list)  # for a later task (rate limit, time budget)
    defer_for: float = 0


def send_deliveries(campaign_id, delivery_ids):
    """Send the claimable deliveries of a campaign among `delivery_ids`."""
    return send_queued(Campaign.objects.get(pk=campaign_id).channel, delivery_ids)


def send_queued(channel, delivery_ids):
    """Send the claimable deliveries among `delivery_ids`; the caller enqueues what comes back.

    The one sending path of campaigns and of messages to one person (direct.py).
    Claims go in small chunks, each message is recorded as soon as the provider
    answers (asynchronous commit: a killed worker cannot lose it, only a
    database crash could), and the batch stops after MESSAGING_BATCH_BUDGET_SECONDS
    or when a rate limit asks for a long wait, handing the rest back.
    """
    provider = provider_for(channel)
    outcome = BatchOutcome()
    remaining = list(delivery_ids)
    deadline = time.monotonic() + settings.MESSAGING_BATCH_BUDGET_SECONDS
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    provider.open()
    try:
        while remaining and not outcome.deferred:
            if time.monotonic() > deadline:
                outcome.deferred = remaining
                break
            chunk, remaining = remaining[:25], remaining[25:]
            claimed = _claim(chunk)
            for index, row in enumerate(claimed):
                wait = provider.rate_limiter.acquire()
                while 0 < wait <= 1:
                    time.sleep(wait)
                    wait = provider.rate_limiter.acquire()
                if wait:
                    unsent = [claimed_row[0] for claimed_row in claimed[index:]]
                    # Not an attempt: hand the claims back as they were.
                    Delivery.objects.filter(pk__in=unsent, status=DeliveryStatus.SENDING).update(
                        status=DeliveryStatus.QUEUED, attempts=F("attempts") - 1, claimed_at=None
                    )
                    outcome.deferred, outcome.defer_for = unsent + remaining, wait
                    break
                _send_one(provider, row, outcome)
    finally:
        provider.close()
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO DEFAULT")
    return outcome


def _send_one(provider, row, outcome):
    delivery_id, key, attempts, destination, subject, body, person_id = row
    headers = {}
    if provider.channel == Channel.EMAIL:
        url = opt_out_url(person_id, Channel.EMAIL)
        headers = {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    message = OutgoingMessage(key, destination, body, subject, headers)
    now = timezone.now()
    try:
        provider_message_id = provider.send(message)
    except TemporaryFailure as failure:
        if attempts >= settings.MESSAGING_MAX_ATTEMPTS:
            _mark(delivery_id, status=DeliveryStatus.FAILED, error=failure.error, failed_at=now)
            outcome.failed += 1
            return
        countdown = _backoff(attempts, failure.retry_after)
        _mark(delivery_id, status=DeliveryStatus.QUEUED, error=failure.error,
              retry_at=now + timezone.timedelta(seconds=countdown))
        outcome.retry.setdefault(countdown, []).append(delivery_id)
    except PermanentFailure as failure:
        _mark(delivery_id, status=DeliveryStatus.FAILED, error=failure.error, failed_at=now)
        outcome.failed += 1
    else:
        _mark(delivery_id, status=DeliveryStatus.SENT, sent_at=now, error="",
              provider=provider.name, provider_message_id=provider_message_id[:200])
        outcome.sent += 1


def finish_if_done(campaign_id):
    """Sending -> finished once no delivery is queued or being sent. True when finished."""
    busy = Delivery.objects.filter(
        campaign_id=campaign_id, status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING]
    ).exists()
    if busy:
        return False
    Campaign.objects.filter(pk=campaign_id, status=CampaignStatus.SENDING).update(
        status=CampaignStatus.FINISHED, finished_at=timezone.now()
    )
    return True


def recover_stalled(campaign_id):
    """Re-dispatch deliveries a dead worker left: claims past the lease, retries long overdue."""
    now = timezone.now()
    stale = now - timezone.timedelta(seconds=settings.MESSAGING_CLAIM_LEASE_SECONDS)
    deliveries = Delivery.objects.filter(campaign_id=campaign_id)
    # A message whose every attempt died with its worker must not loop for ever.
    deliveries.filter(
        status=DeliveryStatus.SENDING, claimed_at__lt=stale,
        attempts__gte=settings.MESSAGING_MAX_ATTEMPTS,
    ).update(status=DeliveryStatus.FAILED, failed_at=now, error=_(
        "Gave up: every attempt ended without an answer (worker stopped or crashed)."
    ))
    dead_claims = Q(status=DeliveryStatus.SENDING, claimed_at__lt=stale)
    overdue_retries = Q(status=DeliveryStatus.QUEUED, retry_at__lt=stale)
    if deliveries.filter(dead_claims).exists():
        # A worker died: the rest of its batch sits in a task the broker hands back only
        # after its visibility timeout. Dispatch every waiting delivery again now; where
        # two tasks hold one delivery, the claim lets exactly one of them send it.
        waiting = Q(status=DeliveryStatus.QUEUED, retry_at__isnull=True)
        return dispatch(campaign_id, deliveries.filter(dead_claims | overdue_retries | waiting))
    return dispatch(campaign_id, deliveries.filter(overdue_retries))


@transaction.atomic
def resend_failed(campaign):
    """Queue the failed deliveries again, as new messages (new idempotency keys)."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status not in (CampaignStatus.SENDING, CampaignStatus.FINISHED):
        raise ValidationError(_("Only a confirmed campaign has failures to resend."), code="not_sent")
    failed = list(
        campaign.deliveries.filter(status=DeliveryStatus.FAILED)
        .exclude(person__opt_outs__channel=campaign.channel)
        .values_list("id", flat=True)
    )
    if not failed:
        raise ValidationError(_("There is no failed message to resend."), code="nothing_failed")
    for delivery_id in failed:
        Delivery.objects.filter(pk=delivery_id).update(
            status=DeliveryStatus.QUEUED, attempts=0, retry_at=None, claimed_at=None,
            failed_at=None, error="", idempotency_key=uuid.uuid4().hex,
        )
    campaign.status = CampaignStatus.SENDING
    campaign.finished_at = None
    campaign.save(update_fields=["status", "finished_at"])
    transaction.on_commit(
        lambda: start_sending(campaign.pk, Delivery.objects.filter(pk__in=failed))
    )
    return len(failed)


# --- callbacks and consent -------------------------------------------------------------------

class CallbackRefused(Exception):
    """A callback that is not signed, too old or already received (the API answers 403)."""


# Meta retries a webhook it could not deliver for up to 7 days, with the same body and ids.
META_RETRY_SECONDS = 7 * 24 * 3600
_CLAIM_PREFIX = "messaging:callback:"


def verify_signature(body, signature, secret):
    """True when `signature` ("sha256=<hex>" or "<hex>") is the HMAC-SHA256 of body with secret."""
    if not secret or not signature:
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature.removeprefix("sha256="))


def receive_callback(channel, headers, body):
    """Authenticate, parse and apply a provider's callback once; CallbackRefused when forged,
    stale or replayed.

    Our scheme (SMS): the signature covers a timestamp at most
    MESSAGING_WEBHOOK_MAX_AGE_SECONDS old, and each signature is accepted once (kept in
    Redis for twice that window, clocks may differ either way). Meta's X-Hub-Signature-256
    (WhatsApp) has no timestamp, so its events are taken once each by their ids
    (record_callback). A claim is given back when applying fails, for the provider's retry.
    """
    claims = []
    try:
        if channel == Channel.WHATSAPP:
            _verify(body, headers.get("X-Hub-Signature-256", ""), settings.MESSAGING_WHATSAPP_APP_SECRET)
        else:
            claims.append(_claim_signed_callback(headers, body))
        payload = load_json(body)
        if not isinstance(payload, dict):
            raise ValidationError(_("The body must be a JSON object."), code="not_an_object")
        return record_callback(channel, payload, claims)
    except Exception:
        cache.delete_many(claims)
        raise


def _verify(body, signature, secret):
    if not verify_signature(body, signature, secret):
        raise CallbackRefused(_("Invalid or missing signature."))


def _claim_signed_callback(headers, body):
    """The replay key of a callback signed with our scheme, once it is checked and new."""
    timestamp = headers.get("X-Malha-Timestamp", "")
    signature = headers.get("X-Malha-Signature", "")
    if not (timestamp.isascii() and timestamp.isdigit()):
        raise CallbackRefused(_("Missing or malformed X-Malha-Timestamp header."))
    _verify(timestamp.encode() + b"." + body, signature, settings.MESSAGING_WEBHOOK_SECRET)
    max_age = settings.MESSAGING_WEBHOOK_MAX_AGE_SECONDS
    if abs(time.time() - int(timestamp)) > max_age:
        raise CallbackRefused(
            _("The callback's timestamp is more than %(seconds)s seconds away from now.") % {"seconds": max_age}
        )
    key = _CLAIM_PREFIX + signature.removeprefix("sha256=")
    if not cache.add(key, 1, timeout=2 * max_age):
        raise CallbackRefused(_("This callback was already received."))
    return key


_CALLBACK_STATUS = {"sent": DeliveryStatus.SENT, "delivered": DeliveryStatus.DELIVERED,
                    "read": DeliveryStatus.DELIVERED, "failed": DeliveryStatus.FAILED}
_MAY_BECOME = {
    DeliveryStatus.SENT: [DeliveryStatus.SENDING, DeliveryStatus.QUEUED],
    DeliveryStatus.DELIVERED: [DeliveryStatus.SENDING, DeliveryStatus.SENT],
    DeliveryStatus.FAILED: [DeliveryStatus.SENDING, DeliveryStatus.SENT],
}


def _first_time(event_id, claims):
    """True for an event without a provider id, or one whose id is seen for the first time."""
    if not event_id:
        return True
    key = _CLAIM_PREFIX + hashlib.sha256(str(event_id).encode()).hexdigest()
    if not cache.add(key, 1, timeout=META_RETRY_SECONDS):
        return False
    claims.append(key)
    return True


@transaction.atomic
def record_callback(channel, payload, claims):
    """Apply a provider's delivery reports and inbound replies; returns counts.

    Statuses only move forward (a late "sent" never undoes "delivered") and only on
    deliveries of this channel sent through this provider (or not yet marked sent), so
    a callback for one channel cannot touch another's; an event whose id was seen is
    skipped (its id joins `claims`). A reply that is an opt-out keyword (SAIR, PARAR...)
    opts the sender out of the channel.
    """
    provider = provider_for(channel)
    try:
        statuses, inbound = provider.parse_callback(payload)
    except (AttributeError, TypeError, ValueError):
        raise ValidationError(_("The callback body is not in the provider's format.")) from None
    except PermanentFailure:
        raise ValidationError(_("This channel's provider sends no callbacks.")) from None
    updated = 0
    now = timezone.now()
    ours = Delivery.objects.filter(Q(provider=provider.name) | Q(provider=""), message__channel=channel)
    for event_id, key, status, error in statuses:
        new = _CALLBACK_STATUS.get(str(status).lower())
        if not new or not key or not _first_time(event_id, claims):
            continue
        fields = {"status": new}
        if new == DeliveryStatus.DELIVERED:
            fields["delivered_at"] = now
        elif new == DeliveryStatus.FAILED:
            fields.update(failed_at=now, error=_("Gateway: %(error)s") % {"error": error or "?"})
        else:
            fields["sent_at"] = now
        updated += ours.filter(idempotency_key=str(key), status__in=_MAY_BECOME[new]).update(**fields)
    opted_out = 0
    for event_id, phone, text in inbound:
        if _is_opt_out_keyword(text) and _first_time(event_id, claims):
            for person in selectors.people_with_mobile(phone):
                record_opt_out(person, channel, OptOutSource.KEYWORD, detail=text[:200])
                opted_out += 1
    return {"updated": updated, "opted_out": opted_out}


def _is_opt_out_keyword(text):
    plain = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    words = plain.strip().upper().split()
    return bool(words) and words[0].strip(".!") in OPT_OUT_KEYWORDS


@transaction.atomic
def record_opt_out(person, channel, source, detail=""):
    """Record (once) that a person refuses a channel, withdraw the consent flag, and drop
    their messages of that channel still waiting in a queue."""
    opt_out, _created = OptOut.objects.get_or_create(
        person=person, channel=channel, defaults={"source": source, "detail": detail}
    )
    Person.objects.filter(pk=person.pk).update(**{f"consent_{channel}": False})
    Delivery.objects.filter(
        person=person, message__channel=channel, status=DeliveryStatus.QUEUED
    ).update(status=DeliveryStatus.FAILED, failed_at=timezone.now(),
             error=_("The client opted out of this channel."))
    return opt_out


def opt_out_from_token(token):
    """Opt out from a signed e-mail link; ValidationError for a forged or broken token."""
    try:
        person_id, channel = signing.loads(token, salt=_OPT_OUT_SALT)
        person = Person.objects.get(pk=person_id)
    except (signing.BadSignature, ValueError, TypeError, Person.DoesNotExist):
        raise ValidationError(_("This opt-out link is invalid."), code="bad_token") from None
    return record_opt_out(person, channel, OptOutSource.LINK)
