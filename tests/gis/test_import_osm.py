import math
from collections import defaultdict

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from gis.models import AddressPoint, RoadEdge, RoadNode
from gis.osm_import import import_osm

from .conftest import TINY_OSM

pytestmark = pytest.mark.django_db

POA_BBOX = (-51.2664, -30.1133, -51.1322, -29.9876)


@pytest.fixture(scope="module")
def poa_import(django_db_setup, django_db_blocker):
    """The Porto Alegre extract, imported once and committed for this module's tests that
    read it, then removed: later modules (the street network's "no street network" cases) start empty."""
    with django_db_blocker.unblock():
        yield import_osm(settings.MALHA_DEMO_OSM)
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE geo_roadedge, geo_roadnode, geo_addresspoint RESTART IDENTITY CASCADE")
            cursor.execute("REFRESH MATERIALIZED VIEW geo_streetname")


def edge_map():
    """{(source osm id, target osm id): edge}."""
    return {
        (edge.source.osm_id, edge.target.osm_id): edge
        for edge in RoadEdge.objects.select_related("source", "target")
    }


class TestTinyNetwork:
    @pytest.fixture(autouse=True)
    def imported(self):
        return import_osm(TINY_OSM)

    def test_counts(self, imported):
        assert (imported.nodes, imported.edges, imported.oneway_edges) == (8, 11, 5)
        assert (RoadNode.objects.count(), RoadEdge.objects.count()) == (8, 11)
        assert RoadEdge.objects.filter(oneway=True).count() == 5

    def test_ways_split_only_at_junctions_and_ends(self):
        # node 2 (a shape point) and node 9 (inside the roundabout) are not junctions
        assert sorted(RoadNode.objects.values_list("osm_id", flat=True)) == [1, 3, 4, 5, 6, 7, 8, 10]
        rua_a = edge_map()[(1, 3)]
        assert len(rua_a.geom.coords) == 3  # 1 -> 2 -> 3 kept as one edge

    def test_directions(self):
        edges = edge_map()
        two_way = {(1, 3), (3, 1), (3, 4), (4, 3), (8, 10), (10, 8)}
        one_way = {(5, 3), (3, 6), (7, 4), (7, 8), (8, 7)}
        assert set(edges) == two_way | one_way
        assert all(edges[key].oneway for key in one_way)
        assert not any(edges[key].oneway for key in two_way)

    def test_geometry_runs_from_source_to_target(self):
        for edge in RoadEdge.objects.select_related("source", "target"):
            assert edge.geom.coords[0] == pytest.approx(edge.source.point.coords)
            assert edge.geom.coords[-1] == pytest.approx(edge.target.point.coords)

    def test_lengths_match_postgis_spheroid_and_times_follow_speeds(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, ST_Length(geom::geography) FROM geo_roadedge")
            spheroid = dict(cursor.fetchall())
        for edge in RoadEdge.objects.all():
            assert edge.length_m == pytest.approx(spheroid[edge.id], rel=0.005)
            assert edge.travel_time_s == pytest.approx(edge.length_m / (edge.speed_kmh / 3.6))
        rua_a = edge_map()[(1, 3)]
        expected = 0.002 * math.cos(math.radians(30)) * math.pi * 6_371_008.8 / 180
        assert rua_a.length_m == pytest.approx(expected, rel=1e-4)

    def test_names_classes_and_speeds(self):
        edges = edge_map()
        assert (edges[(1, 3)].name, edges[(1, 3)].highway, edges[(1, 3)].speed_kmh) == (
            "Rua A", "residential", 30)
        assert edges[(5, 3)].speed_kmh == 20  # maxspeed=20 below the tertiary class speed
        assert edges[(7, 8)].name == "RS-010"  # no name: the ref
        assert not RoadEdge.objects.filter(osm_way_id__in=[104, 105]).exists()

    def test_address_points(self):
        node, building = AddressPoint.objects.order_by("osm_type")
        assert (node.osm_type, node.street, node.housenumber, node.postcode, node.suburb, node.city) == (
            "n", "Rua A", "120", "90010-000", "Centro Histórico", "Porto Alegre")
        assert (building.osm_type, building.housenumber) == ("w", "200")
        assert building.point.coords == pytest.approx((-51.1975, -30.0004))

    def test_reimport_replaces(self):
        result = import_osm(TINY_OSM)
        assert (RoadNode.objects.count(), RoadEdge.objects.count(), AddressPoint.objects.count()) == (
            result.nodes, result.edges, 2)


def largest_strongly_connected_share(edges, nodes):
    """Kosaraju, iterative: share of `nodes` in the largest strongly connected component."""
    forward, backward = defaultdict(list), defaultdict(list)
    for source, target in edges:
        forward[source].append(target)
        backward[target].append(source)
    order, seen = [], set()
    for start in nodes:
        if start in seen:
            continue
        seen.add(start)
        stack = [(start, iter(forward[start]))]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                order.append(node)
            elif child not in seen:
                seen.add(child)
                stack.append((child, iter(forward[child])))
    assigned, largest = set(), 0
    for start in reversed(order):
        if start in assigned:
            continue
        size, stack = 0, [start]
        assigned.add(start)
        while stack:
            node = stack.pop()
            size += 1
            for parent in backward[node]:
                if parent not in assigned:
                    assigned.add(parent)
                    stack.append(parent)
        largest = max(largest, size)
    return largest / len(nodes)


class TestPortoAlegre:
    """The demo city's extract: numbers are fixed by the file in ../shared/data/osm/."""

    def test_counts(self, poa_import):
        assert (poa_import.nodes, poa_import.edges, poa_import.oneway_edges) == (13403, 29884, 6930)
        assert RoadNode.objects.count() == 13403
        assert RoadEdge.objects.count() == 29884
        assert RoadEdge.objects.filter(oneway=True).count() == 6930
        assert AddressPoint.objects.count() == poa_import.address_points == 15

    def test_everything_inside_the_extract(self, poa_import):
        xmin, ymin, xmax, ymax = POA_BBOX
        with connection.cursor() as cursor:
            cursor.execute("SELECT ST_Extent(geom) FROM geo_roadedge")
            extent = cursor.fetchone()[0]
        numbers = [float(n) for n in extent[4:-1].replace(",", " ").split()]
        assert numbers[0] >= xmin - 0.01 and numbers[1] >= ymin - 0.01
        assert numbers[2] <= xmax + 0.01 and numbers[3] <= ymax + 0.01

    def test_two_way_segments_have_a_twin_and_one_way_ones_do_not(self, poa_import):
        with connection.cursor() as cursor:
            cursor.execute("""
                SELECT e.oneway, EXISTS (
                    SELECT 1 FROM geo_roadedge r
                    WHERE r.id <> e.id AND r.source_id = e.target_id AND r.target_id = e.source_id
                      AND r.osm_way_id = e.osm_way_id AND ST_Equals(r.geom, ST_Reverse(e.geom)))
                FROM geo_roadedge e
            """)
            rows = cursor.fetchall()
        assert all(has_twin for oneway, has_twin in rows if not oneway)
        assert not any(has_twin for oneway, has_twin in rows if oneway)

    def test_geometry_runs_from_source_to_target(self, poa_import):
        with connection.cursor() as cursor:
            cursor.execute("""
                SELECT count(*) FROM geo_roadedge e
                JOIN geo_roadnode s ON s.id = e.source_id JOIN geo_roadnode t ON t.id = e.target_id
                WHERE NOT ST_Equals(ST_StartPoint(e.geom), s.point)
                   OR NOT ST_Equals(ST_EndPoint(e.geom), t.point)
            """)
            assert cursor.fetchone()[0] == 0

    def test_the_street_graph_is_one_strongly_connected_city(self, poa_import):
        edges = list(RoadEdge.objects.values_list("source_id", "target_id"))
        nodes = list(RoadNode.objects.values_list("id", flat=True))
        assert largest_strongly_connected_share(edges, nodes) > 0.9


class TestCommand:
    def test_prints_a_summary(self, capsys):
        call_command("import_osm", str(TINY_OSM), "--no-progress")
        assert "8" in capsys.readouterr().out

    @pytest.mark.parametrize("path", ["/no/such/file.osm.pbf", __file__])
    def test_bad_file_is_refused_and_the_network_kept(self, path):
        import_osm(TINY_OSM)
        with pytest.raises(CommandError):
            call_command("import_osm", path, "--no-progress")
        assert RoadEdge.objects.count() == 11
