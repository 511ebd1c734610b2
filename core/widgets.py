"""Admin map widget with OpenLayers served from our own static files.

Django's OSMWidget loads OpenLayers from a CDN; Malha must work offline, so the
same OpenLayers release (7.2.2, pinned in package.json) is bundled by setup.
"""
from django.conf import settings
from django.contrib.gis.forms.widgets import OSMWidget


class OfflineOSMWidget(OSMWidget):
    default_lon = settings.MALHA_MAP_CENTER[0]
    default_lat = settings.MALHA_MAP_CENTER[1]
    default_zoom = 13

    class Media:
        css = {"all": ("vendor/ol/ol.css", "gis/css/ol3.css")}
        js = ("vendor/ol/ol.js", "gis/js/OLMapWidget.js")
