"""Every HTML page sends a Content-Security-Policy under which no inline script runs unless it
carries the request's nonce (issue 14, item 13): stored text cannot become script."""
import datetime
import re

import pytest
from django.contrib.gis.geos import Point
from django.test import Client
from django.utils import timezone

from fieldops.services import create_technician
from tests.crm.viability_network import website  # noqa: F401  (fixture)

DEPOT = (-51.2177, -30.0346)
ADMIN_PAGES = [
    "/", "/overview/map/", "/map/", "/campaigns/", "/sales/viability/", "/sales/pipeline/",
    "/sales/leads/map/", "/sales/goals/", "/reports/field/", "/reports/clients/map/",
]
SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def policy(response):
    """The response's CSP as {directive: [sources]}."""
    directives = (part.split() for part in response["Content-Security-Policy"].split(";"))
    return {words[0]: words[1:] for words in directives if words}


def assert_no_inline_script_runs(response):
    assert response.status_code == 200, response
    rules = policy(response)
    scripts = rules["script-src"]
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts and "*" not in scripts
    assert rules["object-src"] == ["'none'"] and rules["base-uri"] == ["'self'"]
    nonces = [source for source in scripts if source.startswith("'nonce-")]
    allowed = {f'nonce="{source[7:-1]}"' for source in nonces}
    for attributes in SCRIPT.findall(response.content.decode()):
        if "src=" in attributes or 'type="application/json"' in attributes:
            continue
        assert any(nonce in attributes for nonce in allowed), attributes


@pytest.fixture
def technician(make_user):
    return create_technician(
        user=make_user("tiago", "technician", first_name="Tiago"),
        shift_start=datetime.time(8), shift_end=datetime.time(17),
        start_point=Point(*DEPOT, srid=4326), end_point=Point(*DEPOT, srid=4326),
    )


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_forbid_inline_script(path, make_user):
    assert_no_inline_script_runs(logged_in(make_user("admin", "admin")).get(path))


def test_technician_pages_and_the_route_sheet_forbid_inline_script(technician, make_user):
    sheet = f"/reports/route-sheet/{technician.pk}/{timezone.localdate().isoformat()}/"
    for path in ("/tech/", sheet):
        assert_no_inline_script_runs(logged_in(technician.user).get(path))
    assert_no_inline_script_runs(logged_in(make_user("dispatcher", "dispatcher")).get(sheet))


@pytest.mark.parametrize("role", ["sales", "billing", "dispatcher"])
def test_each_roles_home_forbids_inline_script(role, make_user):
    assert_no_inline_script_runs(logged_in(make_user(role, role)).get("/"))


def test_public_pages_forbid_inline_script(website):  # noqa: F811
    assert_no_inline_script_runs(Client().get("/login/"))
    widget = Client().get(f"/widget/viability/{website.public_key}/")
    assert_no_inline_script_runs(widget)
    assert policy(widget)["frame-ancestors"] == ["'self'", "https://www.provedor.com.br"]


def test_framing_follows_x_frame_options(make_user):
    client = logged_in(make_user("admin", "admin"))
    assert policy(client.get("/"))["frame-ancestors"] == ["'none'"]
    assert policy(client.get("/overview/map/"))["frame-ancestors"] == ["'self'"]


def test_the_map_documents_run_only_under_the_nonce(make_user):
    """The folium overview map is inline script; each of its tags carries this request's nonce."""
    response = logged_in(make_user("admin", "admin")).get("/overview/map/")
    nonce = next(s for s in policy(response)["script-src"] if s.startswith("'nonce-"))[7:-1]
    tags = SCRIPT.findall(response.content.decode())
    assert tags and all(f'nonce="{nonce}"' in tag for tag in tags)


def test_a_hosted_basemap_origin_may_be_fetched(settings, make_user):
    settings.MALHA_BASEMAP_STYLE_URL = "https://tiles.example.com/styles/streets.json"
    rules = policy(logged_in(make_user("admin", "admin")).get("/map/"))
    assert "https://tiles.example.com" in rules["connect-src"]
    assert "https://tiles.example.com" in rules["img-src"]
    assert rules["worker-src"] == ["'self'", "blob:"]



@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/", "/admin/", "/api/crm/people/?format=api"])
def test_api_docs_admin_and_browsable_api_forbid_inline_script(path, admin_user):
    """Swagger UI is served split (its setup script a file of its own) so it runs under the policy."""
    assert_no_inline_script_runs(logged_in(admin_user).get(path, HTTP_ACCEPT="text/html"))
