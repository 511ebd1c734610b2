from django.contrib import admin

from core.admin import GeoModelAdmin, ReadOnlyAdmin, RuleCheckedForm

from .models import (
    BillingWallet,
    CancellationRequest,
    Charge,
    ClearanceDeclaration,
    Contract,
    ContractEvent,
    CreditBureauRecord,
    DunningNotice,
    DunningRule,
    FiscalDocument,
    FiscalSeries,
    Invoice,
    InvoiceLine,
    Payment,
    Plan,
    ReturnFile,
    ReturnRecord,
)
from .dunning import clean_rule
from .services import clean_contract


class ContractAdminForm(RuleCheckedForm):
    """Same rules as the API: the address belongs to the client, the box port exists and is free."""

    class Meta:
        model = Contract
        fields = "__all__"

    def check_rules(self, contract):
        clean_contract(contract)


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["name", "download_mbps", "upload_mbps", "monthly_price", "active"]
    list_filter = ["active"]
    search_fields = ["name"]


@admin.register(Contract)
class ContractAdmin(GeoModelAdmin):
    form = ContractAdminForm
    list_display = [
        "number",
        "person",
        "plan",
        "status",
        "cto_box",
        "cto_port",
        "signed_on",
        "activated_on",
    ]
    list_filter = ["status", "plan", "due_day"]
    list_select_related = ["person", "plan", "cto_box"]
    search_fields = ["number", "person__name", "person__document"]
    autocomplete_fields = ["person", "installation_address", "cto_box"]
    date_hierarchy = "signed_on"
    # Lifecycle fields change through billing.services (with an audit event), not this form.
    readonly_fields = [
        "monthly_discount", "suspension_kind", "do_not_block_until", "trust_unlock_until",
        "cancellation_reason", "created_at", "updated_at",
    ]


@admin.register(BillingWallet)
class BillingWalletAdmin(admin.ModelAdmin):
    list_display = ["name", "bank", "agency", "account", "wallet_code", "fine_percent",
                    "monthly_interest_percent", "days_to_suspend", "is_default"]


class MoneyRecordAdmin(ReadOnlyAdmin):
    """Money records change only through billing.services (with reasons and audit), never here."""

    can_delete = False


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "description", "amount"]


@admin.register(Invoice)
class InvoiceAdmin(MoneyRecordAdmin):
    list_display = ["__str__", "contract", "period", "due_date", "amount", "paid_principal", "status", "deleted_at"]
    list_filter = ["status", "wallet"]
    search_fields = ["contract__number", "contract__person__name", "nosso_numero"]
    date_hierarchy = "due_date"
    inlines = [InvoiceLineInline]


@admin.register(Payment)
class PaymentAdmin(MoneyRecordAdmin):
    list_display = ["invoice", "method", "paid_on", "amount", "principal", "fine", "interest", "reversed_at"]
    list_filter = ["method"]


@admin.register(ContractEvent)
class ContractEventAdmin(MoneyRecordAdmin):
    list_display = ["contract", "action", "from_status", "to_status", "reason", "user", "created_at"]
    list_filter = ["action"]
    search_fields = ["contract__number"]


@admin.register(ReturnRecord)
class ReturnRecordAdmin(MoneyRecordAdmin):
    list_display = ["file", "line_number", "nosso_numero", "occurrence", "amount_paid", "status", "invoice"]
    list_filter = ["status"]


@admin.register(InvoiceLine)
class InvoiceLineAdmin(MoneyRecordAdmin):
    list_display = ["invoice", "kind", "description", "amount"]


@admin.register(Charge)
class ChargeAdmin(MoneyRecordAdmin):
    list_display = ["contract", "description", "amount", "created_on", "invoice"]
    search_fields = ["contract__number"]


@admin.register(CancellationRequest)
class CancellationRequestAdmin(MoneyRecordAdmin):
    list_display = ["contract", "reason", "status", "requested_at", "closed_at"]
    list_filter = ["status"]


@admin.register(ReturnFile)
class ReturnFileAdmin(MoneyRecordAdmin):
    list_display = ["filename", "bank", "imported_at", "user"]


@admin.register(FiscalSeries)
class FiscalSeriesAdmin(admin.ModelAdmin):
    list_display = ["kind", "series", "next_number", "issuer_name", "is_default"]


@admin.register(FiscalDocument)
class FiscalDocumentAdmin(MoneyRecordAdmin):
    list_display = ["series", "number", "invoice", "status", "issued_at"]
    list_filter = ["status", "series"]


class DunningRuleAdminForm(RuleCheckedForm):
    """Same checks as the API: known placeholders, an e-mail subject, messages that fit."""

    class Meta:
        model = DunningRule
        fields = "__all__"

    def check_rules(self, rule):
        rule.channels = clean_rule(channels=rule.channels, body=rule.body, subject=rule.subject)


@admin.register(DunningRule)
class DunningRuleAdmin(admin.ModelAdmin):
    form = DunningRuleAdminForm
    list_display = ["name", "wallet", "days", "channels", "active"]
    list_filter = ["active", "wallet"]


@admin.register(DunningNotice)
class DunningNoticeAdmin(MoneyRecordAdmin):
    list_display = ["invoice", "rule", "channel", "scheduled_for", "status", "amount_due", "sent_at"]
    list_filter = ["status", "channel", "rule"]
    search_fields = ["invoice__contract__number", "invoice__contract__person__name"]


@admin.register(CreditBureauRecord)
class CreditBureauRecordAdmin(MoneyRecordAdmin):
    """Listed and cleared through billing.bureau (API), which keeps who and why."""

    list_display = ["invoice", "person", "bureau", "amount", "status", "sent_at", "cleared_at"]
    list_filter = ["bureau", "status"]
    search_fields = ["person__name", "person__document", "invoice__contract__number"]


@admin.register(ClearanceDeclaration)
class ClearanceDeclarationAdmin(MoneyRecordAdmin):
    list_display = ["number", "person", "year", "invoices_count", "total_paid", "issued_at"]
    list_filter = ["year"]
    search_fields = ["number", "person__name", "person__document"]
