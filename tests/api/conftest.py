"""API test data, built through the public services like production data is."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from billing.models import Plan
from billing.services import create_contract
from core.services import create_object
from crm.people.services import create_address, create_person
from fieldops.models import Skill
from fieldops.services import create_service_order, create_technician
from gis.models import CtoBox

# Downtown Porto Alegre, and a point well outside any test bbox.
CENTER = (-51.2200, -30.0330)
FAR_AWAY = (-51.1000, -29.9000)
VALID_CPF = "529.982.247-25"
OTHER_CPF = "111.444.777-35"
VALID_CNPJ = "11.222.333/0001-81"



@pytest.fixture
def plan(db):
    return create_object(
        Plan, name="Fibra 500", download_mbps=500, upload_mbps=250, monthly_price=Decimal("99.90")
    )


@pytest.fixture
def client_person(db):
    return create_person(name="Ana Souza", stage="client", document=VALID_CPF)


@pytest.fixture
def address(client_person):
    return create_address(
        person=client_person,
        cep="90010-000",
        street="Rua dos Andradas",
        number="100",
        neighbourhood="Centro Histórico",
        city="Porto Alegre",
        state="RS",
        point=Point(*CENTER, srid=4326),
    )


@pytest.fixture
def cto_box(db):
    return create_object(CtoBox, code="CTO-001", ports_total=8, point=Point(*CENTER, srid=4326))


@pytest.fixture
def contract(client_person, plan, address, cto_box):
    return create_contract(
        person=client_person, plan=plan, installation_address=address, cto_box=cto_box, cto_port=3
    )


@pytest.fixture
def splicing(db):
    return create_object(Skill, code="splicing", name="Fibre splicing")


@pytest.fixture
def make_technician(make_user):
    """A technician profile for a user, or for a new technician-role user of that name."""

    def make(user, skills=()):
        if isinstance(user, str):
            user = make_user(user, "technician")
        return create_technician(
            user=user,
            skills=skills,
            shift_start=datetime.time(8),
            shift_end=datetime.time(17),
            start_point=Point(*CENTER, srid=4326),
            end_point=Point(*CENTER, srid=4326),
        )

    return make


@pytest.fixture
def make_order(client_person):
    def make(assignee=None, point=CENTER, required_skills=()):
        start = timezone.now() + datetime.timedelta(days=1)
        return create_service_order(
            order_type="repair",
            person=client_person,
            point=Point(*point, srid=4326),
            window_start=start,
            window_end=start + datetime.timedelta(hours=4),
            assignee=assignee,
            required_skills=required_skills,
        )

    return make
