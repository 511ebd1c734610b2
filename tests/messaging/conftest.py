"""Messaging fixtures: clients inside a polygon, the fake gateway, the SMTP sink, a worker.

Tasks go to a Redis database of their own (MESSAGING_TEST_REDIS_DB) so no other
worker on this machine ever takes them.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
import redis
from celery import _state as celery_state
from django.contrib.gis.geos import Point

from billing.models import Plan
from billing.services import create_contract
from config.celery import app as celery_app
from core.services import create_object
from crm.messaging.fake_gateway import FakeGateway
from crm.people.services import create_address, create_person
from crm.people.validators import with_cpf_check_digits
from tests.celery_support import point_celery_at
from tests.integration.conftest import smtp_server  # noqa: F401  (a fixture)

INSIDE = (-51.2200, -30.0330)
OUTSIDE = (-51.1000, -29.9000)
AREA = {
    "type": "Polygon",
    "coordinates": [[[-51.23, -30.04], [-51.21, -30.04], [-51.21, -30.02], [-51.23, -30.02],
                     [-51.23, -30.04]]],
}
TEST_REDIS_DB = int(os.environ.get("MESSAGING_TEST_REDIS_DB", "12"))
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def messaging_settings(settings):
    """Own broker database and rate-limit keys; SMS through the generic gateway (set by `gateway`)."""
    base = settings.REDIS_URL.rsplit("/", 1)[0]
    broker = f"{base}/{TEST_REDIS_DB}"
    previous = point_celery_at(celery_app, broker)
    settings.MESSAGING_RATE_LIMIT_PREFIX = f"test-ratelimit-{uuid.uuid4().hex}"
    settings.MESSAGING_WEBHOOK_SECRET = "webhook-secret"
    settings.MESSAGING_WHATSAPP_APP_SECRET = "app-secret"
    settings.MESSAGING_PROVIDERS = {
        "email": {"backend": "smtp", "rate": {}},
        "sms": {"backend": ""},
        "whatsapp": {"backend": ""},
    }
    yield broker
    point_celery_at(celery_app, *previous)


@pytest.fixture
def gateway(settings):
    """The fake gateway, configured as the SMS (generic) and WhatsApp (Cloud API) provider."""
    fake = FakeGateway().start()
    settings.MESSAGING_PROVIDERS = {
        **settings.MESSAGING_PROVIDERS,
        "sms": {"backend": "generic_sms", "base_url": fake.url, "token": fake.TOKEN,
                "sender": "Malha", "rate": {}},
        "whatsapp": {"backend": "whatsapp_cloud", "base_url": fake.url, "token": fake.TOKEN,
                     "phone_number_id": "123", "rate": {}},
    }
    yield fake
    fake.stop()


@pytest.fixture
def eager_tasks():
    """Tasks run in the test process, synchronously (the single-process pipeline tests).

    An eager task sets celery's process-wide "task join will block" flag while it runs and
    puts back what it found; two running at once (a live server's thread and the test's)
    can put back each other's True and leave it set, and every later `result.get()` then
    refuses. Eager mode is this fixture's, so it clears the flag it may leave."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False
    celery_state._set_task_join_will_block(False)


@pytest.fixture
def plan(db):
    return create_object(
        Plan, name="Fibra 300", download_mbps=300, upload_mbps=150, monthly_price=Decimal("89.90")
    )


@pytest.fixture
def make_client(plan):
    """A client with one contract per point; contact details and consents as given."""
    serial = iter(range(100_000_000, 999_999_999))

    def make(name, email="", phone="", points=(INSIDE,), consent=True, **consents):
        person = create_person(
            name=name, stage="client", document=with_cpf_check_digits(str(next(serial))),
            email=email, mobile_phone=phone,
            consent_sms=consents.get("sms", consent), consent_email=consents.get("email", consent),
            consent_whatsapp=consents.get("whatsapp", consent),
        )
        for index, point in enumerate(points):
            address = create_address(
                person=person, cep="90010-000", street="Rua dos Andradas", number=str(100 + index),
                neighbourhood="Centro Histórico", city="Porto Alegre", state="RS",
                point=Point(*point, srid=4326),
            )
            create_contract(person=person, plan=plan, installation_address=address)
        return person

    return make


def phone(n):
    return f"+55519{n:08d}"


class Worker:
    """A real `celery worker` process (group) on the test broker; kill() is a SIGKILL."""

    def __init__(self, broker, env, concurrency=2):
        self.broker, self.env, self.concurrency = broker, env, concurrency
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "prefork",
             "--concurrency", str(self.concurrency), "--loglevel", "warning",
             "--without-heartbeat", "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True,
        )
        deadline = time.monotonic() + 40
        while not celery_app.control.ping(timeout=0.5):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Celery worker did not start:\n{self.process.stdout.read()}")
        return self

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=20)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=20)


def worker_env(broker, settings, database, **extra):
    sms = settings.MESSAGING_PROVIDERS["sms"]
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
        "EMAIL_HOST": settings.EMAIL_HOST,
        "EMAIL_PORT": str(settings.EMAIL_PORT),
        "MESSAGING_RATE_LIMIT_PREFIX": settings.MESSAGING_RATE_LIMIT_PREFIX,
        "MESSAGING_WEBHOOK_SECRET": settings.MESSAGING_WEBHOOK_SECRET,
    }
    if sms.get("backend"):
        env.update(
            MESSAGING_SMS_BACKEND=sms["backend"], MESSAGING_SMS_BASE_URL=sms["base_url"],
            MESSAGING_SMS_TOKEN=sms["token"],
        )
    env.update({name: str(value) for name, value in extra.items()})
    return env


@pytest.fixture
def start_worker(transactional_db, settings, messaging_settings):
    """start_worker(**env overrides) -> a running Worker; all stopped at the end of the test."""
    from django.db import connection

    redis.Redis.from_url(messaging_settings).flushdb()
    db = connection.settings_dict
    database = f"postgis://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    workers = []

    def start(concurrency=2, **extra):
        env = worker_env(messaging_settings, settings, database, **extra)
        worker = Worker(messaging_settings, env, concurrency)
        workers.append(worker)
        return worker.start()

    yield start
    for worker in workers:
        worker.stop()
    redis.Redis.from_url(messaging_settings).flushdb()
