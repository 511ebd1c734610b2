"""Small hand-made routing problems on a plane: distance = time = rounded Euclidean x 10."""
import itertools

import numpy as np

from routing.checker import check
from routing.choices import Objective
from routing.vrp import Job, Problem, Route, Solution, Vehicle, Visit

BIG_PENALTY = 10**7


def plane_problem(points, vehicles, jobs, objective=Objective.DISTANCE):
    xy = np.array(points, dtype=float)
    matrix = np.rint(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)) * 10).astype(np.int64)
    return Problem(seconds=matrix, meters=matrix, vehicles=vehicles, jobs=jobs, objective=objective)


def depot_vehicle(key=0, shift_end=10_000, **fields):
    return Vehicle(key=key, start=0, end=0, shift_start=0, shift_end=shift_end, **fields)


def job_at(location, window=(0, 10_000), service=0, penalty=BIG_PENALTY, **fields):
    return Job(key=location, location=location, window_start=window[0], window_end=window[1],
               service=service, penalty=penalty, **fields)


def brute_force_optimum(problem):
    """Cheapest feasible plan serving every job, by trying every order and split over the vehicles."""
    jobs = range(len(problem.jobs))
    vehicle_count = len(problem.vehicles)
    best = None
    for order in itertools.permutations(jobs):
        for cuts in itertools.combinations_with_replacement(range(len(order) + 1), vehicle_count - 1):
            bounds = (0, *cuts, len(order))
            routes = []
            for v in range(vehicle_count):
                route = Route(vehicle=v, departure=problem.vehicles[v].shift_start)
                route.visits = [Visit(job=j, arrival=0, start=0, departure=0) for j in order[bounds[v]:bounds[v + 1]]]
                routes.append(route)
            report = check(problem, Solution(routes=routes, unassigned={}))
            if report.feasible and (best is None or report.travel_meters < best):
                best = report.travel_meters
    return best

