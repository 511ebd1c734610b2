from rest_framework.viewsets import ModelViewSet

from core.mixins import GeoJsonMixin, ServiceWriteMixin
from crm.people import selectors, services
from crm.people.filtersets import AddressFilterSet, PersonFilterSet

from .serializers import AddressFeatureSerializer, AddressSerializer, PersonSerializer


class PersonViewSet(ServiceWriteMixin, ModelViewSet):
    """Clients and leads; CPF/CNPJ and mobile phones are accepted as typed, stored canonically.
    A technician reads only their orders' clients (core.roles.ROLE_MATRIX)."""

    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet

    def get_queryset(self):
        return selectors.people_visible_to(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.create_person(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_person(
            serializer.instance, **serializer.validated_data
        )


class AddressViewSet(GeoJsonMixin, ServiceWriteMixin, ModelViewSet):
    """Installation and billing addresses with their point on the map."""

    serializer_class = AddressSerializer
    geojson_serializer_class = AddressFeatureSerializer
    filterset_class = AddressFilterSet

    def get_queryset(self):
        return selectors.addresses_visible_to(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.create_address(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_address(
            serializer.instance, **serializer.validated_data
        )
