from rest_framework.viewsets import ModelViewSet

from billing import selectors, services
from billing.filtersets import ContractFilterSet, PlanFilterSet
from core.mixins import GeoJsonMixin, ServiceWriteMixin

from .serializers import ContractFeatureSerializer, ContractSerializer, PlanSerializer


class PlanViewSet(ServiceWriteMixin, ModelViewSet):
    """Internet plans: speeds and monthly price (BRL)."""

    serializer_class = PlanSerializer
    filterset_class = PlanFilterSet

    def get_queryset(self):
        return selectors.plan_list()


class ContractViewSet(GeoJsonMixin, ServiceWriteMixin, ModelViewSet):
    """Contracts: a client, a plan, an installation address and the box port of the fibre drop.

    The number (CT-000123) and the point (from the address) are filled in when absent;
    a box port must exist and be free."""

    serializer_class = ContractSerializer
    geojson_serializer_class = ContractFeatureSerializer
    filterset_class = ContractFilterSet

    def get_queryset(self):
        return selectors.contract_list()

    def perform_create(self, serializer):
        serializer.instance = services.create_contract(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_contract(
            serializer.instance, **serializer.validated_data
        )
