"""Proposals, their items and attachments, and the accept, reject and e-mail payloads."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from billing.models import Plan
from crm.sales import selectors
from crm.sales.models import (
    Proposal,
    ProposalAttachment,
    ProposalItem,
)

from .leads import user_name


class ProposalItemSerializer(serializers.ModelSerializer):
    plan = serializers.PrimaryKeyRelatedField(queryset=Plan.objects.all())
    plan_name = serializers.CharField(source="plan.name", read_only=True)
    price = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text=_("Monthly price offered; empty: the plan's price."),
    )

    class Meta:
        model = ProposalItem
        fields = ["id", "plan", "plan_name", "list_price", "discount", "price"]
        read_only_fields = ["list_price", "discount"]


class ProposalAttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProposalAttachment
        fields = ["id", "file", "description", "created_at"]
        read_only_fields = ["created_at"]
        extra_kwargs = {"file": {"help_text": _("JPEG, PNG, WebP or PDF.")}}


class ProposalSerializer(serializers.ModelSerializer):
    items = ProposalItemSerializer(many=True)
    attachments = ProposalAttachmentSerializer(many=True, read_only=True)
    rep_name = serializers.SerializerMethodField()
    lead_name = serializers.CharField(source="lead.person.name", read_only=True)
    total = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = [
            "id",
            "number",
            "lead",
            "lead_name",
            "rep",
            "rep_name",
            "status",
            "valid_from",
            "valid_until",
            "email_to",
            "language",
            "message",
            "items",
            "total",
            "attachments",
            "sending_status",
            "sending_error",
            "sent_at",
            "signed_name",
            "signed_at",
            "signed_ip",
            "signature_image",
            "rejection_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "number",
            "status",
            "sending_status",
            "sending_error",
            "sent_at",
            "signed_name",
            "signed_at",
            "signed_ip",
            "signature_image",
            "rejection_reason",
        ]
        extra_kwargs = {
            "message": {"max_length": 2000},
            "valid_from": {"required": False},
            "valid_until": {"required": False},
            "rep": {"required": False},
        }

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["lead"].queryset = selectors.leads_visible_to(request.user)
        return fields

    def get_rep_name(self, proposal) -> str:
        return user_name(proposal.rep)

    def get_total(self, proposal) -> str:
        return str(sum((item.price for item in proposal.items.all()), start=Decimal("0.00")))


class AcceptSerializer(serializers.Serializer):
    signed_name = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    signature_image = serializers.FileField(
        required=False, allow_null=True, default=None, help_text=_("PNG or JPEG.")
    )


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=255)


class ProposalEmailSerializer(serializers.Serializer):
    to = serializers.EmailField()
    subject = serializers.CharField()
    text = serializers.CharField()
    html = serializers.CharField()
