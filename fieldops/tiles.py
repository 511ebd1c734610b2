"""The map's service order and technician layers (see gis.tiles), registered by
FieldopsConfig.ready. Both hold only what the user may see (fieldops' visibility rules),
so their ETags name the user; orders are few and aggregated live at low zooms."""
import datetime

from django.db.models import F, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Trim
from django.utils import timezone
from django.utils.translation import gettext_lazy

from gis.tiles import (
    ChoiceFilter, DataLayer, DateFilter, bbox_polygon, live_cluster_source, named_sql, orm_source,
    queryset_sql,
)

from .choices import OrderStatus, OrderType, Priority
from .selectors import service_orders_visible_to, technicians_visible_to

TOPICS = {"orders": "fieldops.ServiceOrder", "technicians": "fieldops.Technician"}


def _person_name(prefix):
    """SQL-side str(Technician): full name, else username."""
    return Coalesce(
        NullIf(Trim(Concat(F(f"{prefix}first_name"), Value(" "), F(f"{prefix}last_name"))), Value("")),
        F(f"{prefix}username"),
    )


def _iso(column):
    return f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""


def visible_orders(user, filters):
    """The service orders `user` may see (fieldops' rule), narrowed by the tile filters."""
    orders = service_orders_visible_to(user)
    if "status" in filters:
        orders = orders.filter(status__in=filters["status"])
    if "type" in filters:
        orders = orders.filter(order_type__in=filters["type"])
    if "priority" in filters:
        orders = orders.filter(priority__in=filters["priority"])
    if "date" in filters:
        zone = timezone.get_current_timezone()
        day_start = datetime.datetime.combine(filters["date"], datetime.time.min, tzinfo=zone)
        orders = orders.filter(window_start__lt=day_start + datetime.timedelta(days=1),
                               window_end__gt=day_start)
    return orders


def orders_source(tile, filters, user):
    orders = (
        visible_orders(user, filters)
        .filter(point__bboverlaps=bbox_polygon(tile.bbox))
        .annotate(assignee_name=_person_name("assignee__user__"))
        .values("id", "number", "order_type", "status", "priority", "window_start", "window_end",
                "assignee_name", "point")
        .order_by()
    )
    inner, params = named_sql(*queryset_sql(orders))
    sql = f"""
        SELECT ST_Transform(q.point, 3857) AS geom3857, q.id, q.number, q.order_type AS type,
               q.status, q.priority::int AS priority, {_iso("q.window_start")} AS window_start,
               {_iso("q.window_end")} AS window_end, q.assignee_name AS assignee
        FROM ({inner}) q
    """
    return sql, params


def technician_positions(user):
    """Where each active technician `user` may see is: their start point for now.

    The one place to switch to live GPS positions; yields `id`, `name`, `point`.
    """
    return (
        technicians_visible_to(user).filter(active=True)
        .annotate(name=_person_name("user__"), position=F("start_point"))
        .values("id", "name", "position")
    )


def technicians_source(tile, filters, user):
    technicians = technician_positions(user).filter(start_point__bboverlaps=bbox_polygon(tile.bbox))
    return orm_source(technicians, "position", "q.id, q.name")


LAYERS = (
    DataLayer("orders", gettext_lazy("Service orders"), "point", "fieldops.view_serviceorder",
              ("orders", "technicians"),
              ("id", "number", "type", "status", "priority", "window_start", "window_end", "assignee"),
              {"status": ChoiceFilter(OrderStatus), "type": ChoiceFilter(OrderType),
               "priority": ChoiceFilter(Priority), "date": DateFilter()},
              OrderStatus, "MALHA_TILE_ORDERS_DETAIL_ZOOM", per_user=True, position=30,
              source=orders_source, cluster_source=live_cluster_source),
    DataLayer("technicians", gettext_lazy("Technicians"), "point", "fieldops.view_technician",
              ("technicians",), ("id", "name"), per_user=True, position=70, source=technicians_source),
)
