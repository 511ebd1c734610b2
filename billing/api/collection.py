"""Collection API: dunning rules and their notices, credit bureau listings, debt-clearance
declarations. Writes go through billing.dunning, billing.bureau and billing.clearance."""

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.viewsets import ReadOnlyModelViewSet

from billing import bureau, clearance, dunning
from billing.models import ClearanceDeclaration, CreditBureauRecord, DunningNotice, DunningRule
from core.serializers import MalhaModelSerializer
from crm.messaging.choices import Channel

from .serializers import ReasonSerializer
from .views import MANAGE_INVOICES, validated


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


class DunningRuleViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ReadOnlyModelViewSet):
    """A wallet's reminders, `days` from the due date (negative before). Deactivate a rule
    instead of deleting it: its notices keep pointing at it."""

    serializer_class = DunningRuleSerializer
    filterset_fields = ["wallet", "active"]

    def get_queryset(self):
        return dunning.rule_list()

    def perform_create(self, serializer):
        serializer.instance = dunning.create_rule(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = dunning.update_rule(serializer.instance, **serializer.validated_data)


class DunningNoticeViewSet(ReadOnlyModelViewSet):
    """Reminders scheduled and sent, e.g. `?invoice=<id>` for one invoice's."""

    serializer_class = DunningNoticeSerializer
    filterset_fields = ["invoice", "rule", "channel", "status"]

    def get_queryset(self):
        return dunning.notice_list()


class BureauRecordViewSet(mixins.CreateModelMixin, ReadOnlyModelViewSet):
    """Invoices listed at a credit bureau. POST {"invoice", "bureau"} lists an overdue invoice."""

    serializer_class = BureauRecordSerializer
    filterset_fields = ["bureau", "status", "person", "invoice"]

    def get_queryset(self):
        return bureau.record_list()

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = bureau.send_to_bureau(data["invoice"], bureau=data["bureau"], user=self.request.user)

    @extend_schema(request=ReasonSerializer, responses=BureauRecordSerializer)
    @action(detail=True, methods=["post"], permission_classes=MANAGE_INVOICES)
    def clear(self, request, pk=None):
        """Clear a listing by hand, with a reason (a paid invoice clears its own)."""
        record = bureau.clear_record(self.get_object(), user=request.user, **validated(ReasonSerializer, request.data))
        return Response(BureauRecordSerializer(record).data)

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

    serializer_class = DeclarationSerializer
    filterset_fields = ["person", "year"]

    def get_queryset(self):
        return clearance.declaration_list()

    def create(self, request, *args, **kwargs):
        data = validated(DeclarationSerializer, request.data)
        declaration, created = clearance.issue_declaration(data["person"], data["year"], user=request.user)
        return Response(DeclarationSerializer(declaration).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        declaration = self.get_object()
        response = HttpResponse(clearance.declaration_pdf(declaration), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{declaration.number}.pdf"'
        return response

    @extend_schema(request=None, responses=DeclarationSerializer)
    @action(detail=True, methods=["post"], permission_classes=MANAGE_INVOICES)
    def send(self, request, pk=None):
        """E-mail the declaration's link to the client (once)."""
        declaration = self.get_object()
        result = clearance.email_declaration(declaration)
        declaration.refresh_from_db()
        return Response({**DeclarationSerializer(declaration).data, "sending": result.as_dict()})
