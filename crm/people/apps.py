from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    """Clients and leads with their addresses. The label stays "crm", the app's name before
    messaging and sales became apps of their own, so its tables and migrations keep theirs."""

    name = "crm.people"
    label = "crm"
    verbose_name = _("Clients")

    def ready(self):
        """Clients and their addresses for the map's search and geocoding (gis cannot import crm)."""
        from gis import geocoding, search

        from . import search as client_search
        from .selectors import address_list

        search.register_source(client_search.POSITION, client_search.client_results)
        geocoding.register_address_source(address_list)
