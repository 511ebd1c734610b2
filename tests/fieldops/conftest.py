"""Field-operations test data: the API suite's fixtures plus a team ready for the field."""
import datetime

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.utils import timezone, translation

from core.services import create_object
from fieldops.models import Material, Sector
from fieldops.services import ActionContext, create_service_order
from tests.api.conftest import (  # noqa: F401  (fixtures)
    CENTER,
    address,
    client_person,
    contract,
    cto_box,
    make_order,
    make_technician,
    plan,
    splicing,
)


@pytest.fixture(autouse=True)
def english():
    """Service messages in English, so assertions read like the msgids."""
    with translation.override("en"):
        yield


@pytest.fixture
def dispatcher(make_user):
    return make_user("despachante", "dispatcher")


@pytest.fixture
def as_user():
    """ActionContext for a user, as the API builds it from a request."""

    def make(user, **extra):
        return ActionContext(actor=user, ip="203.0.113.7", **extra)

    return make


@pytest.fixture
def make_installation(client_person, contract):  # noqa: F811 (fixtures)
    def make(assignee=None):
        start = timezone.now() + datetime.timedelta(days=1)
        return create_service_order(
            order_type="installation", person=client_person, contract=contract,
            window_start=start, window_end=start + datetime.timedelta(hours=4), assignee=assignee,
        )

    return make


@pytest.fixture
def connector(db):
    return create_object(Material, code="sc-apc", name="SC/APC connector", unit="piece")


@pytest.fixture
def drop_cable(db):
    return create_object(Material, code="drop", name="Drop cable", unit="metre")


def square_around(lon, lat, half_side=0.005):
    ring = Polygon.from_bbox((lon - half_side, lat - half_side, lon + half_side, lat + half_side))
    return MultiPolygon(ring, srid=4326)


@pytest.fixture
def make_sector(db):
    def make(name, area_center=None, technicians=()):
        sector = create_object(
            Sector, name=name, area=square_around(*area_center) if area_center else None
        )
        sector.technicians.set(technicians)
        return sector

    return make


def point(lon, lat):
    return Point(lon, lat, srid=4326)
