from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView
from rest_framework.viewsets import ModelViewSet, ReadOnlyModelViewSet

from core.mixins import GeoJsonMixin, ServiceWriteMixin
from core.spreadsheets import csv_response
from gis import geocoding, search, selection, selectors, services
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


class CanSelectContracts(BasePermission):
    """Selections list clients and their contracts: the selection source's view permissions
    are needed (dispatchers, admins, sales and billing clerks; never technicians)."""

    def has_permission(self, request, view):
        return request.user.is_authenticated and request.user.has_perms(selection.source().permissions)


PAGE_PARAMETERS = [
    OpenApiParameter("page", int, description="1-based page of the contracts list."),
    OpenApiParameter("page_size", int, description="Contracts per page (default 50, at most 500)."),
]
MAX_PAGE_SIZE = 500


def _positive_int_param(request, name, default, maximum=None):
    text = request.query_params.get(name)
    if text in (None, ""):
        return default
    try:
        value = int(text)
    except ValueError:
        value = 0
    if maximum and value > maximum:
        raise ValidationError({name: [_("Must be a whole number from 1 to %(max)s.") % {"max": maximum}]})
    if value < 1:
        raise ValidationError({name: [_("Must be a whole number of at least 1.")]})
    return value


class SelectionView(APIView):
    """Contracts and clients inside a drawn polygon: counts by status and plan, one page of contracts.

    The polygon is validated (closed rings, at most 10,000 vertices, coordinates in
    range, area limit) and repaired only when the repair keeps the drawn area;
    `repaired` and `messages` then say so.
    """

    permission_classes = [CanSelectContracts]

    @extend_schema(
        request=serializers.SelectionRequestSerializer,
        responses=serializers.SelectionResponseSerializer,
        parameters=PAGE_PARAMETERS,
    )
    def post(self, request):
        request_data = serializers.SelectionRequestSerializer(data=request.data)
        request_data.is_valid(raise_exception=True)
        area = request_data.validated_data["geometry"]
        page = _positive_int_param(request, "page", 1)
        page_size = _positive_int_param(request, "page_size", selection.DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        found = selection.select_contracts(
            area, request_data.validated_data["status"], request_data.validated_data["plan"],
            page=page, page_size=page_size,
        )
        total = found.counts["contracts"]
        if page > 1 and (page - 1) * page_size >= total:
            raise NotFound(_("Invalid page."))
        url = request.build_absolute_uri()
        return Response({
            "area_km2": round(area.area_km2, 4),
            "repaired": area.repaired,
            "messages": list(area.messages),
            "counts": found.counts,
            "count": total,
            "next": replace_query_param(url, "page", page + 1) if page * page_size < total else None,
            "previous": (
                None if page == 1
                else remove_query_param(url, "page") if page == 2
                else replace_query_param(url, "page", page - 1)
            ),
            "results": selection.source().serializer(found.page, many=True).data,
        })


class SelectionExportView(APIView):
    """Every contract inside the polygon as CSV for spreadsheets: UTF-8 with BOM, `;` separated."""

    permission_classes = [CanSelectContracts]

    @extend_schema(
        request=serializers.SelectionRequestSerializer,
        responses={(200, "text/csv"): bytes},
    )
    def post(self, request):
        request_data = serializers.SelectionRequestSerializer(data=request.data)
        request_data.is_valid(raise_exception=True)
        contracts = selection.contracts_in_area(
            request_data.validated_data["geometry"],
            request_data.validated_data["status"],
            request_data.validated_data["plan"],
        )
        header, row = selection.source().exporter()
        filename = timezone.localtime().strftime("selecao-%Y%m%d-%H%M.csv")
        return csv_response(filename, header, (row(contract) for contract in contracts.iterator(chunk_size=2000)))


def _no_match_message():
    return _("No address found. Check the spelling, or place a pin on the map.")


class GeocodeView(APIView):
    """Address text -> ranked candidate points from the imported streets and known addresses.

    `precision` says how the point was found: `address` (a known address),
    `interpolated` (between known numbers on the street), `street` (metric
    numbering or the street's middle) or `cep`.
    """

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[serializers.GeocodeQuerySerializer], responses=serializers.GeocodeResponseSerializer)
    def get(self, request):
        query = serializers.GeocodeQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        results = geocoding.geocode(query.validated_data["q"], limit=query.validated_data["limit"])
        body = {"results": [result.as_dict() for result in results]}
        if not results:
            body["message"] = _no_match_message()
        return Response(body)


class ReverseGeocodeView(APIView):
    """A point -> the nearest address: a known one within 20 m, else the nearest named
    street within 200 m with an estimated house number (odd on the left, even on the right)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[serializers.LonLatQuerySerializer], responses=serializers.GeocodeResponseSerializer)
    def get(self, request):
        query = serializers.LonLatQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        result = geocoding.reverse_geocode(query.validated_data["lon"], query.validated_data["lat"])
        if result is None:
            return Response({"results": [], "message": _("No street near this point.")})
        return Response({"results": [result.as_dict()]})


class SearchView(APIView):
    """The map's search box: clients (name, CPF/CNPJ), contracts (number) and addresses,
    at most 10, best first, limited to what the user's role may see."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[serializers.SearchQuerySerializer], responses=serializers.SearchResponseSerializer)
    def get(self, request):
        query = serializers.SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response({"results": search.search(request.user, query.validated_data["q"])})
