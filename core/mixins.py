"""ViewSet mixins shared by every app's API."""

from django.contrib.gis.geos import Polygon
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend
from rest_framework.pagination import PageNumberPagination
from rest_framework.settings import api_settings
from rest_framework_gis.pagination import GeoJsonPagination as BaseGeoJsonPagination

from .services import create_object, delete_object, update_object

BBOX_PARAM = "in_bbox"


def parse_bbox(text):
    """'min_lon,min_lat,max_lon,max_lat' (WGS 84) -> Polygon, or a 400 naming the parameter."""
    try:
        min_lon, min_lat, max_lon, max_lat = (float(part) for part in text.split(","))
        valid = -180 <= min_lon < max_lon <= 180 and -90 <= min_lat < max_lat <= 90
    except ValueError:
        valid = False
    if not valid:
        raise ValidationError(
            {
                BBOX_PARAM: [
                    _(
                        "Invalid bounding box: use min_lon,min_lat,max_lon,max_lat in WGS 84 "
                        "with min < max, e.g. -51.25,-30.06,-51.18,-30.00."
                    )
                ]
            }
        )
    bbox = Polygon.from_bbox((min_lon, min_lat, max_lon, max_lat))
    bbox.srid = 4326
    return bbox


class InBBoxFilter(BaseFilterBackend):
    """`?in_bbox=` keeps the objects whose geometry touches the box (GiST-indexed intersects)."""

    def filter_queryset(self, request, queryset, view):
        text = request.query_params.get(BBOX_PARAM)
        if not text:
            return queryset
        bbox = parse_bbox(text)
        geo_field = view.geojson_serializer_class.Meta.geo_field
        return queryset.filter(**{f"{geo_field}__intersects": bbox})

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": BBOX_PARAM,
                "in": "query",
                "required": False,
                "description": str(
                    _("Only objects inside this box: min_lon,min_lat,max_lon,max_lat (WGS 84).")
                ),
                "schema": {"type": "string", "example": "-51.25,-30.06,-51.18,-30.00"},
            }
        ]


class GeoJsonPagination(BaseGeoJsonPagination):
    max_page_size = 1000

    def get_paginated_response_schema(self, schema):
        """A FeatureCollection (`schema`) plus the page fields count, next and previous."""
        page = PageNumberPagination.get_paginated_response_schema(self, schema)
        del page["properties"]["results"]
        page["required"] = ["count"]
        return {"allOf": [schema, page]}


class GeoJsonAutoSchema(AutoSchema):
    """Documents the geojson action as a paginated, filterable list of Features."""

    def _is_list_view(self, serializer=None):
        return getattr(self.view, "action", None) == "geojson" or super()._is_list_view(serializer)


class GeoJsonMixin:
    """Adds `GET <resource>/geojson/?in_bbox=&page=`: a paginated FeatureCollection.

    The viewset sets `geojson_serializer_class` (a core.serializers.GeoFeatureSerializer);
    its Meta.geo_field is the geometry the bbox filters on. The list filters and
    the object-level visibility of get_queryset apply to the features too.
    """

    geojson_serializer_class = None
    filter_backends = [*api_settings.DEFAULT_FILTER_BACKENDS, InBBoxFilter]
    schema = GeoJsonAutoSchema()

    def get_serializer_class(self):
        if self.action == "geojson":
            return self.geojson_serializer_class
        return super().get_serializer_class()

    @action(detail=False, methods=["get"], url_path="geojson", pagination_class=GeoJsonPagination)
    def geojson(self, request):
        """GeoJSON FeatureCollection of the objects, with the list filters plus `in_bbox`.

        Paginated with `page` and `page_size` (at most 1000 features per page).
        """
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ServiceWriteMixin:
    """Writes go through services, never serializer.save().

    The defaults suit plain records (core.services: full model validation, one
    transaction; DELETE refused with the reason while other records depend on
    the object). Viewsets with business rules override perform_create and
    perform_update with their app's service.
    """

    def perform_create(self, serializer):
        serializer.instance = create_object(serializer.Meta.model, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = update_object(serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        delete_object(instance)
