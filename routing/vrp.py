"""The routing problem and its solution as plain data, free of Django and of OR-Tools.

The product (technicians and service orders on the streets) and the benchmark
(Solomon instances) both build a `Problem`, so one solver and one checker serve
both. Times are integer seconds (or the instance's own units), measured from an
origin the caller chooses; locations are indices into the two matrices.
"""
from dataclasses import dataclass, field

import numpy as np

from .choices import Objective


@dataclass(frozen=True)
class Break:
    """A lunch break that must start within [earliest_start, latest_start]."""

    earliest_start: int
    latest_start: int
    duration: int


@dataclass(frozen=True)
class Vehicle:
    """A technician's day: where it starts and ends, when, and what they can do."""

    key: object
    start: int
    end: int
    shift_start: int
    shift_end: int
    skills: frozenset = frozenset()
    capacity: int | None = None
    max_working: int | None = None
    lunch: Break | None = None
    fixed_cost: int = 0


@dataclass(frozen=True)
class Job:
    """A stop: service must start within [window_start, window_end].

    `penalty` is what leaving the job out costs in objective units; `vehicle`
    pins a locked job to one vehicle (an index into Problem.vehicles)."""

    key: object
    location: int
    window_start: int
    window_end: int
    service: int
    penalty: int
    skills: frozenset = frozenset()
    demand: int = 0
    vehicle: int | None = None


@dataclass
class Problem:
    seconds: np.ndarray
    meters: np.ndarray
    vehicles: list
    jobs: list
    objective: str = Objective.TIME
    balance_coefficient: int = 0
    serve_all: bool = False  # every job must be served (benchmarks): penalties only guide the search

    def cost_matrix(self):
        return self.meters if self.objective == Objective.DISTANCE else self.seconds

    def can_serve(self, vehicle, job):
        return job.skills <= vehicle.skills and (job.vehicle is None or self.vehicles[job.vehicle] is vehicle)


@dataclass
class Visit:
    job: int
    arrival: int
    start: int
    departure: int

    @property
    def wait(self):
        return self.start - self.arrival


@dataclass
class Route:
    vehicle: int
    departure: int
    visits: list = field(default_factory=list)
    arrival: int = 0  # back at the end location
    break_start: int | None = None


@dataclass
class Solution:
    routes: list
    unassigned: dict  # job index -> UnassignedReason
    objective_value: int = 0
    seconds: float = 0.0
    progress: list = field(default_factory=list)  # (elapsed seconds, objective) of each improvement

    def served(self):
        return sum(len(route.visits) for route in self.routes)

    def used_routes(self):
        return [route for route in self.routes if route.visits]
