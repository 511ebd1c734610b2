"""Geography reads: plant with derived occupancy, the road graph and OSM addresses."""

import json
import math
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, F, Max, Q, Sum

from .models import AddressPoint, Cable, CoverageArea, CtoBox, Olt, Pop, RoadEdge

M_PER_DEGREE = 111_320.0
# The statuses in which a contract attached to a box holds its port; billing registers them
# (billing.choices.PORT_HOLDING_STATUSES) in BillingConfig.ready.
_port_holding = {"statuses": ()}


def register_port_holding_statuses(statuses):
    _port_holding["statuses"] = tuple(str(status) for status in statuses)


def _holding():
    return Q(contracts__status__in=_port_holding["statuses"])


def coverage_area_list():
    return CoverageArea.objects.all()


def pop_list():
    return Pop.objects.all()


def olt_list():
    return Olt.objects.select_related("pop")


def cto_boxes_with_occupancy():
    """Boxes annotated with `ports_used`, `ports_free` and `highest_port_used`.

    Occupancy is never stored: a port is used while a contract in a port-holding
    status (registered by billing) points at it.
    """
    return (
        CtoBox.objects.select_related("olt")
        .annotate(
            ports_used=Count("contracts", filter=_holding()),
            highest_port_used=Max("contracts__cto_port", filter=_holding()),
        )
        .annotate(ports_free=F("ports_total") - F("ports_used"))
        .order_by("code")
    )


@dataclass(frozen=True)
class NearBox:
    id: int
    code: str
    ports_total: int
    ports_free: int
    lon: float
    lat: float
    straight_m: float


def cto_boxes_near(lon, lat, radius_m):
    """Boxes at most `radius_m` from (lon, lat) in a straight line, nearest first, with their free
    ports, as NearBox rows: one index-backed query (a box in degrees, then geography metres)."""
    degrees = radius_m / (M_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01)) * 1.01
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH here AS (SELECT ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326) AS p)
            SELECT b.id, b.code, b.ports_total,
                   b.ports_total - (SELECT count(*) FROM billing_contract c
                                    WHERE c.cto_box_id = b.id AND c.status = ANY(%(holding)s)),
                   ST_X(b.point), ST_Y(b.point), ST_Distance(b.point::geography, here.p::geography) AS d
            FROM geo_ctobox b, here
            WHERE ST_DWithin(b.point, here.p, %(degrees)s)
              AND ST_DWithin(b.point::geography, here.p::geography, %(radius)s)
            ORDER BY d, b.code
            """,
            {"lon": lon, "lat": lat, "degrees": degrees, "radius": radius_m,
             "holding": list(_port_holding["statuses"])},
        )
        return [NearBox(*row) for row in cursor.fetchall()]


def cto_box_for_update(pk):
    """The box row-locked until the transaction ends, so two contracts cannot take one port."""
    return CtoBox.objects.select_for_update().get(pk=pk)


def cable_list():
    return Cable.objects.select_related("olt")


def road_edge_list():
    return RoadEdge.objects.order_by("id")


def address_point_list():
    return AddressPoint.objects.order_by("id")


# Road classes drawn on overview maps: enough to recognise the city, light enough to ship.
MAIN_ROAD_CLASSES = ("motorway", "trunk", "primary", "secondary", "tertiary")


def _road_lines_geojson(where, params, tolerance_m):
    """The road edges matching `where` (SQL on geo_roadedge, with `params`) as one GeoJSON
    FeatureCollection, simplified by `tolerance_m`, one line per direction pair."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT json_build_object('type', 'FeatureCollection', 'features',
                   COALESCE(json_agg(json_build_object(
                       'type', 'Feature', 'properties', json_build_object('name', name),
                       'geometry', ST_AsGeoJSON(ST_Simplify(geom, %s), 6)::json)), '[]'::json))
            FROM geo_roadedge
            WHERE {where} AND (oneway OR source_id < target_id)
            """,
            [tolerance_m / 111_000, *params],
        )
        return cursor.fetchone()[0]


def main_roads_geojson(tolerance_m=5):
    """Main streets as one GeoJSON FeatureCollection, simplified, one line per direction pair."""
    return _road_lines_geojson("highway = ANY(%s)", [list(MAIN_ROAD_CLASSES)], tolerance_m)


def streets_in_bbox_geojson(bbox, tolerance_m=2):
    """Every street crossing `bbox` (xmin, ymin, xmax, ymax) as one GeoJSON FeatureCollection,
    one line per direction pair: the base of a printed map, which has no tiles."""
    return _road_lines_geojson("geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326)", bbox, tolerance_m)


def coverage_geojson():
    features = [
        {"type": "Feature", "properties": {"name": area.name}, "geometry": json.loads(area.area.geojson)}
        for area in CoverageArea.objects.filter(active=True)
    ]
    return {"type": "FeatureCollection", "features": features}


def plant_summary():
    """Totals of the fibre plant: boxes, ports and how many are used."""
    totals = CtoBox.objects.aggregate(boxes=Count("id"), ports_total=Sum("ports_total"))
    used = CtoBox.objects.filter(_holding()).aggregate(ports_used=Count("contracts"))
    return {key: value or 0 for key, value in {**totals, **used}.items()}
