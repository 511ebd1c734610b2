"""Brute force and tokens (audit issue 14, defects 6 and 7): every sign-in path locks a
peer out of an account after a few wrong passwords, keyed on the real peer address; API
tokens expire, are new per sign-in and are revoked by logout and a password change."""

import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

PEER = "198.51.100.23"  # TEST-NET-2


def login_site(username, password, **extra):
    return Client().post("/login/", {"username": username, "password": password}, REMOTE_ADDR=PEER, **extra)


def login_admin(username, password, **extra):
    return Client().post(
        "/admin/login/", {"username": username, "password": password}, REMOTE_ADDR=PEER, **extra
    )


def login_api(username, password, **extra):
    return APIClient().post(
        "/api/auth/token/", {"username": username, "password": password}, REMOTE_ADDR=PEER, **extra
    )


def token_client(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def works(token):
    """Whether the API accepts the token (a refused one gets 401/403 "Invalid token")."""
    response = token_client(token).get("/api/auth/tokens/")
    assert response.status_code in (200, 401, 403)
    return response.status_code == 200


def wrong_passwords(login, settings, **extra):
    """As many wrong passwords as the lockout allows, each from a new forged
    X-Forwarded-For (a rotating header must not start a fresh count)."""
    return [
        login("gerente", f"guess-{n}", HTTP_X_FORWARDED_FOR=f"10.0.{n}.1", **extra)
        for n in range(settings.MALHA_LOGIN_FAILURE_LIMIT)
    ]


@pytest.fixture
def manager(make_user):
    return make_user("gerente", "admin", is_staff=True, is_superuser=True)


@pytest.mark.parametrize("login", [login_site, login_admin], ids=["site", "admin"])
def test_site_and_admin_sign_in_lock_the_peer_out_of_the_account(login, manager, settings):
    misses = wrong_passwords(login, settings)
    assert all("Muitas tentativas" not in r.content.decode() for r in misses[:-1])
    assert "Muitas tentativas" in misses[-1].content.decode()  # the last miss says so

    refused = login("gerente", "s3cret-pass", HTTP_X_FORWARDED_FOR="10.9.9.9")

    assert refused.status_code in (200, 429)
    assert "_auth_user_id" not in refused.wsgi_request.session
    assert "Muitas tentativas" in refused.content.decode()


def test_site_sign_in_lockout_answers_429_with_retry_after(manager, settings):
    wrong_passwords(login_site, settings)

    refused = login_site("gerente", "s3cret-pass")

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= settings.MALHA_LOGIN_COOLOFF


def test_token_endpoint_locks_out_despite_a_rotating_forwarded_header(manager, settings):
    limit = settings.MALHA_LOGIN_FAILURE_LIMIT
    assert [r.status_code for r in wrong_passwords(login_api, settings)] == [400] * (limit - 1) + [429]

    refused = login_api("gerente", "s3cret-pass", HTTP_X_FORWARDED_FOR="10.9.9.9")

    assert refused.status_code == 429
    assert "Muitas tentativas" in refused.data["detail"]
    assert int(refused["Retry-After"]) > 0
    assert not manager.auth_token_set.exists()


def test_lockout_of_one_path_holds_on_the_others_and_ends_after_the_cooloff(manager, settings):
    settings.MALHA_LOGIN_COOLOFF = 2
    wrong_passwords(login_site, settings)
    assert login_api("gerente", "s3cret-pass").status_code == 429
    assert "_auth_user_id" not in login_admin("gerente", "s3cret-pass").wsgi_request.session
    # Another peer is not locked out of the account (no denial of service to its owner).
    assert APIClient().post(
        "/api/auth/token/", {"username": "gerente", "password": "s3cret-pass"}, REMOTE_ADDR="192.0.2.1"
    ).status_code == 200

    time.sleep(2.1)
    assert login_api("gerente", "s3cret-pass").status_code == 200


def test_forwarded_header_counts_only_behind_declared_proxies(manager, settings):
    """Behind one proxy the client is the address the proxy appended, last in the header:
    what the client forged before it changes nothing, another client is not locked out."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    for n in range(settings.MALHA_LOGIN_FAILURE_LIMIT):
        login_api("gerente", "guess", HTTP_X_FORWARDED_FOR=f"10.{n}.0.9, 10.0.0.1")

    assert login_api("gerente", "s3cret-pass", HTTP_X_FORWARDED_FOR="10.9.9.9, 10.0.0.1").status_code == 429
    assert login_api("gerente", "s3cret-pass", HTTP_X_FORWARDED_FOR="10.7.7.7").status_code == 200


def test_each_sign_in_issues_a_new_token_that_expires(manager, settings):
    first, second = login_api("gerente", "s3cret-pass"), login_api("gerente", "s3cret-pass")

    assert first.status_code == second.status_code == 200
    assert first.data["token"] != second.data["token"]
    expiry = manager.auth_token_set.latest("created").expiry
    ttl = settings.REST_KNOX["TOKEN_TTL"]
    assert timezone.now() + ttl - timedelta(minutes=1) < expiry <= timezone.now() + ttl
    assert first.data["expiry"]

    manager.auth_token_set.update(expiry=timezone.now() - timedelta(seconds=1))
    assert not works(first.data["token"])


def test_logout_revokes_the_token_it_was_sent_with(manager):
    used, other = login_api("gerente", "s3cret-pass").data["token"], login_api("gerente", "s3cret-pass").data["token"]

    assert token_client(used).post("/api/auth/logout/").status_code == 204

    assert not works(used)
    assert works(other)


def test_a_user_lists_and_revokes_their_tokens(manager, make_user):
    token = login_api("gerente", "s3cret-pass").data["token"]
    spare = login_api("gerente", "s3cret-pass").data["token"]
    outsider = make_user("tecnico", "technician")
    listed = token_client(token).get("/api/auth/tokens/").json()

    assert sorted(t["token_key"] for t in listed) == sorted(k[:15] for k in (token, spare))
    assert token_client(token).delete(f"/api/auth/tokens/{spare[:15]}/").status_code == 204
    assert not works(spare)
    # Another user cannot see or revoke them.
    client = APIClient()
    client.force_authenticate(outsider)
    assert client.get("/api/auth/tokens/").json() == []
    assert client.delete(f"/api/auth/tokens/{token[:15]}/").status_code == 404


def test_a_password_change_revokes_every_token(manager):
    token = login_api("gerente", "s3cret-pass").data["token"]

    manager.set_password("another-s3cret")
    manager.save()

    assert not works(token)


def test_web_logout_revokes_the_users_tokens(manager):
    token = login_api("gerente", "s3cret-pass").data["token"]
    web = Client()
    web.force_login(manager)

    web.post("/logout/")

    assert not works(token)
