"""Sales test data, built through the public services like production data is.

Imported by the sales test modules (`from tests.crm.sales_fixtures import *`).
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point

from billing.models import Plan
from core.services import create_object
from crm.sales.models import SalesChannel, ViabilityCheck
from crm.sales.services import create_lead
from gis.models import CtoBox
from tests.integration.conftest import smtp_server  # noqa: F401  (a fixture)

CENTER = (-51.2200, -30.0330)
VALID_CPF = "529.982.247-25"
OTHER_CPF = "111.444.777-35"
D = datetime.date


@pytest.fixture
def plan(db):
    return create_object(
        Plan, name="Fibra 300", download_mbps=300, upload_mbps=150, monthly_price=Decimal("89.90")
    )


@pytest.fixture
def big_plan(db):
    return create_object(
        Plan, name="Fibra 600", download_mbps=600, upload_mbps=300, monthly_price=Decimal("119.90")
    )


@pytest.fixture
def box(db):
    return create_object(CtoBox, code="CTO-S1", ports_total=4, point=Point(*CENTER, srid=4326))


@pytest.fixture
def store(db):
    return create_object(SalesChannel, name="Loja Centro", kind="store")


@pytest.fixture
def viability(box):
    return create_object(
        ViabilityCheck,
        address_text="Rua dos Andradas, 100",
        point=Point(*CENTER, srid=4326),
        viable=True,
        reason="viable",
        box=box,
        walking_distance_m=40.0,
    )


@pytest.fixture
def rep(english_client_for):
    return english_client_for("sales", "rep-ana")


@pytest.fixture
def other_rep(english_client_for):
    return english_client_for("sales", "rep-bia")


@pytest.fixture
def admin(english_client_for):
    return english_client_for("admin", "boss")


@pytest.fixture
def make_lead(db):
    def make(name="Carlos Lima", **fields):
        fields.setdefault("email", "carlos@example.com")
        fields.setdefault("point", Point(*CENTER, srid=4326))
        return create_lead(name=name, **fields)

    return make


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Signatures and attachments are written to the test's own folder."""
    settings.MEDIA_ROOT = tmp_path
