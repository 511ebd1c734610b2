from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import GeoModelAdmin, RuleCheckedForm

from .models import AddressPoint, Cable, CoverageArea, CtoBox, Olt, Pop, RoadEdge, RoadNode
from .selectors import cto_boxes_with_occupancy
from .services import clean_cto_box, measure_cable


class CtoBoxAdminForm(RuleCheckedForm):
    class Meta:
        model = CtoBox
        fields = "__all__"

    def check_rules(self, box):
        clean_cto_box(box)


@admin.register(CoverageArea)
class CoverageAreaAdmin(GeoModelAdmin):
    list_display = ["name", "active"]
    list_filter = ["active"]
    search_fields = ["name", "notes"]


@admin.register(Pop)
class PopAdmin(GeoModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Olt)
class OltAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "pop", "vendor", "pon_ports"]
    list_filter = ["pop"]
    list_select_related = ["pop"]
    search_fields = ["code", "name", "vendor"]


@admin.register(CtoBox)
class CtoBoxAdmin(GeoModelAdmin):
    form = CtoBoxAdminForm
    list_display = [
        "code",
        "kind",
        "olt",
        "pon_port",
        "ports_total",
        "ports_used",
        "ports_free",
        "street",
    ]
    list_filter = ["kind", "olt"]
    search_fields = ["code", "street"]

    def get_queryset(self, request):
        return cto_boxes_with_occupancy()

    @admin.display(description=_("ports in use"), ordering="ports_used")
    def ports_used(self, box):
        return box.ports_used

    @admin.display(description=_("free ports"), ordering="ports_free")
    def ports_free(self, box):
        return box.ports_free


@admin.register(Cable)
class CableAdmin(GeoModelAdmin):
    list_display = ["code", "kind", "fiber_count", "olt", "length_m"]
    list_filter = ["kind", "olt"]
    search_fields = ["code"]
    readonly_fields = ["length_m"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        measure_cable(obj)


class ImportedFromOsmAdmin(GeoModelAdmin):
    """Rows rebuilt by the OSM import: browsable, never edited by hand."""

    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RoadNode)
class RoadNodeAdmin(ImportedFromOsmAdmin):
    list_display = ["osm_id"]
    search_fields = ["=osm_id"]


@admin.register(RoadEdge)
class RoadEdgeAdmin(ImportedFromOsmAdmin):
    list_display = ["name", "highway", "oneway", "length_m", "speed_kmh", "osm_way_id"]
    list_filter = ["highway", "oneway"]
    search_fields = ["name", "=osm_way_id"]


@admin.register(AddressPoint)
class AddressPointAdmin(ImportedFromOsmAdmin):
    list_display = ["street", "housenumber", "postcode", "suburb", "city"]
    list_filter = ["city"]
    search_fields = ["street", "postcode", "suburb"]
