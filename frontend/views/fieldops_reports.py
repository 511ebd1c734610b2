"""Field-operation report pages: the reports with filters, and a technician's printable route sheet."""
import datetime
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from core.csp import with_nonce
from fieldops import reports
from fieldops.api.serializers import CompletedReportQuerySerializer, GroupedReportQuerySerializer
from fieldops.choices import OrderType
from fieldops.selectors import (
    manages_orders,
    service_orders_visible_to,
    technician_sla_report,
    technicians_visible_to,
)
from gis.selectors import streets_in_bbox_geojson

from ..maps import route_sheet_map

# Margin of streets drawn around the route sheet's stops, in degrees (about 500 m).
SHEET_STREETS_MARGIN = 0.005


def _report(kind, query):
    """The lines and table of a report, from the same reads the API serves."""
    first_day, last_day, by = query["first_day"], query["last_day"], query.get("by")
    if kind == "sla":
        lines = technician_sla_report(first_day, last_day, by=by)
        return reports.sla_table(lines, first_day, last_day, by)
    lines = reports.completed_orders_report(
        first_day, last_day, by=by, technician=query.get("technician"), order_types=query.get("type", ()),
    )
    return reports.completed_table(lines, first_day, last_day, by)


@login_required
def field_reports(request):
    """Orders completed per technician, or SLA compliance, over a period: a table on screen and
    the same report as CSV or PDF from the API. For dispatchers and admins."""
    if not manages_orders(request.user):
        raise PermissionDenied
    kind = "sla" if request.GET.get("report") == "sla" else "completed"
    today = timezone.localdate()
    # Fields the form leaves empty ("all technicians", "technician only") are not filters.
    chosen = {name: value for name, value in request.GET.dict().items() if value}
    params = {"first_day": today.replace(day=1).isoformat(), "last_day": today.isoformat(), **chosen}
    if "type" in request.GET:
        params["type"] = request.GET.getlist("type")
    serializer_class = GroupedReportQuerySerializer if kind == "sla" else CompletedReportQuerySerializer
    query = serializer_class(data=params)
    table, downloads = None, None
    if query.is_valid():
        table = _report(kind, query.validated_data)
        api = reverse("fieldops-api:technician-sla-report" if kind == "sla" else "fieldops-api:completed-orders-report")
        api_params = [
            (name, value) for name in query.fields
            for value in (params.get("type", []) if name == "type" else [params.get(name)]) if value
        ]
        downloads = {fmt: f"{api}?{urlencode([*api_params, ('format', fmt)])}" for fmt in ("csv", "pdf")}
    technicians = technicians_visible_to(request.user).filter(active=True)
    return render(request, "frontend/fieldops_reports/reports.html", {
        "kind": kind,
        "params": params,
        "selected_types": params.get("type", []),
        "errors": query.errors if not query.is_valid() else {},
        "table": table,
        "downloads": downloads,
        "technicians": technicians,
        "order_types": OrderType.choices,
        "sheet_day": request.GET.get("sheet_day") or today.isoformat(),
    })


@login_required
def route_sheet(request, technician_id, date):
    """A technician's day on paper: the technician themselves, or a dispatcher or admin.

    Another user's technician, an unknown one or a malformed date is a 404."""
    try:
        day = datetime.date.fromisoformat(date)
    except ValueError:
        raise Http404 from None
    technician = get_object_or_404(technicians_visible_to(request.user).select_related("user"), pk=technician_id)
    if not (manages_orders(request.user) or technician.user_id == request.user.pk):
        raise Http404
    orders = reports.scheduled_on(service_orders_visible_to(request.user), technician, day)
    sheet = reports.route_sheet(technician, day, orders)
    start, end = technician.start_point.coords, technician.end_point.coords
    stops = [(stop.sequence, stop.order.point.coords, f"{stop.sequence}. {stop.order.person}") for stop in sheet.stops]
    lons, lats = zip(start, end, *[point for _n, point, _l in stops])
    margin = SHEET_STREETS_MARGIN
    streets = streets_in_bbox_geojson((min(lons) - margin, min(lats) - margin, max(lons) + margin, max(lats) + margin))
    fmap = route_sheet_map(sheet.route, stops, start, end, streets)
    return render(request, "frontend/fieldops_reports/route_sheet.html", {
        "sheet": sheet,
        "map_html": with_nonce(fmap.get_root().render(), request),
    })
