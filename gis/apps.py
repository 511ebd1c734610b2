from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GisConfig(AppConfig):
    name = "gis"
    # "gis" is taken by django.contrib.gis, so the app label (tables, permissions) is "geo".
    label = "geo"
    verbose_name = _("Geography and network plant")

    def ready(self):
        from . import tiles

        tiles.register_topics(tiles.GIS_TOPICS)
        for layer in tiles.GIS_LAYERS:
            tiles.register_layer(layer)
