from django.contrib import admin

from core.admin import GeoModelAdmin, ReadOnlyAdmin, RuleCheckedForm

from .models import (
    Attachment,
    ChecklistEntry,
    Material,
    MaterialUsage,
    OrderEvent,
    PositionReport,
    Sector,
    ServiceOrder,
    Skill,
    Technician,
)
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
    readonly_fields = ["last_position", "last_position_at"]  # reported by the phone only


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
    # The status moves only through the transition services, which keep the audit trail.
    readonly_fields = ["status", "due_at", "completed_at", "version", "created_at", "updated_at"]


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "unit", "active"]
    list_filter = ["unit", "active"]
    search_fields = ["name", "code"]


@admin.register(Sector)
class SectorAdmin(GeoModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    filter_horizontal = ["technicians"]


class FieldRecordAdmin(ReadOnlyAdmin):
    """Field records and the audit trail are written by fieldops.services only, never here."""

    can_delete = False


@admin.register(OrderEvent)
class OrderEventAdmin(FieldRecordAdmin):
    list_display = ["order", "kind", "from_status", "to_status", "actor", "at", "ip"]
    list_filter = ["kind", "to_status"]
    list_select_related = ["order", "actor"]
    search_fields = ["order__number", "actor__username", "note"]
    date_hierarchy = "at"


@admin.register(ChecklistEntry)
class ChecklistEntryAdmin(FieldRecordAdmin):
    list_display = ["order", "code", "done", "updated_at"]
    list_select_related = ["order"]
    search_fields = ["order__number"]


@admin.register(MaterialUsage)
class MaterialUsageAdmin(FieldRecordAdmin):
    list_display = ["order", "material", "quantity"]
    list_select_related = ["order", "material"]
    search_fields = ["order__number", "material__name"]


@admin.register(Attachment)
class AttachmentAdmin(FieldRecordAdmin):
    list_display = ["order", "kind", "content_type", "size", "file"]
    list_select_related = ["order"]
    search_fields = ["order__number"]


@admin.register(PositionReport)
class PositionReportAdmin(FieldRecordAdmin):
    list_display = ["technician", "recorded_at", "accuracy_m", "received_at"]
    list_select_related = ["technician__user"]
