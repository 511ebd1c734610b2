"""Route-plan writes: request an optimisation, solve it, accept or discard the result.

A plan is requested (queued, solved by a Celery task after the commit), solved once
(a redelivered task finds it done), and then accepted, which writes every order's
technician and scheduled start through fieldops in one transaction, or discarded.
"""
import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.gis.geos import LineString, MultiLineString
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from fieldops.choices import OrderStatus
from fieldops.models import ServiceOrder
from fieldops.services import ActionContext, schedule_order, update_service_order

from . import live, selectors
from .choices import Objective, PlanStatus
from .models import Route, RoutePlan, RouteStop, UnassignedOrder
from gis.network import street_paths
from .planning import build_problem
from .solver import SearchSettings, solve

logger = logging.getLogger(__name__)


class StalePlan(ValidationError):
    """Orders changed after the plan was made: accepting it would overwrite newer work (409)."""


def _numbers(orders):
    return get_text_list([order.number for order in orders], _("and"))


def _validate_request(date, team, orders, time_budget_s):
    errors = {}
    if date < timezone.localdate():
        errors["date"] = [_("Plans are made for today or a later day.")]
    low, high = settings.MALHA_ROUTING_PLAN_MIN_SECONDS, settings.MALHA_ROUTING_PLAN_MAX_SECONDS
    if not low <= time_budget_s <= high:
        errors["time_budget_s"] = [
            _("The time budget must be between %(low)s and %(high)s seconds.") % {"low": low, "high": high}
        ]
    if not team:
        errors["technicians"] = [_("There are no active technicians to plan.")]
    elif inactive := [technician for technician in team if not technician.active]:
        errors["technicians"] = [
            _("Not active: %(names)s.") % {"names": get_text_list([str(t) for t in inactive], _("and"))}
        ]
    if not orders:
        errors["orders"] = [_("There are no service orders to plan on this day.")]
    elif closed := [order for order in orders if order.status in selectors.CLOSED_STATUSES]:
        errors["orders"] = [_("Completed or cancelled: %(orders)s.") % {"orders": _numbers(closed)}]
    elif other_day := [order for order in orders if not _on_day(order, date)]:
        errors["orders"] = [
            _("Their time windows are on another day: %(orders)s.") % {"orders": _numbers(other_day)}
        ]
    if errors:
        raise ValidationError(errors)


def _on_day(order, date):
    return timezone.localdate(order.window_start) <= date <= timezone.localdate(order.window_end)


@transaction.atomic
def request_plan(
    *, date, user, technicians=None, orders=None, order_statuses=None, objective=Objective.TIME,
    time_budget_s=None, technician_cost=0, balance=0,
):
    """Queue an optimisation of `orders` (or those of `date` in `order_statuses`) over
    `technicians` (or every active one). Orders already in progress with the team come
    along, fixed to their technician."""
    team = list(technicians) if technicians is not None else list(selectors.active_technicians())
    if orders is None:
        orders = list(selectors.orders_on(date, order_statuses or selectors.PLANNABLE_STATUSES))
    if time_budget_s is None:
        time_budget_s = settings.MALHA_ROUTING_PLAN_DEFAULT_SECONDS
    _validate_request(date, team, orders, time_budget_s)
    plan = RoutePlan.objects.create(
        date=date, requested_by=user, objective=objective, time_budget_s=time_budget_s,
        technician_cost=technician_cost, balance=balance,
    )
    plan.technicians.set(team)
    plan.orders.set({*orders, *selectors.in_progress_orders(date, team)})
    from .tasks import solve_plan_task  # here: tasks.py imports this module

    transaction.on_commit(lambda: solve_plan_task.delay(plan.pk))
    return plan


def solve_plan(plan_id, now=None):
    """Solve a queued plan (or one whose worker died mid-solve); any other plan is left alone.

    On the plan's own day the routes start `now` (the clock unless given), not at the shift start."""
    plan = _start_solving(plan_id)
    if plan is None:
        return RoutePlan.objects.get(pk=plan_id)
    try:
        now = now or timezone.now()
        day = selectors.plan_day(plan, now if timezone.localdate(now) == plan.date else None)
        planning = build_problem(
            day.technician_days, day.order_stops, day.origin,
            objective=plan.objective, fixed_cost=plan.technician_cost, balance=plan.balance,
        )
        publisher = live.ProgressPublisher(plan.pk, len(day.orders) + len(day.skipped))
        solution = solve(planning.problem, SearchSettings(seconds=plan.time_budget_s, on_progress=publisher))
        plan = _save_solution(plan.pk, day, planning, solution)
    except Exception as error:  # a failed plan must say so, not stay "solving" forever
        logger.exception("Route plan %s failed", plan_id)
        plan = _finish_failed(plan_id, error)
    live.publish_done(plan)
    return plan


@transaction.atomic
def _start_solving(plan_id):
    plan = RoutePlan.objects.select_for_update().get(pk=plan_id)
    if plan.status not in (PlanStatus.QUEUED, PlanStatus.SOLVING):
        return None
    plan.status = PlanStatus.SOLVING
    plan.save(update_fields=["status"])
    return plan


@transaction.atomic
def _finish_failed(plan_id, error):
    plan = RoutePlan.objects.select_for_update().get(pk=plan_id)
    if plan.status == PlanStatus.SOLVING:
        plan.status = PlanStatus.FAILED
        plan.error_message = _("The optimiser failed: %(error)s") % {"error": error}
        plan.save(update_fields=["status", "error_message"])
    return plan


@transaction.atomic
def _save_solution(plan_id, day, planning, solution):
    """Routes, stops with their street legs, unassigned orders and totals; the first solver to
    finish wins (a plan no longer solving, e.g. discarded meanwhile, keeps what it has)."""
    plan = RoutePlan.objects.select_for_update().get(pk=plan_id)
    if plan.status != PlanStatus.SOLVING:
        return plan
    problem = planning.problem
    routes = solution.used_routes()
    legs_of_route = []
    for route in routes:
        vehicle = problem.vehicles[route.vehicle]
        locations = [vehicle.start, *(problem.jobs[v.job].location for v in route.visits), vehicle.end]
        legs_of_route.append(list(zip(locations, locations[1:])))
    paths = iter(street_paths(planning.points, [leg for legs in legs_of_route for leg in legs], planning.matrix.snaps))

    def at(seconds):
        return day.origin + timedelta(seconds=int(seconds))

    for route, legs in zip(routes, legs_of_route):
        lines = [LineString(next(paths), srid=4326) for _leg in legs]
        record = Route.objects.create(
            plan=plan, technician=day.technicians[route.vehicle], departure=at(route.departure),
            return_at=at(route.arrival), lunch_start=at(route.break_start) if route.break_start is not None else None,
            geometry=MultiLineString(lines, srid=4326),
            meters=sum(int(problem.meters[a, b]) for a, b in legs),
            driving_seconds=sum(int(problem.seconds[a, b]) for a, b in legs),
        )
        for sequence, (visit, (a, b), line) in enumerate(zip(route.visits, legs, lines), start=1):
            order = day.orders[visit.job]
            start = at(visit.start)
            RouteStop.objects.create(
                route=record, order=order, sequence=sequence, arrival=at(visit.arrival),
                service_start=start, departure=at(visit.departure), wait_seconds=visit.wait,
                leg_meters=int(problem.meters[a, b]), leg_seconds=int(problem.seconds[a, b]),
                leg_geometry=line, fixed=order.status in selectors.IN_PROGRESS_STATUSES,
                order_updated_at=order.updated_at,
            )
            record.service_seconds += visit.departure - visit.start
            record.waiting_seconds += visit.wait
            record.lateness_seconds += max(0, int((start - order.window_end).total_seconds()))
        record.save()
        for name in ("meters", "driving_seconds", "service_seconds", "waiting_seconds", "lateness_seconds"):
            setattr(plan, name, getattr(plan, name) + getattr(record, name))
    unassigned = {day.orders[j]: reason for j, reason in solution.unassigned.items()} | day.skipped
    UnassignedOrder.objects.bulk_create(
        UnassignedOrder(plan=plan, order=order, reason=reason) for order, reason in unassigned.items()
    )
    plan.served_count = solution.served()
    plan.unassigned_count = len(unassigned)
    plan.best_cost = solution.objective_value
    plan.status = PlanStatus.SOLVED
    plan.solved_at = timezone.now()
    plan.save()
    return plan


def _lock_decidable(plan):
    plan = RoutePlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.SOLVED:
        raise ValidationError(
            _("Only a solved plan can be accepted or discarded; this one is %(status)s.")
            % {"status": plan.get_status_display().lower()}
        )
    return plan


def _decide(plan, user, status):
    plan.status = status
    plan.decided_at = timezone.now()
    plan.decided_by = user
    plan.save(update_fields=["status", "decided_at", "decided_by"])
    transaction.on_commit(lambda: live.publish_done(plan))
    return plan


@transaction.atomic
def accept_plan(plan, user):
    """Every routed order gets its technician and scheduled start, or nothing changes: an
    order edited since the plan was made (any change, any status) makes the plan stale."""
    plan = _lock_decidable(plan)
    stops = list(
        RouteStop.objects.filter(route__plan=plan, fixed=False).select_related("route__technician")
    )
    orders = ServiceOrder.objects.select_for_update().in_bulk([stop.order_id for stop in stops])
    changed = [orders[s.order_id] for s in stops if orders[s.order_id].updated_at != s.order_updated_at]
    if changed:
        raise StalePlan(
            _("These orders changed after the plan was made: %(orders)s. Run the optimiser again.")
            % {"orders": _numbers(changed)},
            code="stale",
        )
    context = ActionContext(actor=user)
    for stop in stops:
        order, technician = orders[stop.order_id], stop.route.technician
        if order.status == OrderStatus.SCHEDULED:
            update_service_order(order, assignee=technician, scheduled_start=stop.service_start)
        else:
            schedule_order(order, context, assignee=technician, scheduled_start=stop.service_start)
    return _decide(plan, user, PlanStatus.ACCEPTED)


@transaction.atomic
def discard_plan(plan, user):
    return _decide(_lock_decidable(plan), user, PlanStatus.DISCARDED)
