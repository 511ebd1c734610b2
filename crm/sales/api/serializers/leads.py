"""Leads as the API reads and writes them, their moves and their conversion into a sale."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from billing.models import Plan
from core.fields import PointField
from core.serializers import GeoFeatureSerializer, MalhaModelSerializer
from crm.people.choices import PersonType, State
from crm.sales.choices import LeadStage, LostReason
from crm.sales.models import (
    Lead,
    Proposal,
    Sale,
)
from gis.models import CtoBox

VERSION_HELP = _("The version you last read; a stale one is refused with 409.")


def user_name(user):
    return (user.get_full_name() or user.get_username()) if user else ""


class LeadSerializer(MalhaModelSerializer):
    """A lead with its prospect's contact data, flat."""

    name = serializers.CharField(source="person.name", max_length=200)
    person_type = serializers.ChoiceField(
        source="person.person_type", choices=PersonType.choices, required=False
    )
    trade_name = serializers.CharField(
        source="person.trade_name", max_length=200, required=False, allow_blank=True
    )
    document = serializers.CharField(
        source="person.document",
        max_length=32,
        required=False,
        allow_blank=True,
        help_text=_("CPF or CNPJ, optional until conversion; dots and dashes are fine."),
    )
    email = serializers.EmailField(source="person.email", required=False, allow_blank=True)
    mobile_phone = serializers.CharField(
        source="person.mobile_phone",
        max_length=32,
        required=False,
        allow_blank=True,
        help_text=_("Brazilian mobile number, e.g. (51) 99876-5432."),
    )
    owner_name = serializers.SerializerMethodField()
    channel_name = serializers.CharField(source="channel.name", read_only=True, default="")
    plan_name = serializers.CharField(source="plan.name", read_only=True, default="")
    viable = serializers.BooleanField(source="viability_check.viable", read_only=True, default=None)
    viability_box = serializers.CharField(
        source="viability_check.box", read_only=True, default=None
    )
    version = serializers.IntegerField(required=False, min_value=1, help_text=VERSION_HELP)

    class Meta:
        model = Lead
        fields = [
            "id",
            "person",
            "name",
            "person_type",
            "trade_name",
            "document",
            "email",
            "mobile_phone",
            "stage",
            "lost_reason",
            "lost_detail",
            "owner",
            "owner_name",
            "channel",
            "channel_name",
            "viability_check",
            "viable",
            "viability_box",
            "point",
            "address_text",
            "plan",
            "plan_name",
            "notes",
            "next_action_at",
            "consent_contact",
            "consent_text",
            "consented_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["person", "stage", "lost_reason", "lost_detail", "consented_at"]

    def get_owner_name(self, lead) -> str:
        return user_name(lead.owner)


class LeadFeatureSerializer(GeoFeatureSerializer, LeadSerializer):
    class Meta(LeadSerializer.Meta):
        geo_field = "point"


class LeadMoveSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=LeadStage.choices)
    lost_reason = serializers.ChoiceField(
        choices=LostReason.choices, required=False, allow_blank=True, default=""
    )
    lost_detail = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )
    version = serializers.IntegerField(required=False, min_value=1, help_text=VERSION_HELP)


class AddressInputSerializer(serializers.Serializer):
    cep = serializers.CharField(max_length=16)
    street = serializers.CharField(max_length=200)
    number = serializers.CharField(max_length=20)
    complement = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    neighbourhood = serializers.CharField(max_length=100)
    city = serializers.CharField(max_length=100)
    state = serializers.ChoiceField(choices=State.choices)
    point = PointField(
        required=False,
        allow_null=True,
        help_text=_("GeoJSON Point; empty: the lead's point."),
    )


class ConvertSerializer(serializers.Serializer):
    """Everything the conversion needs; box and port default to the viability check's box and
    its lowest free port, the installation slot to the next business morning."""

    document = serializers.CharField(max_length=32, help_text=_("The client's CPF or CNPJ."))
    person_type = serializers.ChoiceField(choices=PersonType.choices, required=False)
    name = serializers.CharField(max_length=200, required=False)
    email = serializers.EmailField(required=False, allow_blank=True)
    mobile_phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    address = AddressInputSerializer()
    plan = serializers.PrimaryKeyRelatedField(
        queryset=Plan.objects.all(), required=False, allow_null=True
    )
    proposal = serializers.PrimaryKeyRelatedField(
        queryset=Proposal.objects.all(), required=False, allow_null=True
    )
    due_day = serializers.IntegerField(min_value=1, max_value=28, default=10)
    cto_box = serializers.PrimaryKeyRelatedField(
        queryset=CtoBox.objects.all(), required=False, allow_null=True
    )
    cto_port = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    window_start = serializers.DateTimeField(required=False, allow_null=True)
    window_end = serializers.DateTimeField(required=False, allow_null=True)
    version = serializers.IntegerField(required=False, min_value=1, help_text=VERSION_HELP)


class SaleSerializer(serializers.ModelSerializer):
    """A won lead: its client, contract, installation order and the commissions it pays."""

    person = serializers.IntegerField(source="contract.person_id", read_only=True)
    contract_number = serializers.CharField(source="contract.number", read_only=True)
    contract_status = serializers.CharField(source="contract.status", read_only=True)
    cto_box = serializers.CharField(source="contract.cto_box", read_only=True)
    cto_port = serializers.IntegerField(source="contract.cto_port", read_only=True)
    service_order_number = serializers.CharField(source="service_order.number", read_only=True)
    rep_name = serializers.SerializerMethodField()
    plan_name = serializers.CharField(source="plan.name", read_only=True)

    class Meta:
        model = Sale
        fields = [
            "id",
            "lead",
            "person",
            "contract",
            "contract_number",
            "contract_status",
            "cto_box",
            "cto_port",
            "service_order",
            "service_order_number",
            "proposal",
            "rep",
            "rep_name",
            "team",
            "channel",
            "plan",
            "plan_name",
            "monthly_value",
            "won_on",
        ]
        read_only_fields = fields

    def get_rep_name(self, sale) -> str:
        return user_name(sale.rep)
