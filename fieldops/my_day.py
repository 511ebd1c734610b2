"""The technician's day as the phone needs it: one read it can keep and work from offline.

The stops are the technician's orders scheduled (or, with no start, windowed) on the day, plus
any they are still working on, by planned start. A stop's ETA is its arrival in the accepted
route plan when it is on one, else when the technician can be there driving the day on the street
graph from the shift's start, never before the order's planned start (nobody leaves early to
wait at the door); that same drive (start point, stops, end point) draws the route line.
"""
import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from gis.network import joined_path, street_paths, travel_matrix
from gis.selectors import cto_boxes_near

from .choices import EventKind, OrderStatus, OrderType
from .models import Attachment, MaterialUsage, OrderEvent, ServiceOrder
from .selectors import checklist_state, material_list, report_period

DAY_STATUSES = (
    OrderStatus.SCHEDULED, OrderStatus.DISPATCHED, OrderStatus.EN_ROUTE, OrderStatus.ON_SITE,
    OrderStatus.PAUSED, OrderStatus.COMPLETED,
)
WORKING_STATUSES = (OrderStatus.EN_ROUTE, OrderStatus.ON_SITE, OrderStatus.PAUSED)
# Boxes offered when completing an installation: within this walk of the client, nearest first.
BOX_RADIUS_M = 400
BOX_CHOICES = 6
# Planned arrivals by order id for (user, date); routing, which sits above fieldops, registers
# the accepted route plan's in its AppConfig.ready.
_planned_arrival_sources = []


def register_planned_arrivals(source):
    _planned_arrival_sources.append(source)


@dataclass
class DayStop:
    sequence: int
    order: ServiceOrder
    eta: datetime.datetime
    checklist: list
    boxes: list = field(default_factory=list)


@dataclass
class TechnicianDay:
    date: datetime.date
    technician: object
    stops: list
    line: list  # [[lon, lat], ...] from the start point along the streets to the end point
    km: float
    materials: list


def day_orders(technician, date):
    since, until = report_period(date, date)
    on_the_day = Q(scheduled_start__gte=since, scheduled_start__lt=until) | Q(
        scheduled_start__isnull=True, window_start__gte=since, window_start__lt=until
    )
    notes = OrderEvent.objects.filter(kind=EventKind.NOTE).select_related("actor")
    return (
        ServiceOrder.objects.filter(assignee=technician, status__in=DAY_STATUSES)
        .filter(on_the_day | Q(status__in=WORKING_STATUSES))
        .select_related("person", "contract__cto_box")
        .prefetch_related(
            "checklist",
            Prefetch("events", notes, to_attr="notes"),
            Prefetch("materials", MaterialUsage.objects.select_related("material", "event__actor")),
            Prefetch("attachments", Attachment.objects.select_related("event__actor")),
        )
        .order_by(Coalesce("scheduled_start", "window_start"), "number")
    )


def technician_day(technician, date):
    orders = list(day_orders(technician, date))
    shift_start = timezone.make_aware(datetime.datetime.combine(date, technician.shift_start))
    points = [technician.start_point.coords, *(order.point.coords for order in orders), technician.end_point.coords]
    matrix = travel_matrix(points)
    planned = {}
    for source in _planned_arrival_sources:
        planned.update(source(technician.user, date))
    stops, clock = [], shift_start  # when the technician is free to drive to the next stop
    for index, order in enumerate(orders, start=1):
        arrival = clock + datetime.timedelta(seconds=int(matrix.seconds[index - 1][index]))
        begins = max(arrival, order.scheduled_start or order.window_start)
        clock = begins + datetime.timedelta(minutes=order.estimated_minutes)
        stops.append(DayStop(
            sequence=index, order=order, eta=planned.get(order.pk, begins),
            checklist=checklist_state(order), boxes=_box_choices(order),
        ))
    legs = [(i, i + 1) for i in range(len(points) - 1)]
    line = joined_path(street_paths(points, legs, matrix.snaps))
    meters = sum(int(matrix.meters[a][b]) for a, b in legs)
    return TechnicianDay(
        date=date, technician=technician, stops=stops, line=line, km=round(meters / 1000, 2),
        materials=list(material_list().filter(active=True)),
    )


def _box_choices(order):
    """An installation's boxes to pick from: the nearest, and the contract's reserved one however far."""
    if order.order_type != OrderType.INSTALLATION or order.status == OrderStatus.COMPLETED:
        return []
    boxes = [
        {"id": box.id, "code": box.code, "free_ports": box.ports_free}
        for box in cto_boxes_near(*order.point.coords, BOX_RADIUS_M)[:BOX_CHOICES]
    ]
    reserved = order.contract.cto_box if order.contract else None
    if reserved and all(box["id"] != reserved.pk for box in boxes):
        boxes.insert(0, {"id": reserved.pk, "code": reserved.code, "free_ports": None})
    return boxes
