import uuid
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.contrib.gis.db import models
from django.core.validators import MinValueValidator
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.geometry import validate_lonlat_range

from .choices import (
    CLOSED_STATUSES,
    AttachmentKind,
    EventKind,
    MaterialUnit,
    OrderScope,
    OrderStatus,
    OrderType,
    Priority,
)


class Skill(models.Model):
    """What a technician can do (fibre splicing, installation, work at height...)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Technician(models.Model):
    """A field technician: a user with skills, a daily shift and where the day starts and ends."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="technician"
    )
    skills = models.ManyToManyField(Skill, verbose_name=_("skills"), blank=True, related_name="technicians")
    phone = models.CharField(_("phone"), max_length=14, blank=True)
    shift_start = models.TimeField(_("shift start"))
    shift_end = models.TimeField(_("shift end"))
    start_point = models.PointField(_("start location"), srid=4326, validators=[validate_lonlat_range])
    end_point = models.PointField(_("end location"), srid=4326, validators=[validate_lonlat_range])
    active = models.BooleanField(_("active"), default=True)
    order_scope = models.CharField(
        _("sees service orders"), max_length=10, choices=OrderScope.choices, default=OrderScope.OWN
    )
    sees_unassigned = models.BooleanField(
        _("also sees unassigned orders"), default=False,
        help_text=_("Orders without a technician, within the scope above."),
    )
    last_position = models.PointField(
        _("last position"), srid=4326, null=True, blank=True, validators=[validate_lonlat_range]
    )
    last_position_at = models.DateTimeField(_("last position at"), null=True, blank=True)

    class Meta:
        verbose_name = _("technician")
        verbose_name_plural = _("technicians")
        ordering = ["user__first_name", "user__username"]
        constraints = [
            models.CheckConstraint(
                condition=Q(shift_end__gt=F("shift_start")), name="fieldops_technician_shift_order"
            ),
        ]

    def __str__(self):
        return self.user.get_full_name() or self.user.get_username()


class ServiceOrder(models.Model):
    """A job at a client's place: installation, repair, removal, maintenance or visit."""

    number = models.CharField(_("order number"), max_length=20, unique=True)
    order_type = models.CharField(_("type"), max_length=15, choices=OrderType.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.OPEN, db_index=True
    )
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    person = models.ForeignKey(
        "crm.Person", verbose_name=_("client"), on_delete=models.PROTECT, related_name="service_orders"
    )
    contract = models.ForeignKey(
        "billing.Contract", verbose_name=_("contract"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="service_orders",
    )
    point = models.PointField(_("location"), srid=4326, validators=[validate_lonlat_range])
    address_text = models.CharField(_("address"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    window_start = models.DateTimeField(_("time window start"))
    window_end = models.DateTimeField(_("time window end"))
    estimated_minutes = models.PositiveSmallIntegerField(_("estimated duration (min)"), default=60)
    required_skills = models.ManyToManyField(
        Skill, verbose_name=_("required skills"), blank=True, related_name="service_orders"
    )
    assignee = models.ForeignKey(
        Technician, verbose_name=_("technician"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="service_orders",
    )
    scheduled_start = models.DateTimeField(_("scheduled start"), null=True, blank=True)
    due_at = models.DateTimeField(_("SLA deadline"), db_index=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Goes up with every change; send it back to edit.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("service order")
        verbose_name_plural = _("service orders")
        ordering = ["window_start", "number"]
        indexes = [
            models.Index(fields=["status", "window_start"]),
            models.Index(fields=["assignee", "window_start"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(window_end__gt=F("window_start")), name="fieldops_order_window_order"
            ),
            models.CheckConstraint(
                condition=Q(estimated_minutes__gte=1), name="fieldops_order_duration_positive"
            ),
            models.CheckConstraint(
                condition=Q(priority__gte=1, priority__lte=4), name="fieldops_order_priority_range"
            ),
            models.CheckConstraint(
                condition=Q(scheduled_start__isnull=True) | Q(assignee__isnull=False),
                name="fieldops_scheduled_order_has_assignee",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def is_overdue(self):
        """Past its SLA deadline and not done yet (selectors.overdue_q is the same rule in SQL)."""
        return self.status not in CLOSED_STATUSES and self.due_at is not None and self.due_at < timezone.now()


class Sector(models.Model):
    """A team's patch of the city: orders inside its area or on its technicians belong to it."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    area = models.MultiPolygonField(_("area"), srid=4326, null=True, blank=True)
    technicians = models.ManyToManyField(
        Technician, verbose_name=_("technicians"), blank=True, related_name="sectors"
    )

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["name"]

    def __str__(self):
        return self.name


class OrderEvent(models.Model):
    """The audit trail of an order: who did what, when and from where.

    Every field write (status, note, checklist, material, photo, signature)
    leaves one event; its client_action_id makes a replayed offline action a no-op.
    """

    order = models.ForeignKey(
        ServiceOrder, verbose_name=_("service order"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT,
        related_name="order_events",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    point = models.PointField(
        _("GPS position"), srid=4326, null=True, blank=True, validators=[validate_lonlat_range]
    )
    from_status = models.CharField(_("from status"), max_length=12, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(_("to status"), max_length=12, choices=OrderStatus.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    client_action_id = models.UUIDField(_("client action id"), null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["order", "at"])]

    def __str__(self):
        return f"{self.order} {self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class ChecklistEntry(models.Model):
    """One ticked (or unticked) item of an order's checklist; the items come from fieldops.checklists."""

    order = models.ForeignKey(
        ServiceOrder, verbose_name=_("service order"), on_delete=models.CASCADE, related_name="checklist"
    )
    code = models.SlugField(_("item"), max_length=40)
    done = models.BooleanField(_("done"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("checklist entry")
        verbose_name_plural = _("checklist entries")
        constraints = [
            models.UniqueConstraint(fields=["order", "code"], name="fieldops_checklist_one_entry_per_item")
        ]


class Material(models.Model):
    """The catalogue of what technicians use on the job (connectors, drop cable, ONTs)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    unit = models.CharField(_("unit"), max_length=10, choices=MaterialUnit.choices, default=MaterialUnit.PIECE)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["name"]

    def __str__(self):
        return self.name


class MaterialUsage(models.Model):
    order = models.ForeignKey(
        ServiceOrder, verbose_name=_("service order"), on_delete=models.PROTECT, related_name="materials"
    )
    material = models.ForeignKey(
        Material, verbose_name=_("material"), on_delete=models.PROTECT, related_name="usages"
    )
    quantity = models.DecimalField(
        _("quantity"), max_digits=9, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    event = models.OneToOneField(
        OrderEvent, verbose_name=_("event"), on_delete=models.PROTECT, related_name="material_usage"
    )

    class Meta:
        verbose_name = _("material used")
        verbose_name_plural = _("materials used")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="fieldops_material_quantity_positive")
        ]


def attachment_path(attachment, filename):
    """Under MEDIA_ROOT by order, with a random name; fieldops.views serves it after an access check."""
    extension = PurePath(filename).suffix.lower()
    return f"fieldops/orders/{attachment.order_id}/{attachment.kind}-{uuid.uuid4().hex}{extension}"


class Attachment(models.Model):
    """A photo or the client's signature, keyed by the UUID the phone generated for it."""

    id = models.UUIDField(_("id"), primary_key=True)
    order = models.ForeignKey(
        ServiceOrder, verbose_name=_("service order"), on_delete=models.PROTECT, related_name="attachments"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    event = models.OneToOneField(
        OrderEvent, verbose_name=_("event"), on_delete=models.PROTECT, related_name="attachment"
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["event__at"]


class PositionReport(models.Model):
    """A technician's recent positions; the latest one is also kept on the technician."""

    technician = models.ForeignKey(
        Technician, verbose_name=_("technician"), on_delete=models.CASCADE, related_name="positions"
    )
    point = models.PointField(_("position"), srid=4326, validators=[validate_lonlat_range])
    accuracy_m = models.PositiveIntegerField(_("accuracy (m)"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("position report")
        verbose_name_plural = _("position reports")
        ordering = ["-recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["technician", "recorded_at"], name="fieldops_one_position_per_instant"
            )
        ]
