"""The technician's app pages: the route, its manifest and its service worker."""
import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_technicians_land_on_their_route(make_technician, make_user):
    technician = signed_in(make_technician("tiago").user)
    assert technician.get("/").url == "/tech/"
    page = technician.get("/tech/")
    assert page.status_code == 200
    assert b'rel="manifest" href="/tech/manifest.webmanifest"' in page.content
    assert signed_in(make_user("despachante", "dispatcher")).get("/").status_code == 200


def test_only_technicians_have_a_route(make_user):
    assert signed_in(make_user("despachante", "dispatcher")).get("/tech/").status_code == 403
    assert Client().get("/tech/").url.startswith("/login/")


def test_the_manifest_makes_it_installable():
    manifest = json.loads(Client(HTTP_ACCEPT_LANGUAGE="en").get("/tech/manifest.webmanifest").content)
    assert (manifest["start_url"], manifest["display"], manifest["scope"]) == ("/tech/", "standalone", "/tech/")
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in manifest["icons"]}
    assert manifest["name"] == "Malha — my route"


def test_the_service_worker_precaches_the_shell():
    response = Client().get("/tech/sw.js")
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/tech/" and response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    for url in ("/tech/", "/jsi18n/", "/static/vendor/maplibre-gl/maplibre-gl.mjs", "/static/frontend/tech/app.js"):
        assert f'"{url}"' in body


def test_the_page_tells_the_app_where_to_log_in_again(make_technician):
    page = signed_in(make_technician("tiago").user).get("/tech/")
    config = page.context["config"]
    assert config["urls"]["login"] == "/login/?next=/tech/"
    assert config["urls"]["day"] == "/api/fieldops/my-day/"
