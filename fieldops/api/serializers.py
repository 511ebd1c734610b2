from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.serializers import GeoFeatureSerializer, MalhaModelSerializer
from fieldops.models import ServiceOrder, Skill, Technician


class SkillSerializer(MalhaModelSerializer):
    class Meta:
        model = Skill
        fields = ["id", "code", "name"]


class TechnicianSerializer(MalhaModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)
    phone = serializers.CharField(
        label=_("phone"),
        max_length=32,
        required=False,
        allow_blank=True,
        help_text=_("Brazilian mobile number, e.g. (51) 99876-5432; stored as +5551998765432."),
    )

    class Meta:
        model = Technician
        fields = [
            "id",
            "user",
            "name",
            "skills",
            "phone",
            "shift_start",
            "shift_end",
            "start_point",
            "end_point",
            "active",
        ]


class TechnicianFeatureSerializer(GeoFeatureSerializer, TechnicianSerializer):
    class Meta(TechnicianSerializer.Meta):
        geo_field = "start_point"


class ServiceOrderSerializer(MalhaModelSerializer):
    class Meta:
        model = ServiceOrder
        fields = [
            "id",
            "number",
            "order_type",
            "status",
            "priority",
            "person",
            "contract",
            "point",
            "address_text",
            "description",
            "window_start",
            "window_end",
            "estimated_minutes",
            "required_skills",
            "assignee",
            "scheduled_start",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "number": {
                "required": False,
                "help_text": _("Filled in as OS-000123 when left empty."),
            },
            "point": {
                "required": False,
                "help_text": _("Defaults to the contract's installation point."),
            },
        }


class ServiceOrderStatusSerializer(ServiceOrderSerializer):
    """What a technician may change on their own orders: the status."""

    class Meta(ServiceOrderSerializer.Meta):
        read_only_fields = [name for name in ServiceOrderSerializer.Meta.fields if name != "status"]
        extra_kwargs = {}


class ServiceOrderFeatureSerializer(GeoFeatureSerializer, ServiceOrderSerializer):
    class Meta(ServiceOrderSerializer.Meta):
        geo_field = "point"
