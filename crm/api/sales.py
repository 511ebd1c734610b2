"""Sales API: leads and the pipeline, proposals, conversion, goals, commissions and rankings.

Leads (`/api/crm/leads/`)
    Flat JSON: the prospect's contact fields (name, person_type, document, email,
    mobile_phone) sit beside the lead's own. `stage` changes only through
    `POST <id>/move/` {stage, lost_reason, lost_detail, version}; sending a proposal moves
    a lead to proposal_sent and `POST <id>/convert/` to won. PATCH and move take the
    `version` last read; a stale one answers 409. `GET geojson/?in_bbox=` is the leads map,
    `GET counts/` the number of leads per stage (both take the list's filters);
    `?ordering=next_action_at` lists the next things to do first.
    Sales reps see their own leads and unowned ones (and take an unowned lead by working
    on it); administrators see all.

Proposals (`/api/crm/proposals/`)
    `items` is written as [{"plan": id, "price": "89.90"}] (price defaults to the plan's;
    the discount is limited by role) and read with list price, discount and price.
    `POST <id>/send/` queues the e-mail (202; follow `sending_status`), `accept/`,
    `reject/`, `attachments/` (multipart), `GET <id>/pdf/` and `GET <id>/email/` (preview).

Sales (`/api/crm/sales/`)
    channels/, teams/, goals/ and commission-rules/ (administrators write); progress/?month=YYYY-MM,
    rankings/?month=, commissions/?month=&rep=.
"""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet, ModelViewSet

from billing.models import Plan
from core.fields import PointField
from core.mixins import GeoJsonMixin, ServiceWriteMixin
from core.permissions import RoleModelPermissions
from core.serializers import GeoFeatureSerializer, MalhaModelSerializer
from crm.choices import LeadStage, LostReason, PersonType, State
from crm.models import (
    Commission,
    CommissionRule,
    Lead,
    Proposal,
    ProposalAttachment,
    ProposalItem,
    Sale,
    SalesChannel,
    SalesGoal,
    SalesTeam,
)
from crm.sales import selectors, services
from crm.sales.filtersets import LeadFilterSet, ProposalFilterSet
from crm.sales.pdf import proposal_pdf
from gis.models import CtoBox

VERSION_HELP = _("The version you last read; a stale one is refused with 409.")


def user_name(user):
    return (user.get_full_name() or user.get_username()) if user else ""


# --- Leads ------------------------------------------------------------------------------------


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


def flat(validated_data):
    """The serializer's {"person": {...}, ...} as the keyword arguments of the services."""
    data = dict(validated_data)
    return {**data.pop("person", {}), **data}


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


class MayConvert(RoleModelPermissions):
    """Converting signs a contract and opens a service order: it needs those permissions too."""

    def has_permission(self, request, view):
        return super().has_permission(request, view) and request.user.has_perms(
            ["billing.add_contract", "fieldops.add_serviceorder"]
        )


class LeadViewSet(GeoJsonMixin, ServiceWriteMixin, ModelViewSet):
    """The sales pipeline's leads; see the module documentation for the rules."""

    serializer_class = LeadSerializer
    geojson_serializer_class = LeadFeatureSerializer
    filterset_class = LeadFilterSet
    filter_backends = [*GeoJsonMixin.filter_backends, OrderingFilter]
    ordering_fields = ["next_action_at", "created_at", "updated_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.leads_visible_to(self.request.user)

    def perform_create(self, serializer):
        data = flat(serializer.validated_data)
        data.pop("version", None)
        if selectors.sees_only_own_leads(self.request.user):
            data["owner"] = self.request.user
        serializer.instance = services.create_lead(**data)

    def perform_update(self, serializer):
        serializer.instance = services.update_lead(
            serializer.instance, user=self.request.user, **flat(serializer.validated_data)
        )

    @extend_schema(
        responses=inline_serializer(
            "LeadStageCounts", {stage: serializers.IntegerField() for stage in LeadStage.values}
        )
    )
    @action(detail=False, methods=["get"])
    def counts(self, request):
        """How many leads each column of the pipeline board holds, with the list's filters."""
        return Response(selectors.stage_counts(self.filter_queryset(self.get_queryset())))

    @extend_schema(request=LeadMoveSerializer, responses=LeadSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def move(self, request, pk=None):
        """Move the lead to `stage`; `lost_reason` is required to lose it."""
        payload = LeadMoveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        lead = services.move_lead(self.get_object(), user=request.user, **payload.validated_data)
        return Response(LeadSerializer(lead, context=self.get_serializer_context()).data)

    @extend_schema(request=ConvertSerializer, responses={201: SaleSerializer})
    @action(detail=True, methods=["post"], filterset_class=None, permission_classes=[MayConvert])
    def convert(self, request, pk=None):
        """Client + contract awaiting installation (port reserved) + installation order, in one
        transaction. A taken port answers 409; nothing is written on any error."""
        payload = ConvertSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        sale = services.convert_lead(self.get_object(), user=request.user, **payload.validated_data)
        return Response(SaleSerializer(sale).data, status=status.HTTP_201_CREATED)


# --- Proposals --------------------------------------------------------------------------------


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
    signature_image = serializers.FileField(required=False, allow_null=True, default=None)


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=255)


class ProposalEmailSerializer(serializers.Serializer):
    to = serializers.EmailField()
    subject = serializers.CharField()
    text = serializers.CharField()
    html = serializers.CharField()


class ProposalViewSet(ServiceWriteMixin, ModelViewSet):
    """Proposals to leads; only drafts are edited. See the module documentation."""

    serializer_class = ProposalSerializer
    filterset_class = ProposalFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.proposals_visible_to(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.create_proposal(
            user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.update_proposal(
            serializer.instance, user=self.request.user, **serializer.validated_data
        )

    def _answer(self, proposal, code=status.HTTP_200_OK):
        proposal = self.get_queryset().get(pk=proposal.pk)
        return Response(self.get_serializer(proposal).data, status=code)

    @extend_schema(request=None, responses={202: ProposalSerializer})
    @action(detail=True, methods=["post"], filterset_class=None)
    def send(self, request, pk=None):
        """Queue the e-mail with the PDF attached; `sending_status` follows it (sent or failed)."""
        proposal = services.request_sending(self.get_object(), user=request.user)
        return self._answer(proposal, status.HTTP_202_ACCEPTED)

    @extend_schema(request=AcceptSerializer, responses=ProposalSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def accept(self, request, pk=None):
        """The client accepts: a typed name (recorded with time and IP) and/or a signature image."""
        payload = AcceptSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        proposal = services.accept_proposal(
            self.get_object(),
            user=request.user,
            ip=request.META.get("REMOTE_ADDR"),
            **payload.validated_data,
        )
        return self._answer(proposal)

    @extend_schema(request=RejectSerializer, responses=ProposalSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def reject(self, request, pk=None):
        payload = RejectSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        proposal = services.reject_proposal(
            self.get_object(), user=request.user, **payload.validated_data
        )
        return self._answer(proposal)

    @extend_schema(
        request=ProposalAttachmentSerializer, responses={201: ProposalAttachmentSerializer}
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def attachments(self, request, pk=None):
        """Attach a file (multipart `file`, `description`); it goes out with the e-mail."""
        payload = ProposalAttachmentSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        attachment = services.add_proposal_attachment(
            self.get_object(),
            user=request.user,
            upload=payload.validated_data["file"],
            description=payload.validated_data.get("description", ""),
        )
        return Response(
            ProposalAttachmentSerializer(attachment, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"], filterset_class=None)
    def pdf(self, request, pk=None):
        proposal = self.get_object()
        response = HttpResponse(proposal_pdf(proposal), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{proposal}.pdf"'
        return response

    @extend_schema(responses=ProposalEmailSerializer)
    @action(detail=True, methods=["get"], filterset_class=None)
    def email(self, request, pk=None):
        """The e-mail as it will be sent (subject, text and HTML), to review before sending."""
        message = services.proposal_email(self.get_object())
        return Response(
            {
                "to": ", ".join(message.to),
                "subject": message.subject,
                "text": message.body,
                "html": message.alternatives[0][0],
            }
        )


# --- Teams, goals, commission rules; progress, rankings, commissions ------------------------------


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
        return request.user.has_perm("crm.view_salesgoal")


class SalesChannelSerializer(serializers.ModelSerializer):
    class Meta:
        model = SalesChannel
        fields = ["id", "name", "kind", "public_key", "allowed_origins", "active", "created_at"]
        read_only_fields = ["public_key", "created_at"]


class SalesChannelViewSet(ServiceWriteMixin, ModelViewSet):
    """Where sales come from (a store is a channel of kind `store`); `public_key` names the
    channel in the public viability widget."""

    serializer_class = SalesChannelSerializer
    permission_classes = [ManagerWrites]
    filterset_fields = ["kind", "active"]

    def get_queryset(self):
        return selectors.channel_list()


class SalesTeamSerializer(serializers.ModelSerializer):
    members = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(), many=True, required=False
    )

    class Meta:
        model = SalesTeam
        fields = ["id", "name", "leader", "members"]


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


class CommissionRuleViewSet(ServiceWriteMixin, ModelViewSet):
    """Commission rules; crm.sales.commissions documents which one pays a sale."""

    serializer_class = CommissionRuleSerializer
    permission_classes = [ManagerWrites]
    filterset_fields = ["role", "kind", "rep", "plan", "team", "channel"]

    def get_queryset(self):
        return selectors.commission_rule_list()


class MonthQuerySerializer(serializers.Serializer):
    month = MonthField(required=False, help_text=_("YYYY-MM; the current month when absent."))


def month_query(request, serializer_class=MonthQuerySerializer):
    """The validated query parameters, `month` defaulting to the current month."""
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return {"month": timezone.localdate().replace(day=1), **query.validated_data}


def month_from(request):
    return month_query(request)["month"]


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


class SalesProgressView(APIView):
    """Each visible goal of the month: done so far, the linear trend to month end
    (done / elapsed business days × business days in the month) and the share of the target."""

    permission_classes = [IsAuthenticated, ReadsSales]

    @extend_schema(parameters=[MonthQuerySerializer], responses=ProgressSerializer(many=True))
    def get(self, request):
        progress = selectors.progress_for(request.user, month_from(request))
        return Response(ProgressSerializer(progress, many=True).data)


class RankingLineSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    id = serializers.IntegerField()
    name = serializers.CharField()
    count = serializers.IntegerField()
    revenue = serializers.DecimalField(max_digits=14, decimal_places=2)


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
