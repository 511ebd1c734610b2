from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from gis.osm_import import import_osm

TINY_OSM = Path(__file__).parent / "data" / "tiny.osm"


@pytest.fixture(scope="package")
def poa_import(django_db_setup, django_db_blocker):
    """The Porto Alegre extract, imported once and committed for this package's tests that
    read it, then removed: later packages (routing's "no street network" cases) start empty."""
    with django_db_blocker.unblock():
        yield import_osm(settings.MALHA_DEMO_OSM)
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE geo_roadedge, geo_roadnode, geo_addresspoint RESTART IDENTITY CASCADE")
            cursor.execute("REFRESH MATERIALIZED VIEW geo_streetname")
