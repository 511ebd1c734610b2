from django.utils.translation import gettext_lazy as _

from billing.models import Contract, Plan
from core.serializers import GeoFeatureSerializer, MalhaModelSerializer


class PlanSerializer(MalhaModelSerializer):
    class Meta:
        model = Plan
        fields = ["id", "name", "download_mbps", "upload_mbps", "monthly_price", "active"]


class ContractSerializer(MalhaModelSerializer):
    class Meta:
        model = Contract
        fields = [
            "id",
            "number",
            "person",
            "plan",
            "installation_address",
            "point",
            "status",
            "due_day",
            "cto_box",
            "cto_port",
            "signed_on",
            "activated_on",
            "suspended_on",
            "cancelled_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "activated_on", "suspended_on", "cancelled_on"]
        extra_kwargs = {
            "number": {
                "required": False,
                "help_text": _("Filled in as CT-000123 when left empty."),
            },
            "point": {
                "required": False,
                "help_text": _("Defaults to the installation address's location."),
            },
            "signed_on": {"required": False, "help_text": _("Defaults to today.")},
        }
        # billing.services checks the box port with clear messages under a row lock;
        # DRF's automatic unique-together check would only make box and port mandatory.
        validators = []


class ContractFeatureSerializer(GeoFeatureSerializer, ContractSerializer):
    class Meta(ContractSerializer.Meta):
        geo_field = "point"
