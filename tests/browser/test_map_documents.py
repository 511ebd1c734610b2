"""The folium map documents (route sheet, operation overview) show names as text: a name
written as JavaScript or HTML runs nothing, in the map or in its tooltips."""
from types import SimpleNamespace

import pytest
from django.contrib.gis.geos import Point

from frontend.maps import plant_overview_map, route_sheet_map

pytestmark = pytest.mark.browser

HOSTILE = "`-alert(1)-` ${alert(2)} </div><img src=x onerror=alert(3)> \\`${alert(4)}"
EMPTY = {"type": "FeatureCollection", "features": []}


def shown(page, html):
    """Loads the document on the live server's origin (its Leaflet is a static file there),
    without our pages' CSP so that the escaping alone is tested, opens every tooltip and
    returns their texts, any dialog that opened and any image that a name injected."""
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.route("**/map-document/", lambda route: route.fulfill(body=html, content_type="text/html"))
    page.goto("/map-document/")
    page.wait_for_function("() => window.L && document.querySelector('.leaflet-container')")
    page.evaluate("""() => {
        const maps = Object.values(window).filter(value => value instanceof L.Map);
        for (const map of maps) {
            map.eachLayer(layer => { if (layer.getTooltip && layer.getTooltip()) layer.openTooltip(); });
        }
    }""")
    page.wait_for_timeout(200)
    texts = page.eval_on_selector_all(".leaflet-tooltip", "nodes => nodes.map(n => n.textContent)")
    return texts, dialogs, page.query_selector_all(".leaflet-tooltip img")


def test_a_route_sheet_stop_named_as_script_is_text(page, live_server):
    fmap = route_sheet_map(EMPTY, [(1, (-51.22, -30.03), HOSTILE)], (-51.23, -30.04),
                           (-51.23, -30.04), EMPTY)
    texts, dialogs, images = shown(page, fmap.get_root().render())
    assert dialogs == []
    assert images == []
    assert any(HOSTILE in text for text in texts), texts


def test_overview_names_of_boxes_pops_and_areas_are_text(page, live_server):
    square = [[-51.25, -30.05], [-51.20, -30.05], [-51.20, -30.00], [-51.25, -30.00], [-51.25, -30.05]]
    coverage = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": HOSTILE},
         "geometry": {"type": "Polygon", "coordinates": [square]}}]}
    box = SimpleNamespace(point=Point(-51.22, -30.03), code=HOSTILE, ports_used=3, ports_total=8)
    fmap = plant_overview_map(EMPTY, coverage, [box], [PopNamed(HOSTILE)])
    texts, dialogs, images = shown(page, fmap.get_root().render())
    assert dialogs == []
    assert images == []
    assert sum(HOSTILE in text for text in texts) == 3, texts


class PopNamed:
    def __init__(self, name):
        self.name = name
        self.point = Point(-51.21, -30.02)

    def __str__(self):
        return self.name
