from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.serializers import GeoFeatureSerializer, MalhaModelSerializer
from gis.models import AddressPoint, Cable, CoverageArea, CtoBox, Olt, Pop, RoadEdge


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
