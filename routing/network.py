"""Travel times and distances between stops on the imported street graph.

The directed graph (gis.RoadEdge) is held in memory once per process as a sparse
matrix and reloaded only when the network in the database changes. A stop is
snapped to the nearest street of the graph's main strongly connected component
(PostGIS KNN), becoming two virtual nodes: one that leaves it (towards the edge's
target, and its source when the street is two-way) and one that reaches it. One
Dijkstra per stop then gives a whole matrix row. pgRouting is not installed, and
a round trip per pair would be far slower than scipy's C loop over 14k nodes.

Times are the fastest paths; distances are the lengths of those same paths.
A stop with no street within MALHA_ROUTING_MAX_SNAP_M gets straight-line
estimates, labelled in `TravelMatrix.estimated`.
"""
import hashlib
import math
import threading
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

EARTH_RADIUS_M = 6_371_008.8
SNAP_CANDIDATES = 8
# scipy treats a stored zero as an edge, but keep every weight positive anyway so
# ties never depend on that detail.
MIN_WEIGHT = 1e-3


@dataclass(frozen=True)
class Snap:
    """Where a stop meets the street graph; edge is -1 when it could not be snapped."""

    edge: int
    fraction: float
    distance_m: float

    @property
    def snapped(self):
        return self.edge >= 0


@dataclass
class TravelMatrix:
    """Integer seconds and metres between stops, in the order they were given."""

    seconds: np.ndarray
    meters: np.ndarray
    snaps: list
    estimated: np.ndarray  # per stop: True when its times are straight-line estimates

    @property
    def size(self):
        return len(self.snaps)


class RoadGraph:
    """The directed street graph as arrays: edge i goes from source[i] to target[i]."""

    def __init__(self, edge_ids, sources, targets, seconds, meters, street_keys, version):
        self.version = version
        self.edge_ids = edge_ids
        self.sources = sources
        self.targets = targets
        self.seconds = np.maximum(seconds, MIN_WEIGHT)
        self.meters = meters
        self.node_count = int(max(sources.max(initial=-1), targets.max(initial=-1)) + 1)
        self.position_of_edge = {int(edge_id): i for i, edge_id in enumerate(edge_ids)}
        self._reverse = self._reverse_edges(street_keys)
        self.routable_edge = self._main_component_edges()

    @classmethod
    def from_database(cls, version):
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT id, source_id, target_id, travel_time_s, length_m, osm_way_id,
                       ST_X(ST_LineInterpolatePoint(geom, 0.5)), ST_Y(ST_LineInterpolatePoint(geom, 0.5))
                FROM geo_roadedge ORDER BY id
                """
            )
            rows = np.array(cursor.fetchall(), dtype=float).reshape(-1, 8)
        node_ids, dense = np.unique(rows[:, 1:3].astype(np.int64), return_inverse=True)
        dense = dense.reshape(-1, 2)
        return cls(
            edge_ids=rows[:, 0].astype(np.int64),
            sources=dense[:, 0],
            targets=dense[:, 1],
            seconds=rows[:, 3],
            meters=rows[:, 4],
            street_keys=[(int(way), round(x, 6), round(y, 6)) for way, x, y in rows[:, 5:8]],
            version=version,
        )

    def _reverse_edges(self, street_keys):
        """Position of the same street driven the other way (target -> source), -1 when one-way.

        Matched on way and middle point too: another street may join the same two nodes."""
        forward = {
            (int(s), int(t), key): i
            for i, (s, t, key) in enumerate(zip(self.sources, self.targets, street_keys))
        }
        return np.array(
            [
                forward.get((int(t), int(s), key), -1)
                for s, t, key in zip(self.sources, self.targets, street_keys)
            ],
            dtype=np.int64,
        )

    def _main_component_edges(self):
        """Edges inside the largest strongly connected component: from there every stop reaches
        every other one, so nothing is snapped onto an island or a dead-end one-way."""
        if not len(self.sources):
            return np.zeros(0, dtype=bool)
        graph = csr_matrix(
            (np.ones(len(self.sources)), (self.sources, self.targets)),
            shape=(self.node_count, self.node_count),
        )
        _count, labels = connected_components(graph, directed=True, connection="strong")
        main = np.bincount(labels).argmax()
        return (labels[self.sources] == main) & (labels[self.targets] == main)

    def reverse_of(self, position):
        return int(self._reverse[position])


_graph_lock = threading.Lock()
_graph = None


def network_version():
    """A fingerprint of the street network that changes when another one is imported."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*), coalesce(max(id), 0), coalesce(sum(source_id * 7 + target_id), 0),
                   coalesce(round(sum(travel_time_s)::numeric, 3), 0)
            FROM geo_roadedge
            """
        )
        return "-".join(str(value) for value in cursor.fetchone())


def road_graph():
    """The in-memory graph of this process, loaded on first use and after a re-import."""
    global _graph
    version = network_version()
    with _graph_lock:
        if _graph is None or _graph.version != version:
            _graph = RoadGraph.from_database(version)
        return _graph


def snap_points(graph, points):
    """Snap each (lon, lat) to the nearest routable edge within MALHA_ROUTING_MAX_SNAP_M."""
    if not points:
        return []
    lons = [float(lon) for lon, _lat in points]
    lats = [float(lat) for _lon, lat in points]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT s.i, e.id, ST_Distance(e.geom::geography, s.p::geography),
                   ST_LineLocatePoint(e.geom, s.p)
            FROM (
                SELECT i, ST_SetSRID(ST_MakePoint(lon, lat), 4326) AS p
                FROM unnest(%s::float8[], %s::float8[]) WITH ORDINALITY AS u(lon, lat, i)
            ) s
            CROSS JOIN LATERAL (
                SELECT id, geom FROM geo_roadedge ORDER BY geom <-> s.p LIMIT %s
            ) e
            """,
            [lons, lats, SNAP_CANDIDATES],
        )
        candidates = cursor.fetchall()
    best = {}
    for ordinal, edge_id, distance, fraction in candidates:
        position = graph.position_of_edge.get(edge_id)
        if position is None or not graph.routable_edge[position]:
            continue
        current = best.get(ordinal)
        if current is None or distance < current.distance_m:
            best[ordinal] = Snap(edge=position, fraction=float(fraction), distance_m=float(distance))
    max_snap = settings.MALHA_ROUTING_MAX_SNAP_M
    return [
        snap if (snap := best.get(i + 1)) and snap.distance_m <= max_snap else Snap(-1, 0.0, math.inf)
        for i in range(len(points))
    ]


def haversine_m(a, b):
    (lon1, lat1), (lon2, lat2) = a, b
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def _access_edges(graph, snaps, node_count):
    """Virtual edges: stop k leaves through node N+k and is reached at node N+K+k.

    Each access edge also carries the walk from the point to the street, driven at
    the street's speed (a good enough price for a short driveway)."""
    stop_count = len(snaps)
    rows, cols, seconds, meters = [], [], [], []

    def add(row, col, position, share, snap):
        speed = graph.meters[position] / graph.seconds[position] if graph.seconds[position] else 1.0
        rows.append(row)
        cols.append(col)
        meters.append(graph.meters[position] * share + snap.distance_m)
        seconds.append(max(graph.seconds[position] * share + snap.distance_m / max(speed, 0.1), MIN_WEIGHT))

    for k, snap in enumerate(snaps):
        if not snap.snapped:
            continue
        leave, reach = node_count + k, node_count + stop_count + k
        e, f = snap.edge, snap.fraction
        source, target = int(graph.sources[e]), int(graph.targets[e])
        add(leave, target, e, 1 - f, snap)
        add(source, reach, e, f, snap)
        opposite = graph.reverse_of(e)
        if opposite >= 0:
            add(leave, source, opposite, f, snap)
            add(target, reach, opposite, 1 - f, snap)
    return rows, cols, seconds, meters


def _same_street_shortcuts(graph, snaps, seconds, meters):
    """Two stops on the same street: drive straight from one to the other when allowed."""
    by_edge = {}
    for k, snap in enumerate(snaps):
        if snap.snapped:
            by_edge.setdefault(snap.edge, []).append(k)
            opposite = graph.reverse_of(snap.edge)
            if opposite >= 0:
                by_edge.setdefault(opposite, []).append(k)
    for position, stops in by_edge.items():
        for a in stops:
            for b in stops:
                fa = _fraction_along(graph, snaps[a], position)
                fb = _fraction_along(graph, snaps[b], position)
                if a == b or fb < fa:
                    continue
                share = fb - fa
                access_m = snaps[a].distance_m + snaps[b].distance_m
                speed = graph.meters[position] / graph.seconds[position]
                direct_s = graph.seconds[position] * share + access_m / max(speed, 0.1)
                if direct_s < seconds[a, b]:
                    seconds[a, b] = direct_s
                    meters[a, b] = graph.meters[position] * share + access_m


def _fraction_along(graph, snap, position):
    return snap.fraction if snap.edge == position else 1 - snap.fraction


def _path_lengths(predecessors, sources, lookup_meters):
    """Length of each shortest-time path, by pointer doubling up the predecessor trees."""
    rows, cols = np.nonzero(predecessors >= 0)
    ancestors = np.tile(np.arange(predecessors.shape[1]), (predecessors.shape[0], 1))
    ancestors[rows, cols] = predecessors[rows, cols]
    lengths = np.zeros(predecessors.shape, dtype=float)
    lengths[rows, cols] = lookup_meters(predecessors[rows, cols], cols)
    while True:
        next_ancestors = np.take_along_axis(ancestors, ancestors, axis=1)
        if np.array_equal(next_ancestors, ancestors):
            return lengths
        lengths += np.take_along_axis(lengths, ancestors, axis=1)
        ancestors = next_ancestors


def _network_matrices(graph, snaps):
    stop_count = len(snaps)
    n = graph.node_count
    size = n + 2 * stop_count
    rows, cols, seconds, meters = _access_edges(graph, snaps, n)
    all_rows = np.concatenate([graph.sources, np.array(rows, dtype=np.int64)])
    all_cols = np.concatenate([graph.targets, np.array(cols, dtype=np.int64)])
    all_seconds = np.concatenate([graph.seconds, np.array(seconds, dtype=float)])
    all_meters = np.concatenate([graph.meters, np.array(meters, dtype=float)])
    # Parallel edges: keep the fastest of each pair of nodes.
    keys = all_rows * size + all_cols
    order = np.lexsort((all_seconds, keys))
    keys, first = np.unique(keys[order], return_index=True)
    keep = order[first]
    graph_matrix = csr_matrix(
        (all_seconds[keep], (all_rows[keep], all_cols[keep])), shape=(size, size)
    )
    kept_meters = all_meters[keep]

    def lookup_meters(parents, children):
        return kept_meters[np.searchsorted(keys, parents.astype(np.int64) * size + children)]

    snapped = [k for k, snap in enumerate(snaps) if snap.snapped]
    result_s = np.full((stop_count, stop_count), np.inf)
    result_m = np.full((stop_count, stop_count), np.inf)
    if snapped:
        leaves = [n + k for k in snapped]
        reaches = [n + stop_count + k for k in snapped]
        times, predecessors = dijkstra(graph_matrix, indices=leaves, return_predecessors=True)
        lengths = _path_lengths(predecessors, leaves, lookup_meters)
        grid = np.ix_(snapped, snapped)
        result_s[grid] = times[:, reaches]
        result_m[grid] = lengths[:, reaches]
        _same_street_shortcuts(graph, snaps, result_s, result_m)
    return result_s, result_m


def _straight_line_fill(points, snaps, seconds, meters):
    """Estimates for every pair that involves an unsnapped stop."""
    speed = settings.MALHA_ROUTING_FALLBACK_SPEED_KMH / 3.6
    factor = settings.MALHA_ROUTING_DETOUR_FACTOR
    estimated = np.array([not snap.snapped for snap in snaps], dtype=bool)
    for a in np.nonzero(estimated)[0]:
        for b in range(len(points)):
            distance = haversine_m(points[a], points[b]) * factor
            meters[a, b] = meters[b, a] = distance
            seconds[a, b] = seconds[b, a] = distance / speed
    return estimated


def matrix_cache_key(version, points):
    digest = hashlib.sha1(
        ";".join(f"{lon:.6f},{lat:.6f}" for lon, lat in points).encode()
    ).hexdigest()
    return f"routing:matrix:{version}:{digest}"


def travel_matrix(points):
    """Time (s) and distance (m) matrices between (lon, lat) points, cached by point set."""
    points = [(float(lon), float(lat)) for lon, lat in points]
    graph = road_graph()
    key = matrix_cache_key(graph.version, points)
    cached = cache.get(key)
    if cached is not None:
        return cached
    snaps = snap_points(graph, points) if graph.node_count else [Snap(-1, 0.0, math.inf)] * len(points)
    seconds, meters = _network_matrices(graph, snaps)
    estimated = _straight_line_fill(points, snaps, seconds, meters)
    np.fill_diagonal(seconds, 0)
    np.fill_diagonal(meters, 0)
    matrix = TravelMatrix(
        seconds=np.rint(seconds).astype(np.int64),
        meters=np.rint(meters).astype(np.int64),
        snaps=snaps,
        estimated=estimated,
    )
    cache.set(key, matrix, settings.MALHA_ROUTING_MATRIX_CACHE_SECONDS)
    return matrix
