"""Small hand-made contracts for the selection and search tests, built through the services."""

import datetime
from decimal import Decimal

from django.contrib.gis.geos import Point

from billing.models import Plan
from billing.services import create_contract, update_contract
from core.services import create_object
from crm.people.services import create_address, create_person
from crm.people.validators import with_cpf_check_digits

# A 0.01° grid (about 1 km) of contract points around downtown Porto Alegre.
GRID_ORIGIN = (-51.2500, -30.0600)
GRID_STEP = 0.01


def make_plan(name="Fibra 500", price="99.90"):
    return create_object(
        Plan, name=name, download_mbps=500, upload_mbps=250, monthly_price=Decimal(price)
    )


def make_contract(index, lon, lat, plan, status="awaiting_installation", name=None, street="Rua Teste"):
    """One client with one contract at (lon, lat); `index` keeps CPFs and names unique."""
    person = create_person(
        name=name or f"Cliente {index:04d}", stage="client",
        document=with_cpf_check_digits(f"{100000000 + index:09d}"),
    )
    address = create_address(
        person=person, cep="90010-000", street=street, number=str(10 + index),
        neighbourhood="Centro Histórico", city="Porto Alegre", state="RS",
        point=Point(lon, lat, srid=4326),
    )
    contract = create_contract(person=person, plan=plan, installation_address=address)
    if status == "active":
        update_contract(contract, status="active", activated_on=datetime.date.today())
    elif status == "suspended":
        update_contract(contract, status="suspended", suspended_on=datetime.date.today())
    elif status == "cancelled":
        update_contract(contract, status="cancelled", cancelled_on=datetime.date.today())
    return contract


def make_grid(plan, size=5, statuses=("active", "suspended")):
    """size x size contracts on the grid; statuses alternate along it."""
    contracts = []
    for row in range(size):
        for column in range(size):
            index = row * size + column
            lon = GRID_ORIGIN[0] + column * GRID_STEP
            lat = GRID_ORIGIN[1] + row * GRID_STEP
            contracts.append(make_contract(index, lon, lat, plan, statuses[index % len(statuses)]))
    return contracts


def square(xmin, ymin, xmax, ymax):
    return {
        "type": "Polygon",
        "coordinates": [[[xmin, ymin], [xmax, ymin], [xmax, ymax], [xmin, ymax], [xmin, ymin]]],
    }
