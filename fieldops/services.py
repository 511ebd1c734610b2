"""Field-operations writes: technicians and service orders.

An order may only go to an active technician who has every skill it
requires, inside a time window that ends after it starts; its status moves
along ORDER_TRANSITIONS only.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from core.services import next_number
from crm.validators import normalize_mobile_phone

from .choices import OrderStatus
from .models import ServiceOrder, Technician
from .selectors import missing_skills

ORDER_NUMBER_PREFIX = "OS-"

# Where a new order may start, and where each status may go next.
INITIAL_ORDER_STATUSES = (OrderStatus.OPEN, OrderStatus.SCHEDULED, OrderStatus.DISPATCHED)
ORDER_TRANSITIONS = {
    OrderStatus.OPEN: {OrderStatus.SCHEDULED, OrderStatus.DISPATCHED, OrderStatus.CANCELLED},
    OrderStatus.SCHEDULED: {OrderStatus.OPEN, OrderStatus.DISPATCHED, OrderStatus.CANCELLED},
    OrderStatus.DISPATCHED: {OrderStatus.SCHEDULED, OrderStatus.EN_ROUTE, OrderStatus.CANCELLED},
    OrderStatus.EN_ROUTE: {OrderStatus.ON_SITE, OrderStatus.PAUSED, OrderStatus.CANCELLED},
    OrderStatus.ON_SITE: {OrderStatus.PAUSED, OrderStatus.COMPLETED, OrderStatus.CANCELLED},
    OrderStatus.PAUSED: {OrderStatus.EN_ROUTE, OrderStatus.ON_SITE, OrderStatus.CANCELLED},
    OrderStatus.COMPLETED: set(),
    OrderStatus.CANCELLED: set(),
}
# Statuses in which nobody needs to be on the job.
UNASSIGNED_STATUSES = {OrderStatus.OPEN, OrderStatus.CANCELLED}


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
def update_service_order(order, *, required_skills=None, **fields):
    """Edit, assign, schedule or move an order along ORDER_TRANSITIONS."""
    previous_status = order.status
    for name, value in fields.items():
        setattr(order, name, value)
    if order.status != previous_status and order.status not in ORDER_TRANSITIONS[previous_status]:
        raise ValidationError(
            {
                "status": [
                    _("An order cannot go from “%(from)s” to “%(to)s”.")
                    % {"from": OrderStatus(previous_status).label, "to": order.get_status_display()}
                ]
            }
        )
    if required_skills is None:
        required_skills = list(order.required_skills.all())
    clean_service_order(order, required_skills)
    order.save()
    order.required_skills.set(required_skills)
    return order
