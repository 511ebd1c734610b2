"""The optimiser: a `vrp.Problem` solved with the OR-Tools routing library.

Jobs nobody can do (skills) or nobody can reach in time are left out before the
search with their reason; every other job is optional with its drop penalty, so
the solver always returns its best feasible plan. The time dimension carries
service + travel, windows on every stop, shifts on each vehicle's start and end,
a span limit for the maximum working time and an optional lunch break. Matrices
are registered as C++ transit matrices: no Python callback runs inside the
local search, which is what makes guided local search fast.
"""
import time
from dataclasses import dataclass, replace

from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.util.optional_boolean_pb2 import BOOL_FALSE, BOOL_TRUE

from .choices import UnassignedReason
from .vrp import Route, Solution, Visit

FirstSolution = routing_enums_pb2.FirstSolutionStrategy.Value
Metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.Value
TIME = "time"
LOAD = "load"


@dataclass(frozen=True)
class SearchSettings:
    """How long and how to search; `on_progress(elapsed, objective, served)` hears each improvement."""

    seconds: float = 10.0
    first_solution: str = "PARALLEL_CHEAPEST_INSERTION"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    guided_local_search_lambda: float = 0.1
    on_progress: object = None


def reachable_alone(problem, vehicle, job):
    """Could `vehicle` do `job` as its only stop, inside the window and its shift?"""
    to_job = int(problem.seconds[vehicle.start, job.location])
    depart = max(vehicle.shift_start, job.window_start - to_job)
    start = max(depart + to_job, job.window_start)
    back = start + job.service + int(problem.seconds[job.location, vehicle.end])
    if vehicle.lunch:
        back += vehicle.lunch.duration
    return (
        start <= job.window_end
        and back <= vehicle.shift_end
        and (vehicle.max_working is None or back - depart <= vehicle.max_working)
    )


def screen_jobs(problem):
    """({job index: allowed vehicle indices}, {job index: reason}) before any search."""
    allowed, reasons = {}, {}
    for j, job in enumerate(problem.jobs):
        if not problem.vehicles:
            reasons[j] = UnassignedReason.NO_TECHNICIANS
            continue
        skilled = [v for v, vehicle in enumerate(problem.vehicles) if problem.can_serve(vehicle, job)]
        in_time = [v for v in skilled if reachable_alone(problem, problem.vehicles[v], job)]
        if not skilled:
            reasons[j] = UnassignedReason.NO_SKILLED_TECHNICIAN
        elif not in_time:
            reasons[j] = UnassignedReason.WINDOW_UNREACHABLE
        else:
            allowed[j] = in_time
    return allowed, reasons


class RoutingModelBuilder:
    """Builds the OR-Tools model of a problem: depots first, then one node per routed job."""

    def __init__(self, problem, allowed):
        self.problem = problem
        self.allowed = allowed
        self.job_of_node = {}
        depot_locations = sorted({v.start for v in problem.vehicles} | {v.end for v in problem.vehicles})
        self.node_location = list(depot_locations)
        depot_node = {location: node for node, location in enumerate(depot_locations)}
        for j in allowed:
            self.job_of_node[len(self.node_location)] = j
            self.node_location.append(problem.jobs[j].location)
        self.manager = pywrapcp.RoutingIndexManager(
            len(self.node_location),
            len(problem.vehicles),
            [depot_node[v.start] for v in problem.vehicles],
            [depot_node[v.end] for v in problem.vehicles],
        )
        self.model = pywrapcp.RoutingModel(self.manager)
        self.breaks = {}
        self._add_costs()
        self._add_time()
        self._add_capacity()
        self._add_jobs()

    def _node_matrix(self, matrix, with_service):
        locations = self.node_location
        rows = []
        for node, a in enumerate(locations):
            service = self._service(node) if with_service else 0
            row = matrix[a][locations].tolist()
            rows.append([service + value for value in row])
        return rows

    def _service(self, node):
        job = self.job_of_node.get(node)
        return 0 if job is None else self.problem.jobs[job].service

    def _add_costs(self):
        cost = self.model.RegisterTransitMatrix(self._node_matrix(self.problem.cost_matrix(), False))
        self.model.SetArcCostEvaluatorOfAllVehicles(cost)
        for v, vehicle in enumerate(self.problem.vehicles):
            if vehicle.fixed_cost:
                self.model.SetFixedCostOfVehicle(int(vehicle.fixed_cost), v)

    def _add_time(self):
        problem = self.problem
        horizon = max(v.shift_end for v in problem.vehicles)
        transit = self.model.RegisterTransitMatrix(self._node_matrix(problem.seconds, True))
        self.model.AddDimension(transit, horizon, horizon, False, TIME)
        self.time = self.model.GetDimensionOrDie(TIME)
        if problem.balance_coefficient:
            self.time.SetGlobalSpanCostCoefficient(int(problem.balance_coefficient))
        visit_transits = [self._service(self.manager.IndexToNode(i)) for i in range(self.model.Size())]
        solver = self.model.solver()
        for v, vehicle in enumerate(problem.vehicles):
            start, end = self.model.Start(v), self.model.End(v)
            self.time.CumulVar(start).SetRange(vehicle.shift_start, vehicle.shift_end)
            self.time.CumulVar(end).SetRange(vehicle.shift_start, vehicle.shift_end)
            if vehicle.max_working is not None:
                self.time.SetSpanUpperBoundForVehicle(int(vehicle.max_working), v)
            if vehicle.lunch:
                lunch = solver.FixedDurationIntervalVar(
                    vehicle.lunch.earliest_start, vehicle.lunch.latest_start,
                    vehicle.lunch.duration, False, f"lunch {v}",
                )
                self.breaks[v] = lunch
                self.time.SetBreakIntervalsOfVehicle([lunch], v, visit_transits)
            # Leave as late and come back as early as the route allows: no idle time at the depot.
            self.model.AddVariableMaximizedByFinalizer(self.time.CumulVar(start))
            self.model.AddVariableMinimizedByFinalizer(self.time.CumulVar(end))

    def _add_capacity(self):
        problem = self.problem
        if not any(job.demand for job in problem.jobs):
            return
        demands = [0] * len(self.node_location)
        for node, j in self.job_of_node.items():
            demands[node] = problem.jobs[j].demand
        capacities = [
            vehicle.capacity if vehicle.capacity is not None else sum(demands)
            for vehicle in problem.vehicles
        ]
        load = self.model.RegisterUnaryTransitVector(demands)
        self.model.AddDimensionWithVehicleCapacity(load, 0, capacities, True, LOAD)

    def _add_jobs(self):
        vehicle_count = len(self.problem.vehicles)
        for node, j in self.job_of_node.items():
            job = self.problem.jobs[j]
            index = self.manager.NodeToIndex(node)
            self.time.CumulVar(index).SetRange(job.window_start, job.window_end)
            if len(self.allowed[j]) < vehicle_count:
                # What SetAllowedVehiclesForIndex does; its Python wrapper rejects every list
                # in OR-Tools 9.15. -1 keeps the job droppable.
                self.model.VehicleVar(index).SetValues([-1, *self.allowed[j]])
            self.model.AddDisjunction([index], int(job.penalty))

    def served_now(self):
        """Jobs routed in the solution the search holds right now (inside a solution callback)."""
        return sum(
            self.model.ActiveVar(self.manager.NodeToIndex(node)).Value() for node in self.job_of_node
        )

    def routes(self, assignment):
        routes = []
        for v in range(len(self.problem.vehicles)):
            index = self.model.Start(v)
            departure = assignment.Value(self.time.CumulVar(index))
            route = Route(vehicle=v, departure=departure)
            if v in self.breaks and assignment.PerformedValue(self.breaks[v]):
                route.break_start = assignment.StartValue(self.breaks[v])
            index = assignment.Value(self.model.NextVar(index))
            while not self.model.IsEnd(index):
                j = self.job_of_node[self.manager.IndexToNode(index)]
                start = assignment.Value(self.time.CumulVar(index))
                route.visits.append(Visit(job=j, arrival=start, start=start, departure=start + self.problem.jobs[j].service))
                index = assignment.Value(self.model.NextVar(index))
            route.arrival = assignment.Value(self.time.CumulVar(index))
            set_arrivals(self.problem, route)
            routes.append(route)
        return routes


def set_arrivals(problem, route):
    """Arrival at each stop when leaving the previous one at once (the lunch taken on the way)."""
    location = problem.vehicles[route.vehicle].start
    ready = route.departure
    for visit in route.visits:
        job = problem.jobs[visit.job]
        visit.arrival = ready + int(problem.seconds[location, job.location])
        if route.break_start is not None and ready <= route.break_start < visit.start:
            visit.arrival += problem.vehicles[route.vehicle].lunch.duration
        visit.arrival = min(visit.arrival, visit.start)
        location, ready = job.location, visit.departure


def search_parameters(search, serve_all=False):
    """GLS over a neighbourhood tuned on Solomon's instances: relocate-to-neighbours and
    cross-exchange on, Lin-Kernighan and the pickup-and-delivery subtrip moves off (slow,
    and nothing to gain without pairs). When every job must be served, the moves that
    only trade served jobs for dropped ones are off too."""
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    operators = parameters.local_search_operators
    operators.use_relocate_neighbors = BOOL_TRUE
    operators.use_cross_exchange = BOOL_TRUE
    operators.use_lin_kernighan = BOOL_FALSE
    operators.use_exchange_subtrip = BOOL_FALSE
    operators.use_relocate_subtrip = BOOL_FALSE
    if serve_all:
        operators.use_make_chain_inactive = BOOL_FALSE
        operators.use_swap_active_chain = BOOL_FALSE
    parameters.first_solution_strategy = FirstSolution.Value(search.first_solution)
    parameters.local_search_metaheuristic = Metaheuristic.Value(search.metaheuristic)
    parameters.guided_local_search_lambda_coefficient = search.guided_local_search_lambda
    parameters.time_limit.FromMilliseconds(max(int(search.seconds * 1000), 1))
    return parameters


def solve(problem, search=SearchSettings()):
    """The best plan found within `search.seconds`; never raises for a hard problem."""
    began = time.monotonic()
    allowed, unassigned = screen_jobs(problem)
    if not problem.vehicles or not allowed:
        routes = [Route(vehicle=v, departure=vehicle.shift_start, arrival=vehicle.shift_start)
                  for v, vehicle in enumerate(problem.vehicles)]
        return Solution(routes=routes, unassigned=unassigned, seconds=time.monotonic() - began)
    builder = RoutingModelBuilder(problem, allowed)
    progress = []

    def improved():
        objective = builder.model.CostVar().Value()
        if progress and objective >= progress[-1][1]:
            return  # guided local search also reports the worse solutions it walks through
        progress.append((time.monotonic() - began, objective))
        if search.on_progress:
            search.on_progress(progress[-1][0], objective, builder.served_now())

    builder.model.AddAtSolutionCallback(improved)
    remaining = search.seconds - (time.monotonic() - began)
    assignment = builder.model.SolveWithParameters(
        search_parameters(
            replace(search, seconds=max(remaining, 0.05)), problem.serve_all
        )
    )
    if assignment is None:
        routes = [Route(vehicle=v, departure=vehicle.shift_start, arrival=vehicle.shift_start)
                  for v, vehicle in enumerate(problem.vehicles)]
        unassigned.update({j: UnassignedReason.NO_ROOM for j in allowed})
        return Solution(routes=routes, unassigned=unassigned, seconds=time.monotonic() - began)
    routes = builder.routes(assignment)
    routed = {visit.job for route in routes for visit in route.visits}
    unassigned.update({j: UnassignedReason.NO_ROOM for j in allowed if j not in routed})
    return Solution(
        routes=routes,
        unassigned=unassigned,
        objective_value=assignment.ObjectiveValue(),
        seconds=time.monotonic() - began,
        progress=progress,
    )
