from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import ModelViewSet, ReadOnlyModelViewSet

from billing import bureau, clearance, dunning, selectors, services
from billing.choices import RECEIVABLE_STATUSES
from billing.pdf import invoice_pdf
from billing.filtersets import (
    ContractFilterSet,
    InvoiceFilterSet,
    PaymentFilterSet,
    PlanFilterSet,
    ReturnRecordFilterSet,
)
from core.mixins import GeoJsonMixin, ServiceWriteMixin
from core.permissions import RoleModelPermissions
from crm.people.selectors import person_list

from . import serializers as s


def has_perm(permission):
    """A permission class: the user holds the model permission `permission`."""

    class HasPermission(BasePermission):
        def has_permission(self, request, view):
            return request.user.has_perm(permission)

    return HasPermission


def requires(permission):
    """Permission classes for a viewset action: the viewset's own model rule plus `permission`."""
    return [RoleModelPermissions, has_perm(permission)]


# Lifecycle changes are the billing clerk's (sales may create contracts, not suspend them).
MANAGE_CONTRACTS = requires("billing.add_contractevent")
TAKE_PAYMENTS = requires("billing.add_payment")
MANAGE_INVOICES = requires("billing.change_invoice")


def validated(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class PlanViewSet(ServiceWriteMixin, ModelViewSet):
    """Internet plans: speeds and monthly price (BRL)."""

    serializer_class = s.PlanSerializer
    filterset_class = PlanFilterSet

    def get_queryset(self):
        return selectors.plan_list()


class WalletViewSet(ServiceWriteMixin, ModelViewSet):
    """Billing wallets: bank account, nosso número sequence, fine, interest, discount and blocking rules."""

    serializer_class = s.WalletSerializer

    def get_queryset(self):
        return selectors.wallet_list()


class ContractViewSet(GeoJsonMixin, ServiceWriteMixin, ModelViewSet):
    """Contracts: a client, a plan, an installation address and the box port of the fibre drop.

    The number (CT-000123) and the point (from the address) are filled in when absent;
    a box port must exist and be free. Status changes go through the actions below,
    each leaving an entry in `events`."""

    serializer_class = s.ContractSerializer
    geojson_serializer_class = s.ContractFeatureSerializer
    filterset_class = ContractFilterSet

    def get_queryset(self):
        return selectors.contract_list()

    def perform_create(self, serializer):
        serializer.instance = services.create_contract(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_contract(
            serializer.instance, user=self.request.user, **serializer.validated_data
        )

    def _lifecycle(self, request, service, input_serializer, **extra):
        data = validated(input_serializer, request.data) if input_serializer else {}
        contract = service(self.get_object(), user=request.user, **data, **extra)
        return Response(s.ContractSerializer(selectors.contract_list().get(pk=contract.pk)).data)

    @extend_schema(request=s.ActivateSerializer, responses=s.ContractSerializer)
    @action(detail=True, methods=["post"], permission_classes=MANAGE_CONTRACTS)
    def activate(self, request, pk=None):
        """Installation done: start billing (pro-rata from the activation date)."""
        return self._lifecycle(request, services.activate_contract, s.ActivateSerializer)

    @extend_schema(request=s.SuspendSerializer, responses=s.ContractSerializer)
    @action(detail=True, methods=["post"], permission_classes=MANAGE_CONTRACTS)
    def suspend(self, request, pk=None):
        return self._lifecycle(request, services.suspend_contract, s.SuspendSerializer)

    @extend_schema(request=s.ReasonSerializer, responses=s.ContractSerializer)
    @action(detail=True, methods=["post"], permission_classes=MANAGE_CONTRACTS)
    def reactivate(self, request, pk=None):
        return self._lifecycle(request, services.reactivate_contract, s.ReasonSerializer)

    @extend_schema(request=s.TrustUnlockSerializer, responses=s.ContractSerializer)
    @action(detail=True, methods=["post"], url_path="trust-unlock", permission_classes=MANAGE_CONTRACTS)
    def trust_unlock(self, request, pk=None):
        """Unblock a contract suspended for debt for N days on the client's promise to pay."""
        return self._lifecycle(request, services.trust_unlock, s.TrustUnlockSerializer)

    @extend_schema(request=s.DoNotBlockSerializer, responses=s.ContractSerializer)
    @action(detail=True, methods=["post"], url_path="do-not-block", permission_classes=MANAGE_CONTRACTS)
    def do_not_block(self, request, pk=None):
        """Keep the overdue-suspension job away until a date (null clears it)."""
        return self._lifecycle(request, services.set_do_not_block_until, s.DoNotBlockSerializer)

    @extend_schema(request=s.ReasonSerializer, responses=s.CancellationRequestSerializer)
    @action(detail=True, methods=["post"], url_path="request-cancellation", permission_classes=MANAGE_CONTRACTS)
    def request_cancellation(self, request, pk=None):
        """The client asked to cancel: the contract goes to the retention queue."""
        data = validated(s.ReasonSerializer, request.data)
        cancellation = services.request_cancellation(self.get_object(), user=request.user, **data)
        return Response(s.CancellationRequestSerializer(cancellation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ReasonSerializer, responses=s.ContractSerializer)
    @action(detail=True, methods=["post"], permission_classes=MANAGE_CONTRACTS)
    def cancel(self, request, pk=None):
        return self._lifecycle(request, services.cancel_contract, s.ReasonSerializer)

    @extend_schema(request=s.DueDaySerializer, responses=s.ContractSerializer)
    @action(detail=True, methods=["post"], url_path="change-due-day", permission_classes=MANAGE_CONTRACTS)
    def change_due_day(self, request, pk=None):
        return self._lifecycle(request, services.change_due_day, s.DueDaySerializer)

    @extend_schema(request=s.ChangePlanSerializer, responses=s.ContractSerializer)
    @action(detail=True, methods=["post"], url_path="change-plan", permission_classes=MANAGE_CONTRACTS)
    def change_plan(self, request, pk=None):
        """Switch plans; the days of the month before the change get a pro-rata adjustment."""
        return self._lifecycle(request, services.change_plan, s.ChangePlanSerializer)

    @extend_schema(request=s.ChangeWalletSerializer, responses=s.ContractSerializer)
    @action(detail=True, methods=["post"], url_path="change-wallet", permission_classes=MANAGE_CONTRACTS)
    def change_wallet(self, request, pk=None):
        """Change the payment profile (billing wallet)."""
        return self._lifecycle(request, services.change_wallet, s.ChangeWalletSerializer)

    @extend_schema(responses=s.ContractEventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def events(self, request, pk=None):
        """The audit trail of the contract, newest first."""
        return Response(s.ContractEventSerializer(self.get_object().events.all(), many=True).data)


class ChargeViewSet(mixins.CreateModelMixin, ReadOnlyModelViewSet):
    """One-off charges and credits, billed on the contract's next invoice (`?unbilled=true`)."""

    serializer_class = s.ChargeSerializer
    filterset_fields = ["contract", "invoice"]

    def get_queryset(self):
        charges = selectors.charge_list()
        if self.request.query_params.get("unbilled") == "true":
            charges = charges.filter(invoice__isnull=True)
        return charges

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.add_charge(
            data["contract"], description=data["description"], amount=data["amount"]
        )


class CancellationRequestViewSet(ReadOnlyModelViewSet):
    """The retention queue: win the client back or confirm the cancellation."""

    serializer_class = s.CancellationRequestSerializer
    filterset_fields = ["status", "contract"]

    def get_queryset(self):
        return selectors.cancellation_request_list()

    @extend_schema(request=s.NoteSerializer, responses=s.CancellationRequestSerializer)
    @action(detail=True, methods=["post"], url_path="win-back", permission_classes=MANAGE_CONTRACTS)
    def win_back(self, request, pk=None):
        data = validated(s.NoteSerializer, request.data)
        return Response(s.CancellationRequestSerializer(
            services.win_back(self.get_object(), user=request.user, **data)).data)

    @extend_schema(request=None, responses=s.CancellationRequestSerializer)
    @action(detail=True, methods=["post"], permission_classes=MANAGE_CONTRACTS)
    def confirm(self, request, pk=None):
        cancellation = self.get_object()
        services.confirm_cancellation(cancellation, note=request.data.get("note", ""), user=request.user)
        cancellation.refresh_from_db()
        return Response(s.CancellationRequestSerializer(cancellation).data)


class InvoiceViewSet(ReadOnlyModelViewSet):
    """Invoices; created by the monthly run or a renegotiation, never by hand."""

    serializer_class = s.InvoiceSerializer
    filterset_class = InvoiceFilterSet

    def get_queryset(self):
        if self.action == "deleted":
            return selectors.deleted_invoice_list()
        return selectors.invoice_list()

    def _invoice_response(self, invoice):
        return Response(s.InvoiceSerializer(selectors.invoice_list().get(pk=invoice.pk)).data)

    @extend_schema(responses=s.InvoiceSerializer(many=True))
    @action(detail=False, methods=["get"])
    def deleted(self, request):
        """Invoices removed with a reason."""
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(s.InvoiceSerializer(page, many=True).data)

    @extend_schema(request=s.SettleSerializer, responses=s.PaymentSerializer)
    @action(detail=True, methods=["post"], permission_classes=TAKE_PAYMENTS)
    def settle(self, request, pk=None):
        """Manual settlement, full or partial; fees and discount follow the wallet's rules.
        A retry with the same `client_action_id` answers 200 with the first payment."""
        data = validated(s.SettleSerializer, request.data)
        payment, created = services.settle_invoice(self.get_object(), user=request.user, **data)
        return Response(s.PaymentSerializer(payment).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=s.ReasonSerializer, responses=s.InvoiceSerializer)
    @action(detail=True, methods=["post"], permission_classes=MANAGE_INVOICES)
    def cancel(self, request, pk=None):
        data = validated(s.ReasonSerializer, request.data)
        return self._invoice_response(services.cancel_invoice(self.get_object(), **data))

    @extend_schema(request=s.ReasonSerializer, responses=s.InvoiceSerializer)
    @action(detail=True, methods=["post"], url_path="delete", permission_classes=MANAGE_INVOICES)
    def delete_with_reason(self, request, pk=None):
        """Remove an invoice; it moves to the deleted-invoices list with the reason."""
        data = validated(s.ReasonSerializer, request.data)
        invoice = services.delete_invoice(self.get_object(), **data)
        return Response(s.InvoiceSerializer(invoice).data)

    @extend_schema(request=s.RenegotiateSerializer, responses=s.InvoiceSerializer)
    @action(detail=False, methods=["post"], permission_classes=MANAGE_INVOICES)
    def renegotiate(self, request):
        """Replace owed invoices of one contract by one new invoice (balances plus fees today)."""
        data = validated(s.RenegotiateSerializer, request.data)
        invoice = services.renegotiate_invoices(data["invoices"], due_date=data["due_date"], reason=data["reason"])
        return Response(s.InvoiceSerializer(invoice).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.FiscalDocumentSerializer)
    @action(detail=True, methods=["post"], url_path="fiscal-document", permission_classes=MANAGE_INVOICES)
    def fiscal_document(self, request, pk=None):
        """Issue the invoice's fiscal document in the default series (it then awaits transmission)."""
        document = services.issue_fiscal_document(self.get_object())
        return Response(s.FiscalDocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    def _slip(self, request):
        invoice = self.get_object()
        if invoice.status not in RECEIVABLE_STATUSES:
            raise ValidationError({"detail": _("Invoice %(invoice)s is %(status)s; there is nothing to pay.")
                                   % {"invoice": invoice, "status": invoice.get_status_display().lower()}})
        on = validated(s.SlipQuerySerializer, request.query_params).get("on", timezone.localdate())
        return invoice, selectors.payment_slip(invoice, on)

    @extend_schema(parameters=[s.SlipQuerySerializer], responses=s.PaymentSlipSerializer)
    @action(detail=True, methods=["get"])
    def slip(self, request, pk=None):
        """Boleto bar code and typeable line, PIX BR Code, and the amount due on `on`."""
        _invoice, slip = self._slip(request)
        return Response(s.PaymentSlipSerializer(slip).data)

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        """The invoice as a PDF with the boleto bar code and the PIX QR code."""
        invoice, slip = self._slip(request)
        response = HttpResponse(invoice_pdf(invoice, slip), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{invoice}.pdf"'
        return response


class PaymentViewSet(ReadOnlyModelViewSet):
    serializer_class = s.PaymentSerializer
    filterset_class = PaymentFilterSet

    def get_queryset(self):
        return selectors.payment_list()

    @extend_schema(request=s.ReasonSerializer, responses=s.PaymentSerializer)
    @action(detail=True, methods=["post"], permission_classes=TAKE_PAYMENTS)
    def reverse(self, request, pk=None):
        """Undo a payment with a reason; the invoice is owed again."""
        data = validated(s.ReasonSerializer, request.data)
        return Response(s.PaymentSerializer(
            services.reverse_payment(self.get_object(), user=request.user, **data)).data)


class ReturnFileViewSet(mixins.CreateModelMixin, ReadOnlyModelViewSet):
    """Bank return files (Itaú CNAB 400): upload settles the invoices it pays, in one transaction."""

    serializer_class = s.ReturnFileSerializer
    parser_classes = [MultiPartParser]

    def get_queryset(self):
        return selectors.return_file_list()

    @extend_schema(request=s.ReturnFileUploadSerializer, responses={201: s.ReturnFileSerializer, 200: s.ReturnFileSerializer})
    def create(self, request):
        upload = validated(s.ReturnFileUploadSerializer, request.data)["file"]
        return_file, created = services.import_return_file(
            upload.read(), filename=upload.name, user=request.user
        )
        return Response(
            s.ReturnFileSerializer(selectors.return_file_list().get(pk=return_file.pk)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ReturnRecordViewSet(ReadOnlyModelViewSet):
    """Return records, e.g. `?status=unmatched` for the ones a person must resolve."""

    serializer_class = s.ReturnRecordSerializer
    filterset_class = ReturnRecordFilterSet

    def get_queryset(self):
        return selectors.return_record_list()

    @extend_schema(request=s.NoteSerializer, responses=s.ReturnRecordSerializer)
    @action(detail=True, methods=["post"], permission_classes=TAKE_PAYMENTS)
    def resolve(self, request, pk=None):
        data = validated(s.NoteSerializer, request.data)
        return Response(s.ReturnRecordSerializer(services.resolve_return_record(self.get_object(), **data)).data)


class FiscalSeriesViewSet(ServiceWriteMixin, ModelViewSet):
    """Numbering series of fiscal documents (NFCom model 62 or NFS-e) and their issuer."""

    serializer_class = s.FiscalSeriesSerializer

    def get_queryset(self):
        return selectors.fiscal_series_list()


class FiscalDocumentViewSet(ReadOnlyModelViewSet):
    serializer_class = s.FiscalDocumentSerializer
    filterset_fields = ["invoice", "series", "status"]

    def get_queryset(self):
        return selectors.fiscal_document_list()

    @extend_schema(request=s.ReasonSerializer, responses=s.FiscalDocumentSerializer)
    @action(detail=True, methods=["post"], permission_classes=MANAGE_INVOICES)
    def cancel(self, request, pk=None):
        data = validated(s.ReasonSerializer, request.data)
        return Response(s.FiscalDocumentSerializer(
            services.cancel_fiscal_document(self.get_object(), **data)).data)


# Collection: writes go through billing.dunning, billing.bureau and billing.clearance.


class DunningRuleViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ReadOnlyModelViewSet):
    """A wallet's reminders, `days` from the due date (negative before). Deactivate a rule
    instead of deleting it: its notices keep pointing at it."""

    serializer_class = s.DunningRuleSerializer
    filterset_fields = ["wallet", "active"]

    def get_queryset(self):
        return dunning.rule_list()

    def perform_create(self, serializer):
        serializer.instance = dunning.create_rule(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = dunning.update_rule(serializer.instance, **serializer.validated_data)


class DunningNoticeViewSet(ReadOnlyModelViewSet):
    """Reminders scheduled and sent, e.g. `?invoice=<id>` for one invoice's."""

    serializer_class = s.DunningNoticeSerializer
    filterset_fields = ["invoice", "rule", "channel", "status"]

    def get_queryset(self):
        return dunning.notice_list()


class BureauRecordViewSet(mixins.CreateModelMixin, ReadOnlyModelViewSet):
    """Invoices listed at a credit bureau. POST {"invoice", "bureau"} lists an overdue invoice."""

    serializer_class = s.BureauRecordSerializer
    filterset_fields = ["bureau", "status", "person", "invoice"]

    def get_queryset(self):
        return bureau.record_list()

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = bureau.send_to_bureau(data["invoice"], bureau=data["bureau"], user=self.request.user)

    @extend_schema(request=s.ReasonSerializer, responses=s.BureauRecordSerializer)
    @action(detail=True, methods=["post"], permission_classes=MANAGE_INVOICES)
    def clear(self, request, pk=None):
        """Clear a listing by hand, with a reason (a paid invoice clears its own)."""
        record = bureau.clear_record(self.get_object(), user=request.user, **validated(s.ReasonSerializer, request.data))
        return Response(s.BureauRecordSerializer(record).data)

    @extend_schema(responses={(200, "text/csv"): bytes})
    @action(detail=False, methods=["get"])
    def export(self, request):
        """The filtered listings as the bureau file (layout in docs/billing.md)."""
        records = self.filter_queryset(self.get_queryset()).order_by("pk")
        response = HttpResponse(bureau.CsvFileClient().submit(records), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="bureau-{timezone.localdate():%Y%m%d}.csv"'
        return response


class DeclarationViewSet(mixins.CreateModelMixin, ReadOnlyModelViewSet):
    """Annual debt-clearance declarations. POST {"person", "year"} issues one when the year is
    paid up (201), answers the existing one (200), or lists the open invoices (400)."""

    serializer_class = s.DeclarationSerializer
    filterset_fields = ["person", "year"]

    def get_queryset(self):
        return clearance.declaration_list()

    def create(self, request, *args, **kwargs):
        data = validated(s.DeclarationSerializer, request.data)
        declaration, created = clearance.issue_declaration(data["person"], data["year"], user=request.user)
        return Response(s.DeclarationSerializer(declaration).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        declaration = self.get_object()
        response = HttpResponse(clearance.declaration_pdf(declaration), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{declaration.number}.pdf"'
        return response

    @extend_schema(request=None, responses=s.DeclarationSerializer)
    @action(detail=True, methods=["post"], permission_classes=MANAGE_INVOICES)
    def send(self, request, pk=None):
        """E-mail the declaration's link to the client (once)."""
        declaration = self.get_object()
        result = clearance.email_declaration(declaration)
        declaration.refresh_from_db()
        return Response({**s.DeclarationSerializer(declaration).data, "sending": result.as_dict()})


class FinancialPanelView(APIView):
    """The client's financial panel: contracts with the actions their status allows, invoices to
    receive with what settles them today (fine, interest, discount, boleto line, PIX code), paid,
    other (cancelled, renegotiated) and deleted ones, one-off charges not billed yet, fiscal
    documents, messages sent, credit bureau listings and debt-clearance declarations.
    Billing clerks and admins."""

    permission_classes = [has_perm("billing.view_invoice")]

    @extend_schema(responses=s.FinancialPanelSerializer)
    def get(self, request, person_id):
        person = get_object_or_404(person_list(), pk=person_id)
        return Response(s.FinancialPanelSerializer(selectors.client_financial_panel(person)).data)
