"""Route-plan reads: who sees which plans, and a plan's day as the optimiser's input."""
import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from fieldops.choices import OrderStatus, Priority
from fieldops.models import ServiceOrder, Technician

from .choices import PlanStatus, UnassignedReason
from .models import Route, RoutePlan, RouteStop, UnassignedOrder
from .planning import OrderStop, TechnicianDay

# Orders the optimiser may (re)assign, and those already being worked on: kept with their technician.
PLANNABLE_STATUSES = (OrderStatus.OPEN, OrderStatus.REOPENED, OrderStatus.SCHEDULED, OrderStatus.DISPATCHED)
IN_PROGRESS_STATUSES = (OrderStatus.EN_ROUTE, OrderStatus.ON_SITE, OrderStatus.PAUSED)
CLOSED_STATUSES = (OrderStatus.COMPLETED, OrderStatus.CANCELLED)


def manages_plans(user):
    """Dispatchers and admins; everyone else (technicians) sees only their own accepted route."""
    return user.is_authenticated and user.has_perm("routing.change_routeplan")


def _stops():
    return RouteStop.objects.select_related("order").order_by("sequence")


def routes_visible_to(user):
    routes = Route.objects.select_related("technician__user").prefetch_related(Prefetch("stops", _stops()))
    if not user.is_authenticated:
        return routes.none()
    if manages_plans(user):
        return routes
    return routes.filter(technician__user=user, plan__status=PlanStatus.ACCEPTED)


def plans_visible_to(user):
    plans = RoutePlan.objects.select_related("requested_by").prefetch_related("technicians")
    if not user.is_authenticated:
        return plans.none()
    if manages_plans(user):
        return plans
    return plans.filter(status=PlanStatus.ACCEPTED, routes__technician__user=user).distinct()


def plan_details_visible_to(user):
    """Plans with the routes and unassigned orders `user` may see: a technician, only their route."""
    unassigned = UnassignedOrder.objects.select_related("order")
    return plans_visible_to(user).prefetch_related(
        Prefetch("routes", routes_visible_to(user)),
        Prefetch("unassigned", unassigned if manages_plans(user) else unassigned.none()),
    )


def my_route(user, date):
    """The technician's route in the plan accepted last for `date`, or None."""
    return (
        routes_visible_to(user)
        .filter(technician__user=user, plan__status=PlanStatus.ACCEPTED, plan__date=date)
        .order_by("-plan__decided_at")
        .first()
    )


def planned_arrivals(user, date):
    """{order id: arrival} on the technician's accepted route for `date` (the phone's ETAs)."""
    route = my_route(user, date)
    return {} if route is None else {stop.order_id: stop.arrival for stop in route.stops.all()}


def orders_on(date, statuses):
    """Orders whose time window touches `date` (local time), in the given statuses."""
    start = _moment(date, datetime.time(0))
    end = start + datetime.timedelta(days=1)
    return ServiceOrder.objects.filter(status__in=statuses, window_start__lt=end, window_end__gt=start)


def in_progress_orders(date, technicians):
    return orders_on(date, IN_PROGRESS_STATUSES).filter(assignee__in=technicians)


def active_technicians():
    return Technician.objects.filter(active=True)


@dataclass
class PlanDay:
    """A plan's technicians and orders, as models and as the optimiser's input, in the same order."""

    origin: datetime.datetime
    technicians: list
    technician_days: list
    orders: list
    order_stops: list
    skipped: dict = field(default_factory=dict)  # order -> UnassignedReason, left out before solving


def plan_day(plan, now=None):
    """Mid-day (`now` on the plan's date) shifts start now from where each technician is, and
    orders in progress stay with their technician whatever their window said."""
    origin = _moment(plan.date, datetime.time(0))
    technicians = list(plan.technicians.prefetch_related("skills").order_by("pk"))
    team = {technician.pk for technician in technicians}
    orders, skipped = [], {}
    for order in plan.orders.prefetch_related("required_skills").order_by("pk"):
        if order.status in CLOSED_STATUSES:
            skipped[order] = UnassignedReason.CLOSED
        elif order.status in IN_PROGRESS_STATUSES and order.assignee_id not in team:
            skipped[order] = UnassignedReason.IN_PROGRESS_ELSEWHERE
        else:
            orders.append(order)
    on_site = {order.assignee_id: order for order in orders if order.status == OrderStatus.ON_SITE}
    days = [_technician_day(t, plan.date, now, on_site.get(t.pk)) for t in technicians]
    day_of = {day.key: day for day in days}
    day_end = origin + datetime.timedelta(days=1)
    return PlanDay(
        origin=origin,
        technicians=technicians,
        technician_days=days,
        orders=orders,
        order_stops=[_order_stop(order, origin, day_end, day_of) for order in orders],
        skipped=skipped,
    )


def _moment(date, time):
    return timezone.make_aware(datetime.datetime.combine(date, time))


def _technician_day(technician, date, now, on_site_order):
    shift_start, shift_end = _moment(date, technician.shift_start), _moment(date, technician.shift_end)
    start = technician.start_point.coords
    if now is not None and now > shift_start:
        shift_start = min(now, shift_end)
        start = _current_position(technician, now, on_site_order) or start
    return TechnicianDay(
        key=technician.pk, start=start, end=technician.end_point.coords,
        shift_start=shift_start, shift_end=shift_end,
        skills=frozenset(skill.code for skill in technician.skills.all()),
    )


def _current_position(technician, now, on_site_order):
    """The order they are on site at, else a GPS fix recent enough to trust, else None."""
    if on_site_order:
        return on_site_order.point.coords
    fresh_since = now - datetime.timedelta(minutes=settings.MALHA_ROUTING_POSITION_MAX_AGE_MINUTES)
    if technician.last_position and fresh_since <= technician.last_position_at <= now:
        return technician.last_position.coords
    return None


def _order_stop(order, origin, day_end, day_of):
    skills = frozenset(skill.code for skill in order.required_skills.all())
    if order.status in IN_PROGRESS_STATUSES:
        # Kept with its technician whatever the window said; the one they are on site at is
        # where their day continues from, so it goes on at once.
        day = day_of[order.assignee_id]
        on_site = order.status == OrderStatus.ON_SITE
        return OrderStop(
            key=order.pk, point=order.point.coords, window_start=origin,
            window_end=day.shift_start if on_site else day.shift_end, minutes=order.estimated_minutes,
            priority=Priority.URGENT, skills=skills, locked_to=order.assignee_id,
        )
    return OrderStop(
        key=order.pk, point=order.point.coords, window_start=order.window_start,
        # The scheduled start must fall strictly before the window's end (fieldops' rule).
        window_end=order.window_end - datetime.timedelta(seconds=1),
        minutes=order.estimated_minutes, priority=order.priority, skills=skills,
        # Left out today, it is at least this late for its SLA by tomorrow.
        overdue_days=(day_end - order.due_at) / datetime.timedelta(days=1),
    )
