from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from billing.choices import SuspensionKind
from billing.models import (
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
from core.serializers import GeoFeatureSerializer, MalhaModelSerializer
from crm.messaging.api.serializers import MessageLogSerializer
from crm.messaging.choices import Channel


class PlanSerializer(MalhaModelSerializer):
    class Meta:
        model = Plan
        fields = ["id", "name", "download_mbps", "upload_mbps", "monthly_price", "active"]


class ContractSerializer(MalhaModelSerializer):
    class Meta:
        model = Contract
        fields = [
            "id",
            "number",
            "person",
            "plan",
            "installation_address",
            "point",
            "status",
            "due_day",
            "wallet",
            "monthly_discount",
            "suspension_kind",
            "do_not_block_until",
            "trust_unlock_until",
            "cancellation_reason",
            "cto_box",
            "cto_port",
            "signed_on",
            "activated_on",
            "suspended_on",
            "cancelled_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status", "activated_on", "suspended_on", "cancelled_on", "suspension_kind",
            "do_not_block_until", "trust_unlock_until", "cancellation_reason",
        ]
        extra_kwargs = {
            "number": {
                "required": False,
                "help_text": _("Filled in as CT-000123 when left empty."),
            },
            "point": {
                "required": False,
                "help_text": _("Defaults to the installation address's location."),
            },
            "signed_on": {"required": False, "help_text": _("Defaults to today.")},
        }
        # billing.services checks the box port with clear messages under a row lock;
        # DRF's automatic unique-together check would only make box and port mandatory.
        validators = []


class ContractFeatureSerializer(GeoFeatureSerializer, ContractSerializer):
    class Meta(ContractSerializer.Meta):
        geo_field = "point"


@extend_schema_field(OpenApiTypes.STR)
class MoneyInputField(serializers.Field):
    """Money as sent (a decimal string or an integer); billing.money.parse_money validates it,
    so a float is refused instead of silently rounded."""

    def to_internal_value(self, data):
        return data

    def to_representation(self, value):
        return str(value)


class WalletSerializer(MalhaModelSerializer):
    class Meta:
        model = BillingWallet
        fields = [
            "id", "name", "bank", "agency", "account", "wallet_code", "next_nosso_numero",
            "fine_percent", "monthly_interest_percent", "discount_percent", "days_to_suspend",
            "max_trust_unlock_days", "bureau_min_days_overdue", "pix_key", "merchant_name",
            "merchant_city", "is_default",
        ]
        read_only_fields = ["next_nosso_numero"]


class ContractEventSerializer(MalhaModelSerializer):
    class Meta:
        model = ContractEvent
        fields = ["id", "action", "from_status", "to_status", "reason", "details", "user", "created_at"]


class InvoiceLineSerializer(MalhaModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = ["kind", "description", "amount"]


class InvoiceSerializer(MalhaModelSerializer):
    lines = InvoiceLineSerializer(many=True, read_only=True)
    number = serializers.CharField(source="__str__", read_only=True)
    balance = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "id", "number", "contract", "wallet", "period", "issued_on", "due_date", "amount",
            "paid_principal", "balance", "status", "status_reason", "nosso_numero",
            "renegotiated_into", "deleted_at", "deletion_reason", "lines", "created_at",
        ]
        read_only_fields = fields


class PaymentSerializer(MalhaModelSerializer):
    class Meta:
        model = Payment
        fields = [
            "id", "invoice", "method", "paid_on", "amount", "principal", "discount", "fine",
            "interest", "return_record", "reversed_at", "reversal_reason", "user", "created_at",
        ]
        read_only_fields = fields


class ChargeSerializer(MalhaModelSerializer):
    amount = MoneyInputField(help_text=_("Decimal string; negative for a credit, e.g. \"-20.00\"."))

    class Meta:
        model = Charge
        fields = ["id", "contract", "description", "amount", "created_on", "invoice"]
        read_only_fields = ["created_on", "invoice"]


class CancellationRequestSerializer(MalhaModelSerializer):
    class Meta:
        model = CancellationRequest
        fields = ["id", "contract", "reason", "status", "outcome_note", "requested_at", "closed_at"]
        read_only_fields = fields


class ReturnRecordSerializer(MalhaModelSerializer):
    class Meta:
        model = ReturnRecord
        fields = [
            "id", "file", "line_number", "nosso_numero", "occurrence", "amount_paid", "paid_on",
            "invoice", "status", "resolution_note",
        ]
        read_only_fields = fields


class ReturnFileSerializer(MalhaModelSerializer):
    records = ReturnRecordSerializer(many=True, read_only=True)

    class Meta:
        model = ReturnFile
        fields = ["id", "bank", "filename", "sha256", "imported_at", "records"]
        read_only_fields = fields


class ReturnFileUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("An Itaú CNAB 400 return file."))


class PaymentSlipSerializer(serializers.Serializer):
    bank = serializers.CharField()
    nosso_numero = serializers.CharField()
    due_date = serializers.DateField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    barcode = serializers.CharField()
    typeable_line = serializers.CharField()
    pix_payload = serializers.CharField()
    on = serializers.DateField()
    discount = serializers.DecimalField(max_digits=12, decimal_places=2)
    fine = serializers.DecimalField(max_digits=12, decimal_places=2)
    interest = serializers.DecimalField(max_digits=12, decimal_places=2)
    total_on = serializers.DecimalField(max_digits=12, decimal_places=2)


# Inputs of the lifecycle and money actions: one small serializer each.


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=255)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=255)


class ActivateSerializer(serializers.Serializer):
    activated_on = serializers.DateField(required=False)


class SuspendSerializer(ReasonSerializer):
    kind = serializers.ChoiceField(choices=SuspensionKind.choices)


class TrustUnlockSerializer(serializers.Serializer):
    days = serializers.IntegerField()
    reason = serializers.CharField(max_length=255, required=False, default="")


class DoNotBlockSerializer(ReasonSerializer):
    until = serializers.DateField(allow_null=True)


class DueDaySerializer(serializers.Serializer):
    due_day = serializers.IntegerField(help_text=_("1 to 28."))


class ChangePlanSerializer(serializers.Serializer):
    plan = serializers.PrimaryKeyRelatedField(queryset=Plan.objects.all())
    on = serializers.DateField(required=False)


class ChangeWalletSerializer(serializers.Serializer):
    wallet = serializers.PrimaryKeyRelatedField(queryset=BillingWallet.objects.all(), allow_null=True)


class SettleSerializer(serializers.Serializer):
    amount = MoneyInputField(help_text=_("Decimal string in BRL, e.g. \"99.90\"."))
    paid_on = serializers.DateField(required=False)
    client_action_id = serializers.UUIDField(
        required=False,
        help_text=_("UUID the client generates once per payment; sending it again (a retried "
                    "request) returns the first payment and books nothing."),
    )


class RenegotiateSerializer(ReasonSerializer):
    invoices = serializers.PrimaryKeyRelatedField(queryset=Invoice.objects.all(), many=True)
    due_date = serializers.DateField()


class SlipQuerySerializer(serializers.Serializer):
    on = serializers.DateField(required=False, help_text=_("Payment date for the amount due; today by default."))


class FiscalSeriesSerializer(MalhaModelSerializer):
    class Meta:
        model = FiscalSeries
        fields = ["id", "kind", "series", "next_number", "issuer_cnpj", "issuer_name", "is_default"]


class FiscalDocumentSerializer(MalhaModelSerializer):
    class Meta:
        model = FiscalDocument
        fields = ["id", "invoice", "series", "number", "status", "xml", "cancellation_reason", "issued_at"]
        read_only_fields = fields


# Collection: dunning rules and their notices, credit bureau listings, debt-clearance declarations.


class DunningRuleSerializer(MalhaModelSerializer):
    channels = serializers.ListField(child=serializers.ChoiceField(choices=Channel.choices), allow_empty=False)

    class Meta:
        model = DunningRule
        fields = ["id", "wallet", "name", "days", "channels", "subject", "body", "active", "created_at"]
        read_only_fields = ["created_at"]


class DunningNoticeSerializer(MalhaModelSerializer):
    class Meta:
        model = DunningNotice
        fields = ["id", "invoice", "rule", "channel", "scheduled_for", "status", "reason", "amount_due",
                  "message", "created_at", "sent_at"]
        read_only_fields = fields


class BureauRecordSerializer(MalhaModelSerializer):
    class Meta:
        model = CreditBureauRecord
        fields = ["id", "invoice", "person", "bureau", "amount", "status", "sent_at", "sent_by",
                  "cleared_at", "cleared_by", "clear_reason"]
        read_only_fields = ["person", "amount", "status", "sent_at", "sent_by", "cleared_at", "cleared_by",
                            "clear_reason"]
        validators = []  # billing.bureau says why a second listing is refused


class DeclarationSerializer(MalhaModelSerializer):
    class Meta:
        model = ClearanceDeclaration
        fields = ["id", "number", "person", "year", "contracts", "invoices_count", "total_paid", "issued_at",
                  "issued_by", "message"]
        read_only_fields = ["number", "contracts", "invoices_count", "total_paid", "issued_at", "issued_by",
                            "message"]
        # A second request for the same year answers with the declaration already issued.
        validators = []


# The client's financial panel (billing.selectors.client_financial_panel): everything the billing
# clerk needs about a client, and the actions each item allows.


class PanelPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    document = serializers.CharField()
    email = serializers.EmailField()
    mobile_phone = serializers.CharField()


class PanelTotalsSerializer(serializers.Serializer):
    balance = serializers.DecimalField(max_digits=12, decimal_places=2, help_text=_("Principal still owed."))
    due_today = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text=_("What settles every invoice to receive today, fees included.")
    )
    overdue = serializers.IntegerField(help_text=_("Invoices past their due date."))


class PanelContractSerializer(ContractSerializer):
    plan_name = serializers.CharField(source="plan.name", read_only=True)
    actions = serializers.ListField(child=serializers.CharField(), read_only=True,
                                    help_text=_("Lifecycle actions its status allows."))

    class Meta(ContractSerializer.Meta):
        fields = [*ContractSerializer.Meta.fields, "plan_name", "actions"]


class PanelInvoiceSerializer(InvoiceSerializer):
    payments = PaymentSerializer(source="live_payments", many=True, read_only=True)
    actions = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta(InvoiceSerializer.Meta):
        fields = [*InvoiceSerializer.Meta.fields, "payments", "actions"]
        read_only_fields = fields


class ReceivableInvoiceSerializer(PanelInvoiceSerializer):
    is_overdue = serializers.BooleanField(read_only=True)
    days_late = serializers.IntegerField(read_only=True)
    slip = PaymentSlipSerializer(read_only=True, help_text=_("Boleto, PIX and the amount due today."))

    class Meta(PanelInvoiceSerializer.Meta):
        fields = [*PanelInvoiceSerializer.Meta.fields, "is_overdue", "days_late", "slip"]
        read_only_fields = fields


class FinancialPanelSerializer(serializers.Serializer):
    person = PanelPersonSerializer()
    today = serializers.DateField()
    totals = PanelTotalsSerializer()
    contracts = PanelContractSerializer(many=True)
    receivable = ReceivableInvoiceSerializer(many=True)
    paid = PanelInvoiceSerializer(many=True)
    other = PanelInvoiceSerializer(many=True)
    deleted = InvoiceSerializer(many=True)
    unbilled_charges = ChargeSerializer(many=True)
    fiscal_documents = FiscalDocumentSerializer(many=True)
    messages = MessageLogSerializer(many=True)
    bureau_records = BureauRecordSerializer(many=True)
    clearance_declarations = DeclarationSerializer(many=True)


# A contract inside a drawn polygon (gis.selection's source is billing.selection).


class SelectedContractSerializer(serializers.ModelSerializer):
    status = serializers.CharField(help_text=_("The contract status code."))
    status_label = serializers.CharField(source="get_status_display")
    plan_name = serializers.CharField(source="plan.name")
    client_id = serializers.IntegerField(source="person_id")
    client_name = serializers.CharField(source="person.__str__")
    address = serializers.CharField(source="installation_address.__str__")
    point = serializers.SerializerMethodField()

    class Meta:
        model = Contract
        fields = [
            "id", "number", "status", "status_label", "plan", "plan_name",
            "client_id", "client_name", "address", "point",
        ]

    def get_point(self, contract) -> list[float]:
        return [round(contract.point.x, 6), round(contract.point.y, 6)]

