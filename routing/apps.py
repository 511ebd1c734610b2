from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "routing"
    verbose_name = _("Routing")

    def ready(self):
        from fieldops.my_day import register_planned_arrivals

        from .selectors import planned_arrivals

        register_planned_arrivals(planned_arrivals)
