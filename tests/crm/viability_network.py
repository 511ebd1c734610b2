"""The hand-built street U of data/drop.osm, a coverage area over it, plans and boxes.

Imported by the viability test modules (`from tests.crm.viability_network import *`).
Walks from HOUSE to Rua Norte go round by Rua Oeste: 10 m to Rua Sul, 96 m west to node 1,
111 m north to node 3, then east along Rua Norte (one-way westwards, walked both ways).
"""
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon

from billing.models import Plan
from billing.services import create_contract
from core.services import create_object
from crm.people.services import create_address, create_person
from crm.people.validators import with_cpf_check_digits
from crm.sales.models import SalesChannel
from gis.models import CoverageArea, CtoBox
from gis.osm_import import import_osm

DROP_OSM = Path(__file__).parent / "data" / "drop.osm"
# Metres per 0.001 degree at 30° S on the WGS 84 ellipsoid (PostGIS geography measures on it).
LAT_M = 110.85
LON_M = 96.49
HOUSE = (-51.1990, -30.00009)
HOUSE_ADDRESS = "Rua Sul, 100 - Centro, Porto Alegre"
HOUSE_TO_NODE_3_M = 0.09 * LAT_M + LON_M + LAT_M  # to Rua Sul, west to node 1, north to node 3
COVERAGE_EAST = -51.1980


def on_rua_norte(metres_east_of_node_3):
    return (-51.2000 + metres_east_of_node_3 / LON_M * 0.001, -29.9990)


def on_rua_sul(metres_east_of_node_1):
    return (-51.2000 + metres_east_of_node_1 / LON_M * 0.001, -30.0000)


def square(west, south, east, north):
    return MultiPolygon(Polygon.from_bbox((west, south, east, north)), srid=4326)


@pytest.fixture
def drop_network(db):
    """The streets, a coverage area over all but their east end, and the plans on sale."""
    import_osm(DROP_OSM)
    create_object(CoverageArea, name="Centro", area=square(-51.2010, -30.0010, COVERAGE_EAST, -29.9980))
    create_object(Plan, name="Fibra 500", download_mbps=500, upload_mbps=250, monthly_price=Decimal("99.90"))
    create_object(Plan, name="Fibra 300", download_mbps=300, upload_mbps=150, monthly_price=Decimal("89.90"))
    create_object(Plan, name="Fibra 100 antigo", download_mbps=100, upload_mbps=50,
                  monthly_price=Decimal("59.90"), active=False)


@pytest.fixture
def make_box(db):
    """A box at (lon, lat) with `used` of its `ports` held by contracts (people made as clients)."""
    serial = iter(range(100_000_001, 100_999_999))

    def make(code, lonlat, ports=4, used=0):
        box = create_object(CtoBox, code=code, ports_total=ports, point=Point(*lonlat, srid=4326))
        plan = Plan.objects.filter(active=True).first()
        for port in range(1, used + 1):
            person = create_person(name=f"Cliente {code}-{port}", stage="client",
                                   document=with_cpf_check_digits(f"{next(serial):09d}"))
            address = create_address(person=person, cep="90010000", street="Rua Sul", number="1",
                                     neighbourhood="Centro", city="Porto Alegre", state="RS",
                                     point=Point(*lonlat, srid=4326))
            create_contract(person=person, plan=plan, installation_address=address, cto_box=box, cto_port=port)
        return box

    return make


@pytest.fixture
def website(db):
    return create_object(SalesChannel, name="Site", kind="website", allowed_origins=["https://www.provedor.com.br"])
