"""The benchmark's city day: the demo team and 400 generated orders at demo clients' points.

Generated the same way on every run (a seeded generator over the clients ordered
by id) and never saved: the benchmark reads the demo database, it does not change it.
"""
from datetime import date, datetime, time

import numpy as np
from django.utils import timezone

from billing.models import Contract
from fieldops.models import Technician
from routing.planning import OrderStop, TechnicianDay

SCENARIO_DAY = date(2026, 3, 2)  # a Monday
SEED = 4
# (first start, last start) of the windows customers book, in hours.
WINDOWS = [(8, 12), (13, 17), (8, 10), (10, 12), (13, 15), (15, 17), (8, 17)]
WINDOW_WEIGHTS = [0.2, 0.2, 0.1, 0.1, 0.1, 0.1, 0.2]
SERVICE_MINUTES = [15, 20, 30, 45]
SERVICE_WEIGHTS = [0.3, 0.35, 0.25, 0.1]
PRIORITY_WEIGHTS = [0.2, 0.5, 0.2, 0.1]
LUNCH = (time(11, 30), time(13, 30), 60)


def _at(day, hour_or_time):
    moment = hour_or_time if isinstance(hour_or_time, time) else time(hour_or_time)
    return timezone.make_aware(datetime.combine(day, moment))


def technician_days(day=SCENARIO_DAY, lunch=LUNCH):
    technicians = Technician.objects.filter(active=True).prefetch_related("skills").order_by("pk")
    return [
        TechnicianDay(
            key=technician.pk,
            start=technician.start_point.coords,
            end=technician.end_point.coords,
            shift_start=_at(day, technician.shift_start),
            shift_end=_at(day, technician.shift_end),
            skills=frozenset(skill.code for skill in technician.skills.all()),
            lunch=(_at(day, lunch[0]), _at(day, lunch[1]), lunch[2]) if lunch else None,
        )
        for technician in technicians
    ]


def generated_orders(technicians, count=400, day=SCENARIO_DAY, seed=SEED):
    """`count` orders with windows, durations, priorities and skills the team covers."""
    rng = np.random.default_rng(seed)
    points = list(Contract.objects.order_by("pk").values_list("point", flat=True))
    chosen = rng.choice(len(points), size=min(count, len(points)), replace=False)
    skill_sets = sorted({skill for technician in technicians for skill in technician.skills})
    holders = np.array([sum(skill in t.skills for t in technicians) for skill in skill_sets], dtype=float)
    orders = []
    for k, index in enumerate(sorted(chosen)):
        first, last = WINDOWS[rng.choice(len(WINDOWS), p=WINDOW_WEIGHTS)]
        needed = rng.choice(len(skill_sets), size=1 + (rng.random() < 0.1), replace=False, p=holders / holders.sum())
        orders.append(
            OrderStop(
                key=f"city-{k}",
                point=points[index].coords,
                window_start=_at(day, first),
                window_end=_at(day, last),
                minutes=int(rng.choice(SERVICE_MINUTES, p=SERVICE_WEIGHTS)),
                priority=int(rng.choice(4, p=PRIORITY_WEIGHTS)) + 1,
                skills=frozenset(skill_sets[i] for i in needed),
            )
        )
    return orders


def day_origin(day=SCENARIO_DAY):
    return timezone.make_aware(datetime.combine(day, time(0)))
