import json

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from fieldops.models import ServiceOrder, Technician
from routing.choices import Objective
from routing.live import totals
from routing.models import Route, RoutePlan, RouteStop, UnassignedOrder
from routing.selectors import PLANNABLE_STATUSES


class RoutePlanRequestSerializer(serializers.Serializer):
    """What to optimise. Leave `technicians` out for every active technician, and `orders` out
    for the orders whose window touches `date` in `order_statuses`."""

    date = serializers.DateField(label=_("date"))
    technicians = serializers.PrimaryKeyRelatedField(
        label=_("technicians"), many=True, required=False, queryset=Technician.objects.all()
    )
    orders = serializers.PrimaryKeyRelatedField(
        label=_("service orders"), many=True, required=False, queryset=ServiceOrder.objects.all()
    )
    order_statuses = serializers.MultipleChoiceField(
        label=_("order statuses"), required=False,
        choices=[(status.value, status.label) for status in PLANNABLE_STATUSES],
    )
    objective = serializers.ChoiceField(label=_("objective"), choices=Objective.choices, default=Objective.TIME)
    time_budget_s = serializers.IntegerField(label=_("time budget (s)"), required=False)
    technician_cost = serializers.IntegerField(label=_("cost per technician used"), min_value=0, default=0)
    balance = serializers.IntegerField(label=_("balancing weight"), min_value=0, max_value=1000, default=0)


class MyRouteQuerySerializer(serializers.Serializer):
    date = serializers.DateField(label=_("date"))


class StopSerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(source="order.number", read_only=True)
    address = serializers.CharField(source="order.address_text", read_only=True)
    point = serializers.SerializerMethodField()
    window_start = serializers.DateTimeField(source="order.window_start", read_only=True)
    window_end = serializers.DateTimeField(source="order.window_end", read_only=True)
    leg_km = serializers.SerializerMethodField()
    leg_minutes = serializers.SerializerMethodField()

    class Meta:
        model = RouteStop
        fields = [
            "sequence", "order", "order_number", "address", "point", "window_start", "window_end",
            "arrival", "service_start", "departure", "wait_seconds", "leg_km", "leg_minutes", "fixed",
        ]

    def get_point(self, stop) -> list[float]:
        return list(stop.order.point.coords)

    def get_leg_km(self, stop) -> float:
        return round(stop.leg_meters / 1000, 2)

    def get_leg_minutes(self, stop) -> float:
        return round(stop.leg_seconds / 60, 1)


def route_totals(route):
    return {**route.summary(), "stops": len(route.stops.all())}


class RouteSerializer(serializers.ModelSerializer):
    technician_name = serializers.CharField(source="technician.__str__", read_only=True)
    totals = serializers.SerializerMethodField()
    stops = StopSerializer(many=True, read_only=True)

    class Meta:
        model = Route
        fields = ["id", "technician", "technician_name", "departure", "return_at", "lunch_start", "totals", "stops"]

    def get_totals(self, route) -> dict:
        return route_totals(route)


class UnassignedSerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(source="order.number", read_only=True)
    reason_label = serializers.CharField(source="get_reason_display", read_only=True)

    class Meta:
        model = UnassignedOrder
        fields = ["order", "order_number", "reason", "reason_label"]


class RoutePlanSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    totals = serializers.SerializerMethodField()

    class Meta:
        model = RoutePlan
        fields = [
            "id", "date", "status", "status_label", "objective", "time_budget_s", "technician_cost",
            "balance", "technicians", "requested_by", "created_at", "solved_at", "decided_at",
            "totals", "error_message",
        ]

    def get_totals(self, plan) -> dict:
        return totals(plan)


class RoutePlanDetailSerializer(RoutePlanSerializer):
    routes = RouteSerializer(many=True, read_only=True)
    unassigned = UnassignedSerializer(many=True, read_only=True)

    class Meta(RoutePlanSerializer.Meta):
        fields = [*RoutePlanSerializer.Meta.fields, "routes", "unassigned"]


def plan_feature_collection(routes):
    """Route lines (MultiLineString along the streets) and their stops, for the map."""
    features = []
    for route in routes:
        technician = {"technician": route.technician_id, "technician_name": str(route.technician)}
        if route.geometry:
            features.append({
                "type": "Feature", "geometry": json.loads(route.geometry.geojson),
                "properties": {"kind": "route", **technician, **route_totals(route)},
            })
        for stop in route.stops.all():
            features.append({
                "type": "Feature", "geometry": json.loads(stop.order.point.geojson),
                "properties": {
                    "kind": "stop", **technician, "sequence": stop.sequence, "order": stop.order_id,
                    "order_number": stop.order.number, "arrival": stop.arrival.isoformat(),
                    "service_start": stop.service_start.isoformat(), "fixed": stop.fixed,
                },
            })
    return {"type": "FeatureCollection", "features": features}
