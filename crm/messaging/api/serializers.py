"""Campaigns, deliveries, the message log and opt-outs as the API reads and writes them."""

import json

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from crm.messaging.choices import Channel
from crm.messaging.models import Campaign, Delivery, MessageLog, OptOut


class CampaignTemplateSerializer(serializers.Serializer):
    """What a preview needs: the selection, the channel and the template."""

    channel = serializers.ChoiceField(choices=Channel.choices)
    subject = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    body = serializers.CharField(max_length=20_000, trim_whitespace=False)
    area = serializers.JSONField(
        help_text=_("The selection: a GeoJSON Polygon or MultiPolygon (WGS 84).")
    )
    # Checked by gis.selection.clean_contract_filters, like the map's selection.
    contract_statuses = serializers.ListField(
        child=serializers.CharField(max_length=25), required=False, default=list,
        help_text=_("Contract statuses to keep, e.g. [\"active\", \"suspended\"]; empty: all."),
    )
    plan_ids = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    window_start = serializers.DateTimeField(required=False, allow_null=True, default=None)
    window_end = serializers.DateTimeField(required=False, allow_null=True, default=None)
    protocol = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class CampaignCreateSerializer(CampaignTemplateSerializer):
    name = serializers.CharField(max_length=120)


class CampaignSerializer(serializers.ModelSerializer):
    area = serializers.SerializerMethodField()
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id", "name", "channel", "subject", "body", "area", "contract_statuses", "plan_ids",
            "window_start", "window_end", "protocol", "status", "recipient_count",
            "excluded_counts", "created_by", "created_at", "confirmed_at", "finished_at",
        ]
        read_only_fields = fields

    def get_area(self, campaign) -> dict:
        return json.loads(campaign.area.geojson)


class DeliverySerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    destination = serializers.CharField(source="message.destination", read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id", "person", "person_name", "destination", "status", "attempts", "error",
            "provider", "provider_message_id", "idempotency_key", "sent_at", "delivered_at",
            "failed_at",
        ]
        read_only_fields = fields


class MessageLogSerializer(serializers.ModelSerializer):
    status = serializers.CharField(source="delivery.status", read_only=True, default="")
    error = serializers.CharField(source="delivery.error", read_only=True, default="")
    campaign_name = serializers.CharField(source="campaign.name", read_only=True, default="")

    class Meta:
        model = MessageLog
        fields = [
            "id", "person", "campaign", "campaign_name", "channel", "destination", "subject",
            "body", "status", "error", "created_at",
        ]
        read_only_fields = fields


class OptOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = OptOut
        fields = ["id", "person", "channel", "source", "detail", "created_at"]
        read_only_fields = ["id", "source", "created_at"]
