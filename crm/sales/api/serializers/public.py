"""What the public viability widget sends and gets back."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from billing.selectors import plan_list
from crm.sales import public

from .viability import PlanOfferSerializer, ViabilityQuerySerializer


class PublicViabilityRequestSerializer(ViabilityQuerySerializer):
    key = serializers.CharField(max_length=64, help_text=_("The sales channel's public key."))
    captcha = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class PublicViabilityResponseSerializer(serializers.Serializer):
    viable = serializers.BooleanField()
    message = serializers.CharField()
    plans = PlanOfferSerializer(many=True)


class PublicLeadSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=64)
    captcha = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    mobile_phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    plan = serializers.PrimaryKeyRelatedField(
        queryset=plan_list().filter(active=True), required=False, allow_null=True, default=None
    )
    consent = serializers.BooleanField(help_text=public.CONSENT_TEXT)


class PublicMessageSerializer(serializers.Serializer):
    message = serializers.CharField()
