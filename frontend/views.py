import datetime

from django.contrib.auth.decorators import login_required, permission_required
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.clickjacking import xframe_options_sameorigin

from billing.choices import ContractStatus
from billing.selectors import contract_counts_by_status
from crm.selectors import client_count
from fieldops.choices import OrderStatus
from fieldops.selectors import active_technician_count, order_counts_by_day_and_status
from gis.selectors import (
    coverage_geojson,
    cto_boxes_with_occupancy,
    main_roads_geojson,
    plant_summary,
    pop_list,
)

from .maps import plant_overview_map

OVERVIEW_MAP_CACHE_SECONDS = 300


@login_required
def home(request):
    """The operation at a glance; each card only for those whose role may read its data."""
    perms = request.user
    context = {}
    if perms.has_perm("crm.view_person"):
        context["clients"] = client_count()
    if perms.has_perm("billing.view_contract"):
        counts = contract_counts_by_status()
        context["contracts"] = [
            (status.label, counts.get(status.value, 0), status.value) for status in ContractStatus
        ]
        context["contracts_total"] = sum(counts.values())
    if perms.has_perm("geo.view_ctobox"):
        context["plant"] = plant_summary()
    if perms.has_perm("fieldops.view_serviceorder"):
        today = timezone.localdate()
        days = [today, today + datetime.timedelta(days=1)]
        by_day = order_counts_by_day_and_status(request.user, days)
        context["orders"] = [
            {
                "day": day,
                "total": sum(by_day[day].values()),
                "statuses": [(s.label, by_day[day][s.value]) for s in OrderStatus if s.value in by_day[day]],
            }
            for day in days
        ]
    if perms.has_perm("fieldops.view_technician"):
        context["technicians"] = active_technician_count()
    return render(request, "frontend/home.html", context)


@login_required
@permission_required("geo.view_ctobox", raise_exception=True)
@xframe_options_sameorigin
def overview_map(request):
    """The plant overview map document (folium), cached briefly: it is the same for everyone.

    The overview page shows it in an iframe, so it may be framed by our own pages only."""
    key = f"frontend:overview-map:{translation.get_language()}"
    html = cache.get(key)
    if html is None:
        fmap = plant_overview_map(
            roads=main_roads_geojson(),
            coverage=coverage_geojson(),
            boxes=cto_boxes_with_occupancy(),
            pops=pop_list(),
        )
        html = fmap.get_root().render()
        cache.set(key, html, OVERVIEW_MAP_CACHE_SECONDS)
    return HttpResponse(html)
