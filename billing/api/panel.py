"""The client's financial panel: one read (billing.selectors.client_financial_panel) with
everything the billing clerk needs about a client, and the actions each item allows."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from billing import selectors
from crm.messaging.api.serializers import MessageLogSerializer
from crm.people.selectors import person_list

from .collection import BureauRecordSerializer, DeclarationSerializer
from .serializers import (
    ChargeSerializer,
    ContractSerializer,
    FiscalDocumentSerializer,
    InvoiceSerializer,
    PaymentSerializer,
    PaymentSlipSerializer,
)
from .views import has_perm


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


class FinancialPanelView(APIView):
    """The client's financial panel: contracts with the actions their status allows, invoices to
    receive with what settles them today (fine, interest, discount, boleto line, PIX code), paid,
    other (cancelled, renegotiated) and deleted ones, one-off charges not billed yet, fiscal
    documents, messages sent, credit bureau listings and debt-clearance declarations.
    Billing clerks and admins."""

    permission_classes = [has_perm("billing.view_invoice")]

    @extend_schema(responses=FinancialPanelSerializer)
    def get(self, request, person_id):
        person = get_object_or_404(person_list(), pk=person_id)
        return Response(FinancialPanelSerializer(selectors.client_financial_panel(person)).data)
