from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("Clients and sales")

    def ready(self):
        """Clients and their addresses for the map's search and geocoding (gis cannot import crm)."""
        from gis import geocoding, search

        from . import search as client_search
        from .selectors import address_list

        search.register_source(client_search.POSITION, client_search.client_results)
        geocoding.register_address_source(address_list)
