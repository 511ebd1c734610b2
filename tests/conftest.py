"""Shared fixtures: one user per role and API clients logged in as them.

Tests run against the project's real PostGIS and Redis (`make test` starts them).
"""
import uuid

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import translation
from rest_framework.test import APIClient

from core.roles import Role


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


def pytest_collection_modifyitems(items):
    """Browser tests run last: Playwright's sync API keeps an event loop running in the main
    thread for the rest of the session, and async_to_sync (Channels tests) refuses to run there."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
