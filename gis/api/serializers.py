import json

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.geometry import validate_supported_region
from core.serializers import GeoFeatureSerializer, MalhaModelSerializer
from gis import selection
from gis.models import AddressPoint, Cable, CoverageArea, CtoBox, Olt, Pop, RoadEdge
from gis.selection import clean_contract_filters, clean_selection_area


class CoverageAreaSerializer(MalhaModelSerializer):
    class Meta:
        model = CoverageArea
        fields = ["id", "name", "area", "active", "notes"]
        extra_kwargs = {
            "area": {
                "help_text": _("A Polygon or MultiPolygon; a Polygon is stored as a MultiPolygon.")
            }
        }


class CoverageAreaFeatureSerializer(GeoFeatureSerializer, CoverageAreaSerializer):
    class Meta(CoverageAreaSerializer.Meta):
        geo_field = "area"


class PopSerializer(MalhaModelSerializer):
    class Meta:
        model = Pop
        fields = ["id", "code", "name", "point"]


class PopFeatureSerializer(GeoFeatureSerializer, PopSerializer):
    class Meta(PopSerializer.Meta):
        geo_field = "point"


class OltSerializer(MalhaModelSerializer):
    class Meta:
        model = Olt
        fields = ["id", "pop", "code", "name", "vendor", "pon_ports"]


class CtoBoxSerializer(MalhaModelSerializer):
    ports_used = serializers.IntegerField(
        label=_("ports in use"),
        read_only=True,
        help_text=_("Ports held by contracts that are not cancelled."),
    )
    ports_free = serializers.IntegerField(label=_("free ports"), read_only=True)

    class Meta:
        model = CtoBox
        fields = [
            "id",
            "code",
            "kind",
            "olt",
            "pon_port",
            "ports_total",
            "ports_used",
            "ports_free",
            "point",
            "street",
            "notes",
        ]


class CtoBoxFeatureSerializer(GeoFeatureSerializer, CtoBoxSerializer):
    class Meta(CtoBoxSerializer.Meta):
        geo_field = "point"


class CableSerializer(MalhaModelSerializer):
    class Meta:
        model = Cable
        fields = ["id", "code", "kind", "fiber_count", "olt", "path", "length_m"]
        read_only_fields = ["length_m"]


class CableFeatureSerializer(GeoFeatureSerializer, CableSerializer):
    class Meta(CableSerializer.Meta):
        geo_field = "path"


class RoadEdgeSerializer(MalhaModelSerializer):
    class Meta:
        model = RoadEdge
        fields = [
            "id",
            "source",
            "target",
            "osm_way_id",
            "name",
            "highway",
            "oneway",
            "length_m",
            "speed_kmh",
            "travel_time_s",
            "geom",
        ]


class RoadEdgeFeatureSerializer(GeoFeatureSerializer, RoadEdgeSerializer):
    class Meta(RoadEdgeSerializer.Meta):
        geo_field = "geom"


class AddressPointSerializer(MalhaModelSerializer):
    class Meta:
        model = AddressPoint
        fields = [
            "id",
            "osm_type",
            "osm_id",
            "street",
            "housenumber",
            "postcode",
            "suburb",
            "city",
            "point",
        ]


class AddressPointFeatureSerializer(GeoFeatureSerializer, AddressPointSerializer):
    class Meta(AddressPointSerializer.Meta):
        geo_field = "point"


@extend_schema_field(
    {"type": "object", "description": "GeoJSON Polygon or MultiPolygon", "example": {
        "type": "Polygon",
        "coordinates": [[[-51.23, -30.04], [-51.21, -30.04], [-51.21, -30.02], [-51.23, -30.04]]],
    }}
)
class SelectionGeometryField(serializers.Field):
    """A GeoJSON Polygon/MultiPolygon, checked (and safely repaired) by gis.selection."""

    default_error_messages = {"malformed": _("Malformed GeoJSON: the text is not valid JSON.")}

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                self.fail("malformed")
        return clean_selection_area(data)

    def to_representation(self, value):
        return json.loads(value.geometry.geojson)


class SelectionRequestSerializer(serializers.Serializer):
    geometry = SelectionGeometryField(
        help_text=_("The drawn area: a GeoJSON Polygon or MultiPolygon in WGS 84 (lon, lat).")
    )
    status = serializers.ListField(
        child=serializers.CharField(), required=False, default=list,
        help_text=_("Only contracts in these statuses (all when empty)."),
    )
    plan = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list,
        help_text=_("Only contracts of these plan ids (all when empty)."),
    )

    def validate(self, attrs):
        attrs["status"], attrs["plan"] = clean_contract_filters(attrs["status"], attrs["plan"])
        return attrs


class CountByStatusSerializer(serializers.Serializer):
    status = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class CountByPlanSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    count = serializers.IntegerField()


class SelectionCountsSerializer(serializers.Serializer):
    clients = serializers.IntegerField()
    contracts = serializers.IntegerField()
    by_status = CountByStatusSerializer(many=True)
    by_plan = CountByPlanSerializer(many=True)


class SelectionResponseSerializer(serializers.Serializer):
    """Documents the answer of POST /api/gis/selection/ (built in the view)."""

    area_km2 = serializers.FloatField()
    repaired = serializers.BooleanField()
    messages = serializers.ListField(child=serializers.CharField())
    counts = SelectionCountsSerializer()
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)

    def get_fields(self):
        """`results` are the registered selection source's rows (billing's contracts)."""
        return {**super().get_fields(), "results": selection.source().serializer(many=True)}


class GeocodeQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=300, help_text=_("Address text: street, number, neighbourhood, city, CEP.")
    )
    limit = serializers.IntegerField(min_value=1, max_value=10, default=5)


class LonLatQuerySerializer(serializers.Serializer):
    lon = serializers.FloatField(min_value=-180, max_value=180, help_text=_("Longitude (WGS 84)."))
    lat = serializers.FloatField(min_value=-90, max_value=90, help_text=_("Latitude (WGS 84)."))

    def validate(self, attrs):
        validate_supported_region((attrs["lon"], attrs["lat"]) * 2)
        return attrs


class GeocodeResultSerializer(serializers.Serializer):
    label = serializers.CharField()
    point = serializers.ListField(child=serializers.FloatField(), help_text=_("[lon, lat]"))
    confidence = serializers.FloatField(help_text=_("0 to 1"))
    precision = serializers.ChoiceField(choices=["address", "interpolated", "street", "cep"])
    street = serializers.CharField()
    number = serializers.CharField()
    neighbourhood = serializers.CharField()
    city = serializers.CharField()
    cep = serializers.CharField()


class GeocodeResponseSerializer(serializers.Serializer):
    results = GeocodeResultSerializer(many=True)
    message = serializers.CharField(required=False, help_text=_("Present when nothing was found."))


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        help_text=_("Client name, CPF/CNPJ (with or without punctuation), contract number or address.")
    )


class SearchResultSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["client", "contract", "address"])
    id = serializers.IntegerField(allow_null=True)
    label = serializers.CharField()
    detail = serializers.CharField()
    point = serializers.ListField(child=serializers.FloatField(), allow_null=True, help_text=_("[lon, lat]"))


class SearchResponseSerializer(serializers.Serializer):
    results = SearchResultSerializer(many=True)
