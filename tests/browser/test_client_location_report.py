"""The client location report as a dispatcher sees it: clustered clients on the folium map."""
import datetime
import random
import re

import pytest
from django.contrib.gis.geos import Point

from billing.models import Plan
from billing.services import create_contract, update_contract
from core.services import create_object
from crm.people.services import create_address, create_person
from crm.people.validators import with_cpf_check_digits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CENTER = (-51.22, -30.04)


def numbers(text):
    """The counts of a summary line, whatever the language it is written in."""
    return re.findall(r"\d+", text)


def test_a_dispatcher_maps_the_clients_of_a_plan(page, login, screenshot, make_user):
    rng = random.Random(5)
    plans = [create_object(Plan, name=name, download_mbps=speed, upload_mbps=speed // 2, monthly_price=price)
             for name, speed, price in (("Fibra 500", 500, "99.90"), ("Fibra 1 Giga", 1000, "149.90"))]
    for index in range(120):
        person = create_person(name=f"Cliente {index:03d}", stage="client",
                               document=with_cpf_check_digits(f"{300000000 + index:09d}"))
        address = create_address(
            person=person, cep="90010-000", street="Rua Teste", number=str(index + 1),
            neighbourhood="Centro Histórico" if index % 3 else "Cidade Baixa", city="Porto Alegre", state="RS",
            point=Point(CENTER[0] + rng.gauss(0, 0.012), CENTER[1] + rng.gauss(0, 0.01), srid=4326),
        )
        contract = create_contract(person=person, plan=plans[index % 2], installation_address=address)
        if index % 4:
            update_contract(contract, status="active", activated_on=datetime.date.today())
    make_user("despachante", "dispatcher")

    login("despachante")
    page.wait_for_url("**/")
    page.goto("/reports/clients/map/")
    assert numbers(page.locator("#client-map-summary").inner_text()) == ["120", "120"]
    frame = page.frame_locator("#client-map")
    frame.locator(".marker-cluster").first.wait_for()
    screenshot("client_location_report")

    page.select_option("select[name=plan]", label="Fibra 1 Giga")
    page.fill("input[name=neighbourhood]", "Cidade Baixa")
    page.click("#client-map-filters button[type=submit]")
    assert numbers(page.locator("#client-map-summary").inner_text()) == ["20", "20"]
    frame.locator(".leaflet-interactive").first.wait_for()
    screenshot("client_location_report_filtered")
    with page.expect_download() as download:
        page.click("#client-map-download")
    assert download.value.suggested_filename.startswith("clients-map-")
