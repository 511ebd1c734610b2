from rest_framework.viewsets import ModelViewSet

from core.mixins import GeoJsonMixin, ServiceWriteMixin
from fieldops import selectors, services
from fieldops.filtersets import ServiceOrderFilterSet, SkillFilterSet, TechnicianFilterSet

from . import serializers


class SkillViewSet(ServiceWriteMixin, ModelViewSet):
    """What technicians can do; service orders require skills."""

    serializer_class = serializers.SkillSerializer
    filterset_class = SkillFilterSet

    def get_queryset(self):
        return selectors.skill_list()


class TechnicianViewSet(GeoJsonMixin, ServiceWriteMixin, ModelViewSet):
    """Field technicians: skills, shift, where the day starts. A technician sees only themselves."""

    serializer_class = serializers.TechnicianSerializer
    geojson_serializer_class = serializers.TechnicianFeatureSerializer
    filterset_class = TechnicianFilterSet

    def get_queryset(self):
        return selectors.technicians_visible_to(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.create_technician(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_technician(
            serializer.instance, **serializer.validated_data
        )


class ServiceOrderViewSet(GeoJsonMixin, ServiceWriteMixin, ModelViewSet):
    """Service orders. A technician sees only their own orders and may change only the status."""

    serializer_class = serializers.ServiceOrderSerializer
    geojson_serializer_class = serializers.ServiceOrderFeatureSerializer
    filterset_class = ServiceOrderFilterSet

    def get_queryset(self):
        return selectors.service_orders_visible_to(self.request.user)

    def get_serializer_class(self):
        if self.action in ("update", "partial_update") and selectors.sees_only_own_work(
            self.request.user
        ):
            return serializers.ServiceOrderStatusSerializer
        return super().get_serializer_class()

    def perform_create(self, serializer):
        serializer.instance = services.create_service_order(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_service_order(
            serializer.instance, **serializer.validated_data
        )
