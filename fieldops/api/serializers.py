from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.fields import PointField
from core.serializers import GeoFeatureSerializer, MalhaModelSerializer
from fieldops.choices import AttachmentKind, OrderStatus, OrderType, Priority
from fieldops.models import (
    Attachment,
    Material,
    MaterialUsage,
    OrderEvent,
    PositionReport,
    Sector,
    ServiceOrder,
    Skill,
    Technician,
)
from fieldops.scheduling import PLACEABLE_STATUSES, Placement
from gis.models import CtoBox

CLIENT_ACTION_HELP = _(
    "UUID the client generates once per action; sending it again (an offline retry) changes nothing."
)
VERSION_HELP = _("The order's version you last read; a stale one is refused with 409.")


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
            "order_scope",
            "sees_unassigned",
            "last_position",
            "last_position_at",
        ]
        read_only_fields = ["last_position", "last_position_at"]


class TechnicianFeatureSerializer(GeoFeatureSerializer, TechnicianSerializer):
    class Meta(TechnicianSerializer.Meta):
        geo_field = "start_point"


class ServiceOrderSerializer(MalhaModelSerializer):
    is_overdue = serializers.BooleanField(read_only=True, label=_("past its SLA deadline"))
    version = serializers.IntegerField(required=False, min_value=1, help_text=VERSION_HELP)

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
            "due_at",
            "is_overdue",
            "completed_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["due_at", "completed_at"]
        extra_kwargs = {
            "number": {
                "required": False,
                "help_text": _("Filled in as OS-000123 when left empty."),
            },
            "point": {
                "required": False,
                "help_text": _("Defaults to the contract's installation point."),
            },
            "status": {
                "help_text": _("Open, scheduled or dispatched when creating; then only through the transition action."),
            },
        }


class ServiceOrderFeatureSerializer(GeoFeatureSerializer, ServiceOrderSerializer):
    class Meta(ServiceOrderSerializer.Meta):
        geo_field = "point"


class FieldActionSerializer(serializers.Serializer):
    """What every field write from a phone or the dispatcher's screen may carry."""

    client_action_id = serializers.UUIDField(required=False, help_text=CLIENT_ACTION_HELP)
    version = serializers.IntegerField(required=False, min_value=1, help_text=VERSION_HELP)
    point = PointField(required=False, help_text=_("The phone's GPS position, if it has one."))


class TransitionSerializer(FieldActionSerializer):
    to = serializers.ChoiceField(choices=OrderStatus.choices, label=_("new status"))
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=2000,
        help_text=_("Required to pause, cancel or reopen."),
    )
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=Technician.objects.all(), required=False, help_text=_("To schedule.")
    )
    scheduled_start = serializers.DateTimeField(required=False, help_text=_("To schedule."))
    cto_box = serializers.PrimaryKeyRelatedField(
        queryset=CtoBox.objects.all(), required=False,
        help_text=_("Completing an installation: the box the client was connected to."),
    )
    cto_port = serializers.IntegerField(
        required=False, min_value=1, help_text=_("Completing an installation: the port used.")
    )


class OrderEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.get_username", read_only=True)
    point = PointField(read_only=True)
    distance_m = serializers.SerializerMethodField(
        help_text=_("How far the GPS position was from the order's location, in metres.")
    )

    class Meta:
        model = OrderEvent
        fields = [
            "id", "kind", "actor", "at", "ip", "point", "distance_m", "from_status", "to_status",
            "note", "client_action_id",
        ]

    def get_distance_m(self, event) -> float | None:
        distance = getattr(event, "distance_m", None)
        return round(distance.m, 1) if distance is not None else None


class OrderNoteSerializer(FieldActionSerializer):
    text = serializers.CharField(max_length=4000)


class ChecklistItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField(read_only=True)
    done = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)
    updated_at = serializers.DateTimeField(read_only=True)


class ChecklistTickSerializer(FieldActionSerializer, ChecklistItemSerializer):
    pass


class MaterialSerializer(MalhaModelSerializer):
    class Meta:
        model = Material
        fields = ["id", "code", "name", "unit", "active"]


class MaterialUsageSerializer(serializers.ModelSerializer):
    material_name = serializers.CharField(source="material.name", read_only=True)
    unit = serializers.CharField(source="material.unit", read_only=True)
    actor = serializers.CharField(source="event.actor.get_username", read_only=True)
    at = serializers.DateTimeField(source="event.at", read_only=True)

    class Meta:
        model = MaterialUsage
        fields = ["id", "material", "material_name", "unit", "quantity", "actor", "at"]


class MaterialUsedSerializer(FieldActionSerializer):
    material = serializers.PrimaryKeyRelatedField(queryset=Material.objects.all())
    quantity = serializers.DecimalField(max_digits=9, decimal_places=2)


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.FileField(source="file", read_only=True, use_url=True)
    actor = serializers.CharField(source="event.actor.get_username", read_only=True)
    at = serializers.DateTimeField(source="event.at", read_only=True)

    class Meta:
        model = Attachment
        fields = ["id", "kind", "url", "content_type", "size", "actor", "at"]


class AttachmentUploadSerializer(FieldActionSerializer):
    id = serializers.UUIDField(
        help_text=_("UUID the phone generates for the file; uploading it again changes nothing.")
    )
    kind = serializers.ChoiceField(choices=AttachmentKind.choices)
    file = serializers.FileField(help_text=_("JPEG, PNG or WebP."))


class PositionSerializer(MalhaModelSerializer):
    class Meta:
        model = PositionReport
        fields = ["point", "accuracy_m", "recorded_at"]


class SectorSerializer(MalhaModelSerializer):
    class Meta:
        model = Sector
        fields = ["id", "name", "area", "technicians"]


class SectorFeatureSerializer(GeoFeatureSerializer, SectorSerializer):
    class Meta(SectorSerializer.Meta):
        geo_field = "area"


class ReportPeriodSerializer(serializers.Serializer):
    first_day = serializers.DateField()
    last_day = serializers.DateField()

    def validate(self, data):
        days = (data["last_day"] - data["first_day"]).days
        if days < 0:
            raise serializers.ValidationError({"last_day": _("The period must end on or after its first day.")})
        if days > 366:
            raise serializers.ValidationError({"last_day": _("Ask for at most one year at a time.")})
        return data


class GroupedReportQuerySerializer(ReportPeriodSerializer):
    by = serializers.ChoiceField(
        choices=[("type", _("order type")), ("priority", _("priority"))], required=False,
        help_text=_("Also split each technician's line by order type or by priority."),
    )


class CompletedReportQuerySerializer(GroupedReportQuerySerializer):
    technician = serializers.PrimaryKeyRelatedField(queryset=Technician.objects.all(), required=False)
    type = serializers.MultipleChoiceField(choices=OrderType.choices, required=False)


class ReportLineSerializer(serializers.Serializer):
    technician = serializers.IntegerField()
    name = serializers.CharField()
    order_type = serializers.ChoiceField(choices=OrderType.choices, required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    completed = serializers.IntegerField()


class TechnicianSlaLineSerializer(ReportLineSerializer):
    on_time = serializers.IntegerField(help_text=_("Completed by their SLA deadline."))
    late = serializers.IntegerField(help_text=_("Completed after their SLA deadline."))
    open_overdue = serializers.IntegerField(help_text=_("Not done yet, and their deadline passed in the period."))
    sla_compliance = serializers.FloatField(help_text=_("Percentage of all of those done on time."))


class CompletedOrdersLineSerializer(ReportLineSerializer):
    first_time_fix = serializers.IntegerField(help_text=_("Done at the first visit: never reopened."))
    reopened = serializers.IntegerField(help_text=_("Reopened after a completion and completed again."))
    average_minutes_on_site = serializers.FloatField(allow_null=True)


# --- The scheduling board (fieldops.scheduling) -----------------------------------------------


class BoardQuerySerializer(serializers.Serializer):
    date = serializers.DateField(label=_("date"))
    type = serializers.MultipleChoiceField(choices=OrderType.choices, required=False, label=_("type"))
    priority = serializers.MultipleChoiceField(choices=Priority.choices, required=False, label=_("priority"))


class BoardTechnicianSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)
    skills = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    start_point = serializers.SerializerMethodField()

    class Meta:
        model = Technician
        fields = ["id", "name", "skills", "shift_start", "shift_end", "start_point"]

    def get_start_point(self, technician) -> list[float]:
        return list(technician.start_point.coords)


class BoardOrderSerializer(serializers.ModelSerializer):
    type_label = serializers.CharField(source="get_order_type_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    priority_label = serializers.CharField(source="get_priority_display", read_only=True)
    client = serializers.CharField(source="person.name", read_only=True)
    skills = serializers.SlugRelatedField(source="required_skills", slug_field="name", many=True, read_only=True)
    point = serializers.SerializerMethodField()
    movable = serializers.SerializerMethodField(help_text=_("Whether the board may place it."))

    class Meta:
        model = ServiceOrder
        fields = [
            "id", "number", "order_type", "type_label", "status", "status_label", "priority", "priority_label",
            "client", "address_text", "point", "window_start", "window_end", "estimated_minutes", "skills",
            "assignee", "scheduled_start", "version", "movable",
        ]

    def get_point(self, order) -> list[float]:
        return list(order.point.coords)

    def get_movable(self, order) -> bool:
        return order.status in PLACEABLE_STATUSES


class BoardDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    technicians = BoardTechnicianSerializer(many=True)
    orders = BoardOrderSerializer(many=True, help_text=_("The technicians' orders of the day, then those nobody has."))


class PlacementSerializer(serializers.Serializer):
    order = serializers.PrimaryKeyRelatedField(queryset=ServiceOrder.objects.all(), label=_("service order"))
    version = serializers.IntegerField(min_value=1, required=False, help_text=VERSION_HELP)
    technician = serializers.PrimaryKeyRelatedField(
        queryset=Technician.objects.all(), allow_null=True, required=False,
        help_text=_("Leave empty to take the order off the board."),
    )
    scheduled_start = serializers.DateTimeField(
        required=False, allow_null=True,
        help_text=_("Leave empty for as soon as the technician can be there after their previous stop."),
    )


class ApplyPlacementSerializer(PlacementSerializer):
    version = serializers.IntegerField(min_value=1, help_text=VERSION_HELP)


class BoardSerializer(serializers.Serializer):
    """A proposed day: each order on a technician and a start time, in the board's order."""

    date = serializers.DateField(label=_("date"))
    placements = PlacementSerializer(many=True, max_length=500)

    def validate(self, data):
        orders = [placement["order"].pk for placement in data["placements"]]
        if len(orders) != len(set(orders)):
            raise serializers.ValidationError({"placements": _("Each order may be placed only once.")})
        for placement in data["placements"]:
            start = placement.get("scheduled_start")
            if start and timezone.localdate(start) != data["date"]:
                raise serializers.ValidationError({"placements": _(
                    "Order %(order)s starts on another day than the board's."
                ) % {"order": placement["order"]}})
            if start and not placement.get("technician"):
                raise serializers.ValidationError({"placements": _(
                    "Order %(order)s has a start time but no technician."
                ) % {"order": placement["order"]}})
        return data

    def as_placements(self):
        return [
            Placement(
                order=item["order"], version=item.get("version"), technician=item.get("technician"),
                start=item.get("scheduled_start"),
            )
            for item in self.validated_data["placements"]
        ]


class ApplyBoardSerializer(BoardSerializer):
    placements = ApplyPlacementSerializer(many=True, max_length=500)


class RouteLineRequestSerializer(serializers.Serializer):
    technician = serializers.PrimaryKeyRelatedField(queryset=Technician.objects.all(), label=_("technician"))
    orders = serializers.ListField(
        child=serializers.PrimaryKeyRelatedField(queryset=ServiceOrder.objects.all()), allow_empty=False,
        max_length=100, label=_("service orders"), help_text=_("The stops, in the order they are driven."),
    )


def board_report_data(report, with_routes=True):
    """The check's answer: per order its start, ETA, drive and conflicts; per technician and in
    all the km, driving hours and lateness; and the routes along the streets."""
    def iso(moment):  # the wall clock of the operation, as the board shows it
        return timezone.localtime(moment).isoformat() if moment else None

    days = {day.technician.pk: day for day in report.days}
    data = {
        "date": report.date.isoformat(),
        "ok": not report.errors,
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        "orders": [
            {
                "order": stop.order.pk, "number": stop.order.number,
                "technician": stop.placement.technician.pk if stop.placement.technician else None,
                "scheduled_start": iso(stop.start) if stop.placement.technician else None,
                "end": iso(stop.end) if stop.placement.technician else None,
                "eta": iso(stop.eta), "travel_minutes": round(stop.travel_seconds / 60, 1),
                "travel_km": round(stop.travel_meters / 1000, 2), "estimated_travel": stop.estimated,
                "sequence": (days[stop.placement.technician.pk].stops.index(stop) + 1
                             if stop.placement.technician else None),
                "conflicts": stop.conflicts,
            }
            for stop in report.stops
        ],
        "technicians": [
            {
                "technician": day.technician.pk, "name": str(day.technician),
                "km": round(day.meters / 1000, 2), "driving_hours": round(day.driving_seconds / 3600, 2),
                "lateness_minutes": round(day.lateness_seconds / 60, 1), "back_at": iso(day.back_at),
                "stops": [stop.order.pk for stop in day.stops],
            }
            for day in report.days
        ],
        "totals": report.totals(),
    }
    if with_routes:
        data["routes"] = report.route_features()
    return data


# --- The technician's day on the phone (fieldops.my_day) ----------------------------------------


class DayQuerySerializer(serializers.Serializer):
    date = serializers.DateField(required=False, label=_("date"), help_text=_("Today when left out."))


class DayOrderSerializer(serializers.ModelSerializer):
    type_label = serializers.CharField(source="get_order_type_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    priority_label = serializers.CharField(source="get_priority_display", read_only=True)
    client = serializers.CharField(source="person.name", read_only=True)
    client_phone = serializers.CharField(source="person.mobile_phone", read_only=True)
    point = serializers.SerializerMethodField()
    contract_box = serializers.IntegerField(source="contract.cto_box_id", read_only=True, allow_null=True)
    contract_port = serializers.IntegerField(source="contract.cto_port", read_only=True, allow_null=True)
    notes = serializers.SerializerMethodField()
    materials_used = MaterialUsageSerializer(source="materials", many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = ServiceOrder
        fields = [
            "id", "number", "order_type", "type_label", "status", "status_label", "priority", "priority_label",
            "client", "client_phone", "address_text", "description", "point", "window_start", "window_end",
            "scheduled_start", "estimated_minutes", "version", "contract", "contract_box", "contract_port",
            "notes", "materials_used", "attachments",
        ]

    def get_point(self, order) -> list[float]:
        return list(order.point.coords)

    def get_notes(self, order) -> list[dict]:
        return [{"at": event.at, "actor": event.actor.get_username(), "text": event.note} for event in order.notes]


class DayStopSerializer(serializers.Serializer):
    sequence = serializers.IntegerField()
    eta = serializers.DateTimeField(help_text=_("From the accepted route plan, else driving the day."))
    order = DayOrderSerializer()
    checklist = ChecklistItemSerializer(many=True)
    boxes = serializers.ListField(
        child=serializers.DictField(), help_text=_("Installations: the boxes to pick the port from.")
    )


class DaySerializer(serializers.Serializer):
    date = serializers.DateField()
    technician = BoardTechnicianSerializer()
    km = serializers.FloatField(help_text=_("The day's drive along the streets."))
    route = serializers.SerializerMethodField(help_text=_("GeoJSON LineString along the streets."))
    stops = DayStopSerializer(many=True)
    materials = MaterialSerializer(many=True, help_text=_("The catalogue to record materials from."))

    def get_route(self, day) -> dict:
        return {"type": "LineString", "coordinates": [list(point) for point in day.line]}
