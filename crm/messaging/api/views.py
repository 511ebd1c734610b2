"""Campaign, delivery report, message log, opt-out and provider callback endpoints."""

import hmac

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError, PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from core.spreadsheets import csv_response
from crm.messaging import live, selectors, services
from crm.messaging.choices import Channel, DeliveryStatus, OptOutSource
from crm.messaging.models import OptOut

from .serializers import (
    CampaignCreateSerializer,
    CampaignSerializer,
    CampaignTemplateSerializer,
    DeliverySerializer,
    MessageLogSerializer,
    OptOutSerializer,
)

FAILURES_IN_REPORT = 100


class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      GenericViewSet):
    """Campaigns to the clients inside a map selection: preview, create (draft), confirm, report."""

    serializer_class = CampaignSerializer
    filterset_fields = ["status", "channel"]

    def get_queryset(self):
        return selectors.campaign_list()

    @extend_schema(request=CampaignTemplateSerializer, responses={200: dict})
    @action(detail=False, methods=["post"])
    def preview(self, request):
        """The rendered sample, recipient count, exclusions by reason and the message length."""
        data = self._valid(CampaignTemplateSerializer, request)
        return Response(services.preview_campaign(**data))

    @extend_schema(request=CampaignCreateSerializer, responses={201: CampaignSerializer})
    def create(self, request, *args, **kwargs):
        data = self._valid(CampaignCreateSerializer, request)
        campaign, preview = services.create_campaign(created_by=request.user, **data)
        return Response(
            {**CampaignSerializer(campaign).data, "preview": preview}, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses={202: CampaignSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Queue the campaign: deliveries are written and sent in the background."""
        campaign = services.confirm_campaign(self.get_object())
        return Response(CampaignSerializer(campaign).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def report(self, request, pk=None):
        """Totals by status and the first failures with the provider's error."""
        campaign = self.get_object()
        failures = selectors.failed_deliveries(campaign)[:FAILURES_IN_REPORT]
        return Response(
            {**live.report(campaign), "failures": DeliverySerializer(failures, many=True).data}
        )

    @extend_schema(responses={200: DeliverySerializer(many=True)})
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        """Every delivery, `?status=failed` for one status; paginated."""
        deliveries = selectors.delivery_list(self.get_object())
        wanted = request.query_params.get("status")
        if wanted:
            if wanted not in DeliveryStatus.values:
                raise ParseError(
                    _("Unknown status: use one of %(choices)s.")
                    % {"choices": ", ".join(DeliveryStatus.values)}
                )
            deliveries = deliveries.filter(status=wanted)
        page = self.paginate_queryset(deliveries)
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)

    @extend_schema(responses={(200, "text/csv"): str})
    @action(detail=True, methods=["get"], url_path="export")
    def export(self, request, pk=None):
        """The delivery report as CSV, one row per recipient."""
        campaign = self.get_object()
        header = [_("client id"), _("client"), _("sent to"), _("status"), _("attempts"),
                  _("error"), _("provider message id"), _("sent at"), _("delivered at"),
                  _("failed at"), _("idempotency key")]

        rows = (
            [d.person_id, d.person.name, d.message.destination, d.status, d.attempts, d.error,
             d.provider_message_id, d.sent_at, d.delivered_at, d.failed_at, d.idempotency_key]
            for d in selectors.delivery_list(campaign).iterator(chunk_size=2000)
        )
        return csv_response(f"campaign-{campaign.pk}.csv", header, rows)

    @extend_schema(request=None, responses={202: dict})
    @action(detail=True, methods=["post"], url_path="resend-failed")
    def resend_failed(self, request, pk=None):
        """Queue the failed messages again (new idempotency keys: they are new messages)."""
        requeued = services.resend_failed(self.get_object())
        return Response({"requeued": requeued}, status=status.HTTP_202_ACCEPTED)

    @staticmethod
    def _valid(serializer_class, request):
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class MessageLogViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """The "SMS, e-mail and messages sent" panel of a client: `?person=<id>`."""

    serializer_class = MessageLogSerializer
    filterset_fields = ["person", "campaign", "channel"]

    def get_queryset(self):
        return selectors.message_log()


class OptOutViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, GenericViewSet):
    """Per-channel opt-outs (LGPD); staff record one when a client asks by phone or in person."""

    serializer_class = OptOutSerializer
    filterset_fields = ["person", "channel"]

    def get_queryset(self):
        return OptOut.objects.select_related("person")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.record_opt_out(
            data["person"], data["channel"], OptOutSource.STAFF, data.get("detail", "")
        )


class ProviderCallbackView(APIView):
    """Delivery reports and replies from a gateway, each taken once (crm.messaging.services.receive_callback).

    SMS: headers `X-Malha-Timestamp: <Unix seconds>` and `X-Malha-Signature: sha256=<hex>`,
    the HMAC-SHA256 of "<timestamp>." + body with MESSAGING_WEBHOOK_SECRET.
    WhatsApp: Meta's `X-Hub-Signature-256: sha256=<hex>` of the body with the app secret.
    """

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("hub.mode", str),
            OpenApiParameter("hub.verify_token", str),
            OpenApiParameter("hub.challenge", str),
        ],
        responses={200: str},
    )
    def get(self, request, channel):
        """Meta's webhook subscription handshake: echo the challenge when the token matches."""
        params = request.query_params
        if channel != Channel.WHATSAPP or params.get("hub.mode") != "subscribe":
            raise ParseError(_("Only the WhatsApp webhook subscription is answered here."))
        expected = settings.MESSAGING_WHATSAPP_VERIFY_TOKEN
        if not expected or not hmac.compare_digest(params.get("hub.verify_token", ""), expected):
            raise PermissionDenied(_("Invalid or missing verify token."))
        return HttpResponse(params.get("hub.challenge", ""), content_type="text/plain")

    @extend_schema(request=dict, responses={200: dict})
    def post(self, request, channel):
        if channel not in Channel.values:
            raise ParseError(_("Unknown channel."))
        try:
            return Response(services.receive_callback(channel, request.headers, request.body))
        except services.CallbackRefused as refusal:
            raise PermissionDenied(str(refusal)) from None
