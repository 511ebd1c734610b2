"""What a viability check takes and answers (the rep's phone view and the sales pages read it)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.geometry import validate_supported_region
from crm.sales.choices import ViabilityReason
from crm.sales.models import (
    SalesChannel,
)


class ViabilityQuerySerializer(serializers.Serializer):
    """Either `address` or both `lon` and `lat` (a point wins over an address)."""

    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    lon = serializers.FloatField(min_value=-180, max_value=180, required=False)
    lat = serializers.FloatField(min_value=-90, max_value=90, required=False)
    max_drop_m = serializers.FloatField(
        min_value=1, required=False,
        help_text=_("Longest drop to consider, in metres; never above the server's maximum."),
    )

    def validate(self, attrs):
        has_lon, has_lat = "lon" in attrs, "lat" in attrs
        if has_lon != has_lat:
            raise serializers.ValidationError(_("Send both lon and lat, or neither."))
        if not has_lon and not attrs["address"].strip():
            raise serializers.ValidationError(_("Type an address or place a pin on the map."))
        if has_lon:
            validate_supported_region((attrs["lon"], attrs["lat"]) * 2)
        return attrs


class ViabilityRequestSerializer(ViabilityQuerySerializer):
    channel = serializers.PrimaryKeyRelatedField(
        queryset=SalesChannel.objects.filter(active=True), required=False, allow_null=True,
        help_text=_("The sales channel the check is made for (its id)."),
    )


class ReasonSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=[code for code in ViabilityReason.values if code != ViabilityReason.ADDRESS_NOT_FOUND]
    )
    message = serializers.CharField()


class LonLatSerializer(serializers.Serializer):
    lon = serializers.FloatField()
    lat = serializers.FloatField()


class NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class LineStringSerializer(serializers.Serializer):
    type = serializers.CharField(default="LineString")
    coordinates = serializers.ListField(child=serializers.ListField(child=serializers.FloatField()))


class BoxCandidateSerializer(serializers.Serializer):
    """A box with a free port the drop could come from; `path` walks from the point to the box."""

    id = serializers.IntegerField()
    name = serializers.CharField(help_text=_("The box's code."))
    free_ports = serializers.IntegerField()
    ports_total = serializers.IntegerField()
    walking_distance_m = serializers.FloatField(help_text=_("Along the streets, legs to the street included."))
    straight_distance_m = serializers.FloatField()
    point = LonLatSerializer()
    path = LineStringSerializer()


class PlanOfferSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    download_mbps = serializers.IntegerField()
    upload_mbps = serializers.IntegerField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2, help_text=_("Monthly, in BRL."))


class ViabilityResponseSerializer(serializers.Serializer):
    """The answer. `boxes` are the nearest boxes with free ports by walking distance (at most
    5, within `max_drop_m`); `chosen_box` is the first of them when viable. `reasons` says why
    not (or, when viable, which box). `geocode` is the geocoder's match when an address was sent."""

    viable = serializers.BooleanField()
    reasons = ReasonSerializer(many=True)
    point = LonLatSerializer()
    geocode = serializers.DictField(allow_null=True)
    coverage_area = NamedSerializer(allow_null=True)
    boxes = BoxCandidateSerializer(many=True)
    chosen_box = BoxCandidateSerializer(allow_null=True)
    plans = PlanOfferSerializer(many=True)
    max_drop_m = serializers.FloatField()
    check_id = serializers.IntegerField()


class AddressNotFoundSerializer(serializers.Serializer):
    """400 when the address does not geocode: offer the map pin, centred on `suggestion`
    (the best vague match, e.g. the street or the CEP) when there is one."""

    code = serializers.CharField(default="address_not_found")
    detail = serializers.CharField()
    suggestion = serializers.DictField(allow_null=True)
    check_id = serializers.IntegerField()
