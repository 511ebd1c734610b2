"""Geography reads: plant with derived occupancy, the road graph and OSM addresses."""

from django.db.models import Count, F, Max, Q

from billing.choices import PORT_HOLDING_STATUSES

from .models import AddressPoint, Cable, CoverageArea, CtoBox, Olt, Pop, RoadEdge

_HOLDING = Q(contracts__status__in=PORT_HOLDING_STATUSES)


def coverage_area_list():
    return CoverageArea.objects.all()


def pop_list():
    return Pop.objects.all()


def olt_list():
    return Olt.objects.select_related("pop")


def cto_boxes_with_occupancy():
    """Boxes annotated with `ports_used`, `ports_free` and `highest_port_used`.

    Occupancy is never stored: a port is used while a contract that holds a
    port (billing.choices.PORT_HOLDING_STATUSES) points at it.
    """
    return (
        CtoBox.objects.select_related("olt")
        .annotate(
            ports_used=Count("contracts", filter=_HOLDING),
            highest_port_used=Max("contracts__cto_port", filter=_HOLDING),
        )
        .annotate(ports_free=F("ports_total") - F("ports_used"))
        .order_by("code")
    )


def cto_box_for_update(pk):
    """The box row-locked until the transaction ends, so two contracts cannot take one port."""
    return CtoBox.objects.select_for_update().get(pk=pk)


def cable_list():
    return Cable.objects.select_related("olt")


def road_edge_list():
    return RoadEdge.objects.order_by("id")


def address_point_list():
    return AddressPoint.objects.order_by("id")
