"""Field-operations writes: technicians, service orders and everything done on an order.

An order moves along ORDER_TRANSITIONS only, one service function per move,
each with its own rules. Every move and every field record (note, checklist
tick, material, photo, signature) leaves an OrderEvent: who, when, from which
IP and GPS point. A write carrying a `client_action_id` the order already saw
is a replay from an offline phone and changes nothing; a write carrying a
stale `version` lost a race with another editor and raises Conflict.
"""
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from billing.services import install_contract
from core.exceptions import Conflict
from core.files import IMAGE_FORMATS, checked_upload, save_with_file
from core.services import next_number
from crm.people.validators import normalize_mobile_phone

from . import live
from .checklists import checklist_for
from .choices import CLOSED_STATUSES, EventKind, MaterialUnit, OrderStatus, OrderType, Priority
from .models import (
    Attachment,
    ChecklistEntry,
    MaterialUsage,
    OrderEvent,
    PositionReport,
    ServiceOrder,
    Technician,
)
from .selectors import (
    manages_orders,
    may_work_on,
    missing_skills,
    sla_deadline,
    unticked_checklist_labels,
)

ORDER_NUMBER_PREFIX = "OS-"

# Where a new order may start, and where each status may go next.
INITIAL_ORDER_STATUSES = (OrderStatus.OPEN, OrderStatus.SCHEDULED, OrderStatus.DISPATCHED)
ORDER_TRANSITIONS = {
    OrderStatus.OPEN: {OrderStatus.SCHEDULED, OrderStatus.DISPATCHED, OrderStatus.CANCELLED},
    OrderStatus.REOPENED: {OrderStatus.SCHEDULED, OrderStatus.DISPATCHED, OrderStatus.CANCELLED},
    OrderStatus.SCHEDULED: {OrderStatus.OPEN, OrderStatus.DISPATCHED, OrderStatus.CANCELLED},
    OrderStatus.DISPATCHED: {OrderStatus.SCHEDULED, OrderStatus.EN_ROUTE, OrderStatus.CANCELLED},
    OrderStatus.EN_ROUTE: {OrderStatus.ON_SITE, OrderStatus.PAUSED, OrderStatus.CANCELLED},
    OrderStatus.ON_SITE: {OrderStatus.PAUSED, OrderStatus.COMPLETED, OrderStatus.CANCELLED},
    OrderStatus.PAUSED: {
        OrderStatus.SCHEDULED, OrderStatus.EN_ROUTE, OrderStatus.ON_SITE, OrderStatus.CANCELLED,
    },
    OrderStatus.COMPLETED: {OrderStatus.REOPENED},
    OrderStatus.CANCELLED: {OrderStatus.REOPENED},
}
# The moves a technician makes on their own orders; dispatchers and admins make every move.
TECHNICIAN_MOVES = {OrderStatus.EN_ROUTE, OrderStatus.ON_SITE, OrderStatus.PAUSED, OrderStatus.COMPLETED}
# Statuses in which nobody needs to be on the job.
UNASSIGNED_STATUSES = {OrderStatus.OPEN, OrderStatus.REOPENED, OrderStatus.CANCELLED}
# A phone's clock may run this far ahead of the server's.
CLOCK_SKEW = timezone.timedelta(minutes=5)


@dataclass(frozen=True)
class ActionContext:
    """Who is acting and from where; what makes a field write auditable and replay-safe."""

    actor: object
    ip: str | None = None
    point: object = None  # the phone's GPS fix, when it sent one
    client_action_id: object = None
    version: int | None = None


def clean_technician(technician):
    """Shift order, a valid mobile phone and the model's own checks; also used by the admin."""
    errors = {}
    if (
        technician.shift_start
        and technician.shift_end
        and technician.shift_end <= technician.shift_start
    ):
        errors["shift_end"] = [_("The shift must end after it starts.")]
    if technician.phone:
        try:
            technician.phone = normalize_mobile_phone(technician.phone)
        except ValidationError as error:
            errors["phone"] = error.messages
    if errors:
        raise ValidationError(errors)
    technician.full_clean()


@transaction.atomic
def create_technician(*, skills=(), **fields):
    technician = Technician(**fields)
    clean_technician(technician)
    technician.save()
    technician.skills.set(skills)
    return technician


@transaction.atomic
def update_technician(technician, *, skills=None, **fields):
    for name, value in fields.items():
        setattr(technician, name, value)
    clean_technician(technician)
    technician.save()
    if skills is not None:
        technician.skills.set(skills)
    return technician


def clean_service_order(order, required_skills):
    """Every rule of an order but its status transition; also used by the admin form."""
    errors = {}
    if order.window_end <= order.window_start:
        errors["window_end"] = [_("The time window must end after it starts.")]
    if order.contract and order.contract.person_id != order.person_id:
        errors["contract"] = [_("This contract belongs to another client.")]
    if order.point is None and order.contract:
        order.point = order.contract.point
    if order.point is None:
        errors["point"] = [_("Give the location, or a contract whose installation point is known.")]
    if order.due_at is None and order.order_type in OrderType.values and order.priority in Priority.values:
        order.due_at = sla_deadline(order.order_type, order.priority, timezone.now())
    if order.assignee:
        lacking = missing_skills(order.assignee, required_skills)
        if not order.assignee.active:
            errors["assignee"] = [
                _("%(technician)s is not an active technician.") % {"technician": order.assignee}
            ]
        elif lacking:
            errors["assignee"] = [
                _("%(technician)s lacks the required skills: %(skills)s.")
                % {
                    "technician": order.assignee,
                    "skills": get_text_list([str(skill) for skill in lacking], _("and")),
                }
            ]
    elif order.status not in UNASSIGNED_STATUSES:
        errors["assignee"] = [
            _("An order in status “%(status)s” needs a technician.")
            % {"status": order.get_status_display()}
        ]
    if order.scheduled_start:
        if order.assignee is None:
            errors["scheduled_start"] = [_("Assign a technician before scheduling a start time.")]
        elif not order.window_start <= order.scheduled_start < order.window_end:
            errors["scheduled_start"] = [_("The scheduled start must fall within the time window.")]
    if errors:
        raise ValidationError(errors)
    order.full_clean()


@transaction.atomic
def create_service_order(*, required_skills=(), number="", status=OrderStatus.OPEN, **fields):
    """Open an order; its number (OS-000123) is generated when not given."""
    if status not in INITIAL_ORDER_STATUSES:
        labels = [str(initial.label) for initial in INITIAL_ORDER_STATUSES]
        message = _("A new order starts as %(statuses)s.") % {
            "statuses": get_text_list(labels, _("or"))
        }
        raise ValidationError({"status": [message]})
    order = ServiceOrder(
        number=number or next_number(ServiceOrder, ORDER_NUMBER_PREFIX), status=status, **fields
    )
    clean_service_order(order, required_skills)
    order.save()
    order.required_skills.set(required_skills)
    return order


@transaction.atomic
def update_service_order(order, *, required_skills=None, version=None, **fields):
    """Edit, assign or reschedule an order; its status moves only through the transitions below.

    A changed type or priority moves the SLA deadline by the difference of their SLAs.
    """
    order = _locked(order, version)
    if "status" in fields and fields.pop("status") != order.status:
        raise ValidationError(
            {"status": [_("Change the status with the order's transition action, not by editing it.")]}
        )
    old_sla = sla_deadline(order.order_type, order.priority, order.due_at)
    for name, value in fields.items():
        setattr(order, name, value)
    if order.order_type in OrderType.values and order.priority in Priority.values:
        order.due_at += sla_deadline(order.order_type, order.priority, order.due_at) - old_sla
    if required_skills is None:
        required_skills = list(order.required_skills.all())
    clean_service_order(order, required_skills)
    order.version += 1
    order.save()
    order.required_skills.set(required_skills)
    return order


# --- Shared steps of every write on an existing order ---------------------------------------


def _locked(order, version=None):
    """The order re-read under a row lock, checked against the `version` the caller read."""
    locked = ServiceOrder.objects.select_for_update().get(pk=order.pk)
    _check_version(locked, version)
    return locked


def _check_version(order, version):
    if version is not None and version != order.version:
        raise Conflict(
            _(
                "Order %(order)s was changed by someone else since you loaded it "
                "(version %(yours)s, now %(current)s). Reload it and try again."
            )
            % {"order": order, "yours": version, "current": order.version},
            code="stale",
        )


def _begin(order, context, kind):
    """Lock the order and check the actor; returns (order, the earlier event when this is a replay).

    A replay is recognised before the version check: the phone retries with the version
    it had, which its own first attempt has since moved on.
    """
    order = _locked(order)
    if context.client_action_id is not None:
        earlier = OrderEvent.objects.filter(client_action_id=context.client_action_id).first()
        if earlier is not None:
            if (earlier.order_id, earlier.actor_id, earlier.kind) != (order.pk, context.actor.pk, kind):
                raise Conflict(
                    _("This client_action_id was already used for another action."), code="reused"
                )
            return order, earlier
    _check_version(order, context.version)
    if not may_work_on(context.actor, order):
        raise PermissionDenied(_("Only the order's technician or a dispatcher may do this."))
    return order, None


def _record(order, context, kind, **fields):
    return OrderEvent.objects.create(
        order=order, kind=kind, actor=context.actor, ip=context.ip, point=context.point,
        client_action_id=context.client_action_id, **fields,
    )


def _refuse_if_closed(order):
    if order.status in CLOSED_STATUSES:
        raise ValidationError(
            _("Order %(order)s is %(status)s; reopen it first.")
            % {"order": order, "status": order.get_status_display().lower()}
        )


def _move(order, context, to_status, note="", requirements=None, **changes):
    """The one path of a status change: the allowed moves, who may make them, the move's own
    `requirements(order)`, then the audit event. A replayed action returns the order unchanged."""
    order, replayed = _begin(order, context, EventKind.STATUS)
    if replayed:
        return order
    if to_status not in ORDER_TRANSITIONS[order.status]:
        raise ValidationError(
            {
                "status": [
                    _("An order cannot go from “%(from)s” to “%(to)s”.")
                    % {"from": order.get_status_display(), "to": OrderStatus(to_status).label}
                ]
            }
        )
    if not manages_orders(context.actor) and to_status not in TECHNICIAN_MOVES:
        raise PermissionDenied(
            _("Only a dispatcher may set an order to “%(status)s”.")
            % {"status": OrderStatus(to_status).label}
        )
    if requirements:
        requirements(order)
    from_status = order.status
    for name, value in changes.items():
        setattr(order, name, value)
    order.status = to_status
    clean_service_order(order, list(order.required_skills.all()))
    order.version += 1
    order.save()
    _record(order, context, EventKind.STATUS, from_status=from_status, to_status=to_status, note=note)
    live.publish_after_commit(live.order_message(order))
    return order


def _required_reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give a reason.")]})
    return reason


# --- Transitions: one function per move --------------------------------------------------


@transaction.atomic
def schedule_order(order, context, *, assignee=None, scheduled_start=None, note=""):
    """Put the order on a technician's day (also to reschedule a dispatched or paused order)."""
    scheduled_start = scheduled_start or order.scheduled_start
    if scheduled_start is None:
        raise ValidationError({"scheduled_start": [_("Give the scheduled start.")]})
    return _move(
        order, context, OrderStatus.SCHEDULED, note,
        assignee=assignee or order.assignee, scheduled_start=scheduled_start,
    )


@transaction.atomic
def unschedule_order(order, context, *, note=""):
    """Take a scheduled order off the technician's day: it is open again and unassigned."""
    return _move(order, context, OrderStatus.OPEN, note, assignee=None, scheduled_start=None)


@transaction.atomic
def dispatch_order(order, context, *, note=""):
    """Send the order to its technician's phone."""
    return _move(order, context, OrderStatus.DISPATCHED, note)


@transaction.atomic
def start_route(order, context, *, note=""):
    """The technician leaves for the client (or resumes a paused trip)."""
    return _move(order, context, OrderStatus.EN_ROUTE, note)


@transaction.atomic
def check_in(order, context, *, note=""):
    """The technician arrives; the event keeps the phone's GPS fix when it sent one."""
    return _move(order, context, OrderStatus.ON_SITE, note)


@transaction.atomic
def pause_order(order, context, *, reason=""):
    """Work stops for a while (client away, material missing); the reason is required."""
    return _move(order, context, OrderStatus.PAUSED, _required_reason(reason))


@transaction.atomic
def complete_order(order, context, *, cto_box=None, cto_port=None, note=""):
    """Close the job: every checklist item ticked; an installation also activates its
    contract on the box port used (the box row-locked, so a taken port is refused)."""

    def requirements(order):
        unticked = unticked_checklist_labels(order)
        if unticked:
            raise ValidationError(
                {
                    "checklist": [
                        _("Tick every checklist item before completing: %(items)s.")
                        % {"items": get_text_list(unticked, _("and"))}
                    ]
                }
            )
        if order.order_type == OrderType.INSTALLATION:
            if order.contract is None:
                raise ValidationError(
                    {"contract": [_("An installation order needs its contract to be completed.")]}
                )
            install_contract(order.contract, cto_box=cto_box, cto_port=cto_port, user=context.actor)

    return _move(
        order, context, OrderStatus.COMPLETED, note, requirements, completed_at=timezone.now()
    )


@transaction.atomic
def cancel_order(order, context, *, reason=""):
    """Drop the order; the reason is required and kept in the audit trail."""
    return _move(order, context, OrderStatus.CANCELLED, _required_reason(reason))


@transaction.atomic
def reopen_order(order, context, *, reason=""):
    """Bring back a completed or cancelled order (a callback); its SLA clock starts again."""
    return _move(
        order, context, OrderStatus.REOPENED, _required_reason(reason), completed_at=None,
        due_at=sla_deadline(order.order_type, order.priority, timezone.now()),
    )


# The service of each target status, for the API's single transition action.
TRANSITION_SERVICES = {
    OrderStatus.OPEN: unschedule_order,
    OrderStatus.SCHEDULED: schedule_order,
    OrderStatus.DISPATCHED: dispatch_order,
    OrderStatus.EN_ROUTE: start_route,
    OrderStatus.ON_SITE: check_in,
    OrderStatus.PAUSED: pause_order,
    OrderStatus.COMPLETED: complete_order,
    OrderStatus.CANCELLED: cancel_order,
    OrderStatus.REOPENED: reopen_order,
}


# --- Field records ---------------------------------------------------------------------------


@transaction.atomic
def add_note(order, context, *, text):
    """A free-text note on the order; returns (event, created)."""
    order, replayed = _begin(order, context, EventKind.NOTE)
    if replayed:
        return replayed, False
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("Write the note.")]})
    return _record(order, context, EventKind.NOTE, note=text), True


@transaction.atomic
def tick_checklist_item(order, context, *, code, done=True, note=""):
    """Tick (or untick) one checklist item; returns the entry."""
    order, replayed = _begin(order, context, EventKind.CHECKLIST)
    labels = dict(checklist_for(order.order_type))
    if code not in labels:
        raise ValidationError(
            {"code": [_("“%(code)s” is not an item of this order's checklist.") % {"code": code}]}
        )
    if replayed:
        return order.checklist.get(code=code)
    _refuse_if_closed(order)
    entry, _created = ChecklistEntry.objects.update_or_create(
        order=order, code=code, defaults={"done": done, "note": note}
    )
    state = _("done") if done else _("not done")
    _record(order, context, EventKind.CHECKLIST, note=f"{labels[code]}: {state}")
    return entry


@transaction.atomic
def record_material(order, context, *, material, quantity):
    """Material used on the job; returns (usage, created)."""
    order, replayed = _begin(order, context, EventKind.MATERIAL)
    if replayed:
        return replayed.material_usage, False
    _refuse_if_closed(order)
    if not material.active:
        raise ValidationError({"material": [_("“%(material)s” is no longer in use.") % {"material": material}]})
    quantity = Decimal(quantity)
    if material.unit == MaterialUnit.PIECE and quantity != quantity.to_integral_value():
        raise ValidationError({"quantity": [_("“%(material)s” is counted in whole pieces.") % {"material": material}]})
    usage = MaterialUsage(order=order, material=material, quantity=quantity)
    usage.full_clean(exclude=["event"])
    usage.event = _record(order, context, EventKind.MATERIAL, note=f"{material}: {quantity}")
    usage.save()
    return usage, True


@transaction.atomic
def attach_file(order, context, *, kind, upload):
    """A photo or the client's signature, idempotent by the id the phone gave it
    (context.client_action_id); returns (attachment, created)."""
    event_kind = EventKind(kind)
    order, replayed = _begin(order, context, event_kind)
    if replayed:
        return replayed.attachment, False
    _refuse_if_closed(order)
    data, content_type, extension = checked_upload(upload, field="file", formats=IMAGE_FORMATS)
    event = _record(order, context, event_kind)
    attachment = Attachment(
        id=context.client_action_id, order=order, kind=kind, content_type=content_type,
        size=len(data), event=event,
    )
    return save_with_file(attachment, attachment.file, f"{kind}{extension}", data), True


# --- Technician positions ---------------------------------------------------------------------


@transaction.atomic
def report_position(technician, *, point, recorded_at, accuracy_m=None):
    """Store a phone's GPS fix unless it comes sooner than the minimum interval after the
    last one kept (a throttle that also makes a replayed fix a no-op); returns the report or None.

    Only the newest MALHA_POSITION_HISTORY fixes of a technician are kept.
    """
    if recorded_at > timezone.now() + CLOCK_SKEW:
        raise ValidationError({"recorded_at": [_("The position's time is in the future.")]})
    technician = Technician.objects.select_for_update().get(pk=technician.pk)
    latest = PositionReport.objects.filter(technician=technician).order_by("-recorded_at").first()
    interval = timezone.timedelta(seconds=settings.MALHA_POSITION_MIN_INTERVAL_SECONDS)
    if latest and recorded_at < latest.recorded_at + interval:
        return None
    report = PositionReport(technician=technician, point=point, recorded_at=recorded_at, accuracy_m=accuracy_m)
    report.full_clean()
    report.save()
    technician.last_position, technician.last_position_at = point, recorded_at
    technician.save(update_fields=["last_position", "last_position_at"])
    live.publish_after_commit(live.position_message(report))
    stale = PositionReport.objects.filter(technician=technician).order_by("-recorded_at")[
        settings.MALHA_POSITION_HISTORY:
    ]
    PositionReport.objects.filter(pk__in=stale.values("pk")).delete()
    return report
