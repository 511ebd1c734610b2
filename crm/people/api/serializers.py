from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.serializers import GeoFeatureSerializer, MalhaModelSerializer
from crm.people.models import Address, Person


class PersonSerializer(MalhaModelSerializer):
    # Wider than the stored columns: people type "12.345.678/0001-95" or "(51) 99876-5432";
    # crm.people.services stores digits and E.164.
    document = serializers.CharField(
        label=_("CPF/CNPJ"),
        max_length=32,
        required=False,
        allow_blank=True,
        help_text=_(
            "CPF for a natural person, CNPJ for a company; dots, dashes and slashes are fine."
        ),
    )
    mobile_phone = serializers.CharField(
        label=_("mobile phone"),
        max_length=32,
        required=False,
        allow_blank=True,
        help_text=_("Brazilian mobile number, e.g. (51) 99876-5432; stored as +5551998765432."),
    )

    class Meta:
        model = Person
        fields = [
            "id",
            "person_type",
            "stage",
            "name",
            "trade_name",
            "document",
            "email",
            "mobile_phone",
            "consent_sms",
            "consent_email",
            "consent_whatsapp",
            "created_at",
            "updated_at",
        ]


class AddressSerializer(MalhaModelSerializer):
    cep = serializers.CharField(
        label=_("CEP"), max_length=16, help_text=_("8 digits, e.g. 90010-000; stored as digits.")
    )

    class Meta:
        model = Address
        fields = [
            "id",
            "person",
            "cep",
            "street",
            "number",
            "complement",
            "neighbourhood",
            "city",
            "state",
            "point",
        ]


class AddressFeatureSerializer(GeoFeatureSerializer, AddressSerializer):
    class Meta(AddressSerializer.Meta):
        geo_field = "point"
