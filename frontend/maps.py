"""Server-side map documents rendered with folium, with Leaflet served locally.

folium points at CDNs by default; Malha runs offline, so every map made here loads
the Leaflet release bundled by setup (package.json) and nothing else.
"""
import folium
from branca.element import MacroElement
from django.conf import settings
from django.templatetags.static import static
from django.utils.translation import gettext as _
from jinja2 import Template
from markupsafe import escape

OSM_ATTRIBUTION = '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap contributors</a>'

OCCUPANCY_COLOURS = ((0.5, "#2e7d32"), (0.9, "#f9a825"), (1.01, "#c62828"))


class Attribution(MacroElement):
    """Adds a credit to its map's attribution control (tiles=None leaves it empty).

    A child of the map, so its script runs after the map variable exists."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "{{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.text|tojson }});"
        "{% endmacro %}"
    )

    def __init__(self, text):
        super().__init__()
        self._name = "Attribution"
        self.text = text


class TextTooltip(folium.Tooltip):
    """A tooltip that shows its text as text. folium's own puts the text raw inside a
    JavaScript template literal, where HTML-escaping leaves `${…}` and backticks alive:
    here the text is HTML-escaped, then written as a JSON string literal."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "{{ this._parent.get_name() }}.bindTooltip({{ this.html|tojson }},"
        " {{ this.options|tojson }});"
        "{% endmacro %}"
    )

    def __init__(self, text, **kwargs):
        super().__init__(text, **kwargs)
        self.html = str(escape(self.text))


def escaped_properties(collection, *names):
    """The GeoJSON with the named properties HTML-escaped: folium's GeoJsonTooltip writes
    property values into the tooltip's HTML as they are."""
    return {**collection, "features": [
        {**feature, "properties": {
            key: str(escape(value)) if key in names else value
            for key, value in (feature.get("properties") or {}).items()}}
        for feature in collection["features"]
    ]}


def offline_map(zoom=13):
    """A Leaflet map with no remote tiles or scripts, centred on MALHA_MAP_CENTER."""
    lon, lat = settings.MALHA_MAP_CENTER
    fmap = folium.Map(location=(lat, lon), zoom_start=zoom, tiles=None, prefer_canvas=True,
                      control_scale=True)
    fmap.default_js = [("leaflet", static("vendor/leaflet/leaflet.js"))]
    fmap.default_css = [("leaflet_css", static("vendor/leaflet/leaflet.css"))]
    Attribution(OSM_ATTRIBUTION).add_to(fmap)
    return fmap


def occupancy_colour(used, total):
    share = used / total if total else 1
    return next(colour for limit, colour in OCCUPANCY_COLOURS if share < limit)


def plant_overview_map(roads, coverage, boxes, pops):
    """The operation at a glance: main streets, coverage, CTO boxes by occupancy, POPs.

    `roads` and `coverage` are GeoJSON FeatureCollections; `boxes` and `pops` are
    iterables of objects with `.point` (and for boxes `.code`, `.ports_used`,
    `.ports_total`).
    """
    fmap = offline_map()
    folium.GeoJson(
        roads, name=_("Main streets"), control=False,
        style_function=lambda feature: {"color": "#9aa5b1", "weight": 1.5, "opacity": 0.8},
    ).add_to(fmap)
    folium.GeoJson(
        escaped_properties(coverage, "name"), name=_("Coverage areas"),
        style_function=lambda feature: {"color": "#0b6e4f", "weight": 1, "fillColor": "#0b6e4f",
                                         "fillOpacity": 0.12},
        # folium refuses a tooltip on a field that no feature has: no areas, no tooltip.
        tooltip=folium.GeoJsonTooltip(fields=["name"], aliases=[_("Coverage area")])
        if coverage["features"] else None,
    ).add_to(fmap)
    box_layer = folium.FeatureGroup(name=_("CTO boxes")).add_to(fmap)
    for box in boxes:
        colour = occupancy_colour(box.ports_used, box.ports_total)
        folium.CircleMarker(
            location=(box.point.y, box.point.x), radius=4, weight=1, color="#1d2733",
            fill=True, fill_color=colour, fill_opacity=0.9,
            tooltip=TextTooltip(_("%(code)s: %(used)s of %(total)s ports used") % {
                "code": box.code, "used": box.ports_used, "total": box.ports_total}),
        ).add_to(box_layer)
    for pop in pops:
        folium.Marker(location=(pop.point.y, pop.point.x), tooltip=TextTooltip(str(pop)),
                      icon=folium.DivIcon(html='<div class="pop-marker">POP</div>')).add_to(fmap)
    fmap.get_root().header.add_child(folium.Element(
        "<style>.pop-marker{background:#0b6e4f;color:#fff;font:700 11px sans-serif;"
        "padding:2px 4px;border-radius:3px;width:max-content}</style>"
    ))
    folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap


def route_sheet_map(route, stops, start, end, streets):
    """A technician's day for paper: the streets around as the base, the route line along them,
    the numbered stops and the start (and end, when elsewhere).

    `route` and `streets` are GeoJSON FeatureCollections, `stops` (number, (lon, lat), label)
    and `start`/`end` (lon, lat)."""
    fmap = offline_map(zoom=14)
    folium.GeoJson(
        streets, name=_("Streets"), control=False,
        style_function=lambda feature: {"color": "#b8c2cc", "weight": 1.5, "opacity": 1},
    ).add_to(fmap)
    folium.GeoJson(
        route, name=_("Route"), control=False,
        style_function=lambda feature: {"color": "#0b6e4f", "weight": 4, "opacity": 0.85},
    ).add_to(fmap)
    places = [(_("Start"), start)] if start == end else [(_("Start"), start), (_("End"), end)]
    for label, (lon, lat) in places:
        folium.Marker(location=(lat, lon), tooltip=TextTooltip(str(label)), icon=folium.DivIcon(
            html=f'<div class="sheet-base">{escape(str(label))}</div>', icon_size=(0, 0))).add_to(fmap)
    for number, (lon, lat), label in stops:
        folium.Marker(location=(lat, lon), tooltip=TextTooltip(label), icon=folium.DivIcon(
            html=f'<div class="sheet-stop">{number}</div>', icon_size=(24, 24), icon_anchor=(12, 12))).add_to(fmap)
    fmap.get_root().header.add_child(folium.Element(
        "<style>.sheet-stop{width:24px;height:24px;border-radius:50%;background:#0b6e4f;color:#fff;"
        "font:700 13px/24px sans-serif;text-align:center;border:2px solid #fff;box-shadow:0 0 0 1px #0b6e4f}"
        ".sheet-base{background:#1d2733;color:#fff;font:700 11px sans-serif;padding:2px 5px;border-radius:3px;"
        "width:max-content;transform:translate(-50%,-50%)}@media print{.leaflet-control-zoom{display:none}}</style>"
    ))
    lons, lats = zip(start, end, *[point for _n, point, _l in stops])
    fmap.fit_bounds([(min(lats), min(lons)), (max(lats), max(lons))], padding=(30, 30))
    return fmap
