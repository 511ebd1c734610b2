"""Import an OpenStreetMap extract: the drivable street graph and the address points.

One pass over the file with pyosmium collects the routable ways (with node
locations) and the addr:* objects; the ways are split at junctions into
directed edges, and everything is written with COPY in one transaction that
first empties the three tables, so a failed import leaves the previous network
in place and a new one replaces it.
"""
import math
import time
from dataclasses import dataclass
from pathlib import Path

import osmium
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _
from tqdm import tqdm

# The network a technician's car uses. Footways, paths, cycleways, steps,
# platforms, tracks and roads under construction are left out.
ROUTABLE_HIGHWAYS = frozenset(settings.MALHA_ROAD_SPEEDS_KMH)
# Service roads stay (most condominium and back-lot accesses are service roads),
# except the aisles of car parks and drive-throughs, which are not through roads.
EXCLUDED_SERVICE = frozenset({"parking_aisle", "drive-through"})
NO_ACCESS = frozenset({"no", "private"})
ONEWAY_YES = frozenset({"yes", "true", "1"})
ONEWAY_IMPLIED_BY_JUNCTION = frozenset({"roundabout", "circular"})
ONEWAY_IMPLIED_BY_HIGHWAY = frozenset({"motorway", "motorway_link"})

FORWARD, REVERSE, BOTH = 1, -1, 0
EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class OsmImportResult:
    nodes: int
    edges: int
    oneway_edges: int
    address_points: int
    seconds: float


@dataclass
class _Way:
    osm_id: int
    highway: str
    name: str
    direction: int
    speed_kmh: float
    node_ids: list
    coords: list


def direction_of(tags):
    """FORWARD, REVERSE or BOTH from oneway, junction and highway tags."""
    oneway = tags.get("oneway", "")
    if oneway == "-1":
        return REVERSE
    if oneway == "no":
        return BOTH
    if (
        oneway in ONEWAY_YES
        or tags.get("junction") in ONEWAY_IMPLIED_BY_JUNCTION
        or tags.get("highway") in ONEWAY_IMPLIED_BY_HIGHWAY
    ):
        return FORWARD
    return BOTH


def speed_of(highway, maxspeed_tag):
    """The class speed, lowered to a numeric maxspeed (km/h, or "NN mph") when that is lower."""
    speed = float(settings.MALHA_ROAD_SPEEDS_KMH[highway])
    value, _sep, unit = (maxspeed_tag or "").strip().partition(" ")
    try:
        limit = float(value) * (1.609344 if unit == "mph" else 1)
    except ValueError:
        return speed
    return min(speed, limit) if limit > 0 else speed


def is_routable(tags):
    return (
        tags.get("highway") in ROUTABLE_HIGHWAYS
        and tags.get("area") != "yes"
        and tags.get("access") not in NO_ACCESS
        and tags.get("motor_vehicle", tags.get("vehicle")) not in NO_ACCESS
        and tags.get("service") not in EXCLUDED_SERVICE
    )


def haversine_m(coords):
    """Length in metres of a (lon, lat) polyline on the mean Earth sphere."""
    total = 0.0
    for (lon1, lat1), (lon2, lat2) in zip(coords, coords[1:]):
        phi1, phi2 = math.radians(lat1), math.radians(lat2)
        dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
        a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
        total += 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))
    return total


def _address_of(obj, coords):
    tags = obj.tags
    return (
        "n" if obj.is_node() else "w",
        obj.id,
        tags.get("addr:street", "")[:200],
        tags.get("addr:housenumber", "")[:40],
        tags.get("addr:postcode", "")[:9],
        tags.get("addr:suburb", "")[:100],
        tags.get("addr:city", "")[:100],
        coords,
    )


def read_extract(path, progress=False):
    """The routable ways and the address points of an .osm.pbf/.osm file."""
    ways, addresses = [], []
    processor = osmium.FileProcessor(str(path)).with_locations()
    with tqdm(desc=_("Reading OSM"), unit=" objects", unit_scale=True, disable=not progress) as bar:
        for obj in processor:
            bar.update()
            tags = obj.tags
            has_address = "addr:housenumber" in tags and "addr:street" in tags
            if obj.is_node():
                if has_address:
                    addresses.append(_address_of(obj, (obj.location.lon, obj.location.lat)))
                continue
            if not obj.is_way():
                continue
            nodes = [n for n in obj.nodes if n.location.valid()]
            if len(nodes) != len(obj.nodes):
                continue  # clipped at the extract's edge: its geometry is incomplete
            if has_address and obj.is_closed() and len(nodes) > 1:
                ring = nodes[:-1]
                addresses.append(_address_of(obj, (
                    sum(n.location.lon for n in ring) / len(ring),
                    sum(n.location.lat for n in ring) / len(ring),
                )))
            if len(nodes) > 1 and is_routable(tags):
                highway = tags["highway"]
                ways.append(_Way(
                    osm_id=obj.id,
                    highway=highway,
                    name=tags.get("name", tags.get("ref", ""))[:200],
                    direction=direction_of(tags),
                    speed_kmh=speed_of(highway, tags.get("maxspeed")),
                    node_ids=[n.ref for n in nodes],
                    coords=[(n.location.lon, n.location.lat) for n in nodes],
                ))
    return ways, addresses


def split_at_junctions(ways):
    """Yield (way, node_ids, coords) for each piece of a way between two junctions.

    A junction is a node used more than once by the routable ways (shared by two
    ways, or visited twice by one) or a way's end; nodes in between are only
    shape points and stay in the piece's geometry.
    """
    uses = {}
    for way in ways:
        for node_id in way.node_ids:
            uses[node_id] = uses.get(node_id, 0) + 1
    for way in ways:
        start = 0
        last = len(way.node_ids) - 1
        for i in range(1, last + 1):
            if i == last or uses[way.node_ids[i]] > 1:
                yield way, way.node_ids[start:i + 1], way.coords[start:i + 1]
                start = i


def _linestring(coords):
    return "SRID=4326;LINESTRING(" + ",".join(f"{x:.7f} {y:.7f}" for x, y in coords) + ")"


def build_graph(ways, progress=False):
    """Junction nodes {osm_id: (id, lon, lat)} and directed edge rows for COPY."""
    nodes, edges = {}, []

    def node_id(osm_id, coord):
        if osm_id not in nodes:
            nodes[osm_id] = (len(nodes) + 1, *coord)
        return nodes[osm_id][0]

    pieces = tqdm(split_at_junctions(ways), desc=_("Building the street graph"), unit=" segments",
                  disable=not progress)
    for way, node_ids, coords in pieces:
        length = haversine_m(coords)
        if length == 0:
            continue  # repeated node: no movement, no edge
        source = node_id(node_ids[0], coords[0])
        target = node_id(node_ids[-1], coords[-1])
        seconds = length / (way.speed_kmh / 3.6)
        oneway = way.direction != BOTH
        common = (way.osm_id, way.name, way.highway, oneway, length, way.speed_kmh, seconds)
        if way.direction in (FORWARD, BOTH):
            edges.append((source, target, *common, _linestring(coords)))
        if way.direction in (REVERSE, BOTH):
            edges.append((target, source, *common, _linestring(coords[::-1])))
    return nodes, edges


def _copy(cursor, table, columns, rows):
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _write(nodes, edges, addresses):
    with connection.cursor() as cursor:
        # Deferred foreign-key checks queued earlier in this transaction (a previous
        # import inside the same outer transaction) would make TRUNCATE fail: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE geo_roadedge, geo_roadnode, geo_addresspoint RESTART IDENTITY")
        _copy(cursor, "geo_roadnode", ("id", "osm_id", "point"), (
            (pk, osm_id, f"SRID=4326;POINT({lon:.7f} {lat:.7f})")
            for osm_id, (pk, lon, lat) in nodes.items()
        ))
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('geo_roadnode', 'id'), GREATEST(%s, 1), %s)",
            [len(nodes), bool(nodes)],
        )
        _copy(cursor, "geo_roadedge", (
            "source_id", "target_id", "osm_way_id", "name", "highway", "oneway", "length_m",
            "speed_kmh", "travel_time_s", "geom",
        ), edges)
        _copy(cursor, "geo_addresspoint", (
            "osm_type", "osm_id", "street", "housenumber", "postcode", "suburb", "city", "point",
        ), (
            (*fields, f"SRID=4326;POINT({lon:.7f} {lat:.7f})")
            for *fields, (lon, lat) in addresses
        ))
        cursor.execute("ANALYZE geo_roadnode, geo_roadedge, geo_addresspoint")
        # The street names geocoding matches against (gis/migrations/0003_search_indexes.py).
        cursor.execute("REFRESH MATERIALIZED VIEW geo_streetname")


def import_osm(path, *, progress=False):
    """Replace the road network and address points with those of the extract at `path`."""
    started = time.monotonic()
    path = Path(path)
    if not path.is_file():
        raise ValidationError(
            _("OSM file not found: %(path)s. Download an extract (.osm.pbf) of your region, "
              "e.g. from download.geofabrik.de, and pass its path."),
            code="missing", params={"path": path},
        )
    try:
        ways, addresses = read_extract(path, progress)
    except RuntimeError as error:  # pyosmium's error for unreadable or non-OSM files
        raise ValidationError(
            _("%(path)s is not a readable OpenStreetMap file (.osm.pbf or .osm): %(error)s"),
            code="unreadable", params={"path": path, "error": error},
        ) from error
    if not ways:
        raise ValidationError(
            _("%(path)s has no drivable streets: nothing was imported."),
            code="empty", params={"path": path},
        )
    nodes, edges = build_graph(ways, progress)
    with transaction.atomic():
        _write(nodes, edges, addresses)
    return OsmImportResult(
        nodes=len(nodes),
        edges=len(edges),
        oneway_edges=sum(1 for edge in edges if edge[5]),
        address_points=len(addresses),
        seconds=time.monotonic() - started,
    )
