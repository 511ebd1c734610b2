from django.contrib import admin

from core.admin import GeoModelAdmin, RuleCheckedForm

from .models import ServiceOrder, Skill, Technician
from .services import clean_service_order, clean_technician


class TechnicianAdminForm(RuleCheckedForm):
    class Meta:
        model = Technician
        fields = "__all__"

    def check_rules(self, technician):
        clean_technician(technician)


class ServiceOrderAdminForm(RuleCheckedForm):
    """Same rules as the API: a skilled, active assignee and a window that ends after it starts."""

    class Meta:
        model = ServiceOrder
        fields = "__all__"

    def check_rules(self, order):
        clean_service_order(order, list(self.cleaned_data.get("required_skills", [])))


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Technician)
class TechnicianAdmin(GeoModelAdmin):
    form = TechnicianAdminForm
    list_display = ["__str__", "user", "phone", "shift_start", "shift_end", "active"]
    list_filter = ["active", "skills"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "phone"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["skills"]


@admin.register(ServiceOrder)
class ServiceOrderAdmin(GeoModelAdmin):
    form = ServiceOrderAdminForm
    list_display = [
        "number",
        "order_type",
        "status",
        "priority",
        "person",
        "assignee",
        "window_start",
        "window_end",
    ]
    list_filter = ["status", "order_type", "priority", "assignee"]
    list_select_related = ["person", "assignee__user"]
    search_fields = ["number", "address_text", "person__name", "person__document"]
    autocomplete_fields = ["person", "contract", "assignee"]
    filter_horizontal = ["required_skills"]
    date_hierarchy = "window_start"
    readonly_fields = ["created_at", "updated_at"]
