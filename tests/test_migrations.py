"""A database made before crm was split into people, messaging and sales still migrates, and
its rows are then read through the new apps' models.

It runs in the test's transaction: migrating back and forth only changes migration state
and content types (the tables stay), and everything is rolled back at the end.
"""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from crm.messaging.models import Campaign
from crm.people.models import Person
from crm.sales.models import Lead

# The leaf migrations of every app before the split.
BEFORE_SPLIT = [
    ("geo", "0007_house_number_indexes"),
    ("crm", "0005_direct_deliveries"),
    ("billing", "0004_collection"),
    ("fieldops", "0002_lifecycle_sectors_field_records"),
    ("routing", "0001_initial"),
    ("messaging", None),
    ("sales", None),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


@pytest.mark.django_db
def test_a_database_from_before_the_split_migrates_with_its_rows():
    old = migrate(BEFORE_SPLIT)
    rep = old.get_model("auth", "User").objects.create(username="old-rep")
    person = old.get_model("crm", "Person").objects.create(name="Ana Antiga")
    campaign = old.get_model("crm", "Campaign").objects.create(
        name="Manutenção", channel="sms", body="Olá",
        area=MultiPolygon(Polygon.from_bbox((-51.3, -30.1, -51.2, -30.0))),
    )
    message = old.get_model("crm", "MessageLog").objects.create(
        person=person, campaign=campaign, channel="sms", destination="+5551998765432", body="Olá"
    )
    old.get_model("crm", "Delivery").objects.create(
        campaign=campaign, person=person, message=message, idempotency_key="old-key"
    )
    lead = old.get_model("crm", "Lead").objects.create(person=person)
    old.get_model("crm", "Proposal").objects.create(
        number="P-OLD-1", lead=lead, rep=rep,
        valid_from=datetime.date(2026, 1, 1), valid_until=datetime.date(2026, 1, 31),
    )

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    assert Person.objects.get(pk=person.pk).name == "Ana Antiga"
    moved = Campaign.objects.get(pk=campaign.pk)
    assert [d.idempotency_key for d in moved.deliveries.all()] == ["old-key"]
    assert moved.deliveries.get().message.destination == "+5551998765432"
    assert [p.number for p in Lead.objects.get(pk=lead.pk).proposals.all()] == ["P-OLD-1"]
    assert ContentType.objects.get_for_model(Campaign).app_label == "messaging"
    assert ContentType.objects.get_for_model(Lead).app_label == "sales"
