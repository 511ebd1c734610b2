"""Fiscal documents: numbering per series, one live document per invoice, XML from the invoice."""

import datetime
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.core.exceptions import ValidationError

from billing import services
from billing.models import FiscalSeries, Invoice
from core.services import create_object

D = datetime.date
NS = {"n": "http://www.portalfiscal.inf.br/nfcom"}
pytestmark = pytest.mark.django_db


@pytest.fixture
def series(db):
    return create_object(FiscalSeries, kind="nfcom", series=1, issuer_cnpj="11222333000181",
                         issuer_name="Provedor Malha", is_default=True)


def test_issue_numbers_and_builds_the_xml(active_contract, series):
    services.add_charge(active_contract, description="Router", amount="150.00", created_on=D(2026, 3, 5))
    services.run_monthly_invoices(D(2026, 3, 1))
    invoice = Invoice.objects.get()
    document = services.issue_fiscal_document(invoice)
    assert (document.number, document.status) == (1, "pending")
    root = ElementTree.fromstring(document.xml)
    assert root.find("n:infNFCom/n:ide/n:mod", NS).text == "62"
    assert root.find("n:infNFCom/n:dest/n:CPF", NS).text == "52998224725"
    assert [e.text for e in root.findall("n:infNFCom/n:det/n:prod/n:vProd", NS)] == ["99.90", "150.00"]
    assert Decimal(root.find("n:infNFCom/n:total/n:vNF", NS).text) == invoice.amount
    with pytest.raises(ValidationError):
        services.issue_fiscal_document(invoice)
    with pytest.raises(ValidationError):
        services.cancel_fiscal_document(document, reason="")
    services.cancel_fiscal_document(document, reason="Wrong client address")
    assert services.issue_fiscal_document(invoice).number == 2


def test_no_document_for_a_cancelled_invoice_or_without_series(active_contract):
    services.run_monthly_invoices(D(2026, 3, 1))
    invoice = Invoice.objects.get()
    with pytest.raises(ValidationError, match="fiscal series"):
        services.issue_fiscal_document(invoice)
    services.cancel_invoice(invoice, reason="Moved away")
    with pytest.raises(ValidationError, match="cancelled"):
        services.issue_fiscal_document(invoice)
