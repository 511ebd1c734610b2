"""Shared fixtures: one user per role and API clients logged in as them.

Tests run against the project's real PostGIS and Redis (`make test` starts them).
"""
import asyncio
import os
import sys
import threading
import time
import uuid

import pytest
import pytest_timeout
import redis
from asgiref.sync import SyncToAsync
from celery import _state as celery_state
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import translation
from rest_framework.test import APIClient
from tqdm import tqdm

from config.celery import app as celery_app
from core.roles import Role

from .celery_support import point_celery_at

# A thread a test started may take a moment to notice it was told to stop.
THREAD_GRACE_SECONDS = 5
# The Redis database the tests' Celery messages go to (make run's broker is database 0).
TEST_BROKER_DB = 10
# The first test that uses the database also waits for its creation (every migration),
# which on a loaded machine can take minutes; the per-test timeout is for the test.
DATABASE_CREATION_SECONDS = 600
_database_created = False
_EXIT_STATUS = pytest.StashKey[int]()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """pytest-django's test database, noted as made (see pytest_timeout_set_timer)."""
    global _database_created
    _database_created = True


@pytest.hookimpl(tryfirst=True)
def pytest_timeout_set_timer(item, settings):
    if not _database_created and "django_db_setup" in getattr(item, "fixturenames", ()):
        longer = settings._replace(timeout=settings.timeout + DATABASE_CREATION_SECONDS)
        return pytest_timeout.pytest_timeout_set_timer(item=item, settings=longer)
    return None


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing is slow by design; tests do not need it to be."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in the site's default language (pt-BR): a request made through the
    test client activates its own language in this thread and would otherwise leak into the
    next test. Tests that read messages in English say so with translation.override("en")."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def isolated_cache(settings):
    """Each test gets an empty cache of its own in the real Redis: a key prefix no other test
    (and no running dev server) shares. Keys written by tests expire with their timeouts."""
    settings.CACHES = {
        name: {**options, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
        for name, options in settings.CACHES.items()
    }


@pytest.fixture
def make_user(db):
    def make(username, role=None, **extra):
        user = get_user_model().objects.create_user(username=username, password="s3cret-pass", **extra)
        if role:
            user.groups.add(Group.objects.get(name=Role(role).value))
        return user

    return make


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def client_for(make_user):
    """An APIClient authenticated as a fresh user with the given role."""

    def make(role, username=None):
        client = APIClient()
        user = make_user(username or f"user-{role}", role)
        client.force_authenticate(user)
        client.user = user
        return client

    return make


@pytest.fixture
def english_client_for(client_for):
    """client_for(role) asking for English messages, so assertions read like the msgids."""

    def make(role, username=None):
        client = client_for(role, username)
        client.credentials(HTTP_ACCEPT_LANGUAGE="en")
        return client

    return make


def broker_url_for_tests():
    return f"{django_settings.REDIS_URL.rsplit('/', 1)[0]}/{TEST_BROKER_DB}"


@pytest.fixture(autouse=True, scope="session")
def test_broker():
    """Tasks the tests queue go to a Redis database of their own, never to the broker of a
    running `make run`, whose worker would run them against the development data (and did:
    route plans of the tests' database, "RoutePlan matching query does not exist")."""
    broker = broker_url_for_tests()
    previous = point_celery_at(celery_app, broker)
    redis.Redis.from_url(broker).flushdb()
    yield broker
    redis.Redis.from_url(broker).flushdb()
    point_celery_at(celery_app, *previous)


@pytest.fixture(autouse=True)
def no_leaks():
    """Fails the test that leaves global state behind for the next ones, instead of the test
    that happens to run after it (in whatever order pytest-randomly chose):

    - celery's "task join will block" flag (set while an eager task runs; a later
      `result.get()` then raises "Never call result.get() within a task!") and eager mode;
    - threads the test started that still run (a worker's, a server's, an event loop's);
    - an event loop left open in the test's thread.
    The state is reset first, so only the leaking test fails."""
    threads_before = set(threading.enumerate())
    loop_before = _main_thread_loop()
    yield
    leaks = []
    if celery_state.task_join_will_block():
        celery_state._set_task_join_will_block(False)
        leaks.append("celery's task-join-will-block flag is still set (an eager task or "
                      "in-process worker did not finish)")
    if celery_app.conf.task_always_eager:
        celery_app.conf.task_always_eager = False
        leaks.append("celery's task_always_eager is still on")
    loop = _main_thread_loop()
    if loop is not None and loop is not loop_before and not loop.is_closed():
        leaks.append(f"an open event loop is left in the main thread: {loop!r}")
        asyncio.set_event_loop(None)
        if not loop.is_running():
            loop.close()
    threads = _threads_left(threads_before, loop_before)
    if threads:
        leaks.append("threads still running: " + ", ".join(repr(thread) for thread in threads))
    if leaks:
        pytest.fail("The test leaked state into the tests after it:\n- " + "\n- ".join(leaks))


def _main_thread_loop():
    """The event loop running or set in this thread, if any (never creates one). Between its
    calls, Playwright's sync API marks its own loop as running in the main thread."""
    return asyncio._get_running_loop() or getattr(asyncio.get_event_loop_policy()._local, "_loop", None)


def _threads_left(before, session_loop):
    """Threads started during the test still alive after a grace period. Some live for the
    whole session by design: asgiref's executor for thread-sensitive sync_to_async, tqdm's
    monitor of progress bars, and the executor of the event loop Playwright's sync API keeps
    in the main thread for the browser tests (`session_loop`)."""
    allowed = set(getattr(SyncToAsync.single_thread_executor, "_threads", ()))
    allowed.add(getattr(tqdm, "monitor", None))
    executor = getattr(session_loop, "_default_executor", None)
    allowed.update(getattr(executor, "_threads", ()))
    deadline = time.monotonic() + THREAD_GRACE_SECONDS
    while True:
        left = [
            thread for thread in threading.enumerate()
            if thread not in before and thread not in allowed and thread.is_alive()
        ]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Browser tests run last: Playwright's sync API keeps an event loop running in the main
    thread for the rest of the session, and async_to_sync (Channels tests) refuses to run there.
    trylast: after pytest-randomly's shuffle and pytest-django's grouping, a stable sort that
    keeps their order within each part."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


def pytest_terminal_summary(terminalreporter, config):
    """The shuffle's seed, even under -q (which hides the header that names it), so a failure
    that depends on the order can be replayed."""
    if config.pluginmanager.hasplugin("randomly") and config.getoption("randomly_reorganize"):
        seed = config.getoption("randomly_seed")
        terminalreporter.write_line(f"Test order: replay with -p randomly --randomly-seed={seed}")


def pytest_sessionfinish(session, exitstatus):
    session.config.stash[_EXIT_STATUS] = exitstatus


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """A run never hangs on its way out: Python joins every non-daemon thread at exit, so one
    stuck thread (say an event loop that a timed-out test left behind) would keep the finished
    run waiting for ever. Name them and leave without waiting."""
    stuck = [thread for thread in threading.enumerate()
             if thread is not threading.main_thread() and not thread.daemon]
    for thread in stuck:
        thread.join(THREAD_GRACE_SECONDS)
    stuck = [thread for thread in stuck if thread.is_alive()]
    if stuck:
        sys.stdout.flush()
        sys.stderr.write(f"Threads still running at the end of the run, not waited for: {stuck}\n")
        sys.stderr.flush()
        status = config.stash.get(_EXIT_STATUS, 1)
        os._exit(int(status) or 1)
