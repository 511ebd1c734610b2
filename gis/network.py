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
import json
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


def road_graph(version=None):
    """The in-memory graph of this process, loaded on first use and after a re-import.

    `version` is network_version() when the caller already has it (gis.walking caches it)."""
    global _graph
    version = version or network_version()
    with _graph_lock:
        if _graph is None or _graph.version != version:
            _graph = RoadGraph.from_database(version)
        return _graph


def snap_points(graph, points, usable=None):
    """Snap each (lon, lat) to the nearest usable edge within MALHA_ROUTING_MAX_SNAP_M.

    `usable` (a mask over the graph's edges) defaults to the routable ones, those of the
    main strongly connected component; walking (gis.walking) passes its own."""
    usable = graph.routable_edge if usable is None else usable
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
        if position is None or not usable[position]:
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
    the street's speed (a good enough price for a short driveway), and the piece of
    the street it drives: (edge position, from fraction, to fraction)."""
    stop_count = len(snaps)
    rows, cols, seconds, meters, pieces = [], [], [], [], []

    def add(row, col, position, share, snap, piece):
        speed = graph.meters[position] / graph.seconds[position] if graph.seconds[position] else 1.0
        rows.append(row)
        cols.append(col)
        meters.append(graph.meters[position] * share + snap.distance_m)
        seconds.append(max(graph.seconds[position] * share + snap.distance_m / max(speed, 0.1), MIN_WEIGHT))
        pieces.append((position, *piece))

    for k, snap in enumerate(snaps):
        if not snap.snapped:
            continue
        leave, reach = node_count + k, node_count + stop_count + k
        e, f = snap.edge, snap.fraction
        source, target = int(graph.sources[e]), int(graph.targets[e])
        add(leave, target, e, 1 - f, snap, (f, 1))
        add(source, reach, e, f, snap, (0, f))
        opposite = graph.reverse_of(e)
        if opposite >= 0:
            # The opposite edge's geometry runs backwards: the stop is at 1 - f along it.
            add(leave, source, opposite, f, snap, (1 - f, 1))
            add(target, reach, opposite, 1 - f, snap, (0, 1 - f))
    return rows, cols, seconds, meters, pieces


def _direct_drive(graph, snap_a, snap_b):
    """(seconds, metres, edge position, from, to) of driving straight along a street both
    stops are on, in its direction; None when they share no street that way."""
    if not (snap_a.snapped and snap_b.snapped):
        return None
    best = None
    shared = {snap_a.edge, graph.reverse_of(snap_a.edge)} & {snap_b.edge, graph.reverse_of(snap_b.edge)}
    for position in shared - {-1}:
        fa, fb = _fraction_along(graph, snap_a, position), _fraction_along(graph, snap_b, position)
        if fb < fa:
            continue
        share = fb - fa
        access_m = snap_a.distance_m + snap_b.distance_m
        speed = graph.meters[position] / graph.seconds[position]
        seconds = graph.seconds[position] * share + access_m / max(speed, 0.1)
        if best is None or seconds < best[0]:
            best = (seconds, graph.meters[position] * share + access_m, position, fa, fb)
    return best


def _same_street_shortcuts(graph, snaps, seconds, meters):
    """Two stops on the same street: drive straight from one to the other when allowed."""
    by_edge = {}
    for k, snap in enumerate(snaps):
        if snap.snapped:
            by_edge.setdefault(snap.edge, set()).add(k)
            opposite = graph.reverse_of(snap.edge)
            if opposite >= 0:
                by_edge.setdefault(opposite, set()).add(k)
    pairs = {(a, b) for stops in by_edge.values() for a in stops for b in stops if a != b}
    for a, b in pairs:
        direct = _direct_drive(graph, snaps[a], snaps[b])
        if direct and direct[0] < seconds[a, b]:
            seconds[a, b], meters[a, b] = direct[0], direct[1]


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


@dataclass
class AugmentedGraph:
    """The street graph plus each stop's access edges, parallel edges reduced to the fastest.

    Edge i of the CSR matrix joins the nodes encoded in keys[i] (row * size + col) and
    drives pieces[i]: (street edge position, from fraction, to fraction)."""

    matrix: csr_matrix
    keys: np.ndarray
    meters: np.ndarray
    pieces: np.ndarray
    size: int
    node_count: int

    def edge_index(self, parents, children):
        return np.searchsorted(self.keys, np.asarray(parents, dtype=np.int64) * self.size + children)

    def leave(self, k):
        return self.node_count + k

    def reach(self, k, stop_count):
        return self.node_count + stop_count + k


def _augmented_graph(graph, snaps):
    stop_count = len(snaps)
    n = graph.node_count
    size = n + 2 * stop_count
    rows, cols, seconds, meters, pieces = _access_edges(graph, snaps, n)
    street_pieces = np.column_stack(
        [np.arange(len(graph.sources)), np.zeros(len(graph.sources)), np.ones(len(graph.sources))]
    )
    all_rows = np.concatenate([graph.sources, np.array(rows, dtype=np.int64)])
    all_cols = np.concatenate([graph.targets, np.array(cols, dtype=np.int64)])
    all_seconds = np.concatenate([graph.seconds, np.array(seconds, dtype=float)])
    all_meters = np.concatenate([graph.meters, np.array(meters, dtype=float)])
    all_pieces = np.concatenate([street_pieces, np.array(pieces, dtype=float).reshape(-1, 3)])
    # Parallel edges: keep the fastest of each pair of nodes.
    keys = all_rows * size + all_cols
    order = np.lexsort((all_seconds, keys))
    keys, first = np.unique(keys[order], return_index=True)
    keep = order[first]
    return AugmentedGraph(
        matrix=csr_matrix((all_seconds[keep], (all_rows[keep], all_cols[keep])), shape=(size, size)),
        keys=keys, meters=all_meters[keep], pieces=all_pieces[keep], size=size, node_count=n,
    )


def _network_matrices(graph, snaps):
    stop_count = len(snaps)
    augmented = _augmented_graph(graph, snaps)

    def lookup_meters(parents, children):
        return augmented.meters[augmented.edge_index(parents, children)]

    snapped = [k for k, snap in enumerate(snaps) if snap.snapped]
    result_s = np.full((stop_count, stop_count), np.inf)
    result_m = np.full((stop_count, stop_count), np.inf)
    if snapped:
        leaves = [augmented.leave(k) for k in snapped]
        reaches = [augmented.reach(k, stop_count) for k in snapped]
        times, predecessors = dijkstra(augmented.matrix, indices=leaves, return_predecessors=True)
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


def street_paths(points, legs, snaps):
    """The street geometry of each (from, to) leg between `points` (matrix indices), as
    (lon, lat) lists from point to point: the same fastest paths the matrix timed, on the
    same graph, so the line on the map is the drive the ETAs assume. A leg with a stop
    that could not be snapped is a straight line, like its estimate."""
    graph = road_graph()
    stop_count = len(points)
    augmented = _augmented_graph(graph, snaps)
    sources = sorted({a for a, b in legs if snaps[a].snapped and snaps[b].snapped and a != b})
    times = predecessors = None
    if sources:
        times, predecessors = dijkstra(
            augmented.matrix, indices=[augmented.leave(k) for k in sources], return_predecessors=True
        )
    row_of_source = {k: row for row, k in enumerate(sources)}
    pieces_of_leg = []
    for a, b in legs:
        row = row_of_source.get(a)
        if row is None or not snaps[b].snapped:
            pieces_of_leg.append([])
            continue
        reach = augmented.reach(b, stop_count)
        pieces = _path_pieces(augmented, predecessors[row], augmented.leave(a), reach)
        direct = _direct_drive(graph, snaps[a], snaps[b])
        if direct and direct[0] < times[row, reach]:
            pieces = [(direct[2], direct[3], direct[4])]
        pieces_of_leg.append(pieces)
    coordinates = piece_coordinates(graph, {piece for pieces in pieces_of_leg for piece in pieces})
    paths = []
    for (a, b), pieces in zip(legs, pieces_of_leg):
        path = [tuple(points[a])]
        for piece in pieces:
            path += [point for point in coordinates.get(piece, []) if point != path[-1]]
        path.append(tuple(points[b]))
        paths.append(path)
    return paths



def joined_path(paths):
    """Consecutive leg paths (from street_paths) as one line of [lon, lat] lists: each leg starts
    where the previous one ended, so that shared point is kept once."""
    coordinates = []
    for path in paths:
        coordinates += [list(point) for point in (path if not coordinates else path[1:])]
    return coordinates

def _path_pieces(augmented, predecessors, leave, reach):
    """The street pieces driven from `leave` to `reach` along a predecessor tree, in order."""
    nodes = [reach]
    while nodes[-1] != leave:
        parent = predecessors[nodes[-1]]
        if parent < 0:
            return []  # unreachable: drawn as a straight line
        nodes.append(int(parent))
    nodes.reverse()
    edges = augmented.edge_index(nodes[:-1], np.array(nodes[1:], dtype=np.int64))
    return [
        (int(position), round(float(start), 6), round(float(end), 6))
        for position, start, end in augmented.pieces[edges]
        if end - start > 1e-9
    ]


def piece_coordinates(graph, pieces):
    """{(edge position, from, to): [(lon, lat), ...]} cut from the street geometries in PostGIS,
    each piece in its edge's direction (from <= to)."""
    if not pieces:
        return {}
    pieces = sorted(pieces)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT p.i, ST_AsGeoJSON(ST_LineSubstring(e.geom, p.start, p.stop), 7)
            FROM unnest(%s::bigint[], %s::float8[], %s::float8[]) WITH ORDINALITY AS p(edge, start, stop, i)
            JOIN geo_roadedge e ON e.id = p.edge
            """,
            [
                [int(graph.edge_ids[position]) for position, _start, _stop in pieces],
                [start for _position, start, _stop in pieces],
                [stop for _position, _start, stop in pieces],
            ],
        )
        rows = cursor.fetchall()
    coordinates = {}
    for ordinal, geojson in rows:
        shape = json.loads(geojson)
        points = shape["coordinates"] if shape["type"] == "LineString" else [shape["coordinates"]]
        coordinates[pieces[ordinal - 1]] = [tuple(point) for point in points]
    return coordinates
