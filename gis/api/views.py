from rest_framework.viewsets import ModelViewSet, ReadOnlyModelViewSet

from core.mixins import GeoJsonMixin, ServiceWriteMixin
from gis import selectors, services
from gis.filtersets import (
    AddressPointFilterSet,
    CableFilterSet,
    CoverageAreaFilterSet,
    CtoBoxFilterSet,
    OltFilterSet,
    PopFilterSet,
    RoadEdgeFilterSet,
)

from . import serializers


class CoverageAreaViewSet(GeoJsonMixin, ServiceWriteMixin, ModelViewSet):
    """Where the ISP sells: (multi)polygons drawn around its plant."""

    serializer_class = serializers.CoverageAreaSerializer
    geojson_serializer_class = serializers.CoverageAreaFeatureSerializer
    filterset_class = CoverageAreaFilterSet

    def get_queryset(self):
        return selectors.coverage_area_list()


class PopViewSet(GeoJsonMixin, ServiceWriteMixin, ModelViewSet):
    """Points of presence: buildings with the core equipment."""

    serializer_class = serializers.PopSerializer
    geojson_serializer_class = serializers.PopFeatureSerializer
    filterset_class = PopFilterSet

    def get_queryset(self):
        return selectors.pop_list()


class OltViewSet(ServiceWriteMixin, ModelViewSet):
    """Optical line terminals inside the POPs."""

    serializer_class = serializers.OltSerializer
    filterset_class = OltFilterSet

    def get_queryset(self):
        return selectors.olt_list()


class CtoBoxViewSet(GeoJsonMixin, ServiceWriteMixin, ModelViewSet):
    """CTO and splitter boxes with their derived occupancy (`ports_used`, `ports_free`)."""

    serializer_class = serializers.CtoBoxSerializer
    geojson_serializer_class = serializers.CtoBoxFeatureSerializer
    filterset_class = CtoBoxFilterSet

    def get_queryset(self):
        return selectors.cto_boxes_with_occupancy()

    def perform_create(self, serializer):
        super().perform_create(serializer)
        # Answer with the derived occupancy like every other read of a box.
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_update(self, serializer):
        box = services.update_cto_box(serializer.instance, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=box.pk)


class CableViewSet(GeoJsonMixin, ServiceWriteMixin, ModelViewSet):
    """Fibre cables; `length_m` is measured from the path."""

    serializer_class = serializers.CableSerializer
    geojson_serializer_class = serializers.CableFeatureSerializer
    filterset_class = CableFilterSet

    def get_queryset(self):
        return selectors.cable_list()

    def perform_create(self, serializer):
        serializer.instance = services.create_cable(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_cable(
            serializer.instance, **serializer.validated_data
        )


class RoadEdgeViewSet(GeoJsonMixin, ReadOnlyModelViewSet):
    """The street graph imported from OpenStreetMap (read-only: the OSM import rebuilds it)."""

    serializer_class = serializers.RoadEdgeSerializer
    geojson_serializer_class = serializers.RoadEdgeFeatureSerializer
    filterset_class = RoadEdgeFilterSet

    def get_queryset(self):
        return selectors.road_edge_list()


class AddressPointViewSet(GeoJsonMixin, ReadOnlyModelViewSet):
    """Address points imported from OpenStreetMap, used by geocoding (read-only)."""

    serializer_class = serializers.AddressPointSerializer
    geojson_serializer_class = serializers.AddressPointFeatureSerializer
    filterset_class = AddressPointFilterSet

    def get_queryset(self):
        return selectors.address_point_list()
