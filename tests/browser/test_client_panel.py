"""The billing clerk at a client's financial panel: a payment refused, then registered."""
import datetime
from decimal import Decimal

import pytest

from billing import services
from billing.models import BillingWallet, Invoice
from core.services import create_object
from tests.api.conftest import address, client_person, contract, cto_box, plan  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = datetime.date


@pytest.fixture
def owed(contract):  # noqa: F811
    """Ana's March and April invoices, both past due; April half paid."""
    create_object(
        BillingWallet, name="Itaú 109", bank="341", agency="1565", account="13877", wallet_code="109",
        pix_key="pix@provedor.example", merchant_name="Provedor Malha", merchant_city="Porto Alegre",
        is_default=True,
    )
    contract.signed_on = D(2026, 1, 1)
    contract.save(update_fields=["signed_on"])
    services.activate_contract(contract, activated_on=D(2026, 1, 1))
    services.run_monthly_invoices(D(2026, 3, 1))
    services.run_monthly_invoices(D(2026, 4, 1))
    march, april = Invoice.objects.order_by("due_date")
    services.settle_invoice(april, amount="50.00", paid_on=D(2026, 5, 1))
    services.add_charge(contract, description="Roteador Wi-Fi 6", amount="150.00")
    return march, april


def test_a_clerk_registers_a_payment(page, login, screenshot, make_user, owed):
    march, _april = owed
    make_user("financeiro", "billing", first_name="Fernanda")
    login("financeiro")
    page.wait_for_url("**/")
    page.goto(f"/clients/{march.contract.person_id}/finance/")
    row = page.locator(f"#receivable tr[data-invoice='{march}']")
    total_today = Decimal(row.locator("td.total").inner_text().replace(".", "").replace(",", "."))
    assert total_today > Decimal("99.90")  # fine and interest to today

    row.locator("details.action summary").first.click()  # register a payment
    form = row.locator("form.api-form").first
    form.locator("input[name=amount]").fill("999,00")
    form.locator("button[type=submit]").click()
    error = form.locator(".form-error")
    error.wait_for()
    assert error.inner_text()  # the server's translated reason, inline
    screenshot("client-panel-error", full_page=True)

    form.locator("input[name=amount]").fill(str(total_today).replace(".", ","))
    form.locator("button[type=submit]").click()
    page.locator(f"#paid tr[data-invoice='{march}']").wait_for()
    assert page.locator(f"#receivable tr[data-invoice='{march}']").count() == 0
    march.refresh_from_db()
    assert march.status == "paid"
    assert march.payments.get().amount == total_today
    screenshot("client-panel", full_page=True)
