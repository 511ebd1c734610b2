import math
from pathlib import Path

import pytest
from django.core.cache import cache

from gis import network
from gis.osm_import import import_osm

pytestmark = pytest.mark.django_db

ONEWAY_OSM = Path(__file__).parent / "data" / "oneway.osm"
TINY_OSM = Path(__file__).parent / "data" / "tiny.osm"
# Metres per 0.001 degree at latitude -30 (spherical earth, as PostGIS' geography nearly is).
LAT_M = 0.001 * math.pi * 6_371_008.8 / 180
LON_M = LAT_M * math.cos(math.radians(30))
DIAGONAL_M = math.hypot(LAT_M, LON_M)
SIDES_M = LAT_M + LON_M
RESIDENTIAL_MS = 30 / 3.6


def along_diagonal(share):
    """A point `share` of the way along the one-way diagonal, from node 1 to node 3."""
    return (-51.2000 + 0.001 * share, -30.0000 + 0.001 * share)


@pytest.fixture
def block():
    import_osm(ONEWAY_OSM)


def test_one_way_street_is_driven_only_forwards(block):
    a, b = along_diagonal(0.25), along_diagonal(0.75)
    matrix = network.travel_matrix([a, b])
    assert matrix.meters[0, 1] == pytest.approx(DIAGONAL_M / 2, rel=0.01)
    # Back from b: on to node 3, round the block to node 1, into the diagonal again.
    assert matrix.meters[1, 0] == pytest.approx(DIAGONAL_M / 2 + SIDES_M, rel=0.01)
    assert matrix.seconds[0, 1] == pytest.approx(DIAGONAL_M / 2 / RESIDENTIAL_MS, abs=1)
    assert matrix.seconds[1, 0] == pytest.approx((DIAGONAL_M / 2 + SIDES_M) / RESIDENTIAL_MS, abs=1)
    assert not matrix.estimated.any()


def test_two_way_street_is_symmetric_and_snap_distance_is_kept(block):
    on_west_side = (-51.2000, -29.9995)  # on the street 1 - 2
    off_north_side = (-51.1995, -29.99895)  # ~5.6 m north of the street 2 - 3
    matrix = network.travel_matrix([on_west_side, off_north_side])
    assert matrix.meters[0, 1] == matrix.meters[1, 0]
    assert matrix.meters[0, 1] == pytest.approx(LAT_M / 2 + LON_M / 2 + 0.05 * LAT_M, abs=2)
    assert matrix.snaps[0].distance_m == pytest.approx(0, abs=0.01)
    assert matrix.snaps[1].distance_m == pytest.approx(0.05 * LAT_M, rel=0.01)
    assert (matrix.seconds.diagonal() == 0).all()


def test_far_stop_gets_a_labelled_straight_line_estimate(block, settings):
    settings.MALHA_ROUTING_FALLBACK_SPEED_KMH = 36
    settings.MALHA_ROUTING_DETOUR_FACTOR = 1.5
    near, far = along_diagonal(0.5), (-51.1900, -30.0000)  # ~900 m east of the block
    matrix = network.travel_matrix([near, far])
    assert list(matrix.estimated) == [False, True]
    assert not matrix.snaps[1].snapped
    straight = network.haversine_m(near, far) * 1.5
    assert matrix.meters[0, 1] == pytest.approx(straight, abs=1)
    assert matrix.seconds[0, 1] == pytest.approx(straight / 10, abs=1)


def test_no_network_at_all_falls_back_for_every_stop():
    matrix = network.travel_matrix([(-51.2, -30.0), (-51.19, -30.0)])
    assert matrix.estimated.all()
    assert matrix.seconds[0, 1] > 0


def test_matrix_is_cached_by_stop_set_and_the_graph_reloads_with_another_network(block):
    points = [along_diagonal(0.25), along_diagonal(0.75)]
    first = network.travel_matrix(points)
    key = network.matrix_cache_key(network.road_graph().version, points)
    assert cache.get(key).meters.tolist() == first.meters.tolist()
    import_osm(TINY_OSM)
    assert network.road_graph().version not in key
    assert network.road_graph().edge_ids.size == 11
