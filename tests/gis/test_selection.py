"""The polygon selection service: validation (property-based), safe repair, counts and pages."""

import math

import pytest
import shapely
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gis.selection import (
    SelectionArea,
    clean_contract_filters,
    clean_selection_area,
    contracts_in_area,
    select_contracts,
)
from core.geometry import MAX_VERTICES

from .selection_data import GRID_ORIGIN, GRID_STEP, make_contract, make_grid, make_plan, square

CENTER = (-51.23, -30.04)
DB_EXAMPLES = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def error_code(geojson):
    with pytest.raises(ValidationError) as caught:
        clean_selection_area(geojson)
    return caught.value.code


@st.composite
def star_rings(draw, min_vertices=4, max_vertices=40):
    """Closed, simple rings: vertices at increasing angles around CENTER, 300 m to 3 km out.
    Every angular gap is under half a turn, so CENTER is inside and the edges never cross."""
    count = draw(st.integers(min_vertices, max_vertices))
    cuts = sorted(draw(st.lists(st.floats(0, 1), min_size=count, max_size=count, unique=True)))
    if any(not 1e-3 <= b - a < 0.5 for a, b in zip(cuts, cuts[1:] + [cuts[0] + 1])):
        cuts = [index / count for index in range(count)]
    radii = draw(st.lists(st.floats(0.003, 0.03), min_size=count, max_size=count))
    ring = [
        [CENTER[0] + radius * math.cos(2 * math.pi * cut), CENTER[1] + radius * math.sin(2 * math.pi * cut)]
        for cut, radius in zip(cuts, radii)
    ]
    return ring + [ring[0]]


def polygon(ring):
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def grid_points(db):
    """49 contracts 500 m apart around CENTER; the points shapely is compared with."""
    plan = make_plan()
    points = []
    for index in range(49):
        lon = CENTER[0] - 0.0301 + (index % 7) * 0.01
        lat = CENTER[1] - 0.0299 + (index // 7) * 0.01
        make_contract(index, lon, lat, plan)
        points.append((lon, lat))
    return shapely.points(points)


@pytest.mark.django_db
@DB_EXAMPLES
@given(ring=star_rings())
def test_valid_rings_are_accepted_and_select_what_shapely_finds(grid_points, ring):
    area = clean_selection_area(polygon(ring))
    assert isinstance(area, SelectionArea) and not area.repaired
    expected = int(shapely.intersects(shapely.Polygon(ring), grid_points).sum())
    assert contracts_in_area(area).count() == expected
    assert select_contracts(area).counts["contracts"] == expected


@pytest.mark.django_db
@DB_EXAMPLES
@given(ring=star_rings())
def test_unclosed_rings_are_refused(ring):
    assert error_code(polygon(ring[:-1])) == "unclosed_ring"


@pytest.mark.django_db
@DB_EXAMPLES
@given(ring=st.just(None) | star_rings(), position=st.integers(0, 3), beyond=st.floats(1e-6, 1e6))
def test_coordinates_out_of_range_are_refused(ring, position, beyond):
    ring = ring or [list(corner) for corner in square(-51.3, -30.1, -51.2, -30.0)["coordinates"][0]]
    lon, lat = ring[position]
    ring[position] = [-180 - beyond, lat] if position % 2 else [lon, 90 + beyond]
    if position == 0:
        ring[-1] = ring[0]
    assert error_code(polygon(ring)) == "out_of_range"


@pytest.mark.django_db
@settings(max_examples=5, deadline=None)
@given(extra=st.integers(1, 500))
def test_too_many_vertices_are_refused(extra):
    count = MAX_VERTICES + extra
    ring = [
        [CENTER[0] + 0.01 * math.cos(2 * math.pi * i / count), CENTER[1] + 0.01 * math.sin(2 * math.pi * i / count)]
        for i in range(count)
    ]
    assert error_code(polygon(ring + [ring[0]])) == "too_many_vertices"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=30,
)
COORDINATES = st.recursive(
    st.floats(-200, 200) | st.integers(-200, 200),
    lambda children: st.lists(children, max_size=6),
    max_leaves=40,
)


@pytest.mark.django_db
@DB_EXAMPLES
@given(
    value=JSON | st.fixed_dictionaries(
        {"type": st.sampled_from(["Polygon", "MultiPolygon", "Point"]), "coordinates": COORDINATES}
    )
)
def test_any_input_is_a_selection_area_or_a_validation_error(value):
    try:
        clean_selection_area(value)
    except ValidationError as error:
        assert error.code in {
            "malformed_geojson", "wrong_type", "unclosed_ring", "too_few_points", "out_of_range",
            "too_many_vertices", "invalid_geometry", "empty_geometry", "area_too_large",
            "outside_region", "area_too_wide",
        }


@pytest.mark.django_db
@DB_EXAMPLES
@given(
    corners=st.lists(
        st.tuples(st.floats(-51.3, -51.2), st.floats(-30.1, -30.0)), min_size=4, max_size=8
    )
)
def test_self_intersecting_rings_are_repaired_only_when_the_area_is_kept(corners):
    ring = [list(corner) for corner in corners] + [list(corners[0])]
    shape = shapely.Polygon(ring)
    try:
        area = clean_selection_area(polygon(ring))
    except ValidationError as error:
        assert error.code in {"invalid_geometry", "empty_geometry"}
        assert not shape.is_valid or shape.area == 0
    else:
        assert area.repaired == (not shape.is_valid)
        if area.repaired:
            drawn = abs(_shoelace(ring))
            assert area.geometry.area == pytest.approx(drawn, rel=0.011)


def _shoelace(ring):
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:])) / 2


@pytest.mark.django_db
def test_bow_tie_is_refused_naming_the_crossing():
    bow_tie = polygon([[-51.25, -30.05], [-51.20, -30.00], [-51.20, -30.05], [-51.25, -30.00], [-51.25, -30.05]])
    with pytest.raises(ValidationError) as caught:
        clean_selection_area(bow_tie)
    assert caught.value.code == "invalid_geometry"
    assert "Self-intersection[-51.225 -30.025]" in caught.value.messages[0]


@pytest.mark.django_db
def test_small_closing_loop_is_repaired_with_a_message():
    # The last click went slightly past the first vertex: a tiny loop crossing the first edge.
    ring = [
        [-51.25, -30.05], [-51.20, -30.05], [-51.20, -30.00], [-51.25, -30.00],
        [-51.2505, -30.0499], [-51.2495, -30.0501], [-51.25, -30.05],
    ]
    area = clean_selection_area(polygon(ring))
    assert area.repaired
    assert area.messages and "Self-intersection" in area.messages[0]
    assert area.geometry.valid
    assert area.area_km2 == pytest.approx(4.8 * 5.5, rel=0.05)


@pytest.mark.django_db
def test_overlapping_multipolygon_parts_are_refused():
    overlapping = {
        "type": "MultiPolygon",
        "coordinates": [square(-51.25, -30.05, -51.20, -30.00)["coordinates"],
                        square(-51.22, -30.03, -51.18, -29.99)["coordinates"]],
    }
    assert error_code(overlapping) == "invalid_geometry"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("geojson", "code"),
    [
        ("not a dict", "malformed_geojson"),
        ({"type": "Point", "coordinates": [-51.2, -30.0]}, "wrong_type"),
        ({"type": "Polygon"}, "malformed_geojson"),
        ({"type": "Polygon", "coordinates": [[[-51.2, -30.0], [-51.1, -30.0], [-51.2, -30.0]]]}, "too_few_points"),
        ({"type": "Polygon", "coordinates": [[[-51.2, "x"], [-51.1, -30.0], [-51.1, -30.1], [-51.2, "x"]]]},
         "malformed_geojson"),
        ({"type": "Polygon", "coordinates": [[[-51.2, -30.0], [-51.1, -30.0], [-51.0, -30.0], [-51.2, -30.0]]]},
         "invalid_geometry"),
        (square(-52.0, -31.0, -51.0, -30.0), "area_too_large"),
    ],
)
def test_bad_polygons_get_their_code(geojson, code):
    assert error_code(geojson) == code


@pytest.mark.django_db
def test_area_limit_is_a_setting(settings):
    settings.MALHA_SELECTION_MAX_AREA_KM2 = 10
    assert error_code(square(-51.25, -30.05, -51.20, -30.00)) == "area_too_large"
    settings.MALHA_SELECTION_MAX_AREA_KM2 = 50
    assert clean_selection_area(square(-51.25, -30.05, -51.20, -30.00)).area_km2 == pytest.approx(26.4, rel=0.02)


@pytest.mark.django_db
def test_counts_filters_and_pages():
    plan, other_plan = make_plan(), make_plan("Fibra 1 Giga", "149.90")
    make_grid(plan, size=4)  # 16 contracts: even columns active, odd ones suspended
    make_contract(100, GRID_ORIGIN[0] + 0.001, GRID_ORIGIN[1] + 0.001, other_plan, "cancelled")
    # The same client's second contract inside counts as one client.
    first = make_contract(101, GRID_ORIGIN[0] + 0.002, GRID_ORIGIN[1] + 0.002, other_plan)
    from billing.services import create_contract
    create_contract(person=first.person, plan=plan, installation_address=first.installation_address)
    # Three columns by four rows of the grid, the extra contracts included.
    area = clean_selection_area(square(
        GRID_ORIGIN[0] - 0.005, GRID_ORIGIN[1] - 0.005,
        GRID_ORIGIN[0] + 2 * GRID_STEP + 0.005, GRID_ORIGIN[1] + 3 * GRID_STEP + 0.005,
    ))
    selection = select_contracts(area, page_size=5)
    counts = selection.counts
    assert counts["contracts"] == 12 + 3
    assert counts["clients"] == 12 + 2
    assert {row["status"]: row["count"] for row in counts["by_status"]} == {
        "active": 8, "suspended": 4, "cancelled": 1, "awaiting_installation": 2,
    }
    assert {row["name"]: row["count"] for row in counts["by_plan"]} == {"Fibra 500": 13, "Fibra 1 Giga": 2}
    assert [c.pk for c in selection.page] == sorted(c.pk for c in selection.page) and len(selection.page) == 5
    last = select_contracts(area, page=3, page_size=5).page
    assert len(last) == 5 and last[-1].pk == contracts_in_area(area).last().pk

    only = select_contracts(area, statuses=["suspended", "cancelled"], plan_ids=[plan.pk]).counts
    assert only["contracts"] == 4 and only["by_plan"] == [{"id": plan.pk, "name": "Fibra 500", "count": 4}]


@pytest.mark.django_db
def test_concave_polygons_are_subdivided_and_still_exact():
    plan = make_plan()
    make_grid(plan, size=5)
    # An L shape: the grid's first row and first column.
    x0, y0 = GRID_ORIGIN[0] - 0.005, GRID_ORIGIN[1] - 0.005
    x1, y1 = GRID_ORIGIN[0] + 4 * GRID_STEP + 0.005, GRID_ORIGIN[1] + 4 * GRID_STEP + 0.005
    xm, ym = GRID_ORIGIN[0] + 0.005, GRID_ORIGIN[1] + 0.005
    l_shape = polygon([[x0, y0], [x1, y0], [x1, ym], [xm, ym], [xm, y1], [x0, y1], [x0, y0]])
    area = clean_selection_area(l_shape)
    assert len(area.pieces) > 1
    assert select_contracts(area).counts["contracts"] == 5 + 4


@pytest.mark.django_db
def test_unknown_filters_are_refused_per_field():
    with pytest.raises(ValidationError) as caught:
        clean_contract_filters(["active", "gone"], [987654])
    assert set(caught.value.message_dict) == {"status", "plan"}


@pytest.mark.django_db
def test_cell_grid_settles_most_points_and_stays_exact():
    """A circle over a dense block: points in inside, outside and boundary cells, four of
    them on the circle's vertices, all counted as ST_Intersects counts them."""
    from django.db import connection

    from gis.selection import CELL_BOUNDARY, CELL_INSIDE, CELL_OUTSIDE

    plan = make_plan()
    for index in range(14 * 14):
        make_contract(index, CENTER[0] + (index % 14 - 7) * 0.001, CENTER[1] + (index // 14 - 7) * 0.001, plan)
    ring = [[CENTER[0] + 0.005 * math.cos(math.pi * k / 10), CENTER[1] + 0.005 * math.sin(math.pi * k / 10)]
            for k in range(20)]
    area = clean_selection_area(polygon([*ring, ring[0]]))
    assert {CELL_INSIDE, CELL_OUTSIDE, CELL_BOUNDARY} <= set(area.grid.classes)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM billing_contract WHERE ST_Intersects(point, ST_GeomFromWKB(%s, 4326))",
                       [bytes(area.geometry.wkb)])
        expected = cursor.fetchone()[0]
    assert 60 < expected < 14 * 14
    assert contracts_in_area(area).count() == expected == select_contracts(area).counts["contracts"]


def ring_polygon(*points):
    return {"type": "Polygon", "coordinates": [[*map(list, points), list(points[0])]]}


# The audit's slow and crashing polygons: thin slivers with little area that the database
# reads across the antimeridian or around the planet, and the whole world.
ANTIMERIDIAN_SLIVER = ring_polygon((-179.9, -30.0), (179.9, -30.0), (179.9, -29.9999), (-179.9, -29.9999))
FULL_WIDTH_SLIVER = ring_polygon((-180, -30.0), (180, -30.0), (180, -29.9999), (-180, -29.9999))
WHOLE_WORLD = ring_polygon((-180, -90), (180, -90), (180, 90), (-180, 90))


@pytest.mark.django_db
@pytest.mark.parametrize("geojson", [ANTIMERIDIAN_SLIVER, FULL_WIDTH_SLIVER, WHOLE_WORLD])
def test_areas_around_the_planet_are_refused_before_any_query(geojson, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert error_code(geojson) == "outside_region"


@pytest.mark.django_db
def test_areas_wider_than_the_span_limit_are_refused_and_a_state_passes(settings):
    settings.MALHA_SELECTION_MAX_AREA_KM2 = 1_000_000
    sliver = ring_polygon((-57.0, -30.0), (-50.0, -30.0), (-50.0, -29.999), (-57.0, -29.999))
    assert error_code(sliver) == "area_too_wide"
    rio_grande_do_sul = square(-55.0, -32.0, -51.0, -28.0)
    assert clean_selection_area(rio_grande_do_sul).area_km2 == pytest.approx(172_000, rel=0.05)
