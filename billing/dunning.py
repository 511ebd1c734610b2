"""Dunning (régua de cobrança): reminders of a wallet's invoices before and after the due date.

Each active DunningRule of a wallet sends its message `days` from an invoice's due date, on
each of its channels, through crm.messaging.direct (consent, opt-outs, rate limits, the
client's message log). Rules:

* Invoices still owed (open, partially paid, overdue, payment reversed) and not deleted get
  reminders; paid, cancelled and renegotiated ones do not. Contracts suspended at the
  client's request are left alone (the client paused the service; a clerk handles their
  debt); cancelled contracts that still owe do get reminders.
* One DunningNotice per (invoice, rule, channel), unique: a rerun the same day or a retried
  task sends nothing twice, and the message's key is the notice's.
* Missed days (beat down, new rule) are caught up for BILLING_DUNNING_CATCH_UP_DAYS, with at
  most the latest missed reminder per invoice and channel (the earlier ones are recorded as
  skipped), and only while it is still true: a before-due reminder only before the due date,
  the due-day one only on it.
* The amount quoted is what settles the invoice on the day the message goes out (fine,
  interest or discount by billing.money), with the boleto line and the PIX code of that day.
"""

from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.messaging import direct
from crm.messaging.choices import Channel, ExclusionReason
from crm.messaging.message_templates import placeholders_in, render
from crm.messaging.services import measure_length

from . import links
from .choices import RECEIVABLE_STATUSES, ContractStatus, DunningNoticeStatus, SuspensionKind
from .models import DunningNotice, DunningRule, Invoice
from .pdf import brl
from .selectors import payment_slip

PLACEHOLDERS = {
    "client_name": gettext_lazy("Client name (trade name for companies)"),
    "first_name": gettext_lazy("Client's first name"),
    "contract": gettext_lazy("Contract number"),
    "invoice": gettext_lazy("Invoice number"),
    "amount": gettext_lazy("Invoice balance"),
    "amount_due": gettext_lazy("Amount that settles it today (with fine and interest, or discount)"),
    "due_date": gettext_lazy("Due date"),
    "days_late": gettext_lazy("Days past the due date"),
    "typeable_line": gettext_lazy("Boleto typeable line"),
    "pix_code": gettext_lazy("PIX copy-and-paste code"),
    "invoice_link": gettext_lazy("Link to the invoice PDF"),
}
# A realistic longest message, to refuse a rule whose SMS would not fit before it sends anything.
_SAMPLE = {
    "client_name": "X" * 40, "first_name": "X" * 15, "contract": "CT-000000", "invoice": "FT-0000000",
    "amount": "R$ 9.999,99", "amount_due": "R$ 9.999,99", "due_date": "31/12/2099", "days_late": "999",
    "typeable_line": "0" * 54, "pix_code": "0" * 160, "invoice_link": "h" * 120,
}


def _sign(number):
    return (number > 0) - (number < 0)


def _still_true(days, due_date, today):
    """A reminder says before / on / after the due date: only send it while that holds."""
    return _sign((today - due_date).days) == _sign(days)


def _owed(invoice):
    contract = invoice.contract
    paused = contract.status == ContractStatus.SUSPENDED and contract.suspension_kind == SuspensionKind.REQUEST
    return not invoice.deleted_at and invoice.status in RECEIVABLE_STATUSES and not paused


# --- Rules ---


def clean_rule(*, channels, body, subject=""):
    """Placeholders known, a subject for e-mail, and an SMS/WhatsApp that fits its limit."""
    errors = {}
    channels = list(dict.fromkeys(channels or []))
    if not channels:
        errors["channels"] = [_("Choose at least one channel.")]
    elif not set(channels) <= set(Channel.values):
        errors["channels"] = [_("Channels are %(channels)s.") % {"channels": ", ".join(Channel.values)}]
    for name, text in (("body", body), ("subject", subject)):
        try:
            placeholders_in(text or "", PLACEHOLDERS)
        except ValidationError as error:
            errors[name] = error.messages
    if not (body or "").strip():
        errors["body"] = [_("Write the message.")]
    if Channel.EMAIL in channels and not (subject or "").strip():
        errors["subject"] = [_("An e-mail needs a subject.")]
    if not errors:
        for channel in channels:
            try:
                measure_length(channel, [render(body, _SAMPLE)])
            except ValidationError as error:
                errors.setdefault("body", []).extend(error.message_dict["body"])
    if errors:
        raise ValidationError(errors)
    return channels


@transaction.atomic
def create_rule(*, wallet, name, days, channels, body, subject="", active=True):
    rule = DunningRule(wallet=wallet, name=name, days=days, body=body, subject=subject, active=active,
                       channels=clean_rule(channels=channels, body=body, subject=subject))
    rule.full_clean()
    rule.save()
    return rule


@transaction.atomic
def update_rule(rule, **fields):
    """Edit a rule; reminders already sent keep what they said."""
    rule = DunningRule.objects.select_for_update().get(pk=rule.pk)
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.channels = clean_rule(channels=rule.channels, body=rule.body, subject=rule.subject)
    rule.full_clean()
    rule.save()
    return rule


# --- Scheduling and sending ---


def schedule_notices(today=None):
    """Create today's DunningNotices (pending), once each; returns how many were created.

    Set-based over the invoices whose due date puts them inside a rule's window today.
    """
    today = today or timezone.localdate()
    catch_up = settings.BILLING_DUNNING_CATCH_UP_DAYS
    rules_by_wallet = defaultdict(list)
    for rule in DunningRule.objects.filter(active=True).order_by("days"):
        rules_by_wallet[rule.wallet_id].append(rule)
    if not rules_by_wallet:
        return 0
    window = Q()
    for wallet_id, rules in rules_by_wallet.items():
        for rule in rules:
            last_due = today - timezone.timedelta(days=rule.days)
            window |= Q(wallet_id=wallet_id, due_date__range=(last_due - timezone.timedelta(days=catch_up), last_due))
    invoices = list(
        Invoice.objects.filter(window, status__in=RECEIVABLE_STATUSES, deleted_at__isnull=True)
        .exclude(contract__status=ContractStatus.SUSPENDED, contract__suspension_kind=SuspensionKind.REQUEST)
        .values_list("pk", "wallet_id", "due_date")
    )
    latest_sent = {}  # (invoice, channel) -> the latest rule's days already noticed
    for invoice_id, channel, days in DunningNotice.objects.filter(
        invoice_id__in=[pk for pk, _w, _d in invoices]
    ).values_list("invoice_id", "channel", "rule__days"):
        latest_sent[invoice_id, channel] = max(days, latest_sent.get((invoice_id, channel), days))
    notices = []
    for invoice_id, wallet_id, due_date in invoices:
        for channel in Channel.values:
            due = [
                rule for rule in rules_by_wallet[wallet_id]
                if channel in rule.channels
                and 0 <= (today - due_date).days - rule.days <= catch_up
                and rule.days > latest_sent.get((invoice_id, channel), -10**6)
            ]
            if not due:
                continue
            *missed, latest = due
            if _still_true(latest.days, due_date, today):
                notices.append(DunningNotice(invoice_id=invoice_id, rule=latest, channel=channel,
                                             scheduled_for=today))
            else:
                missed.append(latest)
            notices += [
                DunningNotice(invoice_id=invoice_id, rule=rule, channel=channel,
                              scheduled_for=due_date + timezone.timedelta(days=rule.days),
                              status=DunningNoticeStatus.SKIPPED,
                              reason=_("Missed; a later reminder replaces it."))
                for rule in missed
            ]
    created = DunningNotice.objects.bulk_create(notices, ignore_conflicts=True, batch_size=2000)
    return sum(1 for notice in created if notice.status == DunningNoticeStatus.PENDING)


def pending_notice_ids(today=None):
    """Pending notices of the catch-up window: today's and those a stopped worker left."""
    today = today or timezone.localdate()
    since = today - timezone.timedelta(days=settings.BILLING_DUNNING_CATCH_UP_DAYS)
    return list(
        DunningNotice.objects.filter(status=DunningNoticeStatus.PENDING, scheduled_for__gte=since)
        .order_by("pk").values_list("pk", flat=True)
    )


def message_context(invoice, today):
    """The placeholders' values for `invoice` as of `today`."""
    person = invoice.contract.person
    slip = payment_slip(invoice, today)
    name = person.trade_name or person.name
    return {
        "client_name": name,
        "first_name": name if person.trade_name else (person.name.split() or [""])[0],
        "contract": invoice.contract.number,
        "invoice": str(invoice),
        "amount": brl(invoice.balance),
        "amount_due": brl(slip["total_on"]),
        "due_date": invoice.due_date.strftime("%d/%m/%Y"),
        "days_late": max(0, (today - invoice.due_date).days),
        "typeable_line": slip["typeable_line"],
        "pix_code": slip["pix_payload"],
        "invoice_link": links.document_link(links.INVOICE, invoice.pk),
    }, slip["total_on"]


def _finish(notice, status, **fields):
    """Record a notice's outcome once (a concurrent run that finished it first wins)."""
    DunningNotice.objects.filter(pk=notice.pk, status=DunningNoticeStatus.PENDING).update(
        status=status, **fields
    )
    notice.refresh_from_db()
    return notice


def send_notice(notice_id, today=None):
    """Send one pending notice; returns (notice, seconds to retry after, or None when done).

    Safe to run twice: a finished notice is left alone and the message key is the notice's,
    so crm.messaging.direct sends it at most once.
    """
    today = today or timezone.localdate()
    notice = DunningNotice.objects.select_related(
        "rule", "invoice__wallet", "invoice__contract__person"
    ).get(pk=notice_id)
    if notice.status != DunningNoticeStatus.PENDING:
        return notice, None
    invoice = notice.invoice
    if not _owed(invoice):
        return _finish(notice, DunningNoticeStatus.SKIPPED, reason=_("The invoice is no longer owed.")), None
    if notice.message_id is None and not _still_true(notice.rule.days, invoice.due_date, today):
        return _finish(notice, DunningNoticeStatus.SKIPPED, reason=_("Too late for this reminder.")), None
    with translation.override(settings.LANGUAGE_CODE):
        context, amount = message_context(invoice, today)
    try:
        result = direct.send_to_person(
            invoice.contract.person, notice.channel, key=f"dunning-notice:{notice.pk}",
            subject=render(notice.rule.subject, context), body=render(notice.rule.body, context),
        )
    except ValidationError as error:
        return _finish(notice, DunningNoticeStatus.FAILED, reason="; ".join(error.messages)[:255]), None
    if result.status == direct.DirectStatus.PENDING:
        DunningNotice.objects.filter(pk=notice.pk).update(message=result.message, amount_due=amount)
        notice.refresh_from_db()
        return notice, result.retry_in
    if result.status == direct.DirectStatus.EXCLUDED:
        reason = str(ExclusionReason(result.reason).label)
        return _finish(notice, DunningNoticeStatus.EXCLUDED, reason=reason), None
    status = DunningNoticeStatus.SENT if result.status == direct.DirectStatus.SENT else DunningNoticeStatus.FAILED
    return _finish(notice, status, message=result.message, amount_due=amount, reason=result.reason[:255],
                   sent_at=timezone.now() if status == DunningNoticeStatus.SENT else None), None


# --- Reads ---


def rule_list():
    return DunningRule.objects.select_related("wallet")


def notice_list():
    return DunningNotice.objects.select_related("rule", "invoice", "message")
