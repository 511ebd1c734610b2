"""Billing test data, built through the public services like production data is."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from billing.models import BillingWallet
from billing.services import activate_contract
from core.services import create_object
from tests.api.conftest import (  # noqa: F401  (fixtures shared with the API tests)
    address,
    client_person,
    contract,
    cto_box,
    plan,
)

D = datetime.date


@pytest.fixture(autouse=True)
def english_messages():
    """Billing tests match the services' error messages by their English text."""
    with translation.override("en"):
        yield


@pytest.fixture
def wallet(db):
    return create_object(
        BillingWallet, name="Itaú 109", bank="341", agency="1565", account="13877", wallet_code="109",
        fine_percent=Decimal("2.00"), monthly_interest_percent=Decimal("1.00"),
        discount_percent=Decimal("0.00"), days_to_suspend=10, max_trust_unlock_days=5,
        pix_key="pix@provedor.example", merchant_name="Provedor Malha", merchant_city="Porto Alegre",
        is_default=True,
    )


@pytest.fixture
def active_contract(contract, wallet):
    """Ana's Fibra 500 (R$ 99,90), signed and installed on 2026-01-01, due day 10."""
    contract.signed_on = D(2026, 1, 1)
    contract.save(update_fields=["signed_on"])
    return activate_contract(contract, activated_on=D(2026, 1, 1))


@pytest.fixture
def contract_factory(client_person, plan, address, cto_box, wallet):
    """More active contracts of the same client, one per free port of the box."""
    from billing.services import create_contract

    def make(port):
        contract = create_contract(
            person=client_person, plan=plan, installation_address=address, cto_box=cto_box,
            cto_port=port, signed_on=D(2026, 1, 1),
        )
        return activate_contract(contract, activated_on=D(2026, 1, 1))

    return make
