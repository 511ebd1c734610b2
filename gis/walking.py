"""Walking distances along the streets, e.g. for a fibre drop from a box to a house.

A drop is laid along the street on foot, so one-way signs do not matter: the directed
graph of gis.network becomes an undirected one weighted in metres (of two streets
joining the same crossings, the shorter), built once per loaded road graph. Points snap
with gis.network.snap_points onto its largest connected part (destinations, boxes that
stay put, once per graph: they are remembered), and the walk between two points includes
both snap legs (point to street, street to point). A search from one point is one Dijkstra
bounded by the longest distance asked for, so its cost depends on that distance, not on
the size of the city.
"""
import math
import threading
from dataclasses import dataclass

import numpy as np
from django.core.cache import cache
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

from .network import MIN_WEIGHT, network_version, piece_coordinates, road_graph, snap_points

VERSION_CACHE_KEY = "routing:walking:network-version"
VERSION_RECHECK_SECONDS = 30
MAX_MEMO_SNAPS = 200_000


class WalkingGraph:
    """The street graph without directions; keys[i] = a * n + b names the hop a -> b, which
    walks street edge position[i] forwards (or backwards when not forward[i])."""

    def __init__(self, road):
        self.road = road
        n = road.node_count
        edges = np.arange(len(road.sources))
        starts = np.concatenate([road.sources, road.targets]).astype(np.int64)
        ends = np.concatenate([road.targets, road.sources]).astype(np.int64)
        meters = np.concatenate([road.meters, road.meters])
        keys = starts * n + ends
        order = np.lexsort((meters, keys))
        self.keys, first = np.unique(keys[order], return_index=True)
        keep = order[first]
        self.position = np.concatenate([edges, edges])[keep]
        self.forward = np.concatenate([np.ones(len(edges), bool), np.zeros(len(edges), bool)])[keep]
        self.matrix = csr_matrix(
            (np.maximum(meters[keep], MIN_WEIGHT), (self.keys // max(n, 1), self.keys % max(n, 1))),
            shape=(n, n),
        )
        self.destination_snaps = {}  # (lon, lat) -> Snap: boxes stay put, so snap each once
        self.usable_edge = np.zeros(len(edges), dtype=bool)
        if n:
            _count, labels = connected_components(self.matrix, directed=False)
            self.usable_edge = labels[road.sources] == np.bincount(labels).argmax()

    def hop(self, a, b):
        """(street edge position, forward) walked from node a to node b."""
        index = int(np.searchsorted(self.keys, a * self.road.node_count + b))
        return int(self.position[index]), bool(self.forward[index])


_lock = threading.Lock()
_walking = None


def walking_graph():
    """This process's walking graph, rebuilt when gis.network reloads the street graph.

    The network's fingerprint is a scan of every street (milliseconds a check cannot spare),
    so it is kept in the cache for VERSION_RECHECK_SECONDS: a new import of the streets is
    walked at most that much later."""
    global _walking
    version = cache.get(VERSION_CACHE_KEY)
    if version is None:
        version = network_version()
        cache.set(VERSION_CACHE_KEY, version, VERSION_RECHECK_SECONDS)
    road = road_graph(version)
    with _lock:
        if _walking is None or _walking.road is not road:
            _walking = WalkingGraph(road)
        return _walking


@dataclass(frozen=True)
class _Route:
    meters: float
    row: int  # -1: straight along the origin's street; else 0/1 = left by its source/target
    node: int  # the crossing where the walk enters the destination's street
    pieces: tuple  # ((edge position, from, to, backwards), ...) of the street walked


class WalkSearch:
    """Walks from `origin` to each of `destinations` ((lon, lat) pairs) of at most `limit_m`.

    `meters[j]` is the walking distance to destination j, or None when it is farther than
    the limit or either end is too far from any street (`origin_snapped` tells which).
    """

    def __init__(self, origin, destinations, limit_m):
        self.graph = walking_graph()
        self.origin = tuple(origin)
        self.destinations = [tuple(point) for point in destinations]
        road = self.graph.road
        self._routes = [None] * len(self.destinations)
        self.origin_snapped = False
        if not road.node_count:
            return
        start, snaps = self._snap()
        self.origin_snapped = start.snapped
        if not self.origin_snapped:
            return
        budget = limit_m - start.distance_m
        if budget < 0:
            return
        s, t = int(road.sources[start.edge]), int(road.targets[start.edge])
        self._distances, self._predecessors = dijkstra(
            self.graph.matrix, indices=[s, t], limit=budget, return_predecessors=True
        )
        for j, snap in enumerate(snaps):
            route = self._best_route(start, snap) if snap.snapped else None
            if route is not None and route.meters <= limit_m:
                self._routes[j] = route

    def _snap(self):
        """The origin's snap and the destinations' (those seen before come from the graph's memo)."""
        memo = self.graph.destination_snaps
        unknown = list(dict.fromkeys(point for point in self.destinations if point not in memo))
        snaps = snap_points(self.graph.road, [self.origin, *unknown], usable=self.graph.usable_edge)
        if len(memo) + len(unknown) > MAX_MEMO_SNAPS:
            memo.clear()
        memo.update(zip(unknown, snaps[1:]))
        return snaps[0], [memo[point] for point in self.destinations]

    @property
    def meters(self):
        return [route.meters if route else None for route in self._routes]

    def _best_route(self, start, snap):
        road = self.graph.road
        e, f, length = start.edge, start.fraction, road.meters[start.edge]
        e2, f2, length2 = snap.edge, snap.fraction, road.meters[snap.edge]
        legs = start.distance_m + snap.distance_m
        best = None
        if e2 in (e, road.reverse_of(e)):
            along = f2 if e2 == e else 1 - f2
            best = _Route(legs + abs(f - along) * length, -1, -1,
                          ((e, min(f, along), max(f, along), along < f),))
        leaving = ((0, f * length, (e, 0.0, f, True)), (1, (1 - f) * length, (e, f, 1.0, False)))
        entering = (
            (int(road.sources[e2]), f2 * length2, (e2, 0.0, f2, False)),
            (int(road.targets[e2]), (1 - f2) * length2, (e2, f2, 1.0, True)),
        )
        for row, out_m, first in leaving:
            for node, in_m, last in entering:
                meters = legs + out_m + self._distances[row, node] + in_m
                if math.isfinite(meters) and (best is None or meters < best.meters):
                    best = _Route(meters, row, node, (first, last))
        return best

    def paths(self, indices):
        """{j: [(lon, lat), ...]} the walk to each destination j asked for, from the origin to it."""
        road = self.graph.road
        pieces_of = {}
        for j in indices:
            route = self._routes[j]
            if route is None:
                continue
            if route.row < 0:
                pieces_of[j] = list(route.pieces)
                continue
            first, last = route.pieces
            start_node = int((road.sources if route.row == 0 else road.targets)[first[0]])
            nodes = [route.node]
            while nodes[-1] != start_node:
                nodes.append(int(self._predecessors[route.row, nodes[-1]]))
            nodes.reverse()
            middle = []
            for a, b in zip(nodes, nodes[1:]):
                position, forward = self.graph.hop(a, b)
                middle.append((position, 0.0, 1.0, not forward))
            pieces_of[j] = [first, *middle, last]
        wanted = {piece[:3] for pieces in pieces_of.values() for piece in pieces if piece[2] - piece[1] > 1e-9}
        coordinates = piece_coordinates(road, wanted)
        paths = {}
        for j, pieces in pieces_of.items():
            path = [self.origin]
            for piece in pieces:
                points = coordinates.get(piece[:3], [])
                path += [point for point in (points[::-1] if piece[3] else points) if point != path[-1]]
            if path[-1] != self.destinations[j]:
                path.append(self.destinations[j])
            paths[j] = path
        return paths
