from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Billing")

    def ready(self):
        """Put contracts and clients on the map, its search and selection (gis cannot import billing)."""
        from gis import search, selection, selectors, tiles

        from . import search as map_search
        from .choices import PORT_HOLDING_STATUSES
        from . import selection as contract_selection
        from . import tiles as map_tiles
        from .api.serializers import SelectedContractSerializer

        selectors.register_port_holding_statuses(PORT_HOLDING_STATUSES)
        search.register_source(map_search.POSITION, map_search.contract_results)
        selection.register_source(selection.SelectionSource(
            clean_filters=contract_selection.clean_contract_filters,
            in_area=contract_selection.contracts_in_area,
            counts=contract_selection.selection_counts,
            select=contract_selection.select_contracts,
            permissions=("billing.view_contract", "crm.view_person"),
            serializer=SelectedContractSerializer,
            exporter=contract_selection.exporter,
        ))

        tiles.register_topics(map_tiles.TOPICS)
        tiles.register_cells(map_tiles.CELLS_TOPIC, map_tiles.CELL_SOURCES)
        for layer in map_tiles.LAYERS:
            tiles.register_layer(layer)
