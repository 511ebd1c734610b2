"""Route-plan fixtures: the one-way block of test_network, a small team and a day of orders.

Everything is made through the public services, like production data. The plan's day is
tomorrow, so no test depends on the hour it runs at (mid-day re-runs pass `now`).
"""
import datetime

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone, translation

from crm.people.services import create_person
from fieldops.models import Skill
from fieldops.services import create_service_order, create_technician
from gis.osm_import import import_osm

from tests.gis.test_network import ONEWAY_OSM, along_diagonal

DEPOT = along_diagonal(0.05)
# On the block's streets: the west side, the north side, and along the one-way diagonal.
STOPS = [(-51.2000, -29.9995), (-51.1995, -29.9990), along_diagonal(0.6), (-51.1990, -29.9995)]


def day_at(hour, minute=0, day=None):
    day = day or tomorrow()
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def tomorrow():
    return timezone.localdate() + datetime.timedelta(days=1)


@pytest.fixture
def block(db):
    import_osm(ONEWAY_OSM)


@pytest.fixture
def splicing(db):
    return Skill.objects.create(code="splicing", name="Fibre splicing")


@pytest.fixture
def person(db):
    return create_person(name="Ana Souza", stage="client", document="529.982.247-25")


@pytest.fixture
def make_technician(make_user):
    def make(username, skills=(), shift=(8, 17), start=DEPOT):
        return create_technician(
            user=make_user(username, "technician", first_name=username.title()),
            skills=skills, shift_start=datetime.time(shift[0]), shift_end=datetime.time(shift[1]),
            start_point=Point(*start, srid=4326), end_point=Point(*DEPOT, srid=4326),
        )

    return make


@pytest.fixture
def make_order(person):
    def make(point, window=(8, 17), minutes=30, skills=(), day=None, **fields):
        return create_service_order(
            order_type="repair", person=person, point=Point(*point, srid=4326),
            window_start=day_at(window[0], day=day), window_end=day_at(window[1], day=day),
            estimated_minutes=minutes, required_skills=skills, **fields,
        )

    return make


@pytest.fixture
def team(block, make_technician, splicing):
    return [make_technician("ana", skills=[splicing]), make_technician("bia")]


@pytest.fixture
def orders(team, make_order, splicing):
    return [
        make_order(STOPS[0], window=(8, 10)),
        make_order(STOPS[1], window=(9, 12), skills=[splicing]),
        make_order(STOPS[2], window=(13, 15)),
        make_order(STOPS[3]),
    ]


@pytest.fixture(autouse=True)
def english():
    """The routing tests read the services' messages in English (the msgids)."""
    with translation.override("en"):
        yield
