from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import GeoModelAdmin, ReadOnlyAdmin, RuleCheckedForm

from .messaging.choices import OptOutSource
from .messaging.services import record_opt_out
from .models import (
    Address,
    Campaign,
    Commission,
    CommissionRule,
    Delivery,
    Lead,
    MessageLog,
    OptOut,
    Person,
    Proposal,
    ProposalAttachment,
    ProposalItem,
    Sale,
    SalesChannel,
    SalesGoal,
    SalesTeam,
    SalesTeamMember,
    ViabilityCheck,
)
from .sales import public
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


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ["name", "channel", "status", "recipient_count", "created_by", "created_at",
                    "finished_at"]
    list_filter = ["channel", "status"]
    search_fields = ["name", "body", "protocol"]
    date_hierarchy = "created_at"
    exclude = ["area"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["idempotency_key", "campaign", "person", "status", "attempts", "sent_at", "error"]
    list_filter = ["status", "campaign__channel"]
    list_select_related = ["campaign", "person"]
    search_fields = ["idempotency_key", "provider_message_id", "person__name"]
    raw_id_fields = ["campaign", "person", "message"]


@admin.register(MessageLog)
class MessageLogAdmin(ReadOnlyAdmin):
    list_display = ["person", "channel", "destination", "subject", "created_at"]
    list_filter = ["channel"]
    list_select_related = ["person"]
    search_fields = ["person__name", "destination", "body"]
    raw_id_fields = ["person", "campaign"]


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
    list_display = ["person", "channel", "source", "created_at"]
    list_filter = ["channel", "source"]
    search_fields = ["person__name", "person__mobile_phone", "person__email"]
    autocomplete_fields = ["person"]
    fields = ["person", "channel", "detail"]

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """Through the service, so the consent flag and queued messages follow the opt-out."""
        saved = record_opt_out(obj.person, obj.channel, OptOutSource.STAFF, obj.detail)
        obj.pk, obj.source, obj.created_at = saved.pk, saved.source, saved.created_at
        obj._state.adding = False


# --- Sales: proposals and sales are written by crm.sales.services; the admin shows them. ---


class ProposalItemInline(admin.TabularInline):
    model = ProposalItem
    extra = 0
    fields = ["plan", "list_price", "discount"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    list_display = ["number", "lead", "rep", "status", "valid_until", "sending_status", "sent_at"]
    list_filter = ["status", "sending_status"]
    list_select_related = ["lead__person", "rep"]
    search_fields = ["number", "lead__person__name", "email_to"]
    raw_id_fields = ["lead", "rep"]
    inlines = [ProposalItemInline]


class CommissionInline(admin.TabularInline):
    model = Commission
    extra = 0
    fields = ["beneficiary", "role", "rule", "amount"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ProposalItem)
class ProposalItemAdmin(ReadOnlyAdmin):
    list_display = ["proposal", "plan", "list_price", "discount"]
    list_select_related = ["proposal", "plan"]
    search_fields = ["proposal__number"]
    raw_id_fields = ["proposal"]


@admin.register(ProposalAttachment)
class ProposalAttachmentAdmin(ReadOnlyAdmin):
    list_display = ["proposal", "description", "file", "created_at"]
    list_select_related = ["proposal"]
    search_fields = ["proposal__number", "description"]
    raw_id_fields = ["proposal"]


@admin.register(Commission)
class CommissionAdmin(ReadOnlyAdmin):
    list_display = ["sale", "beneficiary", "role", "rule", "amount"]
    list_filter = ["role"]
    list_select_related = ["sale__contract", "sale__rep", "beneficiary", "rule"]
    raw_id_fields = ["sale", "beneficiary"]


@admin.register(Sale)
class SaleAdmin(ReadOnlyAdmin):
    list_display = ["contract", "rep", "team", "channel", "plan", "monthly_value", "won_on"]
    list_filter = ["channel", "team", "plan"]
    list_select_related = ["contract", "rep", "team", "channel", "plan"]
    date_hierarchy = "won_on"
    raw_id_fields = ["lead", "contract", "service_order", "proposal", "rep"]
    inlines = [CommissionInline]


class SalesTeamMemberInline(admin.TabularInline):
    model = SalesTeamMember
    extra = 1
    raw_id_fields = ["user"]


@admin.register(SalesTeamMember)
class SalesTeamMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "team"]
    list_filter = ["team"]
    raw_id_fields = ["user"]


@admin.register(SalesTeam)
class SalesTeamAdmin(admin.ModelAdmin):
    list_display = ["name", "leader"]
    search_fields = ["name"]
    raw_id_fields = ["leader"]
    inlines = [SalesTeamMemberInline]


@admin.register(SalesGoal)
class SalesGoalAdmin(admin.ModelAdmin):
    list_display = ["month", "rep", "team", "channel", "target_count", "target_revenue"]
    list_filter = ["month", "team", "channel"]
    raw_id_fields = ["rep"]


@admin.register(CommissionRule)
class CommissionRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "kind", "percent", "amount", "rep", "plan", "team", "channel",
                    "valid_from", "valid_until"]
    list_filter = ["role", "kind", "plan", "team", "channel"]
    search_fields = ["name"]
    raw_id_fields = ["rep"]


@admin.register(SalesChannel)
class SalesChannelAdmin(admin.ModelAdmin):
    """A channel's page shows the widget's embed snippet for the ISP's site."""

    list_display = ["name", "kind", "active", "created_at"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]
    readonly_fields = ["public_key", "embed_snippet", "created_at"]

    @admin.display(description=_("embed snippet"))
    def embed_snippet(self, channel):
        if not channel.pk:
            return _("Save the channel to get its snippet.")
        return format_html(
            "<pre style='white-space:pre-wrap'>{}</pre><p>{}</p>", public.embed_snippet(channel),
            _("Paste this into a page of the site (its address must be in the allowed origins)."),
        )


@admin.register(ViabilityCheck)
class ViabilityCheckAdmin(ReadOnlyAdmin):
    """Every viability answer (crm.sales.viability records them): the sales reports' raw data."""

    list_display = ["created_at", "address_text", "viable", "reason", "channel", "user", "box", "walking_distance_m"]
    list_filter = ["viable", "reason", "channel"]
    list_select_related = ["channel", "user", "box"]
    search_fields = ["address_text"]
    date_hierarchy = "created_at"


@admin.register(Lead)
class LeadAdmin(ReadOnlyAdmin):
    """Leads move through crm.sales.services (stages, versions, ownership); the admin shows them."""

    list_display = ["person", "stage", "owner", "channel", "plan", "next_action_at", "updated_at"]
    list_filter = ["stage", "channel", "lost_reason"]
    list_select_related = ["person", "owner", "channel", "plan"]
    search_fields = ["person__name", "address_text"]
