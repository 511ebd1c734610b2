"""Benchmark runs: Solomon instances with our solver (and PyVRP's for comparison)."""
from .checker import check
from .solver import SearchSettings, solve
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


PYVRP_MISSING = 'PyVRP is not installed: .venv/bin/pip install "pyvrp==0.14.1" (the "bench" extra of pyproject.toml).'


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
