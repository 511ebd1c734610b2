"""Benchmark runs: Solomon instances with our solver (and PyVRP's for comparison), and
the demo city's day against the dispatcher's nearest-neighbour plan."""
import time

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _lazy

from gis.network import matrix_cache_key, road_graph
from routing.checker import check
from routing.planning import build_problem
from routing.solver import SearchSettings, solve

from .baseline import nearest_neighbour_plan
from .scenario import day_origin, generated_orders, technician_days
from .vrptw import load_instance


def solve_instance(path, seconds):
    """Solve one VRPTW file with the product's solver; the checker decides feasibility."""
    instance = load_instance(path)
    solution = solve(instance.problem, SearchSettings(seconds=seconds))
    report = check(instance.problem, solution)
    return {
        "instance": instance.name,
        "cost": report.travel_meters,
        "vehicles": report.used_vehicles,
        "served": report.served,
        "feasible": report.feasible and report.served == len(instance.problem.jobs),
        "seconds": round(solution.seconds, 2),
    }


PYVRP_MISSING = _lazy(
    'PyVRP is not installed: .venv/bin/pip install "pyvrp==0.14.1" (the "bench" extra of pyproject.toml).'
)


def solve_instance_with_pyvrp(path, seconds, seed=1):
    """The same instance and the same integer matrix, solved by PyVRP's HGS for comparison."""
    from pyvrp import Model
    from pyvrp.stop import MaxRuntime

    problem = load_instance(path).problem
    depot_location = problem.vehicles[0].start
    model = Model()
    locations = [model.add_location(0, 0) for _ in range(len(problem.meters))]
    depot = model.add_depot(locations[depot_location], tw_early=problem.vehicles[0].shift_start,
                            tw_late=problem.vehicles[0].shift_end)
    model.add_vehicle_type(num_available=len(problem.vehicles), capacity=problem.vehicles[0].capacity or 0,
                           start_depot=depot, end_depot=depot, tw_early=problem.vehicles[0].shift_start,
                           tw_late=problem.vehicles[0].shift_end)
    for job in problem.jobs:
        model.add_client(locations[job.location], delivery=job.demand, service_duration=job.service,
                         tw_early=job.window_start, tw_late=job.window_end)
    for a, frm in enumerate(locations):
        for b, to in enumerate(locations):
            value = int(problem.meters[a, b])
            model.add_edge(frm, to, distance=value, duration=value)
    result = model.solve(stop=MaxRuntime(seconds), seed=seed, display=False)
    best = result.best
    return {
        "cost": int(best.distance()),
        "vehicles": best.num_routes(),
        "feasible": best.is_feasible() and best.num_clients() == len(problem.jobs),
    }


def city_scenario(seconds=30.0, order_count=400):
    """Matrix time (uncached), our plan at `seconds`, the checker's verdict, and driving
    hours against the nearest-neighbour baseline."""
    technicians = technician_days()
    orders = generated_orders(technicians, count=order_count)
    points = [p for t in technicians for p in (t.start, t.end)] + [o.point for o in orders]
    cache.delete(matrix_cache_key(road_graph().version, [(float(x), float(y)) for x, y in points]))
    began = time.monotonic()
    planning = build_problem(technicians, orders, day_origin())
    matrix_seconds = time.monotonic() - began
    problem = planning.problem
    solution = solve(problem, SearchSettings(seconds=seconds))
    ours = check(problem, solution)
    baseline = check(problem, nearest_neighbour_plan(problem))
    return {
        "technicians": len(technicians),
        "orders": len(orders),
        "matrix_seconds": round(matrix_seconds, 2),
        "estimated_stops": int(planning.matrix.estimated.sum()),
        "solve_seconds": round(solution.seconds, 2),
        "served": ours.served,
        "violations": len(ours.violations),
        "driving_hours": round(ours.travel_seconds / 3600, 2),
        "km": round(ours.travel_meters / 1000, 1),
        "baseline_served": baseline.served,
        "baseline_violations": len(baseline.violations),
        "baseline_driving_hours": round(baseline.travel_seconds / 3600, 2),
        "driving_hours_ratio": round(ours.travel_seconds / max(baseline.travel_seconds, 1), 3),
        "driving_minutes_per_order": round(ours.travel_seconds / 60 / max(ours.served, 1), 1),
        "baseline_driving_minutes_per_order": round(baseline.travel_seconds / 60 / max(baseline.served, 1), 1),
    }
