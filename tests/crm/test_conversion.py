"""Conversion: lead → client + contract awaiting installation (port reserved) + installation
order, in one transaction, and at once on the dispatcher's map."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from billing.models import Contract
from billing.services import create_contract
from core.exceptions import Conflict
from crm.people.models import Address
from crm.people.services import create_address, create_person
from crm.people.validators import with_cpf_check_digits
from crm.sales.models import Lead, Sale
from crm.sales.services import accept_proposal, convert_lead, create_proposal, move_lead
from fieldops.models import ServiceOrder
from tests.crm.sales_fixtures import *  # noqa: F403  (fixtures)
from tests.crm.sales_fixtures import CENTER, OTHER_CPF, VALID_CPF
from tests.fieldops.test_concurrency import in_thread
from tests.gis.test_tiles import features, tile_of, url
from tests.messaging.conftest import eager_tasks  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db

ADDRESS = {
    "cep": "90010-000",
    "street": "Rua dos Andradas",
    "number": "100",
    "complement": "ap 2",
    "neighbourhood": "Centro Histórico",
    "city": "Porto Alegre",
    "state": "RS",
}


@pytest.fixture
def lead(make_lead, rep, viability, store):
    return make_lead(owner=rep.user, viability_check=viability, channel=store)


def convert(client, lead, **data):
    payload = {"document": VALID_CPF, "address": ADDRESS, **data}
    return client.post(f"/api/crm/leads/{lead.pk}/convert/", payload, format="json")


def taken_port(box, port, plan):
    """A neighbour's contract on `port` of `box`."""
    other = create_person(
        name=f"Vizinho {port}", stage="client", document=with_cpf_check_digits(f"{port:03d}456789")
    )
    address = create_address(person=other, **{**ADDRESS, "point": box.point})
    return create_contract(
        person=other, plan=plan, installation_address=address, cto_box=box, cto_port=port
    )


def nothing_written(lead):
    lead.refresh_from_db()
    lead.person.refresh_from_db()
    return (
        lead.stage in ("new", "contacted", "proposal_sent")
        and lead.person.stage == "lead"
        and lead.person.document == ""
        and not Address.objects.filter(person=lead.person).exists()
        and not Contract.objects.filter(person=lead.person).exists()
        and not ServiceOrder.objects.filter(person=lead.person).exists()
        and not Sale.objects.filter(lead=lead).exists()
    )


def test_conversion_creates_client_contract_and_installation_order(rep, lead, plan, box):
    response = convert(rep, lead, plan=plan.pk, due_day=15)
    assert response.status_code == 201, response.json()
    body = response.json()
    contract = Contract.objects.get(pk=body["contract"])
    assert (contract.status, contract.cto_box, contract.cto_port, contract.due_day) == (
        "awaiting_installation",
        box,
        1,
        15,
    )
    assert contract.plan == plan and contract.monthly_discount == Decimal("0.00")
    assert contract.person.stage == "client" and contract.person.document == "52998224725"
    assert contract.installation_address.complement == "ap 2"
    assert contract.point == lead.point
    order = ServiceOrder.objects.get(pk=body["service_order"])
    assert (order.order_type, order.status, order.contract, order.person) == (
        "installation",
        "open",
        contract,
        contract.person,
    )
    assert order.window_start.astimezone(timezone.get_current_timezone()).time() == datetime.time(8)
    assert order.window_start.date() > timezone.localdate() and order.window_start.weekday() < 5
    lead.refresh_from_db()
    assert lead.stage == "won" and lead.version == 2
    assert (
        body["cto_box"] == "CTO-S1"
        and body["cto_port"] == 1
        and body["contract_status"] == "awaiting_installation"
    )
    assert (body["rep"], body["channel"], body["monthly_value"]) == (
        rep.user.pk,
        lead.channel_id,
        "89.90",
    )


def test_the_new_contract_and_order_are_on_the_dispatcher_map_at_once(rep, lead, plan, client_for):
    sale = Sale.objects.get(pk=convert(rep, lead, plan=plan.pk).json()["id"])
    dispatcher = client_for("dispatcher")
    tile = tile_of(*CENTER, 16)
    contracts = features(dispatcher.get(url("contracts", *tile)), "contracts")
    assert [c["number"] for c in contracts] == [sale.contract.number]
    assert contracts[0]["status"] == "awaiting_installation"
    orders = features(dispatcher.get(url("orders", *tile)), "orders")
    assert [(o["number"], o["type"]) for o in orders] == [
        (sale.service_order.number, "installation")
    ]


def test_the_low_zoom_cells_are_rebuilt_when_the_conversion_commits(
    rep, lead, plan, client_for, settings, eager_tasks, django_capture_on_commit_callbacks
):
    settings.MALHA_TILE_CELLS_MAX_STALE = 3600  # the tile view alone would not rebuild them
    dispatcher = client_for("dispatcher")
    city = tile_of(*CENTER, 11)
    assert features(dispatcher.get(url("contracts", *city)), "contracts") == []  # cells built
    with django_capture_on_commit_callbacks(execute=True):
        assert convert(rep, lead, plan=plan.pk).status_code == 201
    cells = features(dispatcher.get(url("contracts", *city)), "contracts")
    assert sum(cell["count"] for cell in cells) == 1 and cells[0]["awaiting_installation"] == 1


def test_a_chosen_port_is_reserved_and_a_taken_one_is_a_409_with_nothing_written(
    rep, lead, plan, box
):
    taken_port(box, 2, plan)
    response = convert(rep, lead, plan=plan.pk, cto_port=2)
    assert response.status_code == 409
    assert response.json()["detail"].startswith("Port 2 of box CTO-S1 is already taken by contract")
    assert nothing_written(lead)
    assert convert(rep, lead, plan=plan.pk, cto_port=3).json()["cto_port"] == 3


def test_the_lowest_free_port_is_taken(rep, lead, plan, box):
    taken_port(box, 1, plan)
    taken_port(box, 3, plan)
    assert convert(rep, lead, plan=plan.pk).json()["cto_port"] == 2


def test_a_full_box_is_a_409(rep, lead, plan, box):
    for port in range(1, box.ports_total + 1):
        taken_port(box, port, plan)
    response = convert(rep, lead, plan=plan.pk)
    assert response.status_code == 409
    assert response.json()["detail"] == "Box CTO-S1 has no free port left."
    assert nothing_written(lead)


def test_a_failure_in_the_last_step_leaves_nothing_behind(rep, lead, plan):
    """The installation order is written last; a bad time window fails it after the person,
    address and contract were written, and all of them are rolled back."""
    start = timezone.now() + datetime.timedelta(days=2)
    response = convert(
        rep,
        lead,
        plan=plan.pk,
        window_start=start.isoformat(),
        window_end=(start - datetime.timedelta(hours=1)).isoformat(),
    )
    assert response.status_code == 400
    assert response.json() == {"window_end": ["The time window must end after it starts."]}
    assert nothing_written(lead)


def test_an_invalid_cpf_is_a_400_by_field(rep, lead, plan):
    response = convert(rep, lead, plan=plan.pk, document="123.456.789-00")
    assert response.status_code == 400
    assert response.json() == {"document": ["Invalid CPF: check the 11 digits."]}
    assert nothing_written(lead)


def test_a_company_converts_with_its_cnpj(rep, lead, plan):
    response = convert(
        rep,
        lead,
        plan=plan.pk,
        person_type="company",
        document="11.222.333/0001-81",
        name="Padaria Lima Ltda",
    )
    assert response.status_code == 201, response.json()
    lead.person.refresh_from_db()
    assert (lead.person.person_type, lead.person.document, lead.person.name) == (
        "company",
        "11222333000181",
        "Padaria Lima Ltda",
    )


def test_a_bad_address_is_a_400(rep, lead, plan):
    response = convert(rep, lead, plan=plan.pk, address={**ADDRESS, "cep": "900"})
    assert response.status_code == 400
    assert response.json() == {"cep": ["Invalid CEP: use 8 digits, e.g. 90010-000."]}
    assert nothing_written(lead)


def test_a_plan_is_needed_and_a_box(rep, make_lead, plan):
    bare = make_lead(owner=rep.user)
    assert convert(rep, bare).json() == {"plan": ["Choose the plan the client signs up for."]}
    response = convert(rep, bare, plan=plan.pk)
    assert response.status_code == 400
    assert response.json() == {
        "cto_box": [
            "Choose the box the client will be connected to (the viability check found none)."
        ]
    }
    assert nothing_written(bare)


def test_the_accepted_proposal_gives_plan_and_discount(rep, lead, plan, big_plan):
    proposal = create_proposal(
        lead=lead,
        user=rep.user,
        items=[
            {"plan": plan, "price": Decimal("80.91")},
            {"plan": big_plan, "price": Decimal("110.00")},
        ],
    )
    unaccepted = convert(rep, lead, proposal=proposal.pk)
    assert unaccepted.json() == {"proposal": ["Accept the proposal before converting with it."]}
    accept_proposal(proposal, user=rep.user, signed_name="Carlos Lima")
    response = convert(rep, lead, proposal=proposal.pk, plan=big_plan.pk)
    assert response.status_code == 201, response.json()
    contract = Contract.objects.get(pk=response.json()["contract"])
    assert (contract.plan, contract.monthly_discount) == (big_plan, Decimal("9.90"))
    assert response.json()["monthly_value"] == "110.00"


def test_lost_won_and_stale_leads_are_not_converted(rep, lead, plan):
    move_lead(lead, stage="lost", lost_reason="price")
    lost = convert(rep, lead, plan=plan.pk)
    assert lost.status_code == 400
    assert lost.json() == {"non_field_errors": ["Lead is lost and cannot be converted."]}
    move_lead(lead, stage="contacted")
    assert convert(rep, lead, plan=plan.pk, version=1).status_code == 409
    assert convert(rep, lead, plan=plan.pk, version=3).status_code == 201
    other = convert(rep, lead, plan=plan.pk, document=OTHER_CPF)
    assert other.json() == {"non_field_errors": ["Lead is won and cannot be converted."]}


def test_the_same_conversion_sent_again_returns_the_sale_and_writes_nothing(rep, lead, plan, big_plan):
    first = convert(rep, lead, plan=plan.pk, due_day=15)
    assert first.status_code == 201, first.json()
    rows = (Sale.objects.count(), Contract.objects.count(), ServiceOrder.objects.count(),
            Address.objects.count())
    retry = convert(rep, lead, plan=plan.pk, due_day=15)
    assert (retry.status_code, retry.json()) == (200, first.json())
    for changed in ({"plan": big_plan.pk, "due_day": 15}, {"plan": plan.pk},
                    {"plan": plan.pk, "due_day": 15, "cto_port": 2}):
        refused = convert(rep, lead, **changed)
        assert refused.status_code == 400, changed
        assert refused.json() == {"non_field_errors": ["Lead is won and cannot be converted."]}
    assert rows == (Sale.objects.count(), Contract.objects.count(), ServiceOrder.objects.count(),
                    Address.objects.count())


def test_another_reps_lead_is_not_theirs_to_convert(other_rep, lead, plan):
    assert convert(other_rep, lead, plan=plan.pk).status_code == 404
    assert Lead.objects.get(pk=lead.pk).stage == "new"


def convert_as(user, lead, plan, **extra):
    sale, _created = convert_lead(
        lead,
        user=user,
        document=extra.pop("document"),
        plan=plan,
        address={**ADDRESS, "number": str(lead.pk)},
        **extra,
    )
    return sale


@pytest.mark.django_db(transaction=True)
def test_two_reps_converting_at_once_get_different_ports_or_a_conflict(
    rep, make_lead, plan, viability, eager_tasks
):
    first, second, third = (make_lead(f"Lead {n}", viability_check=viability) for n in range(3))
    with transaction.atomic():
        convert_as(rep.user, first, plan, document=VALID_CPF)
        rival, outcome = in_thread(lambda: convert_as(rep.user, second, plan, document=OTHER_CPF))
        rival.join(timeout=0.5)
        assert rival.is_alive(), "the second conversion must wait for the box lock"
    rival.join(timeout=20)
    assert outcome["result"].contract.cto_port == 2  # the lowest port still free after the first

    fourth = make_lead("Lead 4", viability_check=viability)
    with transaction.atomic():
        convert_as(rep.user, third, plan, document=with_cpf_check_digits("123123123"), cto_port=3)
        rival, outcome = in_thread(
            lambda: convert_as(
                rep.user, fourth, plan, document=with_cpf_check_digits("321321321"), cto_port=3
            )
        )
        rival.join(timeout=0.5)
        assert rival.is_alive()
    rival.join(timeout=20)
    assert isinstance(outcome["error"], Conflict)
    assert nothing_written(fourth)


def test_converting_needs_the_right_to_sign_contracts_and_open_orders(
    english_client_for, lead, plan
):
    billing_clerk = english_client_for("billing")  # may edit leads, not open service orders
    assert convert(billing_clerk, lead, plan=plan.pk).status_code == 403
    assert convert(english_client_for("dispatcher"), lead, plan=plan.pk).status_code == 403
    assert convert(english_client_for("admin"), lead, plan=plan.pk).status_code == 201


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"cto_box": 999999}, "cto_box"),
        ({"cto_port": 0}, "cto_port"),
        ({"cto_port": 9}, "cto_port"),  # the box has ports 1 to 4
        ({"due_day": 31}, "due_day"),
        ({"document": ""}, "document"),
        ({"address": {"cep": "90010-000"}}, "address"),
        ({"window_start": "tomorrow"}, "window_start"),
        ({"version": "x"}, "version"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(rep, lead, plan, payload, field):
    response = convert(rep, lead, plan=plan.pk, **payload)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert nothing_written(lead)


def test_another_leads_proposal_is_refused(rep, lead, make_lead, plan):
    other = make_lead("Other", owner=rep.user)
    proposal = create_proposal(lead=other, user=rep.user, items=[{"plan": plan}])
    response = convert(rep, lead, proposal=proposal.pk)
    assert response.json() == {"proposal": ["This proposal is for another lead."]}
