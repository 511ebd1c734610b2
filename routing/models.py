"""Route plans: what the optimiser proposed for a day, kept until accepted or discarded.

Times are stored as the wall-clock moments the dispatcher and technician read;
durations in whole seconds and distances in metres, so totals add up exactly.
"""
from django.conf import settings
from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Objective, PlanStatus, UnassignedReason


class RouteTotals(models.Model):
    """What a route, and the whole plan, add up to."""

    meters = models.PositiveIntegerField(_("distance (m)"), default=0)
    driving_seconds = models.PositiveIntegerField(_("driving time (s)"), default=0)
    service_seconds = models.PositiveIntegerField(_("service time (s)"), default=0)
    waiting_seconds = models.PositiveIntegerField(_("waiting time (s)"), default=0)
    lateness_seconds = models.PositiveIntegerField(_("lateness (s)"), default=0)

    class Meta:
        abstract = True

    def summary(self):
        """The totals in the units people read: km, hours and minutes."""
        return {
            "km": round(self.meters / 1000, 2),
            "driving_hours": round(self.driving_seconds / 3600, 2),
            "service_hours": round(self.service_seconds / 3600, 2),
            "waiting_hours": round(self.waiting_seconds / 3600, 2),
            "lateness_minutes": round(self.lateness_seconds / 60, 1),
        }


class RoutePlan(RouteTotals):
    date = models.DateField(_("date"), db_index=True)
    technicians = models.ManyToManyField(
        "fieldops.Technician", verbose_name=_("technicians"), related_name="route_plans"
    )
    orders = models.ManyToManyField(
        "fieldops.ServiceOrder", verbose_name=_("service orders"), related_name="route_plans"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.SET_NULL,
        null=True, related_name="route_plans",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.QUEUED, db_index=True
    )
    objective = models.CharField(_("objective"), max_length=10, choices=Objective.choices, default=Objective.TIME)
    technician_cost = models.PositiveIntegerField(
        _("cost per technician used"), default=0,
        help_text=_("In objective units (seconds or metres): higher uses fewer technicians."),
    )
    balance = models.PositiveSmallIntegerField(
        _("balancing weight"), default=0, help_text=_("Higher evens out the technicians' days.")
    )
    time_budget_s = models.PositiveSmallIntegerField(_("time budget (s)"))
    served_count = models.PositiveIntegerField(_("orders served"), default=0)
    unassigned_count = models.PositiveIntegerField(_("orders unassigned"), default=0)
    best_cost = models.BigIntegerField(_("best cost"), null=True, blank=True)
    error_message = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    solved_at = models.DateTimeField(_("solved at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("accepted or discarded at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("accepted or discarded by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )

    class Meta:
        verbose_name = _("route plan")
        verbose_name_plural = _("route plans")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.date} #{self.pk}"


class Route(RouteTotals):
    """One technician's day in a plan."""

    plan = models.ForeignKey(RoutePlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="routes")
    technician = models.ForeignKey(
        "fieldops.Technician", verbose_name=_("technician"), on_delete=models.PROTECT, related_name="routes"
    )
    departure = models.DateTimeField(_("departure"))
    return_at = models.DateTimeField(_("back at"))
    lunch_start = models.DateTimeField(_("lunch start"), null=True, blank=True)
    geometry = models.MultiLineStringField(_("street geometry"), srid=4326, null=True, blank=True)

    class Meta:
        verbose_name = _("route")
        verbose_name_plural = _("routes")
        ordering = ["plan", "technician_id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "technician"], name="routing_one_route_per_technician")
        ]

    def __str__(self):
        return f"{self.plan} {self.technician}"


class RouteStop(models.Model):
    route = models.ForeignKey(Route, verbose_name=_("route"), on_delete=models.CASCADE, related_name="stops")
    order = models.ForeignKey(
        "fieldops.ServiceOrder", verbose_name=_("service order"), on_delete=models.PROTECT,
        related_name="route_stops",
    )
    sequence = models.PositiveSmallIntegerField(_("sequence"))
    arrival = models.DateTimeField(_("arrival"))
    service_start = models.DateTimeField(_("service start"))
    departure = models.DateTimeField(_("departure"))
    wait_seconds = models.PositiveIntegerField(_("wait (s)"), default=0)
    leg_meters = models.PositiveIntegerField(_("leg distance (m)"))
    leg_seconds = models.PositiveIntegerField(_("leg driving time (s)"))
    leg_geometry = models.LineStringField(_("leg street geometry"), srid=4326)
    fixed = models.BooleanField(
        _("fixed"), default=False, help_text=_("In progress when planned: kept with its technician.")
    )
    # The order as the plan saw it: accepting refuses when it has changed since.
    order_updated_at = models.DateTimeField(_("order last changed"))

    class Meta:
        verbose_name = _("route stop")
        verbose_name_plural = _("route stops")
        ordering = ["route", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["route", "sequence"], name="routing_stop_sequence_unique")
        ]


class UnassignedOrder(models.Model):
    plan = models.ForeignKey(
        RoutePlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="unassigned"
    )
    order = models.ForeignKey(
        "fieldops.ServiceOrder", verbose_name=_("service order"), on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=30, choices=UnassignedReason.choices)

    class Meta:
        verbose_name = _("unassigned order")
        verbose_name_plural = _("unassigned orders")
        ordering = ["plan", "order_id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "order"], name="routing_unassigned_once")
        ]
