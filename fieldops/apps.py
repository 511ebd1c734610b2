from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldopsConfig(AppConfig):
    name = "fieldops"
    verbose_name = _("Field operations")

    def ready(self):
        """Put orders and technicians on the map and narrow its search (gis cannot import fieldops)."""
        from gis import search, tiles

        from . import tiles as map_tiles
        from .selectors import clients_visible_to

        search.register_scope("client", clients_visible_to)

        tiles.register_topics(map_tiles.TOPICS)
        for layer in map_tiles.LAYERS:
            tiles.register_layer(layer)
