from decimal import Decimal

from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from crm.messaging.choices import Channel
from core.geometry import validate_lonlat_range

from .choices import (
    PORT_HOLDING_STATUSES,
    Bank,
    BureauRecordStatus,
    ContractAction,
    ContractStatus,
    CreditBureau,
    DunningNoticeStatus,
    FiscalKind,
    FiscalStatus,
    InvoiceLineKind,
    InvoiceStatus,
    PaymentMethod,
    RetentionStatus,
    ReturnRecordStatus,
    SuspensionKind,
)
from .money import MAX_FINE_PERCENT, MAX_MONTHLY_INTEREST_PERCENT


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


class BillingWallet(models.Model):
    """A bank account that issues boletos and PIX charges, with its fee and blocking rules."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    bank = models.CharField(_("bank"), max_length=3, choices=Bank.choices, default=Bank.ITAU)
    agency = models.CharField(_("agency"), max_length=4)
    account = models.CharField(_("account"), max_length=5)
    wallet_code = models.CharField(_("bank wallet (carteira)"), max_length=3, default="109")
    next_nosso_numero = models.PositiveBigIntegerField(_("next nosso número"), default=1)
    fine_percent = models.DecimalField(
        _("late fine (%)"), max_digits=4, decimal_places=2, default=Decimal("2.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_FINE_PERCENT)],
    )
    monthly_interest_percent = models.DecimalField(
        _("interest per month (%)"), max_digits=4, decimal_places=2, default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_MONTHLY_INTEREST_PERCENT)],
    )
    discount_percent = models.DecimalField(
        _("discount until the due date (%)"), max_digits=5, decimal_places=2, default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    days_to_suspend = models.PositiveSmallIntegerField(
        _("days overdue before suspension"), default=15
    )
    max_trust_unlock_days = models.PositiveSmallIntegerField(_("longest trust unlock (days)"), default=5)
    bureau_min_days_overdue = models.PositiveSmallIntegerField(
        _("days overdue before a credit bureau listing"), default=30
    )
    pix_key = models.CharField(_("PIX key"), max_length=77, blank=True)
    merchant_name = models.CharField(_("beneficiary name"), max_length=120)
    merchant_city = models.CharField(_("beneficiary city"), max_length=60)
    is_default = models.BooleanField(_("default wallet"), default=False)

    class Meta:
        verbose_name = _("billing wallet")
        verbose_name_plural = _("billing wallets")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="billing_one_default_wallet"
            ),
            models.CheckConstraint(
                condition=Q(fine_percent__gte=0, fine_percent__lte=MAX_FINE_PERCENT),
                name="billing_wallet_fine_limit",
            ),
            models.CheckConstraint(
                condition=Q(
                    monthly_interest_percent__gte=0,
                    monthly_interest_percent__lte=MAX_MONTHLY_INTEREST_PERCENT,
                ),
                name="billing_wallet_interest_limit",
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
    wallet = models.ForeignKey(
        BillingWallet, verbose_name=_("payment profile"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="contracts", help_text=_("Empty: the default billing wallet."),
    )
    monthly_discount = models.DecimalField(
        _("monthly discount (R$)"), max_digits=10, decimal_places=2, default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    suspension_kind = models.CharField(
        _("suspension kind"), max_length=10, choices=SuspensionKind.choices, blank=True
    )
    do_not_block_until = models.DateField(_("do not block until"), null=True, blank=True)
    trust_unlock_until = models.DateField(_("unlocked on trust until"), null=True, blank=True)
    cancellation_reason = models.CharField(_("cancellation reason"), max_length=255, blank=True)
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


class ContractEvent(models.Model):
    """The audit trail: every lifecycle change of a contract, who made it and why."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=30, choices=ContractAction.choices)
    from_status = models.CharField(_("from status"), max_length=25, choices=ContractStatus.choices)
    to_status = models.CharField(_("to status"), max_length=25, choices=ContractStatus.choices)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    user = models.ForeignKey(
        "auth.User", verbose_name=_("by"), on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("contract event")
        verbose_name_plural = _("contract events")
        ordering = ["-created_at", "-id"]


class CancellationRequest(models.Model):
    """A client asked to cancel: the retention queue, until won back or confirmed."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="cancellation_requests")
    reason = models.CharField(_("reason"), max_length=255)
    status = models.CharField(
        _("status"), max_length=10, choices=RetentionStatus.choices, default=RetentionStatus.OPEN
    )
    outcome_note = models.CharField(_("outcome note"), max_length=255, blank=True)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("cancellation request")
        verbose_name_plural = _("cancellation requests")
        ordering = ["requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract"], condition=Q(status=RetentionStatus.OPEN),
                name="billing_one_open_cancellation_request",
            )
        ]


class Charge(models.Model):
    """A one-off charge (or credit, when negative) billed on the contract's next invoice."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="charges")
    description = models.CharField(_("description"), max_length=200)
    amount = models.DecimalField(_("amount (R$)"), max_digits=10, decimal_places=2)
    created_on = models.DateField(_("created on"))
    invoice = models.ForeignKey(
        "Invoice", on_delete=models.SET_NULL, null=True, blank=True, related_name="charges"
    )

    class Meta:
        verbose_name = _("one-off charge")
        verbose_name_plural = _("one-off charges")
        ordering = ["created_on", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="billing_charge_not_zero")
        ]


class Invoice(models.Model):
    """What a client owes for a period (or for a renegotiation), payable by boleto or PIX."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="invoices")
    wallet = models.ForeignKey(BillingWallet, on_delete=models.PROTECT, related_name="invoices")
    period = models.DateField(_("period (month)"), null=True, blank=True)
    issued_on = models.DateField(_("issued on"))
    due_date = models.DateField(_("due date"))
    amount = models.DecimalField(_("amount (R$)"), max_digits=12, decimal_places=2)
    paid_principal = models.DecimalField(
        _("principal paid (R$)"), max_digits=12, decimal_places=2, default=Decimal("0.00")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=InvoiceStatus.choices, default=InvoiceStatus.OPEN,
        db_index=True,
    )
    nosso_numero = models.PositiveBigIntegerField(_("nosso número"))
    status_reason = models.CharField(_("reason"), max_length=255, blank=True)
    renegotiated_into = models.ForeignKey(
        "self", verbose_name=_("renegotiated into"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="renegotiated_from",
    )
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    deletion_reason = models.CharField(_("deletion reason"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-due_date", "-id"]
        indexes = [models.Index(fields=["status", "due_date"])]
        constraints = [
            # The monthly run's idempotency: one invoice per contract and month, ever.
            models.UniqueConstraint(fields=["contract", "period"], name="billing_one_invoice_per_period"),
            models.UniqueConstraint(fields=["wallet", "nosso_numero"], name="billing_unique_nosso_numero"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="billing_invoice_amount_positive"),
            models.CheckConstraint(
                condition=Q(paid_principal__gte=0, paid_principal__lte=F("amount")),
                name="billing_invoice_paid_within_amount",
            ),
        ]

    def __str__(self):
        return f"FT-{self.pk:07d}"

    @property
    def balance(self):
        return self.amount - self.paid_principal


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(_("kind"), max_length=15, choices=InvoiceLineKind.choices)
    description = models.CharField(_("description"), max_length=200)
    amount = models.DecimalField(_("amount (R$)"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["id"]


class ReturnFile(models.Model):
    """An imported bank return file; its hash makes a re-import a no-op."""

    bank = models.CharField(_("bank"), max_length=3, choices=Bank.choices)
    filename = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    user = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        verbose_name = _("bank return file")
        verbose_name_plural = _("bank return files")
        ordering = ["-imported_at"]


class ReturnRecord(models.Model):
    """One detail line of a return file and what it did."""

    file = models.ForeignKey(ReturnFile, on_delete=models.CASCADE, related_name="records")
    line_number = models.PositiveIntegerField(_("line"))
    nosso_numero = models.PositiveBigIntegerField(_("nosso número"))
    occurrence = models.CharField(_("occurrence code"), max_length=2)
    amount_paid = models.DecimalField(_("amount paid (R$)"), max_digits=12, decimal_places=2)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    invoice = models.ForeignKey(Invoice, on_delete=models.SET_NULL, null=True, blank=True)
    status = models.CharField(_("status"), max_length=15, choices=ReturnRecordStatus.choices)
    resolution_note = models.CharField(_("resolution note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("bank return record")
        verbose_name_plural = _("bank return records")
        ordering = ["file", "line_number"]


class Payment(models.Model):
    """Money received for an invoice; undone by a reversal with a reason, never deleted."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(_("method"), max_length=15, choices=PaymentMethod.choices)
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount received (R$)"), max_digits=12, decimal_places=2)
    principal = models.DecimalField(_("applied to principal (R$)"), max_digits=12, decimal_places=2)
    discount = models.DecimalField(_("discount (R$)"), max_digits=12, decimal_places=2, default=0)
    fine = models.DecimalField(_("fine (R$)"), max_digits=12, decimal_places=2, default=0)
    interest = models.DecimalField(_("interest (R$)"), max_digits=12, decimal_places=2, default=0)
    return_record = models.OneToOneField(
        ReturnRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="payment"
    )
    reversed_at = models.DateTimeField(_("reversed at"), null=True, blank=True)
    reversal_reason = models.CharField(_("reversal reason"), max_length=255, blank=True)
    user = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, blank=True)
    client_action_id = models.UUIDField(_("client action id"), null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0, principal__gt=0), name="billing_payment_positive"),
        ]


class FiscalSeries(models.Model):
    """A numbering series of fiscal documents and the issuer it belongs to."""

    kind = models.CharField(_("document"), max_length=5, choices=FiscalKind.choices, default=FiscalKind.NFCOM)
    series = models.PositiveSmallIntegerField(_("series"))
    next_number = models.PositiveIntegerField(_("next number"), default=1)
    issuer_cnpj = models.CharField(_("issuer CNPJ"), max_length=14)
    issuer_name = models.CharField(_("issuer name"), max_length=120)
    is_default = models.BooleanField(_("default series"), default=False)

    class Meta:
        verbose_name = _("fiscal series")
        verbose_name_plural = _("fiscal series")
        constraints = [
            models.UniqueConstraint(fields=["kind", "series"], name="billing_unique_fiscal_series"),
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="billing_one_default_fiscal_series"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.series}"


class FiscalDocument(models.Model):
    """The telecom fiscal document of an invoice. Transmission to the tax authority is a later
    integration: it picks documents awaiting transmission and records the outcome."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="fiscal_documents")
    series = models.ForeignKey(FiscalSeries, on_delete=models.PROTECT, related_name="documents")
    number = models.PositiveIntegerField(_("number"))
    status = models.CharField(
        _("status"), max_length=10, choices=FiscalStatus.choices, default=FiscalStatus.PENDING
    )
    xml = models.TextField(_("XML"))
    cancellation_reason = models.CharField(_("cancellation reason"), max_length=255, blank=True)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)

    class Meta:
        verbose_name = _("fiscal document")
        verbose_name_plural = _("fiscal documents")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(fields=["series", "number"], name="billing_unique_fiscal_number"),
            models.UniqueConstraint(
                fields=["invoice"], condition=~Q(status=FiscalStatus.CANCELLED),
                name="billing_one_live_fiscal_document",
            ),
        ]


# --- Collection: dunning reminders, credit bureau listings, debt-clearance declarations ---


class DunningRule(models.Model):
    """A reminder of a billing wallet's invoices (régua de cobrança), `days` from the due date:
    negative before it, 0 on it, positive after. billing.dunning sends it once per invoice and
    channel."""

    wallet = models.ForeignKey(
        BillingWallet, verbose_name=_("billing wallet"), on_delete=models.CASCADE,
        related_name="dunning_rules",
    )
    name = models.CharField(_("name"), max_length=120)
    days = models.SmallIntegerField(
        _("days from the due date"), help_text=_("Negative: before the due date; 0: on it; positive: after it."),
        validators=[MinValueValidator(-60), MaxValueValidator(180)],
    )
    channels = ArrayField(
        models.CharField(max_length=10, choices=Channel.choices), verbose_name=_("channels"),
        size=3,
    )
    subject = models.CharField(_("e-mail subject"), max_length=200, blank=True)
    body = models.TextField(_("message template"))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("dunning rule")
        verbose_name_plural = _("dunning rules")
        ordering = ["wallet", "days", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(days__gte=-60, days__lte=180), name="billing_dunning_days_range"),
        ]

    def __str__(self):
        return self.name


class DunningNotice(models.Model):
    """One reminder of one invoice on one channel: unique, so a rerun or a retried task never
    sends it twice. `amount_due` is what the message quoted (fees as of the day it was sent)."""

    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.CASCADE, related_name="dunning_notices"
    )
    rule = models.ForeignKey(
        DunningRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="notices"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    scheduled_for = models.DateField(_("scheduled for"))
    status = models.CharField(
        _("status"), max_length=10, choices=DunningNoticeStatus.choices,
        default=DunningNoticeStatus.PENDING, db_index=True,
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    amount_due = models.DecimalField(
        _("amount quoted (R$)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    message = models.ForeignKey(
        "messaging.MessageLog", verbose_name=_("message"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("dunning notice")
        verbose_name_plural = _("dunning notices")
        ordering = ["-scheduled_for", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "rule", "channel"], name="billing_one_dunning_notice_per_channel"
            ),
        ]

    def __str__(self):
        return f"{self.invoice} – {self.rule} ({self.channel})"


class CreditBureauRecord(models.Model):
    """An overdue invoice listed at a credit bureau (negativação), until cleared: automatically
    once the invoice is no longer owed, or by a person with a reason."""

    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="bureau_records"
    )
    person = models.ForeignKey(
        "crm.Person", verbose_name=_("debtor"), on_delete=models.PROTECT, related_name="bureau_records"
    )
    bureau = models.CharField(_("bureau"), max_length=10, choices=CreditBureau.choices)
    amount = models.DecimalField(_("amount listed (R$)"), max_digits=12, decimal_places=2)
    status = models.CharField(
        _("status"), max_length=10, choices=BureauRecordStatus.choices,
        default=BureauRecordStatus.SENT, db_index=True,
    )
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    sent_by = models.ForeignKey(
        "auth.User", verbose_name=_("sent by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    cleared_by = models.ForeignKey(
        "auth.User", verbose_name=_("cleared by"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )
    clear_reason = models.CharField(_("clearing reason"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("credit bureau record")
        verbose_name_plural = _("credit bureau records")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "bureau"], condition=Q(status=BureauRecordStatus.SENT),
                name="billing_one_live_bureau_record",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="billing_bureau_amount_positive"),
            models.CheckConstraint(
                condition=~Q(status=BureauRecordStatus.CLEARED) | Q(cleared_at__isnull=False),
                name="billing_cleared_bureau_record_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.get_bureau_display()} – {self.invoice}"


class ClearanceDeclaration(models.Model):
    """The yearly debt-clearance declaration (Lei 12.007/2009): every invoice of `person` due in
    `year` is settled. One per person and year."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    person = models.ForeignKey(
        "crm.Person", verbose_name=_("client"), on_delete=models.PROTECT,
        related_name="clearance_declarations",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    contracts = models.ManyToManyField(Contract, verbose_name=_("contracts"), related_name="+")
    invoices_count = models.PositiveIntegerField(_("invoices settled"))
    total_paid = models.DecimalField(_("total settled (R$)"), max_digits=12, decimal_places=2)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    issued_by = models.ForeignKey(
        "auth.User", verbose_name=_("issued by"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )
    message = models.ForeignKey(
        "messaging.MessageLog", verbose_name=_("e-mail"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )

    class Meta:
        verbose_name = _("debt-clearance declaration")
        verbose_name_plural = _("debt-clearance declarations")
        ordering = ["-year", "-issued_at"]
        constraints = [
            models.UniqueConstraint(fields=["person", "year"], name="billing_one_clearance_per_year"),
        ]

    def __str__(self):
        return self.number
