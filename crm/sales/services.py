"""Sales writes: leads and the pipeline, proposals and their sending, conversion to a client.

Leads move by hand along LEAD_MOVES. Two stages belong to other actions: a lead reaches
`proposal_sent` when one of its proposals is e-mailed, and `won` when it is converted.
Edits and moves carry the `version` the caller read; a stale one raises Conflict (409).

A sales rep (without the administrator role) works on the leads they own and on unowned
ones; the first edit or move of an unowned lead makes them its owner. Administrators work
on every lead and may give a lead to anyone.
"""

import datetime
import smtplib
import uuid
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from billing.choices import PORT_HOLDING_STATUSES
from billing.money import HUNDRED, next_business_day
from billing.selectors import port_holder
from billing.services import box_port_errors, create_contract
from core.exceptions import Conflict
from core.files import FILE_TYPES, checked_upload, save_with_file
from core.services import next_number
from core.text import only_digits
from crm.messaging.choices import Channel
from crm.messaging.models import MessageLog
from crm.people.choices import PersonStage, PersonType
from crm.people.services import create_address, create_person, update_person
from crm.sales.choices import LeadStage, ProposalStatus, SendingStatus
from crm.sales.models import Lead, Proposal, ProposalAttachment, ProposalItem, Sale, SalesTeamMember
from fieldops.choices import OrderType
from fieldops.services import create_service_order
from gis.selectors import cto_box_for_update
from gis.tasks import refresh_tile_cells_task

from . import selectors
from .commissions import record_commissions
from .pdf import proposal_pdf

PROPOSAL_NUMBER_PREFIX = "PR-"
OPEN_STAGES = (LeadStage.NEW, LeadStage.CONTACTED, LeadStage.PROPOSAL_SENT)
# The moves a person makes on the board; proposal_sent and won come from sending and converting.
LEAD_MOVES = {
    LeadStage.NEW: {LeadStage.CONTACTED, LeadStage.LOST},
    LeadStage.CONTACTED: {LeadStage.NEW, LeadStage.LOST},
    LeadStage.PROPOSAL_SENT: {LeadStage.CONTACTED, LeadStage.LOST},
    LeadStage.LOST: {LeadStage.NEW, LeadStage.CONTACTED},
    LeadStage.WON: set(),
}
PERSON_FIELDS = ("name", "trade_name", "person_type", "document", "email", "mobile_phone")
# The installation slot offered when the conversion gives none: the next business morning.
INSTALLATION_START = datetime.time(8)
INSTALLATION_HOURS = 4
# A send request still queued or sending after this long is taken as lost with its worker.
SENDING_STALE_AFTER = datetime.timedelta(minutes=15)
ACCEPTANCE_SALT = "crm.sales.proposal-acceptance"


# --- Leads ------------------------------------------------------------------------------------


@transaction.atomic
def create_lead(
    *,
    name,
    person_type=PersonType.NATURAL,
    trade_name="",
    document="",
    email="",
    mobile_phone="",
    owner=None,
    channel=None,
    viability_check=None,
    point=None,
    address_text="",
    plan=None,
    notes="",
    next_action_at=None,
    consent_contact=False,
    consent_text="",
):
    """Register a prospect: a Person in stage LEAD and its Lead in stage new.

    The one entry point for leads, from the API, the rep's phone and the public viability
    widget. Contact data is accepted as typed (crm.people.services normalises it); without a point
    or address, those of `viability_check` are used. `consent_contact` records that the
    person agreed to be contacted, with the wording shown (`consent_text`) and the time.
    Raises ValidationError with per-field messages.
    """
    person = create_person(
        name=name,
        person_type=person_type,
        trade_name=trade_name,
        document=document,
        email=email,
        mobile_phone=mobile_phone,
        stage=PersonStage.LEAD,
    )
    if viability_check is not None:
        point = point or viability_check.point
        address_text = address_text or viability_check.address_text
    lead = Lead(
        person=person,
        owner=owner,
        channel=channel,
        viability_check=viability_check,
        point=point,
        address_text=address_text,
        plan=plan,
        notes=notes,
        next_action_at=next_action_at,
        consent_contact=consent_contact,
        consent_text=consent_text if consent_contact else "",
        consented_at=timezone.now() if consent_contact else None,
    )
    lead.full_clean()
    lead.save()
    return lead


def _locked_lead(lead, version=None):
    locked = Lead.objects.select_for_update().select_related("person").get(pk=lead.pk)
    if version is not None and version != locked.version:
        raise Conflict(
            _(
                "This lead was changed by someone else since you loaded it "
                "(version %(yours)s, now %(current)s). Reload it and try again."
            )
            % {"yours": version, "current": locked.version},
            code="stale",
        )
    return locked


def _take(lead, user):
    """Refuse a rep another rep's lead; an unowned lead becomes the acting rep's (saved at once,
    whatever else the caller changes)."""
    if user is None or not selectors.sees_only_own_leads(user):
        return
    if lead.owner_id is None:
        lead.owner = user
        Lead.objects.filter(pk=lead.pk).update(owner=user)
    elif lead.owner_id != user.pk:
        raise PermissionDenied(_("This lead belongs to another sales rep."))


def _save_lead(lead):
    lead.full_clean()
    lead.version += 1
    lead.save()
    return lead


@transaction.atomic
def update_lead(lead, *, user=None, version=None, **fields):
    """Edit the prospect's contact data and the lead's owner, channel, place, plan, notes and
    next action. The stage changes only through move_lead, sending a proposal or converting."""
    lead = _locked_lead(lead, version)
    if "stage" in fields and fields.pop("stage") != lead.stage:
        raise ValidationError(
            {"stage": [_("Move the lead with the move action, not by editing it.")]}
        )
    owner = fields.pop("owner", lead.owner)
    _take(lead, user)
    if user is not None and selectors.sees_only_own_leads(user):
        if owner is not None and owner.pk != user.pk:
            raise ValidationError(
                {"owner": [_("Only an administrator gives a lead to another rep.")]}
            )
    else:
        lead.owner = owner
    person_fields = {name: fields.pop(name) for name in PERSON_FIELDS if name in fields}
    if person_fields:
        update_person(lead.person, **person_fields)
    if fields.get("consent_contact") and not lead.consent_contact:
        lead.consented_at = timezone.now()
    for name, value in fields.items():
        setattr(lead, name, value)
    return _save_lead(lead)


@transaction.atomic
def move_lead(lead, *, stage, lost_reason="", lost_detail="", user=None, version=None):
    """Move a lead on the board: only LEAD_MOVES; losing a lead needs a reason."""
    lead = _locked_lead(lead, version)
    _take(lead, user)
    stage = LeadStage(stage)
    if stage == lead.stage:
        return lead
    if stage not in LEAD_MOVES[lead.stage]:
        if stage == LeadStage.PROPOSAL_SENT:
            message = _("A lead reaches “Proposal sent” when one of its proposals is sent.")
        elif stage == LeadStage.WON:
            message = _("Convert the lead to win it: that signs the contract.")
        else:
            message = _("A lead cannot go from “%(from)s” to “%(to)s”.") % {
                "from": lead.get_stage_display(),
                "to": stage.label,
            }
        raise ValidationError({"stage": [message]})
    if stage == LeadStage.LOST:
        if not lost_reason:
            raise ValidationError({"lost_reason": [_("Say why the lead was lost.")]})
        lead.lost_reason, lead.lost_detail = lost_reason, (lost_detail or "").strip()
    else:
        lead.lost_reason, lead.lost_detail = "", ""
    lead.stage = stage
    return _save_lead(lead)


def _require_open(lead, field=None):
    """Proposals are made, sent and accepted only while the lead is open (not won or lost)."""
    if lead.stage not in OPEN_STAGES:
        message = _("Lead is %(stage)s; reopen it first.") % {
            "stage": lead.get_stage_display().lower()
        }
        raise ValidationError({field: [message]} if field else message)


def _advance_to_proposal_sent(lead):
    lead = _locked_lead(lead)
    if lead.stage in (LeadStage.NEW, LeadStage.CONTACTED):
        lead.stage = LeadStage.PROPOSAL_SENT
        _save_lead(lead)


# --- Proposals --------------------------------------------------------------------------------


def max_discount_percent(user):
    """Administrators may give any discount; reps up to MALHA_SALES_MAX_DISCOUNT_PERCENT."""
    if user is None or selectors.manages_sales(user):
        return HUNDRED
    return Decimal(settings.MALHA_SALES_MAX_DISCOUNT_PERCENT)


def _proposal_items(items, user):
    """Unsaved ProposalItems from [{"plan": Plan, "price": Decimal or None}]; the price defaults
    to the plan's and its discount must stay within the user's limit."""
    if not items:
        raise ValidationError({"items": [_("Offer at least one plan.")]})
    limit = max_discount_percent(user)
    built, seen = [], set()
    for item in items:
        plan = item["plan"]
        price = item.get("price")
        price = plan.monthly_price if price is None else price
        if not plan.active:
            raise ValidationError(
                {"items": [_("Plan “%(plan)s” is no longer on sale.") % {"plan": plan}]}
            )
        if plan.pk in seen:
            raise ValidationError(
                {"items": [_("Plan “%(plan)s” is offered twice.") % {"plan": plan}]}
            )
        seen.add(plan.pk)
        if price < 0 or price > plan.monthly_price:
            raise ValidationError(
                {
                    "items": [
                        _("The price of “%(plan)s” must be between R$ 0,00 and its list price.")
                        % {"plan": plan}
                    ]
                }
            )
        discount = plan.monthly_price - price
        if plan.monthly_price and discount * HUNDRED / plan.monthly_price > limit:
            raise ValidationError(
                {
                    "items": [
                        _("The discount on “%(plan)s” is above your limit of %(limit)s%%.")
                        % {"plan": plan, "limit": f"{limit.normalize():f}"}
                    ]
                }
            )
        built.append(ProposalItem(plan=plan, list_price=plan.monthly_price, discount=discount))
    return built


def _save_proposal(proposal, items):
    proposal.full_clean()
    proposal.save()
    if items is not None:
        proposal.items.all().delete()
        for item in items:
            item.proposal = proposal
            item.full_clean()
            item.save()
    return proposal


@transaction.atomic
def create_proposal(
    *,
    lead,
    user,
    items,
    rep=None,
    valid_from=None,
    valid_until=None,
    email_to="",
    language="",
    message="",
):
    """A draft proposal for an open lead; validity defaults to today plus
    MALHA_SALES_PROPOSAL_VALID_DAYS, the recipient to the prospect's e-mail."""
    lead = _locked_lead(lead)
    _take(lead, user)
    _require_open(lead, field="lead")
    valid_from = valid_from or timezone.localdate()
    proposal = Proposal(
        number=next_number(Proposal, PROPOSAL_NUMBER_PREFIX),
        lead=lead,
        rep=rep or lead.owner or user,
        valid_from=valid_from,
        valid_until=valid_until
        or valid_from + datetime.timedelta(days=settings.MALHA_SALES_PROPOSAL_VALID_DAYS),
        email_to=email_to or lead.person.email,
        language=language or settings.LANGUAGE_CODE,
        message=message,
    )
    _check_proposal(proposal, user)
    return _save_proposal(proposal, _proposal_items(items, user))


def _check_proposal(proposal, user):
    """Validity dates in order and not over; a rep names only themselves as responsible."""
    if user is not None and selectors.sees_only_own_leads(user) and proposal.rep_id != user.pk:
        raise ValidationError({"rep": [_("Only an administrator names another rep.")]})
    if proposal.valid_until < proposal.valid_from:
        raise ValidationError({"valid_until": [_("The validity must end on or after its start.")]})
    if proposal.valid_until < timezone.localdate():
        raise ValidationError({"valid_until": [_("The validity cannot end in the past.")]})


def _locked_proposal(proposal):
    return (
        Proposal.objects.select_for_update()
        .select_related("lead", "lead__person")
        .get(pk=proposal.pk)
    )


def _require_editable(proposal):
    if proposal.status != ProposalStatus.DRAFT:
        raise ValidationError(
            _("Proposal %(number)s is %(status)s; only a draft can be edited.")
            % {"number": proposal, "status": proposal.get_status_display().lower()}
        )
    if proposal.sending_status in (SendingStatus.QUEUED, SendingStatus.SENDING):
        raise ValidationError(
            _("Proposal %(number)s is being sent; wait for it.") % {"number": proposal}
        )


@transaction.atomic
def update_proposal(proposal, *, user, items=None, **fields):
    """Edit a draft: dates, recipient, language, message, rep and (all of) its items."""
    proposal = _locked_proposal(proposal)
    _take(proposal.lead, user)
    _require_editable(proposal)
    fields.pop("lead", None)
    for name, value in fields.items():
        setattr(proposal, name, value)
    _check_proposal(proposal, user)
    return _save_proposal(proposal, None if items is None else _proposal_items(items, user))


def _require_in_validity(proposal):
    if timezone.localdate() > proposal.valid_until:
        raise ValidationError(
            _("Proposal %(number)s expired on %(date)s; make a new one.")
            % {"number": proposal, "date": proposal.valid_until.strftime("%d/%m/%Y")},
            code="expired",
        )


def _require_status(proposal, *allowed):
    if proposal.status not in allowed:
        raise ValidationError(
            _("Proposal %(number)s is %(status)s.")
            % {"number": proposal, "status": proposal.get_status_display().lower()}
        )


@transaction.atomic
def request_sending(proposal, *, user):
    """Queue the proposal's e-mail: a new send request the worker delivers at most once.

    A request still queued or sending after SENDING_STALE_AFTER (its worker died) may be
    replaced by a new one: the person asking has checked whether the client got it.
    """
    from .tasks import send_proposal_task

    proposal = _locked_proposal(proposal)
    _take(proposal.lead, user)
    _require_status(proposal, ProposalStatus.DRAFT, ProposalStatus.SENT)
    _require_open(proposal.lead)
    _require_in_validity(proposal)
    if not proposal.email_to:
        raise ValidationError({"email_to": [_("Give the e-mail address to send the proposal to.")]})
    in_flight = proposal.sending_status in (SendingStatus.QUEUED, SendingStatus.SENDING)
    if in_flight and timezone.now() - proposal.updated_at < SENDING_STALE_AFTER:
        raise ValidationError(
            _("Proposal %(number)s is already being sent.") % {"number": proposal}
        )
    proposal.send_request = uuid.uuid4()
    proposal.sending_status = SendingStatus.QUEUED
    proposal.sending_error = ""
    proposal.save(update_fields=["send_request", "sending_status", "sending_error", "updated_at"])
    request = str(proposal.send_request)
    transaction.on_commit(lambda: send_proposal_task.delay(proposal.pk, request))
    return proposal


def acceptance_url(proposal):
    """The link in the e-mail where the client reads and accepts the proposal; signed, so the
    link itself is the proof (no login), like the campaigns' opt-out links."""
    token = signing.dumps([proposal.pk, proposal.number], salt=ACCEPTANCE_SALT)
    return f"{settings.MALHA_PUBLIC_URL}/proposal/{token}/"


def proposal_from_token(token):
    """The proposal of an acceptance link; ValidationError for a forged or broken one."""
    try:
        pk, number = signing.loads(token, salt=ACCEPTANCE_SALT)
        return selectors.proposal_for_sending(pk, number=number)
    except (signing.BadSignature, ValueError, TypeError, Proposal.DoesNotExist):
        raise ValidationError(_("This proposal link is invalid."), code="bad_token") from None


def proposal_email(proposal):
    """The e-mail of a proposal in its language, with its PDF, attachments and the link where
    the client accepts it."""
    with translation.override(proposal.language):
        context = {
            "proposal": proposal,
            "person": proposal.lead.person,
            "items": list(proposal.items.select_related("plan")),
            "accept_url": acceptance_url(proposal),
        }
        subject = render_to_string("sales/proposal_subject.txt", context).strip()
        email = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string("sales/proposal_email.txt", context),
            to=[proposal.email_to],
        )
        email.attach_alternative(
            render_to_string("sales/proposal_email.html", context), "text/html"
        )
        email.attach(f"{proposal.number}.pdf", proposal_pdf(proposal), "application/pdf")
    for attachment in proposal.attachments.all():
        with attachment.file.open("rb") as handle:
            email.attach(attachment.file.name.rsplit("/", 1)[-1], handle.read())
    return email


def deliver_proposal(proposal_id, send_request):
    """Send one send request's e-mail, at most once.

    The request is claimed (queued → sending) by one UPDATE committed before anything is
    sent: a second run of the task, a retry or a duplicate message finds it claimed and
    does nothing. A crash after the claim leaves it `sending` rather than risk a second
    e-mail; a person checks and sends again. Returns True when this call sent the e-mail.
    """
    claimed = Proposal.objects.filter(
        pk=proposal_id, send_request=send_request, sending_status=SendingStatus.QUEUED
    ).update(sending_status=SendingStatus.SENDING, updated_at=timezone.now())
    if not claimed:
        return False
    proposal = selectors.proposal_for_sending(proposal_id)
    try:
        _require_in_validity(proposal)
        email = proposal_email(proposal)
        email.send()
    except Exception as error:  # the claim must not stay "sending", whatever went wrong
        message = error.messages[0] if isinstance(error, ValidationError) else str(error)
        Proposal.objects.filter(pk=proposal_id).update(
            sending_status=SendingStatus.FAILED,
            sending_error=(message or error.__class__.__name__)[:2000],
            updated_at=timezone.now(),
        )
        if not isinstance(error, (ValidationError, smtplib.SMTPException, OSError)):
            raise  # a bug, not a mail server's answer: let the worker log it
        return False
    _record_sent(proposal, email)
    return True


@transaction.atomic
def _record_sent(proposal, email):
    """The proposal is sent, its lead moves on, and the e-mail joins the person's message log."""
    proposal = _locked_proposal(proposal)
    MessageLog.objects.create(
        person=proposal.lead.person,
        channel=Channel.EMAIL,
        destination=proposal.email_to,
        subject=email.subject,
        body=email.body,
    )
    proposal.sending_status = SendingStatus.SENT
    proposal.sent_at = timezone.now()
    if proposal.status == ProposalStatus.DRAFT:
        proposal.status = ProposalStatus.SENT
    proposal.save(update_fields=["sending_status", "sent_at", "status", "updated_at"])
    _advance_to_proposal_sent(proposal.lead)


@transaction.atomic
def accept_proposal(proposal, *, user, signed_name="", ip=None, signature_image=None):
    """The client accepts: their typed name with the time and IP, and/or a signature image."""
    proposal = _locked_proposal(proposal)
    _take(proposal.lead, user)
    _require_status(proposal, ProposalStatus.DRAFT, ProposalStatus.SENT)
    _require_open(proposal.lead)
    _require_in_validity(proposal)
    signed_name = (signed_name or "").strip()
    if not signed_name and signature_image is None:
        raise ValidationError(
            {"signed_name": [_("Give the name of who accepts, or their signature.")]}
        )
    if signature_image is not None:
        data, _content_type, extension = checked_upload(
            signature_image, field="signature_image", formats=("PNG", "JPEG")
        )
        proposal.signature_image.save(f"signature-{uuid.uuid4().hex}{extension}", ContentFile(data), save=False)
    proposal.signed_name = signed_name or proposal.lead.person.name
    proposal.signed_at = timezone.now()
    proposal.signed_ip = ip
    proposal.status = ProposalStatus.ACCEPTED
    proposal.full_clean()
    proposal.save()
    return proposal


@transaction.atomic
def reject_proposal(proposal, *, user, reason):
    proposal = _locked_proposal(proposal)
    _take(proposal.lead, user)
    _require_status(proposal, ProposalStatus.DRAFT, ProposalStatus.SENT)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give a reason.")]})
    proposal.status, proposal.rejection_reason = ProposalStatus.REJECTED, reason[:255]
    proposal.save(update_fields=["status", "rejection_reason", "updated_at"])
    return proposal


@transaction.atomic
def add_proposal_attachment(proposal, *, user, upload, description=""):
    proposal = _locked_proposal(proposal)
    _take(proposal.lead, user)
    _require_editable(proposal)
    data, _content_type, extension = checked_upload(upload, field="file", formats=tuple(FILE_TYPES))
    attachment = ProposalAttachment(proposal=proposal, description=description)
    return save_with_file(attachment, attachment.file, f"attachment-{uuid.uuid4().hex}{extension}", data)


def expire_proposals(today=None):
    """Drafts and sent proposals past their validity become expired (the daily beat job)."""
    today = today or timezone.localdate()
    return Proposal.objects.filter(
        status__in=(ProposalStatus.DRAFT, ProposalStatus.SENT), valid_until__lt=today
    ).update(status=ProposalStatus.EXPIRED, updated_at=timezone.now())


# --- Teams ------------------------------------------------------------------------------------


@transaction.atomic
def save_team(team, *, members=None, **fields):
    """Create or edit a team; `members` (users) replaces its members. A rep is in one team at
    most: take them out of their previous team first."""
    for name, value in fields.items():
        setattr(team, name, value)
    team.full_clean()
    team.save()
    if members is not None:
        taken = (
            SalesTeamMember.objects.filter(user__in=members)
            .exclude(team=team)
            .select_related("team", "user")
        )
        if taken:
            raise ValidationError(
                {
                    "members": [
                        _("%(user)s is already in team %(team)s.")
                        % {"user": member.user, "team": member.team}
                        for member in taken
                    ]
                }
            )
        team.memberships.exclude(user__in=members).delete()
        for user in members:
            SalesTeamMember.objects.get_or_create(team=team, user=user)
    return team


# --- Conversion -------------------------------------------------------------------------------


def _plan_and_discount(lead, plan, proposal):
    if proposal is None:
        plan = plan or lead.plan
        if plan is None:
            raise ValidationError({"plan": [_("Choose the plan the client signs up for.")]})
        return plan, Decimal("0.00")
    if proposal.lead_id != lead.pk:
        raise ValidationError({"proposal": [_("This proposal is for another lead.")]})
    if proposal.status != ProposalStatus.ACCEPTED:
        raise ValidationError({"proposal": [_("Accept the proposal before converting with it.")]})
    items = list(proposal.items.select_related("plan"))
    item = next((item for item in items if plan is None or item.plan_id == plan.pk), None)
    if item is None:
        raise ValidationError({"plan": [_("The proposal does not offer this plan.")]})
    return item.plan, item.discount


def _reserve_port(box, port):
    """The box row-locked and a free port on it: `port` when given and free, else the lowest
    free one. A taken port is a Conflict (409)."""
    if box is None:
        raise ValidationError(
            {
                "cto_box": [
                    _(
                        "Choose the box the client will be connected to "
                        "(the viability check found none)."
                    )
                ]
            }
        )
    box = cto_box_for_update(box.pk)
    if port is None:
        holding = box.contracts.filter(status__in=PORT_HOLDING_STATUSES)
        held = set(holding.values_list("cto_port", flat=True))
        port = next((n for n in range(1, box.ports_total + 1) if n not in held), None)
        if port is None:
            raise Conflict(_("Box %(box)s has no free port left.") % {"box": box}, code="box_full")
    errors = box_port_errors(box, port)
    if errors:
        if port_holder(box, port) is not None:
            raise Conflict(errors["cto_port"][0], code="port_taken")
        raise ValidationError(errors)
    return box, port


def _installation_window(window_start, window_end):
    if window_start is None:
        day = next_business_day(timezone.localdate() + datetime.timedelta(days=1))
        window_start = timezone.make_aware(datetime.datetime.combine(day, INSTALLATION_START))
    if window_end is None:
        window_end = window_start + datetime.timedelta(hours=INSTALLATION_HOURS)
    return window_start, window_end


@transaction.atomic
def convert_lead(
    lead,
    *,
    user,
    document,
    address,
    person_type=None,
    plan=None,
    proposal=None,
    due_day=10,
    cto_box=None,
    cto_port=None,
    window_start=None,
    window_end=None,
    version=None,
    **person_fields,
):
    """Turn a lead into a client, all or nothing: the Person becomes a client with a valid
    CPF/CNPJ and an installation Address; a Contract awaiting installation reserves a port
    of the box (the viability check's box unless another is given; the lowest free port
    unless one is given); an installation ServiceOrder is opened; the lead is won and the
    Sale with its commissions is recorded. Any failure leaves no row behind.

    `address` holds cep, street, number, complement, neighbourhood, city, state and an
    optional point (else the lead's). With an accepted `proposal`, its plan (the one named
    by `plan`, else its first) and discount are signed.

    Returns (sale, created): the same conversion sent again (a retried request) returns the
    lead's sale and writes nothing.
    """
    lead = _locked_lead(lead, version)
    _take(lead, user)
    sale = _same_conversion(
        lead, document=document, plan=plan, proposal=proposal, due_day=due_day,
        cto_box=cto_box, cto_port=cto_port,
    )
    if sale is not None:
        return sale, False
    if lead.stage not in OPEN_STAGES:
        raise ValidationError(
            _("Lead is %(stage)s and cannot be converted.")
            % {"stage": lead.get_stage_display().lower()}
        )
    plan, discount = _plan_and_discount(lead, plan, proposal)
    person = update_person(
        lead.person,
        stage=PersonStage.CLIENT,
        document=document,
        person_type=person_type or lead.person.person_type,
        **person_fields,
    )
    address = dict(address)
    address["point"] = address.get("point") or lead.point
    installation_address = create_address(person=person, **address)
    box = cto_box or (lead.viability_check.box if lead.viability_check else None)
    box, port = _reserve_port(box, cto_port)
    contract = create_contract(
        person=person,
        plan=plan,
        installation_address=installation_address,
        cto_box=box,
        cto_port=port,
        due_day=due_day,
        monthly_discount=discount,
    )
    window_start, window_end = _installation_window(window_start, window_end)
    order = create_service_order(
        order_type=OrderType.INSTALLATION,
        person=person,
        contract=contract,
        point=contract.point,
        address_text=str(installation_address),
        window_start=window_start,
        window_end=window_end,
        description=_("Installation of %(plan)s on box %(box)s, port %(port)s.")
        % {"plan": plan, "box": box, "port": port},
    )
    lead.stage, lead.plan = LeadStage.WON, plan
    lead.lost_reason = lead.lost_detail = ""
    _save_lead(lead)
    rep = lead.owner or user
    sale = Sale.objects.create(
        lead=lead,
        contract=contract,
        service_order=order,
        proposal=proposal,
        rep=rep,
        team=selectors.team_of(rep),
        channel=lead.channel,
        plan=plan,
        monthly_value=plan.monthly_price - discount,
        won_on=timezone.localdate(),
    )
    record_commissions(sale)
    # Below the detail zoom the map draws contracts from pre-aggregated cells, which the beat
    # job refreshes every 30 s; rebuild them now so the new client shows at every zoom at once.
    transaction.on_commit(refresh_tile_cells_task.delay)
    return sale, True


def _same_conversion(lead, *, document, plan, proposal, due_day, cto_box, cto_port):
    """The won lead's sale when this request asks for what its conversion did, else None."""
    sale = Sale.objects.filter(lead=lead, lead__stage=LeadStage.WON).select_related(
        "contract__person").first()
    if sale is None:
        return None
    contract = sale.contract
    asked = (only_digits(document), proposal and proposal.pk, due_day)
    done = (contract.person.document, sale.proposal_id, contract.due_day)
    chosen = [(plan, sale.plan), (cto_box, contract.cto_box), (cto_port, contract.cto_port)]
    same = asked == done and all(mine is None or mine == theirs for mine, theirs in chosen)
    return sale if same else None
