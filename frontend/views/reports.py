"""Report pages built on folium map documents: the client location report."""
import json
from urllib.parse import urlencode

import folium
from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from folium.plugins import FastMarkerCluster

from billing.choices import ContractStatus
from billing.reports import client_locations, installation_neighbourhoods
from billing.selectors import plan_list
from core.csp import with_nonce
from core.roles import Role, user_has_role
from gis.selectors import main_roads_geojson

from ..maps import offline_map

REPORT_ROLES = (Role.ADMIN, Role.DISPATCHER, Role.SALES)
MAX_ZOOM = 19
STATUS_COLOURS = {
    ContractStatus.ACTIVE: "#2e7d32",
    ContractStatus.AWAITING_INSTALLATION: "#1565c0",
    ContractStatus.SUSPENDED: "#ef6c00",
    ContractStatus.CANCELLED: "#757575",
}
CLUSTER_JS = "vendor/leaflet.markercluster/leaflet.markercluster.js"
CLUSTER_CSS = ("vendor/leaflet.markercluster/MarkerCluster.css",
               "vendor/leaflet.markercluster/MarkerCluster.Default.css")
# One circle a contract, coloured by status; the popup is built from text nodes, so a
# client's name is never read as HTML. folium assigns this expression to `callback`.
MARKER_CALLBACK = """(function (colours) {
    return function (row) {
        var marker = L.circleMarker(new L.LatLng(row[0], row[1]),
            {radius: 6, weight: 1, color: '#ffffff', fillColor: colours[row[5]] || '#555555', fillOpacity: 0.9});
        var popup = document.createElement('div');
        [row[2], row[3] + ' · ' + row[4], row[6], row[7]].forEach(function (text, index) {
            var line = document.createElement(index ? 'div' : 'strong');
            line.textContent = text;
            popup.appendChild(line);
        });
        marker.bindPopup(popup);
        return marker;
    };
})"""


class ClientLocationFilters(forms.Form):
    plan = forms.ModelMultipleChoiceField(label=gettext_lazy("Plan"), queryset=plan_list(), required=False)
    status = forms.MultipleChoiceField(label=gettext_lazy("Contract status"), choices=ContractStatus.choices,
                                       required=False)
    neighbourhood = forms.CharField(label=gettext_lazy("Neighbourhood"), max_length=100, required=False)


def client_locations_map(report, *, standalone):
    """The folium document: streets, the contracts clustered, a legend. `standalone` inlines
    Leaflet and the cluster plugin, so the downloaded file opens anywhere, offline."""
    fmap = offline_map(zoom=12)
    fmap.options["max_zoom"] = MAX_ZOOM  # clustering needs it, and a map without tiles has none
    folium.GeoJson(
        main_roads_geojson(), name=_("Main streets"), control=False,
        style_function=lambda feature: {"color": "#9aa5b1", "weight": 1.2, "opacity": 0.8},
    ).add_to(fmap)
    colours = {str(status): colour for status, colour in STATUS_COLOURS.items()}
    cluster = FastMarkerCluster(
        report.points, callback=f"{MARKER_CALLBACK}({json.dumps(colours)})",
        name=_("Clients"), control=False, chunkedLoading=True,
    ).add_to(fmap)
    legend = render_to_string("frontend/reports/client_locations_legend.html", {
        "report": report, "statuses": [(colours[status.value], status.label) for status in ContractStatus],
    })
    fmap.get_root().html.add_child(folium.Element(legend))
    if report.points:
        lats, lons = [point[0] for point in report.points], [point[1] for point in report.points]
        fmap.fit_bounds([(min(lats), min(lons)), (max(lats), max(lons))], padding=(20, 20))
    if standalone:
        scripts = [finders.find(path) for path in ("vendor/leaflet/leaflet.js", CLUSTER_JS)]
        styles = [finders.find(path) for path in ("vendor/leaflet/leaflet.css", *CLUSTER_CSS)]
        fmap.default_js = fmap.default_css = cluster.default_js = cluster.default_css = []
        inline = "".join(f"<style>{_read(path)}</style>" for path in styles)
        inline += "".join(f"<script>{_read(path)}</script>" for path in scripts)
        fmap.get_root().header.add_child(folium.Element(inline))
    else:
        cluster.default_js = [("markercluster", static(CLUSTER_JS))]
        cluster.default_css = [(path, static(path)) for path in CLUSTER_CSS]
    return fmap


def _read(path):
    with open(path, encoding="utf-8") as file:
        return file.read()


def may_map_clients(user):
    """Administrators, dispatchers and sales reps read the client location report."""
    return any(user_has_role(user, role) for role in REPORT_ROLES)


@login_required
def client_locations_report(request):
    """Clients on a map by plan, contract status and neighbourhood; `?format=html` downloads
    the map as one standalone HTML file."""
    if not may_map_clients(request.user):
        raise PermissionDenied
    query = request.GET.copy()
    query.pop("format", None)
    filters = ClientLocationFilters(query)
    if not filters.is_valid():
        return render(request, "frontend/reports/client_locations.html", {
            "filters": filters, "neighbourhoods": installation_neighbourhoods(),
        }, status=400)
    data = filters.cleaned_data
    report = client_locations(plan_ids=[plan.pk for plan in data["plan"]], statuses=data["status"],
                              neighbourhood=data["neighbourhood"].strip())
    if request.GET.get("format") == "html":
        html = client_locations_map(report, standalone=True).get_root().render()
        response = HttpResponse(html, content_type="text/html; charset=utf-8")
        filename = f"clients-map-{timezone.localdate().isoformat()}.html"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return render(request, "frontend/reports/client_locations.html", {
        "filters": filters,
        "neighbourhoods": installation_neighbourhoods(),
        "report": report,
        "map_html": with_nonce(client_locations_map(report, standalone=False).get_root().render(), request),
        "download": f"?{urlencode([*query.lists(), ('format', ['html'])], doseq=True)}",
    })
