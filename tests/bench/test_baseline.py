"""The dispatcher's nearest-neighbour plan the routing benchmark compares the optimiser with."""
from bench.baseline import nearest_neighbour_plan
from routing.checker import check
from routing.solver import SearchSettings, solve
from tests.routing.builders import depot_vehicle, job_at, plane_problem


def test_nearest_neighbour_baseline_is_a_feasible_plan():
    points = [(0, 0), (10, 0), (20, 0), (0, 10), (5, 5)]
    jobs = [job_at(1, window=(0, 300), service=100), job_at(2, window=(400, 600), service=100),
            job_at(3, window=(0, 100), service=100, skills=frozenset({"altura"})), job_at(4, service=50)]
    vehicles = [depot_vehicle(0, shift_end=2000), depot_vehicle(1, shift_end=2000, skills=frozenset({"altura"}))]
    problem = plane_problem(points, vehicles, jobs)
    baseline = nearest_neighbour_plan(problem)
    report = check(problem, baseline)
    assert report.feasible, report.violations
    # Greedy: the skilled technician takes an order anyone could do and is then too late for 2,
    # which the optimiser does serve.
    assert report.served == 3
    assert set(baseline.unassigned) == {2}
    assert check(problem, solve(problem, SearchSettings(seconds=0.5))).served == 4
