from inspect import signature

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.generics import CreateAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView
from rest_framework.viewsets import ModelViewSet

from core.mixins import GeoJsonMixin, ServiceWriteMixin
from core.parsers import BoundedJSONParser
from core.permissions import RoleModelPermissions
from fieldops import my_day, reports, scheduling, selectors, services
from fieldops.filtersets import ServiceOrderFilterSet, SkillFilterSet, TechnicianFilterSet

from . import serializers


class SeesOrders(RoleModelPermissions):
    """Field actions need only to see the order; services decide who may write
    (the order's technician, a dispatcher, an admin)."""

    perms_map = {
        method: ["%(app_label)s.view_%(model_name)s"]
        for method in ("GET", "OPTIONS", "HEAD", "POST", "PUT", "PATCH", "DELETE")
    }


class ManagesOrders(BasePermission):
    def has_permission(self, request, view):
        return selectors.manages_orders(request.user)


def action_context(request, data):
    return services.ActionContext(
        actor=request.user,
        ip=request.META.get("REMOTE_ADDR"),
        point=data.get("point"),
        client_action_id=data.get("client_action_id"),
        version=data.get("version"),
    )


class SkillViewSet(ServiceWriteMixin, ModelViewSet):
    """What technicians can do; service orders require skills."""

    serializer_class = serializers.SkillSerializer
    filterset_class = SkillFilterSet

    def get_queryset(self):
        return selectors.skill_list()


class MaterialViewSet(ServiceWriteMixin, ModelViewSet):
    """The catalogue of materials technicians record on their orders."""

    serializer_class = serializers.MaterialSerializer
    filterset_fields = ["active", "unit"]

    def get_queryset(self):
        return selectors.material_list()


class SectorViewSet(GeoJsonMixin, ServiceWriteMixin, ModelViewSet):
    """Sectors: an area and/or a team; technicians set to “their sectors” see these orders."""

    serializer_class = serializers.SectorSerializer
    geojson_serializer_class = serializers.SectorFeatureSerializer

    def get_queryset(self):
        return selectors.sector_list()

    def perform_update(self, serializer):
        technicians = serializer.validated_data.pop("technicians", None)
        super().perform_update(serializer)
        if technicians is not None:
            serializer.instance.technicians.set(technicians)

    def perform_create(self, serializer):
        technicians = serializer.validated_data.pop("technicians", [])
        super().perform_create(serializer)
        serializer.instance.technicians.set(technicians)


class TechnicianViewSet(GeoJsonMixin, ServiceWriteMixin, ModelViewSet):
    """Field technicians: skills, shift, where the day starts. A technician sees only themselves."""

    serializer_class = serializers.TechnicianSerializer
    geojson_serializer_class = serializers.TechnicianFeatureSerializer
    filterset_class = TechnicianFilterSet

    def get_queryset(self):
        return selectors.technicians_visible_to(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.create_technician(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_technician(
            serializer.instance, **serializer.validated_data
        )

    @extend_schema(responses=serializers.PositionSerializer(many=True))
    @action(detail=True, methods=["get"], filterset_class=None)
    def positions(self, request, pk=None):
        """The technician's recent positions, newest first."""
        page = self.paginate_queryset(selectors.recent_positions(self.get_object()))
        return self.get_paginated_response(serializers.PositionSerializer(page, many=True).data)


class PositionReportView(CreateAPIView):
    """A technician's phone reports where it is. Reports closer together than the minimum
    interval are not stored (`stored: false`), so a replayed report is harmless too."""

    serializer_class = serializers.PositionSerializer
    permission_classes = [IsAuthenticated]

    def create(self, request, *args, **kwargs):
        technician = selectors.technician_of(request.user)
        if technician is None:
            raise PermissionDenied(_("Only technicians report their position."))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.report_position(technician, **serializer.validated_data)
        if report is None:
            return Response({"stored": False}, status=status.HTTP_200_OK)
        return Response(
            {"stored": True, **serializers.PositionSerializer(report).data},
            status=status.HTTP_201_CREATED,
        )


class MyDayView(APIView):
    """The signed-in technician's day for the phone (`?date=`, today by default): the stops in
    order with ETAs, each order with its client, checklist, materials, photos and notes, the
    route line along the streets and the materials catalogue; the phone keeps it offline."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[serializers.DayQuerySerializer], responses=serializers.DaySerializer)
    def get(self, request):
        technician = selectors.technician_of(request.user)
        if technician is None:
            raise PermissionDenied(_("Only technicians have a day of field work."))
        query = serializers.DayQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        day = my_day.technician_day(technician, query.validated_data.get("date") or timezone.localdate())
        return Response(serializers.DaySerializer(day, context={"request": request}).data)


class ReportTableRenderer(BaseRenderer):
    """Renders a report view's lines as the file its `table` builds (CSV or PDF)."""

    render_table = None
    extension = ""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        view, response = renderer_context["view"], renderer_context["response"]
        table = view.table(data)
        response["Content-Disposition"] = f'attachment; filename="{table.filename}.{self.extension}"'
        return self.render_table(table)


class CsvReportRenderer(ReportTableRenderer):
    media_type, format, extension, charset = "text/csv", "csv", "csv", "utf-8"
    render_table = staticmethod(reports.table_csv)


class PdfReportRenderer(ReportTableRenderer):
    media_type, format, extension, charset = "application/pdf", "pdf", "pdf", None
    render_table = staticmethod(reports.table_pdf)


class ReportView(APIView):
    """A field report for dispatchers and admins, as JSON or, with `?format=csv|pdf`, as a file.

    Errors are always JSON, whatever format was asked for."""

    permission_classes = [ManagesOrders]
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, CsvReportRenderer, PdfReportRenderer]
    query_serializer = line_serializer = None

    def handle_exception(self, exc):
        self.request.accepted_renderer, self.request.accepted_media_type = JSONRenderer(), "application/json"
        return super().handle_exception(exc)

    def perform_content_negotiation(self, request, force=False):
        """Only a GET renders the report as a file: OPTIONS' metadata is JSON whatever the format."""
        if request.method not in ("GET", "HEAD"):
            return JSONRenderer(), "application/json"
        return super().perform_content_negotiation(request, force)

    def lines(self, query):
        raise NotImplementedError

    def get(self, request):
        query = self.query_serializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        self.query = query.validated_data
        return Response(self.line_serializer(self.lines(self.query), many=True).data)


class TechnicianSlaReportView(ReportView):
    """SLA per technician over a period (`by` also splits it by order type or priority): orders
    completed on time and late, orders still open past their deadline, the compliance percentage."""

    query_serializer = serializers.GroupedReportQuerySerializer
    line_serializer = serializers.TechnicianSlaLineSerializer

    def lines(self, query):
        return selectors.technician_sla_report(query["first_day"], query["last_day"], by=query.get("by"))

    def table(self, lines):
        return reports.sla_table(lines, self.query["first_day"], self.query["last_day"], self.query.get("by"))

    @extend_schema(parameters=[serializers.GroupedReportQuerySerializer],
                   responses=serializers.TechnicianSlaLineSerializer(many=True))
    def get(self, request):
        return super().get(request)


class CompletedOrdersReportView(ReportView):
    """Orders each technician completed in a period (one technician, some order types, split by
    type or priority with `by`): how many, fixed at the first visit, reopened, average time on site."""

    query_serializer = serializers.CompletedReportQuerySerializer
    line_serializer = serializers.CompletedOrdersLineSerializer

    def lines(self, query):
        return reports.completed_orders_report(
            query["first_day"], query["last_day"], by=query.get("by"), technician=query.get("technician"),
            order_types=query.get("type", ()),
        )

    def table(self, lines):
        return reports.completed_table(lines, self.query["first_day"], self.query["last_day"], self.query.get("by"))

    @extend_schema(parameters=[serializers.CompletedReportQuerySerializer],
                   responses=serializers.CompletedOrdersLineSerializer(many=True))
    def get(self, request):
        return super().get(request)


class ServiceOrderViewSet(GeoJsonMixin, ServiceWriteMixin, ModelViewSet):
    """Service orders. Each user sees the orders their visibility rule allows.

    Edits (PATCH with `version`) are for dispatchers; the status, checklist,
    notes, materials, photos and signature change through the actions below,
    which the order's own technician may use too. Every action accepts a
    `client_action_id` so an offline phone can retry safely.
    """

    serializer_class = serializers.ServiceOrderSerializer
    geojson_serializer_class = serializers.ServiceOrderFeatureSerializer
    filterset_class = ServiceOrderFilterSet

    def get_queryset(self):
        return selectors.service_orders_visible_to(self.request.user)

    def perform_create(self, serializer):
        serializer.validated_data.pop("version", None)
        serializer.instance = services.create_service_order(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_service_order(
            serializer.instance, **serializer.validated_data
        )

    def _field_order(self):
        """The order a field action is about: a 404 unless the user sees it."""
        return self.get_object()

    @extend_schema(request=serializers.TransitionSerializer, responses=serializers.ServiceOrderSerializer)
    @action(detail=True, methods=["post"], permission_classes=[SeesOrders], filterset_class=None)
    def transition(self, request, pk=None):
        """Move the order to status `to`; a replayed `client_action_id` returns the order as it is."""
        order = self._field_order()
        payload = serializers.TransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        service = services.TRANSITION_SERVICES[data["to"]]
        options = {name: data[name] for name in signature(service).parameters if name in data}
        order = service(order, action_context(request, data), **options)
        return Response(serializers.ServiceOrderSerializer(order, context={"request": request}).data)

    @extend_schema(responses=serializers.OrderEventSerializer(many=True))
    @action(detail=True, methods=["get"], filterset_class=None)
    def events(self, request, pk=None):
        """The audit trail: every status change and field record, who, when and from where."""
        events = selectors.order_events(self._field_order())
        return Response(serializers.OrderEventSerializer(events, many=True).data)

    @extend_schema(request=serializers.OrderNoteSerializer, responses=serializers.OrderEventSerializer)
    @action(detail=True, methods=["post"], permission_classes=[SeesOrders], filterset_class=None)
    def notes(self, request, pk=None):
        order = self._field_order()
        payload = serializers.OrderNoteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        event, created = services.add_note(order, action_context(request, data), text=data["text"])
        return Response(
            serializers.OrderEventSerializer(selectors.order_events(order).get(pk=event.pk)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        methods=["get"], responses=serializers.ChecklistItemSerializer(many=True)
    )
    @extend_schema(
        methods=["post"], request=serializers.ChecklistTickSerializer,
        responses=serializers.ChecklistItemSerializer,
    )
    @action(detail=True, methods=["get", "post"], permission_classes=[SeesOrders], filterset_class=None)
    def checklist(self, request, pk=None):
        """The items this order's type requires before completion, and which are ticked."""
        order = self._field_order()
        if request.method == "POST":
            payload = serializers.ChecklistTickSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            data = payload.validated_data
            services.tick_checklist_item(
                order, action_context(request, data), code=data["code"], done=data["done"],
                note=data.get("note", ""),
            )
            items = selectors.checklist_state(order)
            item = next(item for item in items if item["code"] == data["code"])
            return Response(serializers.ChecklistItemSerializer(item).data)
        items = selectors.checklist_state(order)
        return Response(serializers.ChecklistItemSerializer(items, many=True).data)

    @extend_schema(methods=["get"], responses=serializers.MaterialUsageSerializer(many=True))
    @extend_schema(methods=["post"], request=serializers.MaterialUsedSerializer,
                   responses=serializers.MaterialUsageSerializer)
    @action(detail=True, methods=["get", "post"], permission_classes=[SeesOrders], filterset_class=None)
    def materials(self, request, pk=None):
        """Materials used on the job."""
        order = self._field_order()
        if request.method == "GET":
            usages = selectors.material_usages(order)
            return Response(serializers.MaterialUsageSerializer(usages, many=True).data)
        payload = serializers.MaterialUsedSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        usage, created = services.record_material(
            order, action_context(request, data), material=data["material"], quantity=data["quantity"]
        )
        return Response(
            serializers.MaterialUsageSerializer(usage).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(methods=["get"], responses=serializers.AttachmentSerializer(many=True))
    @extend_schema(methods=["post"], request={"multipart/form-data": serializers.AttachmentUploadSerializer},
                   responses=serializers.AttachmentSerializer)
    @action(
        detail=True, methods=["get", "post"], permission_classes=[SeesOrders], filterset_class=None,
        parser_classes=[MultiPartParser, FormParser, BoundedJSONParser],
    )
    def attachments(self, request, pk=None):
        """Photos and the client's signature (JPEG, PNG or WebP), idempotent by their `id`."""
        order = self._field_order()
        context = {"request": request}
        if request.method == "GET":
            files = selectors.attachments(order)
            return Response(serializers.AttachmentSerializer(files, many=True, context=context).data)
        payload = serializers.AttachmentUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        action_data = {**data, "client_action_id": data["id"]}
        attachment, created = services.attach_file(
            order, action_context(request, action_data), kind=data["kind"], upload=data["file"]
        )
        return Response(
            serializers.AttachmentSerializer(attachment, context=context).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ScheduleBoardView(APIView):
    """The scheduling board of a day: active technicians, the orders they have that day and the
    day's open or reopened orders nobody has yet (`type`, `priority` narrow those). Dispatchers."""

    permission_classes = [ManagesOrders]

    @extend_schema(parameters=[serializers.BoardQuerySerializer], responses=serializers.BoardDaySerializer)
    def get(self, request):
        query = serializers.BoardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        technicians, orders = scheduling.day_board(
            data["date"], order_types=data.get("type", ()), priorities=[int(p) for p in data.get("priority", ())]
        )
        board = {"date": data["date"], "technicians": technicians, "orders": orders}
        return Response(serializers.BoardDaySerializer(board).data)


class ScheduleCheckView(APIView):
    """Check a proposed board without saving it: per order its start, ETA and conflicts (overlap,
    outside the shift, missing skill, time window missed given the drive, status, stale version),
    per technician and in all km, driving hours and lateness, and the routes along the streets."""

    permission_classes = [ManagesOrders]

    @extend_schema(request=serializers.BoardSerializer, responses={200: {"type": "object"}})
    def post(self, request):
        board = serializers.BoardSerializer(data=request.data)
        board.is_valid(raise_exception=True)
        report = scheduling.check_board(board.validated_data["date"], board.as_placements())
        return Response(serializers.board_report_data(report))


class ScheduleApplyView(APIView):
    """Save a whole board in one transaction, each order with the `version` read: a stale one
    answers 409 and a blocking conflict 400, and then nothing is saved."""

    permission_classes = [ManagesOrders]

    @extend_schema(request=serializers.ApplyBoardSerializer, responses={200: {"type": "object"}})
    def post(self, request):
        board = serializers.ApplyBoardSerializer(data=request.data)
        board.is_valid(raise_exception=True)
        report = scheduling.apply_board(board.validated_data["date"], board.as_placements(), request.user)
        return Response(serializers.board_report_data(report, with_routes=False))


class ScheduleRouteView(APIView):
    """The street line of a technician's drive through an ordered list of orders (from their start
    point and back to their end point), with each leg's km and minutes."""

    permission_classes = [ManagesOrders]

    @extend_schema(request=serializers.RouteLineRequestSerializer, responses={200: {"type": "object"}})
    def post(self, request):
        payload = serializers.RouteLineRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return Response(scheduling.route_line(payload.validated_data["technician"], payload.validated_data["orders"]))
