"""What a technician confirms before closing an order, by order type.

Items are code + translatable label; the order keeps one ChecklistEntry per
code it has ticked, so changing a label here never rewrites history.
"""
from django.utils.translation import gettext_lazy as _

from .choices import OrderType

SAFETY = ("safety", _("Work area made safe and left clean"))
CLIENT_TEST = ("client_test", _("Service tested together with the client"))

CHECKLISTS = {
    OrderType.INSTALLATION: (
        SAFETY,
        ("drop_cable", _("Drop cable run and fixed from the box to the client")),
        ("optical_power", _("Optical power measured at the ONT within range")),
        ("ont_provisioned", _("ONT installed and provisioned")),
        ("wifi_configured", _("Wi-Fi network configured")),
        CLIENT_TEST,
    ),
    OrderType.REPAIR: (
        SAFETY,
        ("fault_found", _("Fault found and recorded in the notes")),
        ("optical_power", _("Optical power measured at the ONT within range")),
        CLIENT_TEST,
    ),
    OrderType.REMOVAL: (
        SAFETY,
        ("equipment_collected", _("Equipment collected from the client")),
        ("port_released", _("Drop disconnected at the box")),
    ),
    OrderType.MAINTENANCE: (
        SAFETY,
        ("plant_checked", _("Plant checked and fixed")),
    ),
    OrderType.VISIT: (
        ("visit_report", _("Visit findings recorded in the notes")),
    ),
}


def checklist_for(order_type):
    """((code, label), ...) of the items an order of this type must have ticked to complete."""
    return CHECKLISTS[order_type]
