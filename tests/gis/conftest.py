from pathlib import Path

import pytest
from django.conf import settings

from gis.osm_import import import_osm

TINY_OSM = Path(__file__).parent / "data" / "tiny.osm"


@pytest.fixture(scope="session")
def poa_import(django_db_setup, django_db_blocker):
    """The Porto Alegre extract, imported once per session and committed for the tests that read it."""
    with django_db_blocker.unblock():
        return import_osm(settings.MALHA_DEMO_OSM)
