"""The fibre plant: a POP at the city's centre, its OLTs, CTO boxes where people live,
cables along the streets and the coverage areas around the boxes."""
import math
from collections import defaultdict
from dataclasses import dataclass

import shapely

from django.conf import settings
from django.contrib.gis.db.models.functions import Length
from django.contrib.gis.geos import LineString
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _
from shapely.ops import substring

from gis.choices import CableKind
from gis.models import Cable, CtoBox, Olt, Pop

from .catalogue import OLT_MODELS
from .city import HEX_RADIUS_M, Site, metric_point

BOX_PORT_CHOICES = (8, 16, 16)
TARGET_OCCUPANCY = 0.7  # leaves free ports for new sales
BOX_SPACING_M = 50
BOX_KERB_OFFSET_M = 3  # on a pole at the kerb
DROP_REACH_M = 250  # straight line from a client to its box; a drop cable follows the street
COVERAGE_RADIUS_M = 300
OLT_COUNT = 4
BOXES_PER_PON_PORT = 8  # a 1:8 splitter feeds eight boxes, each splitting 1:8 or 1:16 again
PON_BOARD_PORTS = 16
PLACEMENT_ATTEMPTS_PER_BOX = 100
CLUSTER_CELL_M = 600  # boxes in one such square share a feeder
CABLE_FIBRES = {CableKind.FEEDER: 72, CableKind.DISTRIBUTION: 12}


def boxes_needed(port_holders):
    """Boxes for that many clients at TARGET_OCCUPANCY: real CTOs have 8 or 16 ports."""
    mean_ports = sum(BOX_PORT_CHOICES) / len(BOX_PORT_CHOICES)
    return max(1, math.ceil(port_holders / (mean_ports * TARGET_OCCUPANCY)))


class GridIndex:
    """Points bucketed in square cells: "what is within r metres" without a database trip."""

    def __init__(self, cell_m):
        self.cell_m = cell_m
        self.cells = defaultdict(list)

    def key(self, x, y):
        return int(x // self.cell_m), int(y // self.cell_m)

    def add(self, x, y, item):
        self.cells[self.key(x, y)].append((x, y, item))

    def within(self, x, y, radius_m):
        """(distance, item) pairs within radius_m, nearest first (ties in insertion order)."""
        reach = math.ceil(radius_m / self.cell_m)
        cx, cy = self.key(x, y)
        found = []
        for dx in range(-reach, reach + 1):
            for dy in range(-reach, reach + 1):
                for px, py, item in self.cells.get((cx + dx, cy + dy), ()):
                    distance = math.dist((x, y), (px, py))
                    if distance <= radius_m:
                        found.append((distance, len(found), item))
        return [(distance, item) for distance, _order, item in sorted(found)]


@dataclass
class BoxSpot:
    """A placed box and its way to the POP along the streets."""

    site: Site
    to_pop_m: float
    junction: int  # the end of the box's street segment nearer the POP
    stretch: shapely.LineString  # from the box's street point to that junction
    box: CtoBox | None = None


class Plant:
    """The boxes as placed, with their free ports, for attaching each client to the nearest."""

    def __init__(self, pop, spots):
        self.pop = pop
        self.spots = spots
        self.free_ports = {
            spot.box.code: list(range(spot.box.ports_total, 0, -1)) for spot in spots
        }
        self.index = GridIndex(DROP_REACH_M)
        for spot in spots:
            self.index.add(spot.site.x, spot.site.y, spot.box)

    def nearest_box(self, x, y, with_free_port):
        for _distance, box in self.index.within(x, y, DROP_REACH_M):
            if not with_free_port or self.free_ports[box.code]:
                return box
        return None

    def spots_with_free_port(self):
        return [spot for spot in self.spots if self.free_ports[spot.box.code]]

    def take_port(self, box):
        return self.free_ports[box.code].pop()  # the lowest free port number


def create_plant(run, city, box_count):
    """The POP at the hub, boxes where people live grouped in clusters, one OLT per
    sector of the city, cables and coverage."""
    rng = run.rng("plant")
    hub_xy = city.node_xy[city.hub]
    pop = Pop.objects.create(code="POP-01", name="POP Centro", point=metric_point(*hub_xy))
    distance, parent = city.shortest_path_tree(city.hub)
    spots = [spot_on_tree(distance, site) for site in place_boxes(run, rng, city, box_count)]
    clusters = clusters_by_bearing(spots, hub_xy)
    boxes = []
    for number, sector in enumerate(split_in_sectors(clusters, len(spots)), start=1):
        in_olt = [spot for cluster in sector for spot in cluster]
        pon_ports = math.ceil(len(in_olt) / BOXES_PER_PON_PORT / PON_BOARD_PORTS) * PON_BOARD_PORTS
        olt = Olt.objects.create(
            pop=pop, code=f"OLT-{number:02d}", name=f"OLT {number:02d}",
            vendor=OLT_MODELS[(number - 1) % len(OLT_MODELS)], pon_ports=pon_ports,
        )
        for position, spot in enumerate(in_olt):
            spot.box = CtoBox(
                code=f"CTO-{len(boxes) + 1:04d}", olt=olt,
                pon_port=position // BOXES_PER_PON_PORT + 1,
                ports_total=rng.choice(BOX_PORT_CHOICES), point=spot.site.point,
                street=spot.site.edge.name,
            )
            boxes.append(spot.box)
    run.save(CtoBox, boxes, _("Saving CTO boxes"))
    lay_cables(run, city, parent, clusters)
    draw_coverage()
    return Plant(pop, spots)


def place_boxes(run, rng, city, count):
    """Box sites on residential streets, as many where many people live, never crowded."""
    taken = GridIndex(BOX_SPACING_M)
    sites = []
    with run.bar(total=count, desc=_("Placing CTO boxes")) as bar:
        for _attempt in range(count * PLACEMENT_ATTEMPTS_PER_BOX):
            if len(sites) == count:
                break
            site = city.site_near(rng, *city.pick_hex(rng), HEX_RADIUS_M, BOX_KERB_OFFSET_M)
            if site is None or taken.within(site.x, site.y, BOX_SPACING_M):
                continue
            taken.add(site.x, site.y, site)
            sites.append(site)
            bar.update()
    if len(sites) < count:
        raise ValidationError(
            _("Only %(placed)s of %(count)s boxes fit %(spacing)s m apart on the populated streets: "
              "ask for fewer boxes.") % {"placed": len(sites), "count": count, "spacing": BOX_SPACING_M}
        )
    return sites


def spot_on_tree(distance, site):
    """The box at `site` and the nearer way, through either end of its street segment, to the POP."""
    edge, line = site.edge, site.edge.line
    ways = (
        (distance[edge.source] + site.along_m, edge.source, substring(line, site.along_m, 0)),
        (distance[edge.target] + line.length - site.along_m, edge.target,
         substring(line, site.along_m, line.length)),
    )
    return BoxSpot(site, *min(ways, key=lambda way: way[0]))


def clusters_by_bearing(spots, hub_xy):
    """Boxes grouped by CLUSTER_CELL_M squares, the groups in bearing order from the POP and
    each group's boxes nearest the POP first."""
    cells = defaultdict(list)
    for spot in spots:
        cells[(int(spot.site.x // CLUSTER_CELL_M), int(spot.site.y // CLUSTER_CELL_M))].append(spot)

    def bearing(item):
        key, members = item
        x = sum(spot.site.x for spot in members) / len(members)
        y = sum(spot.site.y for spot in members) / len(members)
        return math.atan2(y - hub_xy[1], x - hub_xy[0]), key

    return [sorted(members, key=lambda spot: spot.to_pop_m)
            for _key, members in sorted(cells.items(), key=bearing)]


def split_in_sectors(clusters, box_count):
    """The clusters in OLT_COUNT runs of about the same number of boxes."""
    sectors = [[] for _olt in range(OLT_COUNT)]
    seen = 0
    for cluster in clusters:
        sectors[seen * OLT_COUNT // box_count].append(cluster)
        seen += len(cluster)
    return [sector for sector in sectors if sector]


def lay_cables(run, city, parent, clusters):
    """Cables along the streets, following the shortest-path tree from the POP.

    A feeder runs from the POP to the box of each cluster nearest the POP, then the
    other boxes get a distribution cable to the nearest point already cabled on
    their way to the POP. Each cable stops where it meets one laid before, so no
    stretch of street is cabled twice at one level.
    """
    cabled = {city.hub}
    cables = []
    hubs = [cluster[0] for cluster in clusters]
    others = [spot for cluster in clusters for spot in cluster[1:]]
    for kind, spots in ((CableKind.FEEDER, hubs), (CableKind.DISTRIBUTION, others)):
        ordered = sorted(spots, key=lambda spot: (spot.to_pop_m, spot.box.code))
        for spot in run.bar(ordered, desc=_("Laying cables")):
            coords = [spot.box.point.coords, *spot.stretch.coords]
            node = spot.junction
            while node not in cabled:
                cabled.add(node)
                previous, edge = parent[node]
                step = list(edge.line.coords)
                coords.extend((step if edge.source == node else step[::-1])[1:])
                node = previous
            cables.append(Cable(
                code=f"CB-{len(cables) + 1:04d}", kind=kind, fiber_count=CABLE_FIBRES[kind],
                olt=spot.box.olt, path=LineString(coords, srid=settings.MALHA_METRIC_SRID),
            ))
    run.save(Cable, cables, _("Saving cables"))
    Cable.objects.update(length_m=Length("path"))


def draw_coverage():
    """Per OLT, the union of COVERAGE_RADIUS_M circles around its boxes, cut to the extract."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO geo_coveragearea (name, area, active, notes)
            SELECT 'Cobertura ' || olt.name,
                   ST_Multi(ST_CollectionExtract(ST_Intersection(
                       ST_Transform(ST_Union(ST_Buffer(ST_Transform(box.point, %(srid)s),
                                                       %(radius)s, 'quad_segs=8')), 4326),
                       (SELECT ST_SetSRID(ST_Extent(point)::geometry, 4326) FROM geo_roadnode)
                   ), 3)),
                   TRUE, %(notes)s
            FROM geo_olt olt JOIN geo_ctobox box ON box.olt_id = olt.id
            GROUP BY olt.id, olt.name
            ORDER BY olt.code
            """,
            {
                "srid": settings.MALHA_METRIC_SRID,
                "radius": COVERAGE_RADIUS_M,
                "notes": f"Até {COVERAGE_RADIUS_M} m das caixas da OLT.",
            },
        )
