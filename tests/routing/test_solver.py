"""The optimiser on hand-made problems, judged by the independent checker."""
import numpy as np
import pytest

from routing.checker import check
from routing.choices import Objective, UnassignedReason, ViolationKind
from routing.solver import SearchSettings, solve
from routing.vrp import Break, Route, Solution, Vehicle, Visit

from .builders import brute_force_optimum, depot_vehicle, job_at, plane_problem

ONE_SECOND = SearchSettings(seconds=1)


def random_problem(seed, job_count=6, vehicle_count=2):
    rng = np.random.default_rng(seed)
    points = [(25, 25)] + [tuple(p) for p in rng.integers(0, 50, size=(job_count, 2))]
    jobs = []
    for location in range(1, job_count + 1):
        start = int(rng.integers(0, 800))
        jobs.append(job_at(location, window=(start, start + int(rng.integers(300, 700))), service=60,
                           demand=int(rng.integers(1, 6))))
    vehicles = [depot_vehicle(v, shift_end=3000, capacity=15) for v in range(vehicle_count)]
    return plane_problem(points, vehicles, jobs)


def solved(problem, search=ONE_SECOND):
    solution = solve(problem, search)
    report = check(problem, solution)
    assert report.feasible, report.violations
    return solution, report


def vehicle_of(solution, job):
    return next(route.vehicle for route in solution.routes for visit in route.visits if visit.job == job)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_small_instances_reach_the_brute_forced_optimum(seed):
    problem = random_problem(seed)
    optimum = brute_force_optimum(problem)
    assert optimum is not None
    solution, report = solved(problem)
    assert report.served == len(problem.jobs)
    assert report.travel_meters == optimum


def test_optimum_with_three_vehicles_and_tight_capacity():
    problem = random_problem(7, job_count=5, vehicle_count=3)
    solution, report = solved(problem)
    assert report.served == 5
    assert report.travel_meters == brute_force_optimum(problem)


def test_skills_only_go_to_a_technician_who_has_them_all():
    points = [(0, 0), (10, 0), (0, 10), (50, 50)]
    vehicles = [depot_vehicle(0, skills=frozenset({"fusao"})), depot_vehicle(1, skills=frozenset({"fusao", "altura"}))]
    jobs = [
        job_at(1, skills=frozenset({"fusao", "altura"})),
        job_at(2, skills=frozenset({"fusao"})),
        job_at(3, skills=frozenset({"rede"})),
    ]
    problem = plane_problem(points, vehicles, jobs)
    solution, _report = solved(problem)
    assert vehicle_of(solution, 0) == 1
    assert solution.unassigned == {2: UnassignedReason.NO_SKILLED_TECHNICIAN}


def test_windows_are_kept_and_impossible_ones_are_reported():
    points = [(0, 0), (30, 0), (0, 30), (100, 0)]
    jobs = [
        job_at(1, window=(800, 900), service=100),
        job_at(2, window=(100, 350), service=100),
        job_at(3, window=(0, 500)),  # 1000 away: cannot be reached before 500
    ]
    problem = plane_problem(points, [depot_vehicle(shift_end=3000)], jobs)
    solution, report = solved(problem)
    assert [visit.job for visit in solution.routes[0].visits] == [1, 0]
    assert 300 <= report.service_starts[1] <= 350 and 800 <= report.service_starts[0] <= 900
    assert solution.unassigned == {2: UnassignedReason.WINDOW_UNREACHABLE}


def test_when_time_runs_short_the_higher_penalty_order_stays():
    points = [(0, 0), (10, 0), (-10, 0)]
    jobs = [
        job_at(1, window=(100, 150), service=200, penalty=1_000),
        job_at(2, window=(100, 150), service=200, penalty=8_000),
    ]
    problem = plane_problem(points, [depot_vehicle(shift_end=1000)], jobs)
    solution, _report = solved(problem)
    assert [visit.job for visit in solution.routes[0].visits] == [1]
    assert solution.unassigned == {0: UnassignedReason.NO_ROOM}


def test_lunch_break_is_taken_inside_its_window_and_between_services():
    points = [(0, 0), (10, 0), (20, 0), (30, 0)]
    lunch = Break(earliest_start=250, latest_start=300, duration=100)
    jobs = [job_at(location, service=100) for location in (1, 2, 3)]
    problem = plane_problem(points, [depot_vehicle(shift_end=1000, lunch=lunch)], jobs)
    solution, report = solved(problem)
    route = solution.routes[0]
    assert 250 <= route.break_start <= 300
    assert report.served == 3
    for visit in route.visits:
        service_end = report.service_starts[visit.job] + 100
        assert service_end <= route.break_start or report.service_starts[visit.job] >= route.break_start + 100


def test_checker_catches_a_lunch_out_of_its_window_or_missing():
    points = [(0, 0), (10, 0)]
    lunch = Break(earliest_start=100, latest_start=120, duration=60)
    problem = plane_problem(points, [depot_vehicle(lunch=lunch)], [job_at(1, service=200)])
    for break_start in (200, None):
        route = Route(vehicle=0, departure=0, visits=[Visit(0, 100, 100, 300)], break_start=break_start)
        report = check(problem, Solution(routes=[route], unassigned={}))
        assert {v.kind for v in report.violations} == {ViolationKind.BREAK}


def test_locked_order_stays_with_its_technician():
    points = [(0, 0), (100, 0)]
    vehicles = [depot_vehicle(0), Vehicle(key=1, start=1, end=1, shift_start=0, shift_end=10_000)]
    unlocked, _report = solved(plane_problem(points, vehicles, [job_at(1)]))
    assert vehicle_of(unlocked, 0) == 1  # the technician already there
    locked, _report = solved(plane_problem(points, vehicles, [job_at(1, vehicle=0)]))
    assert vehicle_of(locked, 0) == 0


def test_shift_and_maximum_working_time_are_honoured():
    points = [(0, 0), (30, 0), (-30, 0), (0, 30)]
    jobs = [job_at(location, service=200) for location in (1, 2, 3)]
    short_shift = depot_vehicle(0, shift_end=1500)  # two jobs at most, one of them job 2
    short_day = depot_vehicle(1, shift_end=10_000, max_working=900)  # one job at most
    solution, report = solved(plane_problem(points, [short_shift, short_day], jobs))
    assert report.served == 3
    assert sorted(len(route.visits) for route in solution.routes) == [1, 2]
    assert len(solution.routes[1].visits) == 1


def test_fixed_cost_makes_one_technician_do_the_work():
    points = [(0, 0), (10, 0), (0, 10)]
    vehicles = [depot_vehicle(v, fixed_cost=10_000) for v in range(2)]
    problem = plane_problem(points, vehicles, [job_at(1), job_at(2)], objective=Objective.TIME)
    _solution, report = solved(problem)
    assert report.used_vehicles == 1


def test_empty_team_leaves_every_order_unassigned_with_the_reason():
    problem = plane_problem([(0, 0), (10, 0)], [], [job_at(1)])
    solution = solve(problem, ONE_SECOND)
    assert solution.unassigned == {0: UnassignedReason.NO_TECHNICIANS}
    assert check(problem, solution).feasible


def test_checker_recomputes_times_and_finds_every_broken_rule():
    points = [(0, 0), (100, 0), (0, 10)]
    vehicles = [depot_vehicle(0, shift_end=1500, capacity=5)]
    jobs = [
        job_at(1, window=(0, 500), demand=4, skills=frozenset({"altura"})),  # reached at 1000
        job_at(2, demand=4, vehicle=1),
    ]
    problem = plane_problem(points, vehicles + [depot_vehicle(1)], jobs)
    claimed_on_time = Visit(0, arrival=100, start=100, departure=100)
    solution = Solution(
        routes=[Route(vehicle=0, departure=0, visits=[claimed_on_time, Visit(1, 0, 0, 0), Visit(1, 0, 0, 0)])],
        unassigned={},
    )
    kinds = {violation.kind for violation in check(problem, solution).violations}
    assert kinds == {
        ViolationKind.WINDOW, ViolationKind.SKILL, ViolationKind.LOCK, ViolationKind.DUPLICATE,
        ViolationKind.CAPACITY, ViolationKind.SHIFT,
    }
