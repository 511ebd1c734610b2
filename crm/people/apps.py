from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    """Clients and leads with their addresses. The label stays "crm", the app's name before
    messaging and sales became apps of their own, so its tables and migrations keep theirs."""

    name = "crm.people"
    label = "crm"
    verbose_name = _("Clients")
