"""Can this address be served? Coverage, a box with a free port within a drop's walk, plans.

An address is geocoded (gis.geocoding) or a point is given. The answer is viable when the
point lies in an active coverage area and a CTO box with a free port is at most the
maximum drop length away WALKING along the streets (gis.walking: one-way streets do
not matter to a drop; the legs from the point and the box to the street count). A walk
is never shorter than the straight line, so only the boxes within the drop length in a
straight line are looked at, their free ports counted in SQL (gis.selectors.cto_boxes_near),
and one Dijkstra bounded by the drop length ranks them. Full boxes are skipped.

Every check, even an address that did not geocode, is recorded as a ViabilityCheck (who,
channel, where, what came out) for the sales reports.
"""
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from billing.selectors import plan_list
from core.roles import Role
from crm.sales.choices import ViabilityReason
from crm.sales.models import ViabilityCheck
from gis import geocoding
from gis.selectors import coverage_area_list, cto_boxes_near
from gis.walking import WalkSearch

MAX_BOXES = 5  # candidate boxes answered, nearest walk first
VIABILITY_ROLES = (Role.ADMIN, Role.DISPATCHER, Role.SALES)


class AddressNotFound(ValidationError):
    """The address did not geocode well enough to answer: the caller should offer the map pin.

    `suggestion` is the best (too vague) match to centre the map on, or None."""

    def __init__(self, check, suggestion=None):
        super().__init__(
            _("We could not find this address. Check the street and number, or place a pin on the map."),
            code=ViabilityReason.ADDRESS_NOT_FOUND,
        )
        self.check = check
        self.suggestion = suggestion


@dataclass
class Viability:
    """The answer (`as_dict()` is the API's shape) and the check recorded for it."""

    check: ViabilityCheck
    point: tuple
    reasons: list
    geocode: dict | None = None
    coverage_area: object = None
    boxes: list = field(default_factory=list)
    plans: list = field(default_factory=list)

    @property
    def viable(self):
        return self.check.viable

    @property
    def chosen_box(self):
        return self.boxes[0] if self.viable else None

    def as_dict(self):
        area = self.coverage_area
        return {
            "viable": self.viable,
            "reasons": self.reasons,
            "point": {"lon": round(self.point[0], 7), "lat": round(self.point[1], 7)},
            "geocode": self.geocode,
            "coverage_area": {"id": area.pk, "name": area.name} if area else None,
            "boxes": self.boxes,
            "chosen_box": self.chosen_box,
            "plans": self.plans,
            "max_drop_m": self.check.result["max_drop_m"],
            "check_id": self.check.pk,
        }


def may_check_viability(user):
    """Sales reps, dispatchers and administrators check viability (the public widget aside)."""
    return user.is_authenticated and (
        user.is_superuser or user.groups.filter(name__in=[role.value for role in VIABILITY_ROLES]).exists()
    )


def max_drop_length(requested=None):
    """The drop length to use: the request's, never above settings.MALHA_MAX_DROP_M."""
    ceiling = float(settings.MALHA_MAX_DROP_M)
    return ceiling if requested is None else min(float(requested), ceiling)


def check_viability(
    *, address="", lon=None, lat=None, user=None, channel=None, max_drop_m=None, client_ip=None
):
    """Answer for `address` (geocoded) or the point (lon, lat); record it. Raises AddressNotFound."""
    max_drop = max_drop_length(max_drop_m)
    record = {
        "user": user if user is not None and user.is_authenticated else None,
        "channel": channel, "address_text": address[:300], "client_ip": client_ip,
    }
    geocoded = None
    if lon is None or lat is None:
        geocoded = _geocode(address, record, max_drop)
        lon, lat = geocoded.lon, geocoded.lat
        record["geocode_confidence"] = round(geocoded.confidence, 3)
    point = Point(float(lon), float(lat), srid=4326)
    area = coverage_area_list().filter(active=True, area__intersects=point).order_by("name").first()
    candidates = cto_boxes_near(point.x, point.y, max_drop)  # a walk is never shorter than this
    search = WalkSearch((point.x, point.y), [(box.lon, box.lat) for box in candidates], max_drop)
    reached = sorted((meters, j) for j, meters in enumerate(search.meters) if meters is not None)
    free = [(meters, j) for meters, j in reached if candidates[j].ports_free > 0][:MAX_BOXES]
    paths = search.paths([j for _meters, j in free])
    boxes = [_box_answer(candidates[j], meters, paths[j]) for meters, j in free]
    reasons = _reasons(area, search, reached, boxes, max_drop)
    viable = not reasons
    if viable:
        reasons = [_reason(
            ViabilityReason.VIABLE,
            _("Viable: box %(box)s has %(free)d free port(s) %(distance)d m away along the streets.")
            % {"box": boxes[0]["name"], "free": boxes[0]["free_ports"], "distance": round(boxes[0]["walking_distance_m"])},
        )]
    check = _record(
        **record, point=point, viable=viable, reason=reasons[0]["code"], coverage_area=area,
        box_id=boxes[0]["id"] if viable else None,
        walking_distance_m=boxes[0]["walking_distance_m"] if viable else None,
        result={
            "max_drop_m": max_drop,
            "reasons": [reason["code"] for reason in reasons],
            "boxes": [{key: value for key, value in box.items() if key != "path"} for box in boxes],
        },
    )
    return Viability(
        check=check, point=(point.x, point.y), reasons=reasons,
        geocode=geocoded.as_dict() if geocoded else None, coverage_area=area, boxes=boxes,
        plans=_plans() if viable else [],
    )


def _record(**fields):
    """Save the check without waiting for its WAL flush: a log row, not worth a disk sync
    per check (a crash may lose the last moment's checks, never corrupt anything). Only when the
    check is its own transaction: SET LOCAL would also relax a caller's writes (a lead, a load)."""
    if connection.in_atomic_block:
        return ViabilityCheck.objects.create(**fields)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        return ViabilityCheck.objects.create(**fields)


def _geocode(address, record, max_drop):
    results = geocoding.geocode(address, limit=1) if address.strip() else []
    best = results[0] if results else None
    if best is not None and best.confidence >= settings.MALHA_GEOCODING_MIN_CONFIDENCE:
        return best
    check = _record(
        **record, reason=ViabilityReason.ADDRESS_NOT_FOUND,
        geocode_confidence=round(best.confidence, 3) if best else None,
        result={"max_drop_m": max_drop, "reasons": [ViabilityReason.ADDRESS_NOT_FOUND.value]},
    )
    raise AddressNotFound(check, suggestion=best.as_dict() if best else None)


def _box_answer(box, meters, path):
    return {
        "id": box.id,
        "name": box.code,
        "free_ports": box.ports_free,
        "ports_total": box.ports_total,
        "walking_distance_m": round(meters, 1),
        "straight_distance_m": round(box.straight_m, 1),
        "point": {"lon": round(box.lon, 7), "lat": round(box.lat, 7)},
        "path": {"type": "LineString", "coordinates": [[round(x, 7), round(y, 7)] for x, y in path]},
    }


def _reason(code, message):
    return {"code": str(code), "message": message}


def _reasons(area, search, reached, boxes, max_drop):
    """Why the point is not viable, most basic first; empty when it is."""
    reasons = []
    if area is None:
        reasons.append(_reason(ViabilityReason.OUTSIDE_COVERAGE, _("This address is outside every coverage area.")))
    if not search.origin_snapped:
        reasons.append(_reason(
            ViabilityReason.OFF_NETWORK, _("This point is too far from any street to lay a drop cable.")
        ))
    elif not reached:
        reasons.append(_reason(
            ViabilityReason.NO_BOX_WITHIN_REACH,
            _("No box within %(max)d m walking along the streets.") % {"max": round(max_drop)},
        ))
    elif not boxes:
        reasons.append(_reason(
            ViabilityReason.NO_FREE_PORT,
            _("The boxes within %(max)d m along the streets have no free port.") % {"max": round(max_drop)},
        ))
    return reasons


def _plans():
    """The plans on sale (plans are not tied to coverage areas: every area sells them all)."""
    return [
        {"id": plan.pk, "name": plan.name, "download_mbps": plan.download_mbps,
         "upload_mbps": plan.upload_mbps, "price": str(plan.monthly_price)}
        for plan in plan_list().filter(active=True).order_by("monthly_price", "name")
    ]
