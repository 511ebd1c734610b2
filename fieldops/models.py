from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gis.validators import validate_lonlat_range

from .choices import OrderStatus, OrderType, Priority


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
