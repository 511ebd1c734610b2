"""An independent check of a plan: recompute every route from the matrix, trust nothing.

It reads only the order of the stops, each route's departure and lunch start from
the solution, drives the route again from the matrix (earliest service starts,
waiting when early, the lunch taken on the leg where it falls), and lists every
broken rule. Tests and the benchmark judge the solver with it.
"""
from dataclasses import dataclass, field

from .choices import ViolationKind


@dataclass(frozen=True)
class Violation:
    kind: str
    vehicle: int | None = None
    job: int | None = None
    detail: str = ""


@dataclass
class CheckReport:
    violations: list = field(default_factory=list)
    travel_seconds: int = 0
    travel_meters: int = 0
    service_seconds: int = 0
    served: int = 0
    used_vehicles: int = 0
    service_starts: dict = field(default_factory=dict)  # job index -> recomputed start

    @property
    def feasible(self):
        return not self.violations


def check(problem, solution):
    report = CheckReport()
    seen = {}
    for route in solution.routes:
        for visit in route.visits:
            if visit.job in seen or visit.job in solution.unassigned:
                report.violations.append(Violation(ViolationKind.DUPLICATE, route.vehicle, visit.job))
            seen[visit.job] = route.vehicle
    for j in range(len(problem.jobs)):
        if j not in seen and j not in solution.unassigned:
            report.violations.append(Violation(ViolationKind.MISSING, job=j))
    for route in solution.routes:
        if route.visits:
            _check_route(problem, route, report)
    return report


def _check_route(problem, route, report):
    v = route.vehicle
    vehicle = problem.vehicles[v]
    report.used_vehicles += 1
    jobs = [problem.jobs[visit.job] for visit in route.visits]
    for visit, job in zip(route.visits, jobs):
        if not job.skills <= vehicle.skills:
            missing = ", ".join(sorted(map(str, job.skills - vehicle.skills)))
            report.violations.append(Violation(ViolationKind.SKILL, v, visit.job, missing))
        if job.vehicle is not None and job.vehicle != v:
            report.violations.append(Violation(ViolationKind.LOCK, v, visit.job))
    load = sum(job.demand for job in jobs)
    if vehicle.capacity is not None and load > vehicle.capacity:
        report.violations.append(Violation(ViolationKind.CAPACITY, v, detail=f"{load} > {vehicle.capacity}"))

    lunch, lunch_start, lunch_taken = vehicle.lunch, route.break_start, False
    if lunch and (lunch_start is None or not lunch.earliest_start <= lunch_start <= lunch.latest_start):
        report.violations.append(Violation(ViolationKind.BREAK, v, detail=f"lunch at {lunch_start}"))
    if route.departure < vehicle.shift_start:
        report.violations.append(Violation(ViolationKind.SHIFT, v, detail=f"leaves at {route.departure}"))

    def drive(ready, origin, destination):
        nonlocal lunch_taken
        report.travel_seconds += int(problem.seconds[origin, destination])
        report.travel_meters += int(problem.meters[origin, destination])
        arrival = ready + int(problem.seconds[origin, destination])
        if lunch and not lunch_taken and lunch_start is not None and lunch_start < arrival:
            lunch_taken = True
            if lunch_start < ready:
                report.violations.append(Violation(ViolationKind.BREAK, v, detail="lunch during a service"))
            arrival = max(arrival, lunch_start) + lunch.duration
        return arrival

    ready, location = route.departure, vehicle.start
    for visit, job in zip(route.visits, jobs):
        arrival = drive(ready, location, job.location)
        start = max(arrival, job.window_start)
        if lunch and not lunch_taken and lunch_start is not None and lunch_start < start + job.service:
            # The lunch falls while waiting for the window: it must end before the service.
            lunch_taken = True
            start = max(start, lunch_start + lunch.duration, job.window_start)
        if start > job.window_end:
            report.violations.append(
                Violation(ViolationKind.WINDOW, v, visit.job, f"starts at {start} > {job.window_end}")
            )
        report.service_starts[visit.job] = start
        report.service_seconds += job.service
        report.served += 1
        ready, location = start + job.service, job.location
    back = drive(ready, location, vehicle.end)
    if lunch and not lunch_taken:
        back = max(back, lunch_start + lunch.duration) if lunch_start is not None else back
    if back > vehicle.shift_end:
        report.violations.append(Violation(ViolationKind.SHIFT, v, detail=f"back at {back} > {vehicle.shift_end}"))
    if vehicle.max_working is not None and back - route.departure > vehicle.max_working:
        report.violations.append(
            Violation(ViolationKind.MAX_WORKING, v, detail=f"{back - route.departure} > {vehicle.max_working}")
        )
