"""Proposals, sales and leads are written by crm.sales.services; the admin shows them."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin

from . import public
from .models import (
    Commission,
    CommissionRule,
    Lead,
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
