from django.db import models
from django.utils.translation import gettext_lazy as _


class CableKind(models.TextChoices):
    BACKBONE = "backbone", _("Backbone")
    FEEDER = "feeder", _("Feeder")
    DISTRIBUTION = "distribution", _("Distribution")
    DROP = "drop", _("Drop")


class BoxKind(models.TextChoices):
    CTO = "cto", _("CTO (termination box)")
    SPLITTER = "splitter", _("Splitter box (CEO)")
