"""The OpenAPI schema is valid and complete, and the docs are served from local files."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_schema_generates_without_warnings(tmp_path):
    # --fail-on-warn exits non-zero on any warning; --validate checks against the OpenAPI spec.
    call_command(
        "spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yml")
    )
    schema = (tmp_path / "schema.yml").read_text()
    assert "/api/gis/cto-boxes/geojson/:" in schema


@pytest.mark.django_db
def test_schema_endpoint(client_for):
    response = client_for("technician").get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/fieldops/service-orders/" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/", "/api/redoc/"])
def test_docs_need_a_login(api_client, url):
    assert api_client.get(url).status_code in (401, 403)


def test_swagger_ui_for_a_logged_in_user(client, make_user):
    client.force_login(make_user("dora", "dispatcher"))
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn.jsdelivr.net" not in html


def test_redoc_uses_local_files(client, make_user):
    client.force_login(make_user("dora", "dispatcher"))
    response = client.get("/api/redoc/")
    assert response.status_code == 200
    assert "drf_spectacular_sidecar/redoc/" in response.content.decode()
