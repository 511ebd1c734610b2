from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldopsConfig(AppConfig):
    name = "fieldops"
    verbose_name = _("Field operations")
