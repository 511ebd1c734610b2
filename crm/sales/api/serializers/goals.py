"""Channels, teams, goals and commission rules; progress, rankings and commissions."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from crm.sales.models import (
    Commission,
    CommissionRule,
    SalesChannel,
    SalesGoal,
    SalesTeam,
)

from .leads import user_name


class SalesChannelSerializer(serializers.ModelSerializer):
    class Meta:
        model = SalesChannel
        fields = ["id", "name", "kind", "public_key", "allowed_origins", "active", "created_at"]
        read_only_fields = ["public_key", "created_at"]


class SalesTeamSerializer(serializers.ModelSerializer):
    members = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(), many=True, required=False
    )

    class Meta:
        model = SalesTeam
        fields = ["id", "name", "leader", "members"]


class MonthField(serializers.DateField):
    """A month as YYYY-MM (a full date is accepted and means its month)."""

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m", input_formats=["%Y-%m", "%Y-%m-%d"], **kwargs)

    def to_internal_value(self, value):
        return super().to_internal_value(value).replace(day=1)


class SalesGoalSerializer(serializers.ModelSerializer):
    month = MonthField()

    class Meta:
        model = SalesGoal
        fields = ["id", "month", "rep", "team", "channel", "target_count", "target_revenue"]


class CommissionRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = CommissionRule
        fields = [
            "id",
            "name",
            "role",
            "kind",
            "percent",
            "amount",
            "rep",
            "plan",
            "team",
            "channel",
            "valid_from",
            "valid_until",
        ]


class MonthQuerySerializer(serializers.Serializer):
    month = MonthField(required=False, help_text=_("YYYY-MM; the current month when absent."))


class ProgressSerializer(serializers.Serializer):
    goal = SalesGoalSerializer()
    business_days = serializers.IntegerField()
    elapsed_business_days = serializers.IntegerField()
    count = serializers.IntegerField()
    revenue = serializers.DecimalField(max_digits=14, decimal_places=2)
    projected_count = serializers.DecimalField(max_digits=10, decimal_places=1)
    projected_revenue = serializers.DecimalField(max_digits=14, decimal_places=2)
    count_percent = serializers.DecimalField(max_digits=10, decimal_places=1, allow_null=True)
    revenue_percent = serializers.DecimalField(max_digits=10, decimal_places=1, allow_null=True)
    projected_count_percent = serializers.DecimalField(
        max_digits=10, decimal_places=1, allow_null=True
    )
    projected_revenue_percent = serializers.DecimalField(
        max_digits=10, decimal_places=1, allow_null=True
    )


class RankingLineSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    id = serializers.IntegerField()
    name = serializers.CharField()
    count = serializers.IntegerField()
    revenue = serializers.DecimalField(max_digits=14, decimal_places=2)


class CommissionSerializer(serializers.ModelSerializer):
    beneficiary_name = serializers.SerializerMethodField()
    contract_number = serializers.CharField(source="sale.contract.number", read_only=True)
    plan_name = serializers.CharField(source="sale.plan.name", read_only=True)
    monthly_value = serializers.DecimalField(
        source="sale.monthly_value", max_digits=10, decimal_places=2, read_only=True
    )
    won_on = serializers.DateField(source="sale.won_on", read_only=True)
    rule_name = serializers.CharField(source="rule.name", read_only=True)

    class Meta:
        model = Commission
        fields = [
            "id",
            "sale",
            "contract_number",
            "plan_name",
            "monthly_value",
            "won_on",
            "beneficiary",
            "beneficiary_name",
            "role",
            "rule",
            "rule_name",
            "amount",
        ]
        read_only_fields = fields

    def get_beneficiary_name(self, commission) -> str:
        return user_name(commission.beneficiary)


class CommissionQuerySerializer(MonthQuerySerializer):
    rep = serializers.IntegerField(required=False, help_text=_("Only this person's commissions."))
