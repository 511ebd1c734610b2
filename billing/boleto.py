"""FEBRABAN boleto: 44-digit bar code, 47-digit typeable line, check digits, due-date factor.

Pure functions; the bank-specific part (the 25-digit free field and the
"nosso número") lives in one function per bank, chosen by bank code.
"""

import datetime
from decimal import Decimal

CURRENCY_REAL = "9"
FACTOR_BASE = datetime.date(1997, 10, 7)
# Factor 1000 fell on 2000-07-03 and 9999 on 2025-02-21; on 2025-02-22 it restarted at 1000.
FIRST_FACTOR_DATE = datetime.date(2000, 7, 3)
FACTOR_CYCLE = 9000


def modulo10(digits):
    """FEBRABAN modulo 10: weights 2,1,2,1... from the right, digits of each product summed."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def modulo11_barcode(digits):
    """The bar code's general check digit: weights 2..9 from the right; 0, 10 and 11 become 1."""
    total = sum(int(char) * (2 + position % 8) for position, char in enumerate(reversed(digits)))
    digit = 11 - total % 11
    return 1 if digit in (0, 10, 11) else digit


def due_date_factor(due_date):
    """Four digits counting days from 1997-10-07, wrapping from 9999 back to 1000."""
    if due_date < FIRST_FACTOR_DATE:
        raise ValueError("Due dates before 2000-07-03 have no factor in the current cycle.")
    days = (due_date - FACTOR_BASE).days
    return (days - 1000) % FACTOR_CYCLE + 1000


def amount_field(amount):
    cents = int((amount * 100).to_integral_value())
    if amount < 0 or Decimal(cents) != amount * 100 or cents >= 10**10:
        raise ValueError(f"Amount {amount} does not fit a boleto.")
    return f"{cents:010d}"


def barcode(bank_code, due_date, amount, free_field):
    """The 44-digit bar code: bank, currency, check digit, factor, amount, free field."""
    if len(bank_code) != 3 or len(free_field) != 25 or not (bank_code + free_field).isdigit():
        raise ValueError("A bar code needs a 3-digit bank code and a 25-digit free field.")
    without_dv = f"{bank_code}{CURRENCY_REAL}{due_date_factor(due_date):04d}{amount_field(amount)}{free_field}"
    return without_dv[:4] + str(modulo11_barcode(without_dv)) + without_dv[4:]


def typeable_line(code):
    """The 47-digit line a person types, from a 44-digit bar code, grouped as printed."""
    free = code[19:44]
    field1 = code[0:4] + free[0:5]
    field2 = free[5:15]
    field3 = free[15:25]
    parts = [field + str(modulo10(field)) for field in (field1, field2, field3)]
    return (
        f"{parts[0][:5]}.{parts[0][5:]} {parts[1][:5]}.{parts[1][5:]} "
        f"{parts[2][:5]}.{parts[2][5:]} {code[4]} {code[5:19]}"
    )


# Itaú wallets whose nosso número check digit leaves out the agency and account.
ITAU_WALLETS_WITHOUT_ACCOUNT_IN_DAC = {"126", "131", "146", "150", "168"}


def itau_nosso_numero_digit(agency, account, wallet, nosso_numero):
    if wallet in ITAU_WALLETS_WITHOUT_ACCOUNT_IN_DAC:
        return modulo10(wallet + nosso_numero)
    return modulo10(agency + account + wallet + nosso_numero)


def itau_free_field(*, agency, account, wallet, nosso_numero):
    """Itaú (341), wallets with an 8-digit nosso número: wallet, number, DACs, agency, account."""
    nosso_numero = f"{int(nosso_numero):08d}"
    agency, account = f"{int(agency):04d}", f"{int(account):05d}"
    return (
        f"{wallet}{nosso_numero}{itau_nosso_numero_digit(agency, account, wallet, nosso_numero)}"
        f"{agency}{account}{modulo10(agency + account)}000"
    )


def itau_nosso_numero_display(*, agency, account, wallet, nosso_numero):
    nosso_numero = f"{int(nosso_numero):08d}"
    agency, account = f"{int(agency):04d}", f"{int(account):05d}"
    return f"{wallet}/{nosso_numero}-{itau_nosso_numero_digit(agency, account, wallet, nosso_numero)}"


FREE_FIELD_BUILDERS = {"341": itau_free_field}
NOSSO_NUMERO_FORMATTERS = {"341": itau_nosso_numero_display}
NOSSO_NUMERO_MAX = {"341": 10**8 - 1}
