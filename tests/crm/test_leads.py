"""Leads and the pipeline through /api/crm/leads/: visibility, moves, versions, the map."""

import datetime

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from crm.sales.services import move_lead
from tests.crm.sales_fixtures import *  # noqa: F403  (fixtures)

pytestmark = pytest.mark.django_db

URL = "/api/crm/leads/"


def detail(lead):
    return f"{URL}{lead.pk}/"


def test_a_rep_creates_a_lead_they_own_with_contact_data_normalised(rep, plan):
    response = rep.post(
        URL,
        {
            "name": "Joana Prado",
            "email": "joana@example.com",
            "mobile_phone": "(51) 99876-5432",
            "address_text": "Rua da Praia, 10",
            "plan": plan.pk,
            "point": {"type": "Point", "coordinates": [-51.22, -30.03]},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["stage"] == "new" and body["owner"] == rep.user.pk and body["version"] == 1
    assert body["mobile_phone"] == "+5551998765432" and body["plan_name"] == "Fibra 300"


def test_bad_contact_data_is_a_400_by_field(rep):
    response = rep.post(
        URL, {"name": "X", "mobile_phone": "1234", "document": "111.111.111-11"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"mobile_phone", "document"}


def test_reps_see_their_own_and_unowned_leads_and_admins_see_all(rep, other_rep, admin, make_lead):
    mine = make_lead("Mine", owner=rep.user)
    theirs = make_lead("Theirs", owner=other_rep.user)
    unowned = make_lead("Web visitor")
    assert {row["id"] for row in rep.get(URL).json()["results"]} == {mine.pk, unowned.pk}
    assert {row["id"] for row in admin.get(URL).json()["results"]} == {
        mine.pk,
        theirs.pk,
        unowned.pk,
    }
    assert rep.get(detail(theirs)).status_code == 404
    assert [row["id"] for row in rep.get(URL, {"mine": "true"}).json()["results"]] == [mine.pk]


def test_working_on_an_unowned_lead_makes_the_rep_its_owner(rep, make_lead):
    lead = make_lead()
    response = rep.patch(detail(lead), {"notes": "Called, call again", "version": 1}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["owner"] == rep.user.pk and response.json()["version"] == 2


def test_a_rep_cannot_give_a_lead_to_another_rep_but_an_admin_can(rep, other_rep, admin, make_lead):
    lead = make_lead(owner=rep.user)
    refused = rep.patch(detail(lead), {"owner": other_rep.user.pk}, format="json")
    assert refused.status_code == 400
    assert refused.json()["owner"] == ["Only an administrator gives a lead to another rep."]
    assert (
        admin.patch(detail(lead), {"owner": other_rep.user.pk}, format="json").json()["owner"]
        == other_rep.user.pk
    )


def move(client, lead, **data):
    return client.post(f"{detail(lead)}move/", data, format="json")


def test_legal_moves_and_a_lost_lead_needs_a_reason(rep, make_lead):
    lead = make_lead(owner=rep.user)
    assert move(rep, lead, stage="contacted", version=1).json()["stage"] == "contacted"
    no_reason = move(rep, lead, stage="lost", version=2)
    assert no_reason.status_code == 400
    assert no_reason.json() == {"lost_reason": ["Say why the lead was lost."]}
    lost = move(
        rep, lead, stage="lost", lost_reason="price", lost_detail="Too expensive", version=2
    )
    assert lost.status_code == 200
    assert (lost.json()["stage"], lost.json()["lost_reason"], lost.json()["lost_detail"]) == (
        "lost",
        "price",
        "Too expensive",
    )
    reopened = move(rep, lead, stage="contacted", version=3).json()
    assert reopened["stage"] == "contacted" and reopened["lost_reason"] == ""


@pytest.mark.parametrize(
    ("stage", "message"),
    [
        ("proposal_sent", "A lead reaches “Proposal sent” when one of its proposals is sent."),
        ("won", "Convert the lead to win it: that signs the contract."),
    ],
)
def test_proposal_sent_and_won_come_from_their_own_actions(rep, make_lead, stage, message):
    lead = make_lead(owner=rep.user)
    response = move(rep, lead, stage=stage)
    assert response.status_code == 400 and response.json() == {"stage": [message]}


def test_a_won_lead_does_not_move(make_lead, rep):
    lead = make_lead(owner=rep.user)
    lead.stage = "won"
    lead.save()
    response = move(rep, lead, stage="lost", lost_reason="price")
    assert response.status_code == 400
    assert response.json()["stage"] == ["A lead cannot go from “Won” to “Lost”."]


def test_an_unknown_stage_or_reason_is_a_400(rep, make_lead):
    lead = make_lead(owner=rep.user)
    assert move(rep, lead, stage="signed").status_code == 400
    assert move(rep, lead, stage="lost", lost_reason="weather").status_code == 400


def test_a_stale_version_is_a_409_and_changes_nothing(rep, admin, make_lead):
    lead = make_lead(owner=rep.user)
    assert (
        admin.patch(detail(lead), {"notes": "first", "version": 1}, format="json").status_code
        == 200
    )
    stale = rep.patch(detail(lead), {"notes": "second", "version": 1}, format="json")
    assert stale.status_code == 409
    assert "changed by someone else" in stale.json()["detail"]
    assert move(rep, lead, stage="contacted", version=1).status_code == 409
    lead.refresh_from_db()
    assert (lead.notes, lead.stage, lead.version) == ("first", "new", 2)


def test_the_stage_is_not_edited_directly(rep, make_lead):
    lead = make_lead(owner=rep.user)
    rep.patch(detail(lead), {"stage": "won"}, format="json")
    lead.refresh_from_db()
    assert lead.stage == "new"


def test_filters_stage_and_next_action_day(rep, make_lead):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    at_ten = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time(10)))
    soon = make_lead("Soon", owner=rep.user, next_action_at=at_ten)
    later = make_lead("Later", owner=rep.user)
    move_lead(later, stage="contacted")
    by_day = rep.get(URL, {"next_action_on": tomorrow.isoformat()}).json()["results"]
    assert [row["id"] for row in by_day] == [soon.pk]
    by_stage = rep.get(URL, {"stage": ["contacted"]}).json()["results"]
    assert [row["id"] for row in by_stage] == [later.pk]


def test_the_leads_map_is_geojson_filtered_by_bbox(admin, make_lead):
    inside = make_lead("Inside")
    make_lead("Outside", point=Point(-51.10, -29.90, srid=4326))
    response = admin.get(f"{URL}geojson/", {"in_bbox": "-51.25,-30.06,-51.18,-30.00"})
    assert response.status_code == 200
    features = response.json()["features"]
    assert [feature["id"] for feature in features] == [inside.pk]
    assert (
        features[0]["geometry"]["type"] == "Point" and features[0]["properties"]["stage"] == "new"
    )
    bad = admin.get(f"{URL}geojson/", {"in_bbox": "nonsense"})
    assert bad.status_code == 400


def test_counts_per_stage_for_the_board(rep, other_rep, make_lead):
    make_lead("A", owner=rep.user)
    contacted = make_lead("B", owner=rep.user)
    move_lead(contacted, stage="contacted")
    make_lead("Not mine", owner=other_rep.user)
    response = rep.get(f"{URL}counts/")
    assert response.json() == {"new": 1, "contacted": 1, "proposal_sent": 0, "won": 0, "lost": 0}


def test_ordered_by_next_action(rep, make_lead):
    now = timezone.now()
    later = make_lead("Later", owner=rep.user, next_action_at=now + datetime.timedelta(days=2))
    sooner = make_lead("Sooner", owner=rep.user, next_action_at=now + datetime.timedelta(days=1))
    rows = rep.get(URL, {"ordering": "next_action_at"}).json()["results"]
    assert [row["id"] for row in rows] == [sooner.pk, later.pk]


def test_a_lead_far_from_brazil_is_a_400_and_nothing_is_written(rep):
    """Audit: a lead created with a point far from Brazil made its page a 500 for good."""
    response = rep.post(URL, {"name": "Longe", "point": {"type": "Point", "coordinates": [36, 0]}},
                        format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "outside the region" in str(response.json()["point"])
    assert rep.get(URL).json()["count"] == 0


def test_a_next_action_filter_with_an_impossible_offset_is_a_400(rep):
    for name in ("next_action_after", "next_action_before"):
        response = rep.get(URL, {name: "2026-01-01T00:00:00+16:00"}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400 and "-14:00 and +14:00" in str(response.json()[name])
    assert rep.get(URL, {"next_action_after": "2026-01-01T00:00:00+14:00"}).status_code == 200
