"""Money rules of a billing wallet: late fees, early-payment discount, pro-rata.

Every amount is a Decimal in BRL. Rounding rule: each component (discount,
fine, interest, pro-rata share) is rounded on its own to centavos with
ROUND_HALF_UP, and the total is the sum of the rounded parts, so what the
client sees line by line adds up to what is charged.
"""

import calendar
import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
MAX_AMOUNT = Decimal("99999999.99")
MAX_FINE_PERCENT = Decimal("2.00")  # Código de Defesa do Consumidor, art. 52 §1º
MAX_MONTHLY_INTEREST_PERCENT = Decimal("1.00")
# Interest is quoted per month and charged per calendar day late as 1/30 of it.
DAYS_PER_INTEREST_MONTH = Decimal(30)


def to_cents(value):
    """Round a Decimal to centavos, half up (R$ 0,005 -> R$ 0,01)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_money(value, field="amount", allow_negative=False):
    """A non-zero BRL amount from a Decimal, int or string (negative only for credits);
    floats are refused as inexact."""
    if isinstance(value, (float, bool)):
        raise ValidationError({field: [_("Send money as a decimal string such as \"99.90\", not a float.")]})
    try:
        amount = Decimal(str(value).strip())
    except (ArithmeticError, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        raise ValidationError({field: [_("“%(value)s” is not an amount of money.") % {"value": value}]})
    if abs(amount) > MAX_AMOUNT:
        raise ValidationError({field: [_("The amount is above R$ 99.999.999,99.")]})
    if amount != amount.quantize(CENT):
        raise ValidationError({field: [_("Money has at most two decimal places.")]})
    if amount == 0 or (amount < 0 and not allow_negative):
        raise ValidationError({field: [_("The amount must be greater than zero.")]})
    return amount.quantize(CENT)


def next_business_day(day):
    """A due date on a Saturday or Sunday moves to Monday (bank holidays are not modelled)."""
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


@dataclass(frozen=True)
class AmountDue:
    principal: Decimal
    discount: Decimal
    fine: Decimal
    interest: Decimal
    days_late: int

    @property
    def total(self):
        return self.principal - self.discount + self.fine + self.interest


def amount_due(principal, due_date, paid_on, *, fine_percent, monthly_interest_percent, discount_percent):
    """What settles `principal` on `paid_on`.

    Up to the due date the wallet's discount applies. A due date on a weekend
    may be paid on the next business day without charges. Once late, the fine
    is charged once and interest runs for every calendar day after the
    original due date.
    """
    if paid_on <= due_date:
        discount = to_cents(principal * discount_percent / HUNDRED)
        return AmountDue(principal, discount, Decimal("0.00"), Decimal("0.00"), 0)
    if paid_on <= next_business_day(due_date):
        return AmountDue(principal, Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), 0)
    days_late = (paid_on - due_date).days
    fine = to_cents(principal * fine_percent / HUNDRED)
    interest = to_cents(
        principal * monthly_interest_percent / HUNDRED / DAYS_PER_INTEREST_MONTH * days_late
    )
    return AmountDue(principal, Decimal("0.00"), fine, interest, days_late)


def month_bounds(period):
    """First and last day of the month containing `period`."""
    first = period.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return first, last


def prorated(monthly_amount, first_day, last_day):
    """The share of a monthly amount for the days first_day..last_day (inclusive) of one month."""
    month_first, month_last = month_bounds(first_day)
    days = (last_day - first_day).days + 1
    return to_cents(monthly_amount * days / month_last.day)
