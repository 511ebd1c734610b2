"""From a day of technicians and service orders on the map to a `vrp.Problem`.

Everything here is in wall-clock datetimes and (lon, lat) points; the problem is
in seconds since the day's origin and matrix indices. The drop penalty, in
objective units, doubles with each priority step and grows with every day an
order is past its SLA, so the solver drops low-priority, fresh orders first.
"""
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from .choices import Objective
from gis.network import travel_matrix
from .vrp import Break, Job, Problem, Vehicle

# What one second of travel is worth in metres when the objective is distance (~30 km/h).
METERS_PER_SECOND_OF_PENALTY = 8


@dataclass(frozen=True)
class TechnicianDay:
    key: object
    start: tuple
    end: tuple
    shift_start: datetime
    shift_end: datetime
    skills: frozenset = frozenset()
    lunch: tuple | None = None  # (earliest start, latest start, minutes)
    max_working_minutes: int | None = None


@dataclass(frozen=True)
class OrderStop:
    key: object
    point: tuple
    window_start: datetime
    window_end: datetime
    minutes: int
    priority: int = 2
    skills: frozenset = frozenset()
    overdue_days: float = 0.0
    locked_to: object = None  # a TechnicianDay key


def drop_penalty(priority, overdue_days, objective=Objective.TIME):
    seconds = settings.MALHA_ROUTING_DROP_PENALTY_SECONDS * 2 ** (priority - 1)
    seconds *= 1 + 0.5 * min(max(overdue_days, 0), 10)
    scale = METERS_PER_SECOND_OF_PENALTY if objective == Objective.DISTANCE else 1
    return int(seconds * scale)


@dataclass
class PlanningInput:
    problem: Problem
    matrix: object
    origin: datetime
    points: list


def build_problem(technicians, orders, origin, *, objective=Objective.TIME, fixed_cost=0, balance=0):
    """Technicians first, then orders, in the matrix: tech i starts at 2i and ends at 2i+1."""
    points = []
    for technician in technicians:
        points += [technician.start, technician.end]
    first_order = len(points)
    points += [order.point for order in orders]
    matrix = travel_matrix(points)

    def at(moment):
        return int((moment - origin).total_seconds())

    vehicles = []
    for i, technician in enumerate(technicians):
        lunch = None
        if technician.lunch:
            earliest, latest, minutes = technician.lunch
            lunch = Break(earliest_start=at(earliest), latest_start=at(latest), duration=minutes * 60)
        vehicles.append(
            Vehicle(
                key=technician.key, start=2 * i, end=2 * i + 1,
                shift_start=at(technician.shift_start), shift_end=at(technician.shift_end),
                skills=frozenset(technician.skills), lunch=lunch, fixed_cost=fixed_cost,
                max_working=technician.max_working_minutes * 60 if technician.max_working_minutes else None,
            )
        )
    vehicle_of_key = {technician.key: i for i, technician in enumerate(technicians)}
    jobs = [
        Job(
            key=order.key, location=first_order + k,
            window_start=at(order.window_start), window_end=at(order.window_end),
            service=order.minutes * 60, skills=frozenset(order.skills),
            penalty=drop_penalty(order.priority, order.overdue_days, objective),
            vehicle=vehicle_of_key.get(order.locked_to) if order.locked_to is not None else None,
        )
        for k, order in enumerate(orders)
    ]
    problem = Problem(
        seconds=matrix.seconds, meters=matrix.meters, vehicles=vehicles, jobs=jobs,
        objective=objective, balance_coefficient=balance,
    )
    return PlanningInput(problem=problem, matrix=matrix, origin=origin, points=points)
