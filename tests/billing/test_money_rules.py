"""Known-answer tests for the pure money rules: boleto, PIX, late fees, pro-rata."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from billing import boleto, pix
from billing.money import amount_due, parse_money, prorated, to_cents

D = datetime.date

# Itaú wallet 175 example published with the boleto libraries' specs (agency 1565,
# account 13877, nosso número 12345678, R$ 2.952,95, due 2011-03-09).
ITAU_EXAMPLE = dict(agency="1565", account="13877", wallet="175", nosso_numero="12345678")
ITAU_BARCODE = "34193490100002952951751234567861565138771000"
ITAU_LINE = "34191.75124 34567.861561 51387.710000 3 49010000295295"

# The Banco Central's Manual de Padrões para Iniciação do Pix, static example.
BCB_EXAMPLE = (
    "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-426655440000"
    "5204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D"
)


class TestBoleto:
    def test_itau_published_example(self):
        free = boleto.itau_free_field(**ITAU_EXAMPLE)
        code = boleto.barcode("341", D(2011, 3, 9), Decimal("2952.95"), free)
        assert code == ITAU_BARCODE
        assert boleto.typeable_line(code) == ITAU_LINE

    def test_itau_second_published_due_date(self):
        free = boleto.itau_free_field(**ITAU_EXAMPLE)
        code = boleto.barcode("341", D(2012, 12, 21), Decimal("2952.95"), free)
        assert boleto.typeable_line(code) == "34191.75124 34567.861561 51387.710000 1 55540000295295"

    def test_line_has_47_digits(self):
        assert len("".join(c for c in ITAU_LINE if c.isdigit())) == 47

    @pytest.mark.parametrize(
        "due, factor",
        [
            (D(2000, 7, 3), 1000),
            (D(2011, 3, 9), 4901),
            (D(2025, 2, 21), 9999),
            (D(2025, 2, 22), 1000),  # FEBRABAN's reset
            (D(2025, 2, 23), 1001),
            (D(2026, 11, 24), 1640),
        ],
    )
    def test_due_date_factor(self, due, factor):
        assert boleto.due_date_factor(due) == factor

    def test_factor_before_cycle_refused(self):
        with pytest.raises(ValueError):
            boleto.due_date_factor(D(2000, 7, 2))

    def test_modulo11_maps_0_10_11_to_1(self):
        # 43 zeros sum to 0 -> 11 - 0 = 11 -> 1.
        assert boleto.modulo11_barcode("0" * 43) == 1

    def test_modulo10_known(self):
        # Field 1 of the Itaú example: 341917512 -> check digit 4.
        assert boleto.modulo10("341917512") == 4
        assert boleto.modulo10("0") == 0

    def test_itau_nosso_numero_display(self):
        assert boleto.itau_nosso_numero_display(**ITAU_EXAMPLE) == "175/12345678-6"

    def test_amount_too_large_or_fractional(self):
        with pytest.raises(ValueError):
            boleto.amount_field(Decimal("100000000.00"))
        with pytest.raises(ValueError):
            boleto.amount_field(Decimal("1.005"))


class TestPix:
    def test_crc_check_value(self):
        assert pix.crc16_ccitt("123456789") == "29B1"

    def test_manual_example(self):
        payload = pix.br_code(
            key="123e4567-e12b-12d1-a456-426655440000", merchant_name="Fulano de Tal", merchant_city="BRASILIA"
        )
        assert payload == BCB_EXAMPLE

    def test_amount_and_txid_and_accents(self):
        payload = pix.br_code(
            key="pix@provedor.com.br", merchant_name="Provedor São João", merchant_city="Porto Alegre",
            amount=Decimal("99.90"), txid="FT000123",
        )
        assert "540599.90" in payload
        assert "5917Provedor Sao Joao" in payload
        assert "0508FT000123" in payload
        assert payload[-4:] == pix.crc16_ccitt(payload[:-4])


FEES = dict(fine_percent=Decimal("2"), monthly_interest_percent=Decimal("1"), discount_percent=Decimal("5"))


class TestLateFees:
    def test_discount_until_due_date(self):
        due = amount_due(Decimal("99.90"), D(2026, 3, 10), D(2026, 3, 10), **FEES)
        assert due.discount == Decimal("5.00")  # 4.995 rounds half up
        assert due.total == Decimal("94.90")

    def test_one_day_late(self):
        due = amount_due(Decimal("99.90"), D(2026, 3, 10), D(2026, 3, 11), **FEES)
        assert (due.fine, due.interest, due.days_late) == (Decimal("2.00"), Decimal("0.03"), 1)
        assert due.total == Decimal("101.93")

    def test_thirty_days_late_is_one_percent(self):
        due = amount_due(Decimal("100.00"), D(2026, 4, 10), D(2026, 5, 10), **FEES)
        assert due.interest == Decimal("1.00")
        assert due.total == Decimal("103.00")

    def test_due_on_saturday_paid_monday_is_not_late(self):
        # 2026-03-14 is a Saturday.
        due = amount_due(Decimal("99.90"), D(2026, 3, 14), D(2026, 3, 16), **FEES)
        assert due.total == Decimal("99.90")
        assert due.discount == Decimal("0.00")

    def test_due_on_saturday_paid_tuesday_counts_from_saturday(self):
        due = amount_due(Decimal("99.90"), D(2026, 3, 14), D(2026, 3, 17), **FEES)
        assert due.days_late == 3
        assert due.interest == Decimal("0.10")  # 99.90 * 1% / 30 * 3 = 0.0999

    def test_leap_year_february(self):
        due = amount_due(Decimal("120.00"), D(2024, 2, 28), D(2024, 3, 1), **FEES)
        assert due.days_late == 2  # 29 February counts
        assert due.interest == Decimal("0.08")

    def test_month_end(self):
        due = amount_due(Decimal("150.00"), D(2026, 1, 31), D(2026, 3, 2), **FEES)
        assert due.days_late == 30
        assert due.interest == Decimal("1.50")


class TestProRataAndMoneyInput:
    def test_prorated_half_month(self):
        assert prorated(Decimal("99.90"), D(2026, 4, 16), D(2026, 4, 30)) == Decimal("49.95")

    def test_prorated_leap_february(self):
        assert prorated(Decimal("100.00"), D(2024, 2, 20), D(2024, 2, 29)) == Decimal("34.48")

    def test_rounding_half_up(self):
        assert to_cents(Decimal("0.005")) == Decimal("0.01")
        assert to_cents(Decimal("2.345")) == Decimal("2.35")

    @pytest.mark.parametrize("bad", [1.5, True, "-1.00", "abc", "1.001", "0", "NaN", "Infinity", "1e30", None])
    def test_bad_money(self, bad):
        with pytest.raises(ValidationError):
            parse_money(bad)

    def test_good_money(self):
        assert parse_money("99.90") == Decimal("99.90")
        assert parse_money(100) == Decimal("100.00")
        assert parse_money("-20.00", allow_negative=True) == Decimal("-20.00")
