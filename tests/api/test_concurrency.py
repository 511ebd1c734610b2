"""Two sales reps selling the same box port at once: the second waits, then gets a clear 400."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from billing.models import Contract
from billing.services import create_contract
from crm.people.services import create_address, create_person

from .conftest import OTHER_CPF


@pytest.mark.django_db(transaction=True)
def test_second_contract_for_a_port_waits_for_the_first(client_person, plan, address, cto_box):
    rival = create_person(name="Bruno Lima", document=OTHER_CPF)
    rival_address = create_address(
        person=rival,
        cep="90010-001",
        street="Rua da Praia",
        number="1",
        neighbourhood="Centro",
        city="Porto Alegre",
        state="RS",
        point=address.point,
    )
    outcome = {}

    def sell_to_rival():
        try:
            create_contract(
                person=rival,
                plan=plan,
                installation_address=rival_address,
                cto_box=cto_box,
                cto_port=1,
                number="B-1",
            )
            outcome["result"] = "created"
        except ValidationError as error:
            outcome["result"] = error.message_dict
        finally:
            connection.close()

    with transaction.atomic():
        # Explicit numbers: the numbering lock must not be what serialises the two sales.
        create_contract(
            person=client_person,
            plan=plan,
            installation_address=address,
            cto_box=cto_box,
            cto_port=1,
            number="A-1",
        )
        rival_sale = threading.Thread(target=sell_to_rival)
        rival_sale.start()
        rival_sale.join(timeout=0.5)
        assert rival_sale.is_alive(), "the rival sale must wait for the box lock"
    rival_sale.join(timeout=10)

    assert list(outcome["result"]) == ["cto_port"]
    assert Contract.objects.filter(cto_box=cto_box, cto_port=1).count() == 1
