"""From technicians and orders on the streets to a problem."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from gis.osm_import import import_osm
from routing.checker import check
from routing.planning import OrderStop, TechnicianDay, build_problem, drop_penalty
from routing.solver import SearchSettings, solve

from tests.gis.test_network import ONEWAY_OSM, along_diagonal

pytestmark = pytest.mark.django_db
ORIGIN = datetime(2026, 3, 2, tzinfo=ZoneInfo("America/Sao_Paulo"))


def hours(value):
    return ORIGIN + timedelta(hours=value)


def test_drop_penalty_doubles_with_priority_and_grows_with_lateness(settings):
    settings.MALHA_ROUTING_DROP_PENALTY_SECONDS = 1000
    assert [drop_penalty(p, 0) for p in (1, 2, 3, 4)] == [1000, 2000, 4000, 8000]
    assert drop_penalty(2, 2) == 4000
    assert drop_penalty(2, 100) == drop_penalty(2, 10)


def test_a_day_on_the_streets_becomes_a_problem_in_seconds_since_the_origin():
    import_osm(ONEWAY_OSM)
    depot = along_diagonal(0.1)
    technicians = [
        TechnicianDay(key="ana", start=depot, end=depot, shift_start=hours(8), shift_end=hours(17),
                      skills=frozenset({"fusao"}), lunch=(hours(11.5), hours(13.5), 60)),
        TechnicianDay(key="bia", start=depot, end=depot, shift_start=hours(9), shift_end=hours(18)),
    ]
    orders = [
        OrderStop(key="os-1", point=along_diagonal(0.9), window_start=hours(9), window_end=hours(11),
                  minutes=30, priority=4, skills=frozenset({"fusao"})),
        OrderStop(key="os-2", point=along_diagonal(0.5), window_start=hours(13), window_end=hours(15),
                  minutes=45, locked_to="bia"),
    ]
    planning = build_problem(technicians, orders, ORIGIN)
    problem = planning.problem
    ana, bia = problem.vehicles
    assert (ana.shift_start, ana.shift_end, bia.shift_start) == (8 * 3600, 17 * 3600, 9 * 3600)
    assert (ana.lunch.earliest_start, ana.lunch.latest_start, ana.lunch.duration) == (41400, 48600, 3600)
    first, second = problem.jobs
    assert (first.window_start, first.window_end, first.service) == (9 * 3600, 11 * 3600, 1800)
    assert first.penalty == 4 * second.penalty
    assert second.vehicle == 1
    # Along the one-way diagonal from the depot, a short drive; the way back goes round the block.
    assert problem.seconds[ana.start, first.location] < problem.seconds[first.location, ana.end]
    solution = solve(problem, SearchSettings(seconds=0.5))
    assert check(problem, solution).feasible
    assert solution.served() == 2
