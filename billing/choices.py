from django.db import models
from django.utils.translation import gettext_lazy as _


class ContractStatus(models.TextChoices):
    AWAITING_INSTALLATION = "awaiting_installation", _("Awaiting installation")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CANCELLED = "cancelled", _("Cancelled")


# Contracts that hold a box port: everything but a cancelled contract.
PORT_HOLDING_STATUSES = (
    ContractStatus.AWAITING_INSTALLATION,
    ContractStatus.ACTIVE,
    ContractStatus.SUSPENDED,
)
