"""Real servers on loopback for integration tests (never mock objects)."""
import socket

import pytest
from aiosmtpd.controller import Controller


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CollectingHandler:
    """Keeps every message the SMTP server accepts."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on loopback; Django sends to it over SMTP."""
    handler = CollectingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    yield handler
    controller.stop()


def child_database_url():
    """The pytest-django test database, as DATABASE_URL for a process the test starts."""
    from django.db import connection

    db = connection.settings_dict
    return f"postgis://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def celery_worker(transactional_db, settings, tmp_path):
    """A real Celery worker process on the real Redis, using the test database.

    Broker and results use their own Redis database so a worker of `make run`
    never takes the test's tasks. The test must commit its data (transactional_db)
    because the worker reads it through its own connection.
    """
    import os
    import subprocess
    import sys
    import time
    import uuid
    from pathlib import Path

    from config.celery import app
    from tests.celery_support import point_celery_at

    redis_base = settings.REDIS_URL.rsplit("/", 1)[0]
    broker = f"{redis_base}/14"
    env = {
        **os.environ,
        "DATABASE_URL": child_database_url(),
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
    }
    previous = point_celery_at(app, broker)
    root = Path(__file__).resolve().parents[2]
    # A node name of its own, pinged by name: a broadcast ping could be answered by
    # (or wait on) a worker another test started. Output goes to a file, never to an
    # unread pipe that could fill up and block the worker.
    node = f"integration-{uuid.uuid4().hex}@{os.uname().nodename}"
    log = tmp_path / "worker.log"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "-n", node,
         "--loglevel", "warning", "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=root, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(destination=[node], timeout=0.5):
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Celery worker did not start:\n{log.read_text()}")
        yield app
    finally:
        worker.terminate()
        worker.wait(timeout=20)
        point_celery_at(app, *previous)
