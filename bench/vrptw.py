"""VRPTW instances in the LKH-3 text format (Solomon's benchmark) as routing problems.

Conventions of the literature (see shared/data/vrptw/README): distance is the
Euclidean distance x SCALE rounded to an integer, travel time equals distance,
windows and service times are multiplied by SCALE. The fleet is VEHICLES
identical vehicles at the depot; every customer must be served, so a drop costs
more than any route could.
"""
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from routing.choices import Objective
from routing.vrp import Job, Problem, Vehicle

SECTIONS = {"NODE_COORD_SECTION", "DEMAND_SECTION", "TIME_WINDOW_SECTION", "SERVICE_TIME_SECTION", "DEPOT_SECTION"}


@dataclass
class Instance:
    name: str
    problem: Problem


def _parse(text):
    header, sections, current = {}, {name: [] for name in SECTIONS}, None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line == "EOF":
            continue
        if line in SECTIONS:
            current = line
        elif ":" in line and not line[0].isdigit():
            key, _sep, value = line.partition(":")
            header[key.strip()] = value.strip()
            current = None
        elif current:
            sections[current].append(line.split())
    return header, sections


def load_instance(path):
    path = Path(path)
    try:
        header, sections = _parse(path.read_text())
        scale = int(header.get("SCALE", 10))
        coords = {int(row[0]): (float(row[1]), float(row[2])) for row in sections["NODE_COORD_SECTION"]}
        ids = sorted(coords)
        position = {node: i for i, node in enumerate(ids)}
        demand = {int(r[0]): int(r[1]) for r in sections["DEMAND_SECTION"]}
        windows = {int(r[0]): (int(r[1]), int(r[2])) for r in sections["TIME_WINDOW_SECTION"]}
        service = {int(r[0]): int(r[1]) for r in sections["SERVICE_TIME_SECTION"]}
        default_service = int(header.get("SERVICE_TIME", 0))
        depot = int(sections["DEPOT_SECTION"][0][0])
        vehicle_count = int(header.get("VEHICLES", len(ids) - 1))
        capacity = int(header["CAPACITY"]) if "CAPACITY" in header else None
    except (OSError, KeyError, ValueError, IndexError) as error:
        raise ValidationError(
            _("%(file)s is not a VRPTW instance in the LKH-3 format: %(error)s") % {"file": path, "error": error}
        ) from error
    xy = np.array([coords[node] for node in ids])
    distance = np.floor(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)) * scale + 0.5)
    distance = distance.astype(np.int64)
    depot_at = position[depot]
    horizon = windows[depot][1] * scale
    penalty = int(distance.max()) * len(ids) * 10 + 1
    jobs = [
        Job(
            key=node,
            location=position[node],
            window_start=windows[node][0] * scale,
            window_end=windows[node][1] * scale,
            service=service.get(node, default_service) * scale,
            demand=demand.get(node, 0),
            penalty=penalty,
        )
        for node in ids
        if node != depot
    ]
    vehicles = [
        Vehicle(key=k, start=depot_at, end=depot_at, shift_start=windows[depot][0] * scale,
                shift_end=horizon, capacity=capacity)
        for k in range(vehicle_count)
    ]
    problem = Problem(
        seconds=distance, meters=distance, vehicles=vehicles, jobs=jobs, objective=Objective.DISTANCE,
        serve_all=True,
    )
    return Instance(name=header.get("NAME", path.stem), problem=problem)

