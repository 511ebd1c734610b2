import time
from dataclasses import dataclass
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import translation

from demo.services import wipe_demo_data
from gis.models import RoadEdge

# The small city every test here reads: 600 clients, boxes sized for them.
SMALL_CITY = ("--clients=600", "--orders=30", "--technicians=5", "--seed=7", "--no-progress")


def load_demo(*args, language="en"):
    """Run load_demo in `language` (the tests read its English messages) and return its output."""
    out = StringIO()
    with translation.override(language):
        call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def client_fingerprint(limit=50):
    """Names and home points of the first clients: equal for equal cities."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT p.name, p.document, ST_AsText(a.point, 7)
            FROM crm_person p JOIN crm_address a ON a.person_id = p.id
            ORDER BY p.id, a.id LIMIT %s
            """,
            [limit],
        )
        return cursor.fetchall()


def lead_fingerprint():
    """The sales side of the city: leads with their person, place and pipeline, and the channels'
    public keys. Dates count from today, so they are compared as offsets."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT p.name, p.mobile_phone, l.stage, l.lost_reason, u.username, c.name,
                   ST_AsText(l.point, 7), l.address_text, pl.name, l.next_action_at::date - CURRENT_DATE,
                   l.viability_check_id IS NOT NULL, l.notes
            FROM crm_lead l JOIN crm_person p ON p.id = l.person_id
            LEFT JOIN auth_user u ON u.id = l.owner_id LEFT JOIN crm_saleschannel c ON c.id = l.channel_id
            LEFT JOIN billing_plan pl ON pl.id = l.plan_id
            ORDER BY l.id
            """
        )
        leads = cursor.fetchall()
        cursor.execute("SELECT name, public_key FROM crm_saleschannel ORDER BY name")
        return leads + cursor.fetchall()


@dataclass(frozen=True)
class LoadedDemo:
    output: str
    seconds: float
    first_fingerprint: list
    first_output: str = ""
    first_leads: tuple = ()


@pytest.fixture(scope="package")
def demo_city(django_db_setup, django_db_blocker):
    """The small city, loaded, then loaded again over itself with --replace and the same
    seed; committed for this package's tests and wiped after them."""
    with django_db_blocker.unblock():
        had_roads = RoadEdge.objects.exists()
        first_output = load_demo(*SMALL_CITY, "--verbosity=2")
        first_fingerprint = client_fingerprint()
        first_leads = tuple(lead_fingerprint())
        started = time.monotonic()
        output = load_demo(*SMALL_CITY, "--replace", language=settings.LANGUAGE_CODE)
        loaded = LoadedDemo(output, time.monotonic() - started, first_fingerprint, first_output,
                            first_leads)
    yield loaded
    with django_db_blocker.unblock():
        wipe_demo_data()
        if not had_roads:
            with connection.cursor() as cursor:
                cursor.execute("TRUNCATE geo_roadedge, geo_roadnode, geo_addresspoint RESTART IDENTITY")
