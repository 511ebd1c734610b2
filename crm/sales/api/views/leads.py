"""Leads (`/api/crm/leads/`): the sales pipeline.

Flat JSON: the prospect's contact fields (name, person_type, document, email,
mobile_phone) sit beside the lead's own. `stage` changes only through
`POST <id>/move/` {stage, lost_reason, lost_detail, version}; sending a proposal moves
a lead to proposal_sent and `POST <id>/convert/` to won. PATCH and move take the
`version` last read; a stale one answers 409. `GET geojson/?in_bbox=` is the leads map,
`GET counts/` the number of leads per stage (both take the list's filters);
`?ordering=next_action_at` lists the next things to do first.
Sales reps see their own leads and unowned ones (and take an unowned lead by working
on it); administrators see all.
"""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response
from rest_framework.viewsets import ModelViewSet

from core.mixins import GeoJsonMixin, ServiceWriteMixin
from core.permissions import RoleModelPermissions
from crm.sales import selectors, services
from crm.sales.choices import LeadStage
from crm.sales.filtersets import LeadFilterSet

from ..serializers.leads import (
    ConvertSerializer,
    LeadFeatureSerializer,
    LeadMoveSerializer,
    LeadSerializer,
    SaleSerializer,
)


def flat(validated_data):
    """The serializer's {"person": {...}, ...} as the keyword arguments of the services."""
    data = dict(validated_data)
    return {**data.pop("person", {}), **data}


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

    @extend_schema(request=ConvertSerializer, responses={201: SaleSerializer, 200: SaleSerializer})
    @action(detail=True, methods=["post"], filterset_class=None, permission_classes=[MayConvert])
    def convert(self, request, pk=None):
        """Client + contract awaiting installation (port reserved) + installation order, in one
        transaction. A taken port answers 409; nothing is written on any error. The same
        conversion sent again answers 200 with the lead's sale."""
        payload = ConvertSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        sale, created = services.convert_lead(
            self.get_object(), user=request.user, **payload.validated_data
        )
        return Response(SaleSerializer(sale).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
