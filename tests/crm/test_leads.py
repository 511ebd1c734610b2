"""Leads and the pipeline through /api/crm/leads/: visibility, moves, versions, the map."""

import pytest
from django.utils import translation

from crm.sales.services import move_lead
from tests.crm.sales_fixtures import *  # noqa: F403  (fixtures)

pytestmark = pytest.mark.django_db

URL = "/api/crm/leads/"


def detail(lead):
    return f"{URL}{lead.pk}/"


def test_a_rep_creates_a_lead_they_own_with_contact_data_normalised(rep, plan):
    response = rep.post(URL, {
        "name": "Joana Prado", "email": "joana@example.com", "mobile_phone": "(51) 99876-5432",
        "address_text": "Rua da Praia, 10", "plan": plan.pk,
        "point": {"type": "Point", "coordinates": [-51.22, -30.03]},
    }, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["stage"] == "new" and body["owner"] == rep.user.pk and body["version"] == 1
    assert body["mobile_phone"] == "+5551998765432" and body["plan_name"] == "Fibra 300"


def test_bad_contact_data_is_a_400_by_field(rep):
    response = rep.post(URL, {"name": "X", "mobile_phone": "1234", "document": "111.111.111-11"},
                        format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"mobile_phone", "document"}
