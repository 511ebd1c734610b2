"""The solving task in a real Celery worker, its progress read over Channels as the map reads it.

The socket speaks ASGI to the project's whole application (origin check, session login,
URL router, consumer).

The worker takes tasks only from a queue of this test's own (on the integration tests' broker
database), so it never takes another process's work, and starts only once the socket listens:
every message the task sends is heard.
"""
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client

from config.asgi import application
from config.celery import app as celery_app
from routing import services
from routing.live import totals
from routing.models import RoutePlan
from tests.asgi_support import Socket, websocket_scope
from tests.celery_support import point_celery_at, route_celery_tasks

from .conftest import tomorrow

ROOT = Path(__file__).resolve().parents[2]
INTEGRATION_BROKER_DB = 14  # tests/integration/conftest.py


def plan_socket(path, headers):
    return Socket(application, websocket_scope(path, headers=headers))


def headers_for(user=None):
    """A browser's headers: its origin, and the session cookie of `user` logged in."""
    headers = [(b"origin", b"http://localhost")]
    if user is not None:
        client = Client()
        client.force_login(user)
        name = django_settings.SESSION_COOKIE_NAME
        headers.append((b"cookie", f"{name}={client.cookies[name].value}".encode()))
    return headers


@pytest.fixture
def start_worker(transactional_db, settings, tmp_path):
    """start_worker() runs a Celery worker process on the test database and this test's queue."""
    queue = f"routing-test-{uuid.uuid4().hex}"
    broker = f"{settings.REDIS_URL.rsplit('/', 1)[0]}/{INTEGRATION_BROKER_DB}"
    previous = point_celery_at(celery_app, broker)
    previous_routes = route_celery_tasks(celery_app, {"routing.tasks.solve_plan_task": {"queue": queue}})
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgis://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
        "MALHA_ROUTING_PROGRESS_INTERVAL_S": "0.05",
    }
    workers = []
    log = tmp_path / "worker.log"

    def start():
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "-Q", queue,
             "-n", f"{queue}@%h", "--loglevel", "warning", "--without-heartbeat", "--without-gossip",
             "--without-mingle"],
            cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        )
        workers.append(worker)
        deadline = time.monotonic() + 30
        while not celery_app.control.ping(destination=[f"{queue}@{os.uname().nodename}"], timeout=0.5):
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Celery worker did not start:\n{log.read_text()}")

    yield start
    for worker in workers:
        worker.terminate()
        worker.wait(timeout=20)
    point_celery_at(celery_app, *previous)
    route_celery_tasks(celery_app, previous_routes)


def test_the_worker_solves_the_plan_and_streams_its_progress(start_worker, team, orders, make_user):
    dispatcher = make_user("dina", "dispatcher")
    plan = services.request_plan(date=tomorrow(), user=dispatcher, time_budget_s=1)

    headers = headers_for(dispatcher)

    async def follow():
        async with plan_socket(f"/ws/routing/plans/{plan.pk}/", headers) as socket:
            connected, _code = await socket.connect()
            assert connected
            first = await socket.receive_json(timeout=5)
            await sync_to_async(start_worker, thread_sensitive=False)()
            heard = []
            while not heard or heard[-1]["type"] != "done":
                heard.append(await socket.receive_json(timeout=60))
        return first, heard

    first, heard = async_to_sync(follow)()

    assert first == {"type": "status", "status": "queued"}
    progress, done = heard[:-1], heard[-1]
    assert progress and {message["type"] for message in progress} == {"progress"}
    costs = [message["best_cost"] for message in progress]
    assert costs == sorted(costs, reverse=True) and costs[-1] > 0
    assert all(message["served"] + message["unassigned"] == len(orders) for message in progress)
    assert all(0 <= message["elapsed_s"] <= 5 for message in progress)
    solved = RoutePlan.objects.get(pk=plan.pk)
    assert solved.status == "solved" and solved.routes.exists()
    assert done == {"type": "done", "status": "solved", "totals": totals(solved), "error": ""}
    assert done["totals"]["served"] == len(orders)


@pytest.mark.django_db(transaction=True)  # the session middleware closes "old" connections
def test_only_dispatchers_and_admins_follow_a_plan(team, orders, make_user):
    plan = services.request_plan(date=tomorrow(), user=None, time_budget_s=1)
    technician = team[0].user
    admin = make_user("adm", "admin")

    def attempt(path, user):
        return async_to_sync(connect)(path, headers_for(user))

    async def connect(path, headers):
        async with plan_socket(path, headers) as socket:
            connected, code = await socket.connect()
            message = await socket.receive_json() if connected else None
        return connected, code, message

    path = f"/ws/routing/plans/{plan.pk}/"
    assert attempt(path, None)[:2] == (False, 4403)
    assert attempt(path, technician)[:2] == (False, 4403)
    assert attempt(f"/ws/routing/plans/{plan.pk + 1000}/", admin)[:2] == (False, 4404)
    assert attempt(path, admin) == (True, None, {"type": "status", "status": "queued"})
    # A plan that already finished says so at once.
    services.discard_plan(services.solve_plan(plan.pk), admin)
    connected, _code, message = attempt(path, admin)
    assert connected and (message["type"], message["status"]) == ("done", "discarded")
