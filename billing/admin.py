from django.contrib import admin

from core.admin import GeoModelAdmin, RuleCheckedForm

from .models import Contract, Plan
from .services import clean_contract


class ContractAdminForm(RuleCheckedForm):
    """Same rules as the API: the address belongs to the client, the box port exists and is free."""

    class Meta:
        model = Contract
        fields = "__all__"

    def check_rules(self, contract):
        clean_contract(contract)


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["name", "download_mbps", "upload_mbps", "monthly_price", "active"]
    list_filter = ["active"]
    search_fields = ["name"]


@admin.register(Contract)
class ContractAdmin(GeoModelAdmin):
    form = ContractAdminForm
    list_display = [
        "number",
        "person",
        "plan",
        "status",
        "cto_box",
        "cto_port",
        "signed_on",
        "activated_on",
    ]
    list_filter = ["status", "plan", "due_day"]
    list_select_related = ["person", "plan", "cto_box"]
    search_fields = ["number", "person__name", "person__document"]
    autocomplete_fields = ["person", "installation_address", "cto_box"]
    date_hierarchy = "signed_on"
    readonly_fields = ["created_at", "updated_at"]
