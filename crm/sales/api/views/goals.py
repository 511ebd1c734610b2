"""Sales (`/api/crm/sales/`): channels/, teams/, goals/ and commission-rules/ (administrators write); progress/?month=YYYY-MM,
rankings/?month=, commissions/?month=&rep=.
"""

from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet, ModelViewSet

from core.mixins import ServiceWriteMixin
from core.permissions import RoleModelPermissions
from crm.sales import selectors, services
from crm.sales.models import (
    SalesTeam,
)

from ..serializers.goals import (
    CommissionQuerySerializer,
    CommissionRuleSerializer,
    CommissionSerializer,
    MonthField,
    MonthQuerySerializer,
    ProgressSerializer,
    RankingLineSerializer,
    SalesChannelSerializer,
    SalesGoalSerializer,
    SalesTeamSerializer,
)
from ..serializers.leads import SaleSerializer


class ManagerWrites(RoleModelPermissions):
    """Everyone with the model's view permission reads; only sales managers (administrators)
    write."""

    def has_permission(self, request, view):
        if request.method not in SAFE_METHODS and not selectors.manages_sales(request.user):
            return False
        return super().has_permission(request, view)


class ReadsSales(BasePermission):
    """Progress and rankings are for whoever may view sales goals (reps see their own goals)."""

    def has_permission(self, request, view):
        return request.user.has_perm("sales.view_salesgoal")


class SalesChannelViewSet(ServiceWriteMixin, ModelViewSet):
    """Where sales come from (a store is a channel of kind `store`); `public_key` names the
    channel in the public viability widget."""

    serializer_class = SalesChannelSerializer
    permission_classes = [ManagerWrites]
    filterset_fields = ["kind", "active"]

    def get_queryset(self):
        return selectors.channel_list()


class SalesTeamViewSet(ServiceWriteMixin, ModelViewSet):
    """Teams of reps and their leader (who may earn a commission on the team's sales)."""

    serializer_class = SalesTeamSerializer
    permission_classes = [ManagerWrites]

    def get_queryset(self):
        return selectors.team_list()

    def perform_create(self, serializer):
        serializer.instance = services.save_team(SalesTeam(), **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.save_team(serializer.instance, **serializer.validated_data)


class SalesGoalViewSet(ServiceWriteMixin, ModelViewSet):
    """Monthly goals of one rep, one team or one store / sales channel (exactly one of them)."""

    serializer_class = SalesGoalSerializer
    permission_classes = [ManagerWrites]
    filterset_fields = ["rep", "team", "channel"]

    def get_queryset(self):
        goals = selectors.goals_visible_to(self.request.user)
        if "month" in self.request.query_params:
            goals = goals.filter(month=month_from(self.request))
        return goals


class CommissionRuleViewSet(ServiceWriteMixin, ModelViewSet):
    """Commission rules; crm.sales.commissions documents which one pays a sale."""

    serializer_class = CommissionRuleSerializer
    permission_classes = [ManagerWrites]
    filterset_fields = ["role", "kind", "rep", "plan", "team", "channel"]

    def get_queryset(self):
        return selectors.commission_rule_list()


def month_query(request, serializer_class=MonthQuerySerializer):
    """The validated query parameters, `month` defaulting to the current month."""
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return {"month": timezone.localdate().replace(day=1), **query.validated_data}


def month_from(request):
    return month_query(request)["month"]


class SalesProgressView(APIView):
    """Each visible goal of the month: done so far, the linear trend to month end
    (done / elapsed business days × business days in the month) and the share of the target."""

    permission_classes = [IsAuthenticated, ReadsSales]

    @extend_schema(parameters=[MonthQuerySerializer], responses=ProgressSerializer(many=True))
    def get(self, request):
        progress = selectors.progress_for(request.user, month_from(request))
        return Response(ProgressSerializer(progress, many=True).data)


class SalesRankingView(APIView):
    """Reps and channels (stores included) of the month by revenue, then number of sales."""

    permission_classes = [IsAuthenticated, ReadsSales]

    @extend_schema(
        parameters=[MonthQuerySerializer],
        responses=inline_serializer(
            "SalesRankings",
            {
                "month": MonthField(),
                "reps": RankingLineSerializer(many=True),
                "channels": RankingLineSerializer(many=True),
            },
        ),
    )
    def get(self, request):
        month = month_from(request)
        return Response(
            {
                "month": month.strftime("%Y-%m"),
                "reps": RankingLineSerializer(selectors.rep_ranking(month), many=True).data,
                "channels": RankingLineSerializer(selectors.channel_ranking(month), many=True).data,
            }
        )


class CommissionViewSet(mixins.ListModelMixin, GenericViewSet):
    """Commissions of the sales won in `month` (reps see only theirs); `rep` narrows to one
    person."""

    serializer_class = CommissionSerializer
    filterset_class = None

    def get_queryset(self):
        return selectors.commissions_visible_to(self.request.user)

    @extend_schema(parameters=[CommissionQuerySerializer])
    def list(self, request, *args, **kwargs):
        query = month_query(request, CommissionQuerySerializer)
        commissions = selectors.commissions_in_month(request.user, query["month"], query.get("rep"))
        page = self.paginate_queryset(commissions)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class SaleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Won sales (reps see theirs)."""

    serializer_class = SaleSerializer
    filterset_fields = ["rep", "team", "channel", "plan"]

    def get_queryset(self):
        return selectors.sales_visible_to(self.request.user)
