"""The sales pipeline: viability, leads, proposals, won sales, goals and commissions; the
tables keep the names they had in crm."""

import secrets
from decimal import Decimal

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.geometry import validate_lonlat_range
from crm.people.models import Person

from .choices import (
    CommissionKind,
    CommissionRole,
    LeadStage,
    LostReason,
    ProposalStatus,
    SalesChannelKind,
    SendingStatus,
    ViabilityReason,
)


def new_public_key():
    """An unguessable key that names a sales channel in public URLs."""
    return secrets.token_urlsafe(24)


class SalesChannel(models.Model):
    """Where sales come from (site, store, door to door...); keys the public widget."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(
        _("kind"), max_length=15, choices=SalesChannelKind.choices, default=SalesChannelKind.OTHER
    )
    public_key = models.CharField(
        _("public key"), max_length=64, unique=True, default=new_public_key, editable=False
    )
    allowed_origins = ArrayField(
        models.CharField(max_length=200),
        verbose_name=_("allowed origins"),
        default=list,
        blank=True,
        help_text=_("Sites that may embed the widget and call the public API, e.g. https://www.example.com.br"),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        db_table = "crm_saleschannel"
        verbose_name = _("sales channel")
        verbose_name_plural = _("sales channels")
        ordering = ["name"]

    def __str__(self):
        return self.name


class ViabilityCheck(models.Model):
    """One viability answer, kept for the sales reports (who asked, where, what came out)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("checked by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    channel = models.ForeignKey(
        SalesChannel, verbose_name=_("sales channel"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="viability_checks",
    )
    address_text = models.CharField(_("address typed"), max_length=300, blank=True)
    point = models.PointField(_("location"), srid=4326, null=True, blank=True)
    geocode_confidence = models.FloatField(_("geocoding confidence"), null=True, blank=True)
    viable = models.BooleanField(_("viable"), default=False)
    reason = models.CharField(_("reason"), max_length=25, choices=ViabilityReason.choices)
    coverage_area = models.ForeignKey(
        "geo.CoverageArea", verbose_name=_("coverage area"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    box = models.ForeignKey(
        "geo.CtoBox", verbose_name=_("chosen box"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    walking_distance_m = models.FloatField(_("walking distance (m)"), null=True, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    client_ip = models.GenericIPAddressField(_("client IP"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        db_table = "crm_viabilitycheck"
        verbose_name = _("viability check")
        verbose_name_plural = _("viability checks")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_at"]),
            models.Index(fields=["channel", "created_at"]),
        ]

    def __str__(self):
        return f"{self.address_text or self.point} – {self.get_reason_display()}"


class Lead(models.Model):
    """A prospect in the sales pipeline; the Person stays in stage LEAD until conversion."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="leads"
    )
    stage = models.CharField(_("stage"), max_length=15, choices=LeadStage.choices, default=LeadStage.NEW)
    lost_reason = models.CharField(_("lost reason"), max_length=15, choices=LostReason.choices, blank=True)
    lost_detail = models.CharField(_("lost reason detail"), max_length=300, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="leads",
    )
    channel = models.ForeignKey(
        SalesChannel, verbose_name=_("sales channel"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="leads",
    )
    viability_check = models.ForeignKey(
        ViabilityCheck, verbose_name=_("viability check"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="leads",
    )
    point = models.PointField(
        _("location"), srid=4326, null=True, blank=True, validators=[validate_lonlat_range]
    )
    address_text = models.CharField(_("address"), max_length=300, blank=True)
    plan = models.ForeignKey(
        "billing.Plan", verbose_name=_("interested plan"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    notes = models.TextField(_("notes"), blank=True)
    next_action_at = models.DateTimeField(_("next action at"), null=True, blank=True)
    consent_contact = models.BooleanField(_("agreed to be contacted"), default=False)
    consent_text = models.CharField(_("consent wording shown"), max_length=300, blank=True)
    consented_at = models.DateTimeField(_("consented at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "crm_lead"
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["stage", "owner"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(stage=LeadStage.LOST) | ~Q(lost_reason=""),
                name="crm_lead_lost_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.person} ({self.get_stage_display()})"


def proposal_file_path(instance, filename):
    """Signatures and attachments of a proposal live under its number."""
    proposal = getattr(instance, "proposal", instance)
    return f"crm/proposals/{proposal.number}/{filename}"


class Proposal(models.Model):
    """An offer to a lead: plans at a monthly price, valid from one date to another.

    It is rendered as an e-mail (in `language`) with its PDF attached. Each send request
    gets a new `send_request` id and goes queued → sending → sent or failed; the worker
    claims that id with one guarded UPDATE, so a retried task never mails it twice.
    Accepting records the client's signature: a typed name with time and IP, or an image.
    """

    number = models.CharField(_("proposal number"), max_length=20, unique=True)
    lead = models.ForeignKey(
        Lead, verbose_name=_("lead"), on_delete=models.CASCADE, related_name="proposals"
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("responsible rep"), on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    email_to = models.EmailField(_("send to"), blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    message = models.TextField(_("message to the client"), blank=True)
    sending_status = models.CharField(
        _("sending status"), max_length=10, choices=SendingStatus.choices, blank=True
    )
    send_request = models.UUIDField(_("send request"), null=True, blank=True, editable=False)
    sending_error = models.TextField(_("sending error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    signed_name = models.CharField(_("signed by"), max_length=200, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signed_ip = models.GenericIPAddressField(_("signed from IP"), null=True, blank=True)
    signature_image = models.FileField(
        _("signature image"), upload_to=proposal_file_path, max_length=200, blank=True
    )
    rejection_reason = models.CharField(_("rejection reason"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "crm_proposal"
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("valid_from")), name="crm_proposal_validity_order"
            ),
            models.CheckConstraint(
                condition=~Q(status=ProposalStatus.ACCEPTED) | Q(signed_at__isnull=False),
                name="crm_accepted_proposal_is_signed",
            ),
        ]

    def __str__(self):
        return self.number


class ProposalItem(models.Model):
    """A plan offered at its list price less a monthly discount."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="items"
    )
    plan = models.ForeignKey(
        "billing.Plan", verbose_name=_("plan"), on_delete=models.PROTECT, related_name="+"
    )
    list_price = models.DecimalField(_("list price (R$)"), max_digits=10, decimal_places=2)
    discount = models.DecimalField(
        _("monthly discount (R$)"), max_digits=10, decimal_places=2, default=Decimal("0.00")
    )

    class Meta:
        db_table = "crm_proposalitem"
        verbose_name = _("proposal item")
        verbose_name_plural = _("proposal items")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(discount__gte=0, discount__lte=F("list_price")),
                name="crm_proposal_item_discount_range",
            ),
        ]

    def __str__(self):
        return str(self.plan)

    @property
    def price(self):
        return self.list_price - self.discount


class ProposalAttachment(models.Model):
    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=proposal_file_path, max_length=200)
    description = models.CharField(_("description"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        db_table = "crm_proposalattachment"
        verbose_name = _("proposal attachment")
        verbose_name_plural = _("proposal attachments")
        ordering = ["id"]

    def __str__(self):
        return self.description or self.file.name


class SalesTeam(models.Model):
    """Reps who sell together under a leader; a rep belongs to one team at most."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("leader"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="led_sales_teams",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), through="SalesTeamMember",
        related_name="sales_teams", blank=True,
    )

    class Meta:
        db_table = "crm_salesteam"
        verbose_name = _("sales team")
        verbose_name_plural = _("sales teams")
        ordering = ["name"]

    def __str__(self):
        return self.name


class SalesTeamMember(models.Model):
    team = models.ForeignKey(SalesTeam, on_delete=models.CASCADE, related_name="memberships")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sales_team_membership"
    )

    class Meta:
        db_table = "crm_salesteammember"
        verbose_name = _("sales team member")
        verbose_name_plural = _("sales team members")


class Sale(models.Model):
    """A won lead: the contract and installation order its conversion created.

    Rep, team, channel and monthly value are copied at conversion so goals, rankings
    and commissions of a month never change when people move teams or prices change.
    """

    lead = models.OneToOneField(Lead, verbose_name=_("lead"), on_delete=models.PROTECT, related_name="sale")
    contract = models.OneToOneField(
        "billing.Contract", verbose_name=_("contract"), on_delete=models.PROTECT, related_name="sale"
    )
    service_order = models.ForeignKey(
        "fieldops.ServiceOrder", verbose_name=_("installation order"), on_delete=models.PROTECT,
        related_name="+",
    )
    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("rep"), on_delete=models.PROTECT, related_name="sales"
    )
    team = models.ForeignKey(
        SalesTeam, verbose_name=_("team"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="sales",
    )
    channel = models.ForeignKey(
        SalesChannel, verbose_name=_("sales channel"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="sales",
    )
    plan = models.ForeignKey("billing.Plan", verbose_name=_("plan"), on_delete=models.PROTECT, related_name="+")
    monthly_value = models.DecimalField(_("monthly value (R$)"), max_digits=10, decimal_places=2)
    won_on = models.DateField(_("won on"), db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        db_table = "crm_sale"
        verbose_name = _("sale")
        verbose_name_plural = _("sales")
        ordering = ["-won_on", "-id"]

    def __str__(self):
        return f"{self.contract} ({self.rep})"


class SalesGoal(models.Model):
    """A month's target of sales and revenue for one rep, one team or one store/channel."""

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("rep"), on_delete=models.CASCADE, null=True,
        blank=True, related_name="sales_goals",
    )
    team = models.ForeignKey(
        SalesTeam, verbose_name=_("team"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="goals",
    )
    channel = models.ForeignKey(
        SalesChannel, verbose_name=_("store / sales channel"), on_delete=models.CASCADE,
        null=True, blank=True, related_name="goals",
    )
    target_count = models.PositiveIntegerField(_("target sales"), default=0)
    target_revenue = models.DecimalField(
        _("target revenue (R$ a month)"), max_digits=12, decimal_places=2, default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
    )

    class Meta:
        db_table = "crm_salesgoal"
        verbose_name = _("sales goal")
        verbose_name_plural = _("sales goals")
        ordering = ["-month", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rep__isnull=False, team__isnull=True, channel__isnull=True)
                | Q(rep__isnull=True, team__isnull=False, channel__isnull=True)
                | Q(rep__isnull=True, team__isnull=True, channel__isnull=False),
                name="crm_goal_one_scope",
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="crm_goal_month_first_day"),
            models.UniqueConstraint(fields=["month", "rep"], name="crm_goal_unique_rep"),
            models.UniqueConstraint(fields=["month", "team"], name="crm_goal_unique_team"),
            models.UniqueConstraint(fields=["month", "channel"], name="crm_goal_unique_channel"),
            models.CheckConstraint(condition=Q(target_revenue__gte=0), name="crm_goal_revenue_nonneg"),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.rep or self.team or self.channel}"


class CommissionRule(models.Model):
    """What a sale pays its seller or the seller's team leader: a percentage of the monthly
    value or a fixed amount. Empty criteria match everything; see crm.sales.commissions for
    which rule wins when several match."""

    name = models.CharField(_("name"), max_length=120)
    role = models.CharField(_("paid to"), max_length=12, choices=CommissionRole.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=CommissionKind.choices)
    percent = models.DecimalField(
        _("percentage of the monthly value"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1000"))],
    )
    amount = models.DecimalField(
        _("fixed amount (R$)"), max_digits=10, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("only for this person"), on_delete=models.CASCADE,
        null=True, blank=True, related_name="+",
    )
    plan = models.ForeignKey(
        "billing.Plan", verbose_name=_("only for this plan"), on_delete=models.CASCADE, null=True,
        blank=True, related_name="+",
    )
    team = models.ForeignKey(
        SalesTeam, verbose_name=_("only for this team"), on_delete=models.CASCADE, null=True,
        blank=True, related_name="+",
    )
    channel = models.ForeignKey(
        SalesChannel, verbose_name=_("only for this channel"), on_delete=models.CASCADE, null=True,
        blank=True, related_name="+",
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        db_table = "crm_commissionrule"
        verbose_name = _("commission rule")
        verbose_name_plural = _("commission rules")
        ordering = ["role", "-valid_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=CommissionKind.PERCENT, percent__isnull=False, amount__isnull=True)
                | Q(kind=CommissionKind.FIXED, amount__isnull=False, percent__isnull=True),
                name="crm_commission_rule_kind_value",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="crm_commission_rule_validity_order",
            ),
        ]

    def __str__(self):
        return self.name


class Commission(models.Model):
    """What one sale pays one person, fixed when the sale is won (later rule edits do not
    change it)."""

    sale = models.ForeignKey(Sale, verbose_name=_("sale"), on_delete=models.CASCADE, related_name="commissions")
    beneficiary = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("paid to"), on_delete=models.PROTECT,
        related_name="commissions",
    )
    role = models.CharField(_("as"), max_length=12, choices=CommissionRole.choices)
    rule = models.ForeignKey(
        CommissionRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="commissions"
    )
    amount = models.DecimalField(_("amount (R$)"), max_digits=10, decimal_places=2)

    class Meta:
        db_table = "crm_commission"
        verbose_name = _("commission")
        verbose_name_plural = _("commissions")
        ordering = ["-sale__won_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["sale", "role"], name="crm_commission_one_per_role"),
        ]

    def __str__(self):
        return f"{self.beneficiary}: {self.amount}"
