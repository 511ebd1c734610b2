from decimal import Decimal

from django.contrib.gis.db import models
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gis.validators import validate_lonlat_range

from .choices import PORT_HOLDING_STATUSES, ContractStatus


class Plan(models.Model):
    """An internet plan: speeds and a monthly price in BRL."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    download_mbps = models.PositiveIntegerField(_("download (Mbps)"))
    upload_mbps = models.PositiveIntegerField(_("upload (Mbps)"))
    monthly_price = models.DecimalField(
        _("monthly price (R$)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    active = models.BooleanField(_("on sale"), default=True)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["monthly_price", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(download_mbps__gte=1, upload_mbps__gte=1), name="billing_plan_speeds_positive"
            ),
            models.CheckConstraint(
                condition=Q(monthly_price__gte=0), name="billing_plan_price_nonneg"
            ),
        ]

    def __str__(self):
        return self.name


class Contract(models.Model):
    """A client's subscription to a plan at an installation address.

    The point is copied from the address when the contract is created so map
    queries never join addresses; the box and port are the client's fibre drop.
    """

    number = models.CharField(_("contract number"), max_length=20, unique=True)
    person = models.ForeignKey(
        "crm.Person", verbose_name=_("client"), on_delete=models.PROTECT, related_name="contracts"
    )
    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="contracts")
    installation_address = models.ForeignKey(
        "crm.Address", verbose_name=_("installation address"), on_delete=models.PROTECT,
        related_name="contracts",
    )
    point = models.PointField(_("installation point"), srid=4326, validators=[validate_lonlat_range])
    status = models.CharField(
        _("status"), max_length=25, choices=ContractStatus.choices,
        default=ContractStatus.AWAITING_INSTALLATION, db_index=True,
    )
    due_day = models.PositiveSmallIntegerField(
        _("due day"), default=10, validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    cto_box = models.ForeignKey(
        "geo.CtoBox", verbose_name=_("CTO box"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="contracts",
    )
    cto_port = models.PositiveSmallIntegerField(_("box port"), null=True, blank=True)
    signed_on = models.DateField(_("signed on"))
    activated_on = models.DateField(_("activated on"), null=True, blank=True)
    suspended_on = models.DateField(_("suspended on"), null=True, blank=True)
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-signed_on", "number"]
        indexes = [models.Index(fields=["plan", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_day__gte=1, due_day__lte=28), name="billing_contract_due_day_range"
            ),
            models.CheckConstraint(
                condition=Q(cto_box__isnull=True, cto_port__isnull=True)
                | Q(cto_box__isnull=False, cto_port__gte=1),
                name="billing_contract_box_and_port_together",
            ),
            models.UniqueConstraint(
                fields=["cto_box", "cto_port"],
                condition=Q(status__in=PORT_HOLDING_STATUSES),
                name="billing_contract_one_client_per_port",
            ),
            models.CheckConstraint(
                condition=~Q(status=ContractStatus.ACTIVE) | Q(activated_on__isnull=False),
                name="billing_active_contract_has_activation_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=ContractStatus.CANCELLED) | Q(cancelled_on__isnull=False),
                name="billing_cancelled_contract_has_date",
            ),
            models.CheckConstraint(
                condition=Q(activated_on__isnull=True) | Q(activated_on__gte=F("signed_on")),
                name="billing_contract_activation_after_signature",
            ),
        ]

    def __str__(self):
        return self.number
