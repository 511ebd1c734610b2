"""The demo city's map in metres: the imported streets, the road graph and where people live.

Everything here works in settings.MALHA_METRIC_SRID (SIRGAS 2000 / UTM), so a
distance is plain metres; points go back to the database as metric GEOS points
and PostGIS stores them in WGS 84.
"""
import csv
import heapq
import math
from bisect import bisect
from collections import defaultdict
from dataclasses import dataclass
from itertools import accumulate

import shapely
from django.conf import settings
from django.contrib.gis.db.models.functions import AsWKB, Transform
from django.contrib.gis.geos import MultiPoint, Point
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from crm.people.validators import only_digits
from gis.selectors import address_point_list, road_edge_list

from .catalogue import CEP_PREFIX_RANGE, NEIGHBOURHOODS

# Streets people live on: no motorways, links or service lanes.
RESIDENTIAL_CLASSES = frozenset(
    {"residential", "living_street", "tertiary", "secondary", "primary", "unclassified"}
)
MIN_STREET_M = 25
END_MARGIN_M = 4  # sites keep off the junctions
HEX_RADIUS_M = 175  # an H3 resolution-9 hexagon, centre to corner
POPULATION_COLUMNS = ("lon", "lat", "population")


def metric_point(x, y):
    return Point(x, y, srid=settings.MALHA_METRIC_SRID)


def to_metric(lonlats):
    """(lon, lat) pairs -> (x, y) pairs in the metric SRID, in one GDAL call."""
    points = MultiPoint([Point(lon, lat) for lon, lat in lonlats], srid=4326)
    points.transform(settings.MALHA_METRIC_SRID)
    return [point.coords for point in points]


@dataclass(frozen=True, slots=True)
class Edge:
    """A directed street segment of the imported road graph, its line in metres."""

    pk: int
    source: int
    target: int
    name: str
    highway: str
    oneway: bool
    line: shapely.LineString


@dataclass(frozen=True, slots=True)
class Site:
    """A spot beside a street: `along_m` from the edge's start, on its left (+1) or right (-1)."""

    x: float
    y: float
    edge: Edge
    along_m: float
    side: int

    @property
    def point(self):
        return metric_point(self.x, self.y)


def load_edges():
    rows = list(
        road_edge_list()
        .annotate(metric=AsWKB(Transform("geom", settings.MALHA_METRIC_SRID)))
        .values_list("pk", "source_id", "target_id", "name", "highway", "oneway", "metric")
    )
    lines = shapely.from_wkb([bytes(row[-1]) for row in rows])
    return [Edge(*row[:-1], line) for row, line in zip(rows, lines)]


def read_population(path):
    """Populated cells of the grid CSV as ((lon, lat), population)."""
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if not set(POPULATION_COLUMNS) <= set(reader.fieldnames or ()):
            raise ValidationError(
                _("%(path)s is not a population grid: it needs the columns lon, lat and population.")
                % {"path": path}
            )
        try:
            cells = [((float(row["lon"]), float(row["lat"])), float(row["population"] or 0))
                     for row in reader]
        except ValueError as error:
            raise ValidationError(
                _("%(path)s has a row that is not a number: %(error)s") % {"path": path, "error": error}
            ) from None
    return [(lonlat, population) for lonlat, population in cells if population > 0]


def strongly_connected_with(edges, node):
    """Nodes that can both be reached from `node` and reach it, following one-way streets."""

    def reachable(adjacency):
        seen, stack = {node}, [node]
        while stack:
            for neighbour in adjacency[stack.pop()]:
                if neighbour not in seen:
                    seen.add(neighbour)
                    stack.append(neighbour)
        return seen

    forward, backward = defaultdict(list), defaultdict(list)
    for edge in edges:
        forward[edge.source].append(edge.target)
        backward[edge.target].append(edge.source)
    return reachable(forward) & reachable(backward)


class CityMap:
    """The imported streets and the population grid, ready for placing boxes and homes.

    Only streets in the strongly connected part of the network around the hub
    take homes and boxes, so every demo client can be reached by car and left again.
    """

    def __init__(self, population_csv):
        self.edges = load_edges()
        if not self.edges:
            raise ValidationError(_("The road network is empty: import an OSM extract first."))
        self.node_xy = {}
        for edge in self.edges:
            self.node_xy[edge.source] = edge.line.coords[0]
            self.node_xy[edge.target] = edge.line.coords[-1]
        cells = read_population(population_csv)
        if not cells:
            raise ValidationError(_("%(path)s has no populated cells.") % {"path": population_csv})
        hexes = to_metric([lonlat for lonlat, _population in cells])
        self.hub, connected = self.central_node(hexes, [population for _lonlat, population in cells])
        self.streets = [
            edge for edge in self.edges
            if edge.name and edge.highway in RESIDENTIAL_CLASSES
            and edge.line.length >= MIN_STREET_M
            and edge.source in connected and edge.target in connected
            and (edge.oneway or edge.source < edge.target)  # one row of each two-way pair
        ]
        self.street_tree = shapely.STRtree([street.line for street in self.streets])
        kept = sorted(set(self.street_tree.query(
            shapely.points(hexes), predicate="dwithin", distance=HEX_RADIUS_M
        )[0].tolist()))
        if not kept:
            raise ValidationError(
                _("No populated cell of %(path)s lies on the streets of the imported extract.")
                % {"path": population_csv}
            )
        self.hexes = [hexes[index] for index in kept]
        self.hex_cumulative = list(accumulate(cells[index][1] for index in kept))
        self.neighbourhoods = list(zip(
            [name for name, _lon, _lat in NEIGHBOURHOODS],
            to_metric([(lon, lat) for _name, lon, lat in NEIGHBOURHOODS]),
        ))
        self.postcodes = self.osm_postcodes()

    def central_node(self, hexes, populations):
        """The junction nearest the population's centre that the whole town can drive to and from."""
        total = sum(populations)
        cx = sum(x * weight for (x, _y), weight in zip(hexes, populations)) / total
        cy = sum(y * weight for (_x, y), weight in zip(hexes, populations)) / total
        by_distance = sorted(self.node_xy, key=lambda n: (math.dist(self.node_xy[n], (cx, cy)), n))
        for node in by_distance:
            connected = strongly_connected_with(self.edges, node)
            if len(connected) * 2 > len(self.node_xy):
                return node, connected
        raise ValidationError(_("The road network has no connected core to build a city on."))

    def pick_hex(self, rng):
        """A populated hexagon centre; the more people live there, the likelier."""
        return self.hexes[bisect(self.hex_cumulative, rng.random() * self.hex_cumulative[-1])]

    def site_near(self, rng, x, y, radius_m, offset_m):
        """A random spot within `radius_m` of (x, y), moved onto the nearest street and
        `offset_m` to the side of it; None when no street is that close."""
        angle, distance = rng.random() * 2 * math.pi, radius_m * math.sqrt(rng.random())
        target = shapely.Point(x + distance * math.cos(angle), y + distance * math.sin(angle))
        found = self.street_tree.query_nearest(target, max_distance=radius_m)
        if not len(found):
            return None
        street = self.streets[int(found.min())]
        return self.beside(street, street.line.project(target), offset_m, target)

    def beside(self, edge, along_m, offset_m, towards):
        """The spot `offset_m` from the street at `along_m`, on the side of `towards`."""
        length = edge.line.length
        along_m = min(max(along_m, END_MARGIN_M), length - END_MARGIN_M)
        base = edge.line.interpolate(along_m)
        ahead, behind = edge.line.interpolate(along_m + 1), edge.line.interpolate(along_m - 1)
        dx, dy = ahead.x - behind.x, ahead.y - behind.y
        norm = math.hypot(dx, dy) or 1.0
        dx, dy = dx / norm, dy / norm
        side = 1 if dx * (towards.y - base.y) - dy * (towards.x - base.x) >= 0 else -1
        return Site(base.x - dy * side * offset_m, base.y + dx * side * offset_m, edge, along_m, side)

    def neighbourhood(self, x, y):
        return min(self.neighbourhoods, key=lambda item: math.dist(item[1], (x, y)))[0]

    @staticmethod
    def osm_postcodes():
        """Street name -> the CEP an OSM address on that street gives (Porto Alegre has one per street)."""
        postcodes = {}
        for street, postcode in address_point_list().exclude(postcode="").values_list(
                "street", "postcode"):
            digits = only_digits(postcode)
            if len(digits) == 8 and CEP_PREFIX_RANGE[0] <= int(digits[:5]) <= CEP_PREFIX_RANGE[1]:
                postcodes.setdefault(street, digits)
        return postcodes

    def cep(self, street, rng):
        """The street's CEP: from OSM when known, else a plausible one kept for the street."""
        if street not in self.postcodes:
            prefix = rng.randint(*CEP_PREFIX_RANGE)
            self.postcodes[street] = f"{prefix:05d}{rng.randrange(100) * 10:03d}"
        return self.postcodes[street]

    def shortest_path_tree(self, root):
        """Distances (m) and the way back to `root` over the streets, ignoring one-ways: cables
        run along a street in both directions."""
        adjacency = defaultdict(list)
        for edge in self.edges:
            adjacency[edge.source].append((edge.target, edge))
            adjacency[edge.target].append((edge.source, edge))
        distance, parent = {root: 0.0}, {root: None}
        queue = [(0.0, root)]
        while queue:
            reached, node = heapq.heappop(queue)
            if reached > distance[node]:
                continue
            for neighbour, edge in adjacency[node]:
                candidate = reached + edge.line.length
                if candidate < distance.get(neighbour, math.inf):
                    distance[neighbour] = candidate
                    parent[neighbour] = (node, edge)
                    heapq.heappush(queue, (candidate, neighbour))
        return distance, parent
