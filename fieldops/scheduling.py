"""Scheduling a day by hand: the dispatcher's board, checked before it is saved.

A board is a day and a list of placements: an order (with the version the dispatcher
read) on a technician at a start time, or taken off the board. `check_board` lays each
technician's day out in time order — the orders they already have that day, then the
board's — and drives it on the street graph (gis.network's travel-time matrix) to
find, per order, what is wrong and when the technician can be there (the ETA).
`apply_board` saves a whole board through the order services in one transaction,
refusing it all when any order is stale or has a blocking conflict.
"""
import datetime
import hashlib
import math
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from core.exceptions import Conflict
from gis.network import joined_path, road_graph, street_paths, travel_matrix

from .choices import OrderStatus
from .choices import ScheduleConflict as Kind
from .models import ServiceOrder, Technician
from .services import ActionContext, schedule_order, unschedule_order, update_service_order

# Orders the board may place (a dispatched one goes back to scheduled), and those it shows
# as fixed: already with their technician and not the board's to move.
PLACEABLE_STATUSES = (OrderStatus.OPEN, OrderStatus.REOPENED, OrderStatus.SCHEDULED, OrderStatus.DISPATCHED)
FIXED_STATUSES = (OrderStatus.SCHEDULED, OrderStatus.DISPATCHED, OrderStatus.EN_ROUTE, OrderStatus.ON_SITE,
                  OrderStatus.PAUSED)
# Kinds a dispatcher may knowingly save (overtime, a late arrival); the others block saving.
WARNINGS = {Kind.LATE, Kind.SHIFT}
# Start times the board fills in are rounded up to this many minutes.
ROUNDING_MINUTES = 5
ROUTE_CACHE_SECONDS = 3600


@dataclass(frozen=True)
class Placement:
    order: ServiceOrder
    version: int | None = None
    technician: object = None  # a Technician; None takes the order off the board
    start: datetime.datetime | None = None  # None: as soon as the technician can be there


@dataclass
class Stop:
    """One order on a technician's day, as laid out and driven."""

    order: ServiceOrder
    start: datetime.datetime | None
    placement: Placement | None = None  # None: an order the technician already has (fixed)
    eta: datetime.datetime | None = None
    travel_seconds: int = 0
    travel_meters: int = 0
    estimated: bool = False
    conflicts: list = field(default_factory=list)

    @property
    def end(self):
        return self.start + datetime.timedelta(minutes=self.order.estimated_minutes)


def _at(date, time):
    return timezone.make_aware(datetime.datetime.combine(date, time))


def _clock(moment):
    return time_format(timezone.localtime(moment), "H:i")


def _round_up(moment):
    step = ROUNDING_MINUTES * 60
    seconds = math.ceil(moment.timestamp() / step) * step
    return datetime.datetime.fromtimestamp(seconds, tz=moment.tzinfo)


def _conflict(kind, message):
    return {"kind": kind.value, "severity": "warning" if kind in WARNINGS else "error", "message": message}


def _order_conflicts(placement, current, held_skills):
    """What is wrong with the placement whatever else is on the board; `held_skills` is the set
    of (technician id, skill id) pairs of the board's technicians."""
    order, technician = placement.order, placement.technician
    found = []
    if placement.version is not None and placement.version != current.version:
        found.append(_conflict(Kind.STALE, _(
            "Order %(order)s was changed by someone else since you loaded it "
            "(version %(yours)s, now %(current)s). Reload the board."
        ) % {"order": order, "yours": placement.version, "current": current.version}))
    if technician is None:
        if current.status not in (OrderStatus.OPEN, OrderStatus.REOPENED, OrderStatus.SCHEDULED):
            found.append(_conflict(Kind.STATUS, _("Order %(order)s is %(status)s and cannot be taken off the board.")
                                   % {"order": order, "status": current.get_status_display().lower()}))
        return found
    if current.status not in PLACEABLE_STATUSES:
        found.append(_conflict(Kind.STATUS, _("Order %(order)s is %(status)s and cannot be scheduled.")
                               % {"order": order, "status": current.get_status_display().lower()}))
    if not technician.active:
        found.append(_conflict(Kind.INACTIVE, _("%(technician)s is not an active technician.")
                               % {"technician": technician}))
    lacking = [skill for skill in current.required_skills.all() if (technician.pk, skill.pk) not in held_skills]
    if lacking:
        found.append(_conflict(Kind.SKILL, _("%(technician)s lacks %(skills)s.") % {
            "technician": technician, "skills": get_text_list([str(skill) for skill in lacking], _("and")),
        }))
    return found


def _fixed_orders(date, technicians, board_orders):
    """The orders the technicians already have on `date` that the board does not move."""
    return (
        ServiceOrder.objects.filter(
            assignee__in=technicians, status__in=FIXED_STATUSES,
            scheduled_start__gte=_at(date, datetime.time.min),
            scheduled_start__lt=_at(date + datetime.timedelta(days=1), datetime.time.min),
        )
        .exclude(pk__in=board_orders)
        .select_related("assignee")
    )


@dataclass
class Day:
    """A technician's day on the board: stops in time order, driven from start to end point."""

    technician: object
    stops: list
    meters: int = 0
    driving_seconds: int = 0
    lateness_seconds: int = 0
    back_at: datetime.datetime | None = None
    legs: list = field(default_factory=list)  # matrix index pairs, start -> stops -> end


@dataclass
class BoardReport:
    date: datetime.date
    stops: list  # the board's own stops (placements), in the board's order
    days: list
    points: list
    matrix: object
    unassigned: int = 0

    @property
    def errors(self):
        return [c for stop in self.stops for c in stop.conflicts if c["severity"] == "error"]

    @property
    def warnings(self):
        return [c for stop in self.stops for c in stop.conflicts if c["severity"] == "warning"]

    def totals(self):
        meters = sum(day.meters for day in self.days)
        driving = sum(day.driving_seconds for day in self.days)
        lateness = sum(day.lateness_seconds for day in self.days)
        return {
            "km": round(meters / 1000, 2), "driving_hours": round(driving / 3600, 2),
            "lateness_minutes": round(lateness / 60, 1), "unassigned": self.unassigned,
        }

    def route_features(self):
        """Each technician's day as a line along the streets (start, stops, end). Lines are cached
        by the day's points on this street network: a drag redraws only the days it changed."""
        version = road_graph().version if self.days else ""
        keys = [_route_key(version, [self.points[i] for leg in day.legs for i in leg]) for day in self.days]
        lines = cache.get_many(keys)
        missing = [(day, key) for day, key in zip(self.days, keys) if key not in lines]
        legs = [leg for day, _key in missing for leg in day.legs]
        paths = iter(street_paths(self.points, legs, self.matrix.snaps) if legs else ())
        for day, key in missing:
            lines[key] = joined_path([next(paths) for _leg in day.legs])
        cache.set_many({key: lines[key] for _day, key in missing}, ROUTE_CACHE_SECONDS)
        features = [
            {
                "type": "Feature", "geometry": {"type": "LineString", "coordinates": lines[key]},
                "properties": {"technician": day.technician.pk, "technician_name": str(day.technician)},
            }
            for day, key in zip(self.days, keys)
            if len(lines[key]) > 1
        ]
        return {"type": "FeatureCollection", "features": features}


def route_line(technician, orders):
    """The technician's drive from their start through `orders`, in that order, and back to their
    end point along the streets: a GeoJSON Feature with the km and minutes of each leg."""
    points = [technician.start_point.coords, *(order.point.coords for order in orders), technician.end_point.coords]
    matrix = travel_matrix(points)
    legs = [(i, i + 1) for i in range(len(points) - 1)]
    minutes = [round(int(matrix.seconds[a, b]) / 60, 1) for a, b in legs]
    km = [round(int(matrix.meters[a, b]) / 1000, 2) for a, b in legs]
    return {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": joined_path(street_paths(points, legs, matrix.snaps))},
        "properties": {
            "technician": technician.pk, "orders": [order.pk for order in orders],
            "legs": [{"minutes": m, "km": k} for m, k in zip(minutes, km)],
            "minutes": round(sum(minutes), 1), "km": round(sum(km), 2),
            "estimated": bool(matrix.estimated.any()),
        },
    }


def _route_key(version, points):
    digest = hashlib.sha1(";".join(f"{lon:.6f},{lat:.6f}" for lon, lat in points).encode()).hexdigest()
    return f"fieldops:board-route:{version}:{digest}"


def check_board(date, placements, *, current=None):
    """Lay out and drive each technician's day with the board's placements; returns a BoardReport.

    `current` maps order ids to the orders as they are now (apply_board passes them locked);
    by default they are read afresh."""
    if current is None:
        current = ServiceOrder.objects.in_bulk([p.order.pk for p in placements])
    prefetch_related_objects(list(current.values()), "required_skills")
    held_skills = set(
        Technician.skills.through.objects.filter(
            technician__in={p.technician.pk for p in placements if p.technician}
        ).values_list("technician_id", "skill_id")
    )
    stops = []
    for placement in placements:
        stop = Stop(order=placement.order, start=placement.start, placement=placement)
        stop.conflicts = _order_conflicts(placement, current[placement.order.pk], held_skills)
        stops.append(stop)
    placed = [stop for stop in stops if stop.placement.technician is not None]
    technicians = {stop.placement.technician.pk: stop.placement.technician for stop in placed}
    board_orders = [p.order.pk for p in placements]
    timelines = {pk: [] for pk in technicians}
    for order in _fixed_orders(date, list(technicians), board_orders):
        timelines[order.assignee_id].append(Stop(order=order, start=order.scheduled_start))
    for stop in placed:
        timelines[stop.placement.technician.pk].append(stop)

    # The matrix's points in a fixed order (technicians, then orders, by id) whatever the board's
    # order: moving an order between days keeps the same point set, and the cached matrix.
    technicians = dict(sorted(technicians.items()))
    points = []
    for technician in technicians.values():
        points += [technician.start_point.coords, technician.end_point.coords]
    stops_by_order = sorted((stop for timeline in timelines.values() for stop in timeline), key=lambda s: s.order.pk)
    index = {id(stop): len(points) + k for k, stop in enumerate(stops_by_order)}
    points += [stop.order.point.coords for stop in stops_by_order]
    matrix = travel_matrix(points) if points else None
    days = [
        _drive_day(date, technician, 2 * i, timelines[technician.pk], index, matrix)
        for i, technician in enumerate(technicians.values())
    ]
    return BoardReport(
        date=date, stops=stops, days=days, points=points, matrix=matrix,
        unassigned=_unassigned_count(date, board_orders),
    )


def _unassigned_count(date, board_orders):
    """Open or reopened orders of the day left off the board."""
    return (
        ServiceOrder.objects.filter(
            status__in=(OrderStatus.OPEN, OrderStatus.REOPENED), assignee__isnull=True,
            window_start__lt=_at(date + datetime.timedelta(days=1), datetime.time.min),
            window_end__gt=_at(date, datetime.time.min),
        )
        .exclude(pk__in=board_orders)
        .count()
    )


def _drive_day(date, technician, start_index, timeline, index, matrix):
    """Order the day (timed stops by start, untimed ones after them in board order), fill in
    the untimed starts, then drive it leg by leg and note every conflict on the board's stops."""
    shift_start, shift_end = _at(date, technician.shift_start), _at(date, technician.shift_end)
    timed = sorted((stop for stop in timeline if stop.start is not None), key=lambda stop: stop.start)
    stops = timed + [stop for stop in timeline if stop.start is None]
    day = Day(technician=technician, stops=stops)
    here, free_at = start_index, shift_start
    busy_until, busy_with = None, None
    for stop in stops:
        there = index[id(stop)]
        day.legs.append((here, there))
        stop.travel_seconds = int(matrix.seconds[here, there])
        stop.travel_meters = int(matrix.meters[here, there])
        stop.estimated = bool(matrix.estimated[here] or matrix.estimated[there])
        day.meters += stop.travel_meters
        day.driving_seconds += stop.travel_seconds
        if here == start_index and stop.start is not None:
            # A first stop before the shift is an overtime question (SHIFT), not a late arrival.
            free_at = min(free_at, stop.start - datetime.timedelta(seconds=stop.travel_seconds))
        stop.eta = free_at + datetime.timedelta(seconds=stop.travel_seconds)
        if stop.start is None:
            stop.start = _round_up(max(stop.eta, stop.order.window_start, shift_start))
        service_start = max(stop.eta, stop.start)
        day.lateness_seconds += max(0, int((service_start - stop.order.window_end).total_seconds()))
        if stop.placement is not None:
            stop.conflicts += _timing_conflicts(stop, technician, shift_start, shift_end, busy_until, busy_with)
        if busy_until is None or stop.end > busy_until:
            busy_until, busy_with = stop.end, stop.order
        here, free_at = there, service_start + datetime.timedelta(minutes=stop.order.estimated_minutes)
    end_index = start_index + 1
    day.legs.append((here, end_index))
    day.meters += int(matrix.meters[here, end_index])
    day.driving_seconds += int(matrix.seconds[here, end_index])
    day.back_at = free_at + datetime.timedelta(seconds=int(matrix.seconds[here, end_index]))
    placed = [stop for stop in stops if stop.placement is not None]
    if placed and placed[-1] is stops[-1] and day.back_at > shift_end:
        placed[-1].conflicts.append(_conflict(Kind.SHIFT, _(
            "%(technician)s is back at %(back)s, after the shift ends at %(end)s."
        ) % {"technician": technician, "back": _clock(day.back_at), "end": _clock(shift_end)}))
    return day


def _timing_conflicts(stop, technician, shift_start, shift_end, busy_until, busy_with):
    """Window, overlap and shift; a late arrival only when the drive (not an overlap) causes it."""
    order, found = stop.order, []
    overlaps = busy_until is not None and stop.start < busy_until
    if not order.window_start <= stop.start < order.window_end:
        found.append(_conflict(Kind.WINDOW, _(
            "The start %(start)s is outside the time window %(from)s–%(to)s."
        ) % {"start": _clock(stop.start), "from": _clock(order.window_start), "to": _clock(order.window_end)}))
    elif overlaps:
        pass
    elif stop.eta >= order.window_end:
        found.append(_conflict(Kind.WINDOW, _(
            "With the drive from the previous stop the technician arrives at %(eta)s, "
            "after the time window ends at %(to)s."
        ) % {"eta": _clock(stop.eta), "to": _clock(order.window_end)}))
    elif stop.eta > stop.start:
        found.append(_conflict(Kind.LATE, _(
            "With the drive from the previous stop the technician arrives at %(eta)s, "
            "%(minutes)s min after the planned start."
        ) % {"eta": _clock(stop.eta), "minutes": math.ceil((stop.eta - stop.start).total_seconds() / 60)}))
    if overlaps:
        found.append(_conflict(Kind.OVERLAP, _(
            "Overlaps order %(other)s, which %(technician)s works on until %(until)s."
        ) % {"other": busy_with, "technician": technician, "until": _clock(busy_until)}))
    if stop.start < shift_start or stop.end > shift_end:
        found.append(_conflict(Kind.SHIFT, _(
            "%(start)s–%(end)s is outside the shift of %(technician)s (%(from)s–%(to)s)."
        ) % {"start": _clock(stop.start), "end": _clock(stop.end), "technician": technician,
             "from": _clock(shift_start), "to": _clock(shift_end)}))
    return found


@transaction.atomic
def apply_board(date, placements, actor):
    """Save the board: every order scheduled (or taken off) as placed, or nothing at all.

    The orders are locked first; a stale version refuses the whole board with Conflict (409),
    a blocking conflict with ValidationError (400). Warnings (overtime, a late arrival) are saved.
    Returns the report the board was saved with."""
    current = ServiceOrder.objects.select_for_update().in_bulk([p.order.pk for p in placements])
    stale = [p.order for p in placements if p.version != current[p.order.pk].version]
    if stale:
        raise Conflict(
            _("These orders were changed by someone else since you loaded the board: %(orders)s. "
              "Reload it and try again; nothing was saved.")
            % {"orders": get_text_list([str(order) for order in stale], _("and"))},
            code="stale",
        )
    report = check_board(date, placements, current=current)
    if report.errors:
        raise ValidationError([conflict["message"] for conflict in report.errors])
    for stop in report.stops:
        _save(current[stop.order.pk], stop, actor)
    return report


def _save(order, stop, actor):
    technician = stop.placement.technician
    context = ActionContext(actor=actor, version=stop.placement.version)
    if technician is None:
        if order.status == OrderStatus.SCHEDULED:
            unschedule_order(order, context)
    elif (order.assignee_id, order.scheduled_start) == (technician.pk, stop.start):
        return  # where it already is (a dispatched order stays dispatched)
    elif order.status == OrderStatus.SCHEDULED:
        update_service_order(order, version=stop.placement.version, assignee=technician, scheduled_start=stop.start)
    else:
        schedule_order(order, context, assignee=technician, scheduled_start=stop.start)


def day_board(date, order_types=(), priorities=()):
    """What the board opens with: the active technicians, the orders they have on `date`, and
    the day's open or reopened orders nobody has yet (narrowed by type and priority)."""
    technicians = list(Technician.objects.filter(active=True).select_related("user").prefetch_related("skills"))
    day_start, day_end = _at(date, datetime.time.min), _at(date + datetime.timedelta(days=1), datetime.time.min)
    orders = ServiceOrder.objects.select_related("person").prefetch_related("required_skills")
    placed = orders.filter(
        assignee__in=technicians, status__in=FIXED_STATUSES,
        scheduled_start__gte=day_start, scheduled_start__lt=day_end,
    )
    pool = orders.filter(
        status__in=(OrderStatus.OPEN, OrderStatus.REOPENED), assignee__isnull=True,
        window_start__lt=day_end, window_end__gt=day_start,
    )
    if order_types:
        pool = pool.filter(order_type__in=order_types)
    if priorities:
        pool = pool.filter(priority__in=priorities)
    return technicians, [*placed.order_by("scheduled_start"), *pool.order_by("-priority", "window_start")]
