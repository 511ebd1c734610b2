"""Hostile JSON bodies get a clear 400/413 in JSON, never a 500: nested thousands of levels
deep (Python's decoder recurses per level), too large, or with NaN."""
import json

import pytest
from django.utils import translation

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/auth/token/"


def post(client, body):
    return client.generic("POST", TOKEN_URL, body, content_type="application/json",
                          HTTP_ACCEPT_LANGUAGE="en")


def test_a_body_nested_thousands_deep_is_a_400_for_anonymous(api_client):
    response = post(api_client, "[" * 3000 + "]" * 3000)
    assert response.status_code == 400
    assert "nests more than 32 levels" in response.json()["detail"]


def test_an_object_nested_past_the_limit_is_refused_even_when_python_could_read_it(api_client):
    body = '{"a":' * 40 + "1" + "}" * 40
    response = post(api_client, body)
    assert response.status_code == 400
    assert "nests more than" in response.json()["detail"]


def test_a_body_over_the_upload_limit_is_a_413_in_json(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024 // 2
    body = json.dumps({"username": "x" * (1024 * 1024), "password": "y"})
    response = api_client.generic("POST", TOKEN_URL, body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["detail"] == "O corpo da requisição passa de 0,5 MB."


def test_nan_is_not_json(api_client):
    response = post(api_client, '{"username": NaN, "password": "y"}')
    assert response.status_code == 400
    assert "NaN is not a JSON value" in response.json()["detail"]


def test_broken_json_says_so_in_portuguese_by_default(api_client):
    with translation.override("pt-br"):
        response = api_client.generic("POST", TOKEN_URL, "{", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("O corpo")


def test_a_sane_body_still_logs_in(api_client, make_user):
    make_user("maria")
    response = post(api_client, json.dumps({"username": "maria", "password": "s3cret-pass"}))
    assert response.status_code == 200
    assert response.json()["token"]
