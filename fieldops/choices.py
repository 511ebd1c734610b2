from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderType(models.TextChoices):
    INSTALLATION = "installation", _("Installation")
    REPAIR = "repair", _("Repair")
    REMOVAL = "removal", _("Removal")
    MAINTENANCE = "maintenance", _("Maintenance")
    VISIT = "visit", _("Technical visit")


class OrderStatus(models.TextChoices):
    OPEN = "open", _("Open")
    SCHEDULED = "scheduled", _("Scheduled")
    DISPATCHED = "dispatched", _("Dispatched")
    EN_ROUTE = "en_route", _("En route")
    ON_SITE = "on_site", _("On site")
    PAUSED = "paused", _("Paused")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    REOPENED = "reopened", _("Reopened")


# Statuses where the work is over: no SLA clock, no field writes.
CLOSED_STATUSES = (OrderStatus.COMPLETED, OrderStatus.CANCELLED)


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class OrderScope(models.TextChoices):
    """Which service orders a technician sees, as the ISP configures it per user."""

    OWN = "own", _("Only orders assigned to them")
    SECTOR = "sector", _("Orders of their sectors")
    ALL = "all", _("Every order")


class EventKind(models.TextChoices):
    STATUS = "status", _("Status change")
    NOTE = "note", _("Note")
    CHECKLIST = "checklist", _("Checklist")
    MATERIAL = "material", _("Material used")
    PHOTO = "photo", _("Photo")
    SIGNATURE = "signature", _("Client signature")


class AttachmentKind(models.TextChoices):
    PHOTO = EventKind.PHOTO.value, EventKind.PHOTO.label
    SIGNATURE = EventKind.SIGNATURE.value, EventKind.SIGNATURE.label


class MaterialUnit(models.TextChoices):
    PIECE = "piece", _("piece")
    METRE = "metre", _("metre")


class ScheduleConflict(models.TextChoices):
    """What the scheduling board finds wrong with an order's place on a technician's day."""

    STATUS = "status", _("Cannot be scheduled in its status")
    STALE = "stale", _("Changed by someone else")
    INACTIVE = "inactive", _("Technician not active")
    SKILL = "skill", _("Missing skill")
    WINDOW = "window", _("Time window missed")
    OVERLAP = "overlap", _("Overlaps another order")
    LATE = "late", _("Late given the travel time")
    SHIFT = "shift", _("Outside the shift")
