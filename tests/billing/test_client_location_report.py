"""The client location report: filters (service), the page, the HTML export and who may see it."""
import datetime

import pytest
from django.contrib.gis.geos import Point
from django.utils import translation

from billing.models import Plan
from billing.reports import client_locations
from billing.services import create_contract, update_contract
from core.services import create_object
from crm.people.services import create_address, create_person
from crm.people.validators import with_cpf_check_digits

URL = "/reports/clients/map/"
CENTER = (-51.23, -30.04)
TODAY = datetime.date.today()


@pytest.fixture
def clients(db):
    """Four clients in two neighbourhoods on two plans; Ana holds a second, suspended contract."""
    fibra = create_object(Plan, name="Fibra 500", download_mbps=500, upload_mbps=250, monthly_price="99.90")
    giga = create_object(Plan, name="Fibra 1 Giga", download_mbps=1000, upload_mbps=500, monthly_price="149.90")
    people = {}
    for index, (name, hood, plan, status) in enumerate([
        ("Ana <b>Souza</b>", "Centro Histórico", fibra, "active"),
        ("Bruno Lima", "Centro Histórico", giga, "awaiting_installation"),
        ("Carla Dias", "Menino Deus", fibra, "active"),
        ("Davi Rocha", "Menino Deus", giga, "cancelled"),
    ]):
        person = create_person(name=name, stage="client", document=with_cpf_check_digits(f"{200000000 + index:09d}"))
        address = create_address(
            person=person, cep="90010-000", street="Rua Teste", number=str(10 + index), neighbourhood=hood,
            city="Porto Alegre", state="RS", point=Point(CENTER[0] + index * 0.003, CENTER[1], srid=4326),
        )
        contract = create_contract(person=person, plan=plan, installation_address=address)
        _set_status(contract, status)
        people[name.split()[0]] = (person, address)
    person, address = people["Ana"]
    _set_status(create_contract(person=person, plan=giga, installation_address=address), "suspended")
    return {"fibra": fibra, "giga": giga}


def _set_status(contract, status):
    if status == "active":
        update_contract(contract, status="active", activated_on=TODAY)
    elif status == "suspended":
        update_contract(contract, status="suspended", activated_on=TODAY, suspended_on=TODAY)
    elif status == "cancelled":
        update_contract(contract, status="cancelled", cancelled_on=TODAY)


def names(report):
    return sorted({point[2] for point in report.points})


def test_filters_narrow_the_clients(clients):
    everyone = client_locations()
    assert (everyone.contracts, everyone.clients) == (5, 4) and not everyone.truncated
    by_plan = client_locations(plan_ids=[clients["giga"].pk])
    assert names(by_plan) == ["Ana <b>Souza</b>", "Bruno Lima", "Davi Rocha"]
    by_status = client_locations(statuses=["active", "suspended"])
    assert (by_status.contracts, by_status.clients) == (3, 2)
    by_hood = client_locations(neighbourhood="menino deus")
    assert names(by_hood) == ["Carla Dias", "Davi Rocha"]
    all_three = client_locations(plan_ids=[clients["fibra"].pk], statuses=["active"], neighbourhood="Centro Histórico")
    assert names(all_three) == ["Ana <b>Souza</b>"]
    assert all_three.points[0][:2] == [CENTER[1], CENTER[0]]


def test_past_the_limit_the_report_says_so(clients):
    report = client_locations(limit=2)
    assert len(report.points) == 2 and report.contracts == 5 and report.truncated


@pytest.mark.parametrize("role", ["admin", "dispatcher", "sales"])
def test_the_page_and_its_html_export(clients, client, make_user, role):
    client.force_login(make_user(f"user-{role}", role))
    with translation.override("en"):
        page = client.get(URL, {"status": ["active", "suspended"], "neighbourhood": "Centro Histórico"},
                          HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert "1 client, 2 contracts" in html and "srcdoc=" in html
    assert f'href="{URL}">Client locations</a>' in html  # offered in the main menu
    assert "format=html" in page.context["download"] and "neighbourhood=Centro" in page.context["download"]

    export = client.get(URL + page.context["download"])
    assert export.status_code == 200
    assert export["Content-Disposition"].startswith('attachment; filename="clients-map-')
    document = export.content.decode()
    # Standalone: Leaflet and the cluster plugin inline, nothing fetched from a server.
    assert "L.markerClusterGroup" in document and "/static/" not in document and 'src="http' not in document
    # Names travel as JSON data, read into text nodes: never markup in the document.
    assert "Ana <b>Souza</b>" not in document and "textContent" in document


@pytest.mark.parametrize("role", ["technician", "billing"])
def test_other_roles_are_refused(clients, client, make_user, role):
    client.force_login(make_user(f"user-{role}", role))
    assert client.get(URL).status_code == 403
    assert URL not in client.get("/", follow=True).content.decode()  # and not in their menu


def test_anonymous_visitors_go_to_the_login_page(clients, client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_bad_filters_are_a_400_naming_the_field(clients, client, make_user):
    client.force_login(make_user("user-dispatcher", "dispatcher"))
    with translation.override("en"):
        response = client.get(URL, {"plan": "987654", "status": "gone"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    errors = response.context["filters"].errors
    assert set(errors) == {"plan", "status"}
    assert "Select a valid choice" in response.content.decode()
