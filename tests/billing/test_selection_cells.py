"""Selection counts from the per-cell aggregates (billing migration 0005) stay exact: the same
numbers as a direct ST_Intersects count, on random polygons, through every kind of write."""

import datetime
import random

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.models import Contract
from billing.services import create_contract, update_contract
from gis.selection import clean_selection_area, select_contracts

from tests.gis.selection_data import make_contract, make_plan
from tests.gis.test_selection import CENTER, polygon, star_rings

STATUSES = ("active", "suspended", "cancelled", "awaiting_installation")
# Every lifecycle date set, so any status passes the contract table's date constraints.
STATUS_DATES = dict.fromkeys(["activated_on", "suspended_on", "cancelled_on"], datetime.date.today())
EXAMPLES = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def direct_counts(area, statuses=None, plan_ids=None):
    """The counts the slow way: every contract tested with ST_Intersects."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT status, plan_id, person_id FROM billing_contract"
            " WHERE ST_Intersects(point, ST_GeomFromWKB(%s, 4326))"
            " AND (%s::text[] IS NULL OR status = ANY(%s)) AND (%s::bigint[] IS NULL OR plan_id = ANY(%s))",
            [bytes(area.geometry.wkb), statuses, statuses, plan_ids, plan_ids],
        )
        rows = cursor.fetchall()
    by_status, by_plan = {}, {}
    for status, plan_id, _person in rows:
        by_status[status] = by_status.get(status, 0) + 1
        by_plan[plan_id] = by_plan.get(plan_id, 0) + 1
    return {"contracts": len(rows), "clients": len({row[2] for row in rows}),
            "by_status": by_status, "by_plan": by_plan}


def served_counts(area, statuses=None, plan_ids=None):
    counts = select_contracts(area, statuses, plan_ids).counts
    return {"contracts": counts["contracts"], "clients": counts["clients"],
            "by_status": {row["status"]: row["count"] for row in counts["by_status"]},
            "by_plan": {row["id"]: row["count"] for row in counts["by_plan"]}}


def cells_match_contracts():
    """geo_selectioncell (non-zero rows) and geo_sharedcontract equal a rebuild from scratch."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM (
                (SELECT level, ix, iy, status, plan_id, contracts FROM geo_selectioncell WHERE contracts <> 0
                 EXCEPT ALL
                 SELECT l, (geo_selection_cell(point) >> 18 >> (2 * l))::int,
                        ((geo_selection_cell(point) & 262143) >> (2 * l))::int, status, plan_id, count(*)
                 FROM billing_contract CROSS JOIN generate_series(0, 3) AS l GROUP BY 1, 2, 3, 4, 5)
                UNION ALL
                (SELECT l, (geo_selection_cell(point) >> 18 >> (2 * l))::int,
                        ((geo_selection_cell(point) & 262143) >> (2 * l))::int, status, plan_id, count(*)
                 FROM billing_contract CROSS JOIN generate_series(0, 3) AS l GROUP BY 1, 2, 3, 4, 5
                 EXCEPT ALL
                 SELECT level, ix, iy, status, plan_id, contracts FROM geo_selectioncell WHERE contracts <> 0)
            ) AS difference
            """
        )
        cell_differences = cursor.fetchone()[0]
        cursor.execute(
            """
            SELECT count(*) FROM (
                (SELECT contract_id, person_id, point, status, plan_id FROM geo_sharedcontract
                 EXCEPT SELECT id, person_id, point, status, plan_id FROM billing_contract
                 WHERE person_id IN (SELECT person_id FROM billing_contract GROUP BY 1 HAVING count(*) > 1))
                UNION ALL
                (SELECT id, person_id, point, status, plan_id FROM billing_contract
                 WHERE person_id IN (SELECT person_id FROM billing_contract GROUP BY 1 HAVING count(*) > 1)
                 EXCEPT SELECT contract_id, person_id, point, status, plan_id FROM geo_sharedcontract)
            ) AS difference
            """
        )
        return cell_differences == 0 and cursor.fetchone()[0] == 0


@pytest.fixture
def town(db):
    """120 contracts within ~3 km of CENTER on two plans; every tenth client holds a second
    contract elsewhere, so clients and contracts differ and span cells."""
    rng = random.Random(3)
    plans = [make_plan(), make_plan("Fibra 1 Giga", "149.90")]
    contracts = []
    for index in range(120):
        lon, lat = CENTER[0] + rng.uniform(-0.03, 0.03), CENTER[1] + rng.uniform(-0.03, 0.03)
        contract = make_contract(index, lon, lat, plans[index % 2], STATUSES[index % 4])
        contracts.append(contract)
        if index % 10 == 0:
            contracts.append(_second_contract(contract, plans[1], rng))
    return plans, contracts


def _second_contract(contract, plan, rng):
    point = Point(CENTER[0] + rng.uniform(-0.03, 0.03), CENTER[1] + rng.uniform(-0.03, 0.03), srid=4326)
    return create_contract(person=contract.person, plan=plan, installation_address=contract.installation_address,
                           point=point)


WRITES = st.lists(
    st.tuples(st.sampled_from(["move", "status", "plan", "delete", "second", "bulk_status"]),
              st.integers(0, 10**6), st.floats(-0.03, 0.03), st.floats(-0.03, 0.03)),
    max_size=6,
)


def apply_write(kind, pick, dx, dy, plans):
    """One write the way the app makes it (services), or a bulk ORM update / delete."""
    contracts = list(Contract.objects.order_by("id"))
    contract = contracts[pick % len(contracts)]
    if kind == "move":
        update_contract(contract, point=Point(CENTER[0] + dx, CENTER[1] + dy, srid=4326))
    elif kind == "status":
        Contract.objects.filter(pk=contract.pk).update(status=STATUSES[pick % 4], **STATUS_DATES)
    elif kind == "plan":
        Contract.objects.filter(pk=contract.pk).update(plan=plans[pick % 2])
    elif kind == "delete" and len(contracts) > 10:
        contract.delete()
    elif kind == "second":
        _second_contract(contract, plans[pick % 2], random.Random(pick))
    elif kind == "bulk_status":
        Contract.objects.filter(point__bboverlaps=Point(CENTER[0] + dx, CENTER[1] + dy, srid=4326).buffer(0.01)
                                ).update(status=STATUSES[pick % 4], **STATUS_DATES)


@pytest.mark.django_db
@EXAMPLES
@given(ring=star_rings(), writes=WRITES, status_filter=st.sets(st.sampled_from(STATUSES)),
       plan_filter=st.sets(st.integers(0, 1), max_size=1))
def test_counts_equal_a_direct_count_through_writes(town, ring, writes, status_filter, plan_filter):
    plans, _contracts = town
    for write in writes:
        apply_write(*write, plans)
    area = clean_selection_area(polygon(ring))
    assert served_counts(area) == direct_counts(area)
    statuses = sorted(status_filter) or None
    plan_ids = [plans[index].pk for index in plan_filter] or None
    assert served_counts(area, statuses, plan_ids) == direct_counts(area, statuses, plan_ids)
    assert cells_match_contracts()


@pytest.mark.django_db
def test_big_polygons_sum_coarse_cells_and_scan_only_the_outline(town):
    """A polygon of ~6 km: most of it is summed from cells above the finest level."""
    ring = [[CENTER[0] + dx, CENTER[1] + dy] for dx, dy in
            [(-0.028, -0.028), (0.028, -0.028), (0.028, 0.028), (-0.028, 0.028), (-0.028, -0.028)]]
    area = clean_selection_area(polygon(ring))
    assert {level for level, _ix, _iy in area.cover.interior} >= {0, 1, 2}
    assert served_counts(area) == direct_counts(area)
    assert 100 < direct_counts(area)["contracts"]


@pytest.mark.django_db
def test_truncating_contracts_empties_the_cells(town):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending: TRUNCATE refuses them
        cursor.execute("TRUNCATE billing_contract CASCADE")
        cursor.execute("SELECT (SELECT count(*) FROM geo_selectioncell) + (SELECT count(*) FROM geo_sharedcontract)")
        assert cursor.fetchone()[0] == 0
