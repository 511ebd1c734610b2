"""What the dispatcher map needs for its scheduling mode and its live board."""
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from fieldops.choices import OrderType, Priority
from fieldops.selectors import manages_orders


def _template(name):
    """A route's URL with an `{id}` placeholder for the browser to fill in."""
    return reverse(name, args=[0]).replace("/0/", "/{id}/")


def schedule_config(user):
    """URLs and choices of the scheduling board and the optimiser; None for those who do not dispatch."""
    if not manages_orders(user):
        return None
    return {
        "board": reverse("fieldops-api:schedule-board"),
        "check": reverse("fieldops-api:schedule-check"),
        "apply": reverse("fieldops-api:schedule-apply"),
        "plans": reverse("routing-api:routeplan-list"),
        "plan": _template("routing-api:routeplan-detail"),
        "plan_accept": _template("routing-api:routeplan-accept"),
        "plan_discard": _template("routing-api:routeplan-discard"),
        "plan_geojson": _template("routing-api:routeplan-geojson"),
        "plan_socket": "/ws/routing/plans/{id}/",
        "plan_seconds": settings.MALHA_ROUTING_PLAN_DEFAULT_SECONDS,
        "today": timezone.localdate().isoformat(),
        "order_types": [[value, str(label)] for value, label in OrderType.choices],
        "priorities": [[value, str(label)] for value, label in Priority.choices],
    }


def live_config(user):
    """Where the map hears technicians move and orders change; None for those not allowed to."""
    if not manages_orders(user):
        return None
    return {
        "socket": "/ws/fieldops/live/",
        "technicians": reverse("fieldops-api:technician-geojson"),
    }
