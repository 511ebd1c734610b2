from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.admin import GeoModelAdmin, RuleCheckedForm

from .models import Address, Person
from .services import clean_person_fields
from .validators import normalize_cep


class PersonAdminForm(RuleCheckedForm):
    """Accepts CPF/CNPJ and phones as typed, like the API, and stores the canonical form."""

    document = forms.CharField(label=_("CPF/CNPJ"), max_length=32, required=False)
    mobile_phone = forms.CharField(label=_("mobile phone"), max_length=32, required=False)

    class Meta:
        model = Person
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        try:
            cleaned.update(
                clean_person_fields(
                    person_type=cleaned.get("person_type"),
                    stage=cleaned.get("stage"),
                    document=cleaned.get("document", ""),
                    mobile_phone=cleaned.get("mobile_phone", ""),
                    exclude_pk=self.instance.pk,
                )
            )
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned


class AddressAdminForm(RuleCheckedForm):
    cep = forms.CharField(label=_("CEP"), max_length=16, help_text=_("e.g. 90010-000"))

    class Meta:
        model = Address
        fields = "__all__"

    def clean_cep(self):
        return normalize_cep(self.cleaned_data["cep"])


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    form = PersonAdminForm
    list_display = [
        "name",
        "trade_name",
        "person_type",
        "stage",
        "document",
        "mobile_phone",
        "email",
        "created_at",
    ]
    list_filter = ["stage", "person_type", "consent_sms", "consent_email", "consent_whatsapp"]
    search_fields = ["name", "trade_name", "document", "email", "mobile_phone"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["person_type", "stage", "name", "trade_name", "document"]}),
        (
            _("Contact"),
            {
                "fields": [
                    "email",
                    "mobile_phone",
                    "consent_sms",
                    "consent_email",
                    "consent_whatsapp",
                ]
            },
        ),
        (_("History"), {"fields": ["created_at", "updated_at"]}),
    ]


@admin.register(Address)
class AddressAdmin(GeoModelAdmin):
    form = AddressAdminForm
    list_display = ["__str__", "cep_display", "person", "city", "state"]
    list_filter = ["state", "city"]
    list_select_related = ["person"]
    search_fields = ["street", "neighbourhood", "city", "cep", "person__name", "person__document"]
    autocomplete_fields = ["person"]

    @admin.display(description=_("CEP"), ordering="cep")
    def cep_display(self, address):
        return address.cep_display
