"""Itaú CNAB 400 return files ("arquivo retorno de cobrança"): parsing only, no database.

Positions below are 1-based and inclusive, as in the bank's layout. A file is
rejected whole when any line is malformed, so nothing is half-imported.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

LINE_LENGTH = 400
# Occurrence codes that mean money was received for the title.
PAID_OCCURRENCES = {
    "06": "liquidação normal",
    "07": "liquidação parcial",
    "08": "liquidação em cartório",
}


@dataclass(frozen=True)
class ReturnDetail:
    line_number: int
    nosso_numero: int
    occurrence: str
    paid_on: datetime.date | None
    amount_paid: Decimal

    @property
    def is_payment(self):
        return self.occurrence in PAID_OCCURRENCES


def _field(line, start, end):
    return line[start - 1:end]


def _date(text):
    if text.strip("0 ") == "":
        return None
    return datetime.datetime.strptime(text, "%d%m%y").date()


def _digits(text):
    if not text.isdigit():
        raise ValueError(text)
    return int(text)


def _money(text):
    return Decimal(_digits(text)) / 100


def parse_itau_400(content):
    """The detail records of an Itaú CNAB 400 return file, or a ValidationError naming the line."""
    if isinstance(content, bytes):
        content = content.decode("latin-1")
    lines = [line.rstrip("\r") for line in content.split("\n") if line.strip()]
    if not lines:
        raise ValidationError(_("The return file is empty."))
    for number, line in enumerate(lines, start=1):
        if len(line) != LINE_LENGTH:
            raise ValidationError(
                _("Line %(line)s has %(length)s characters; CNAB 400 lines have 400.")
                % {"line": number, "length": len(line)}
            )
    header = lines[0]
    if _field(header, 1, 9) != "02RETORNO" or _field(header, 77, 79) != "341":
        raise ValidationError(_("This is not an Itaú (341) CNAB 400 return file."))
    if lines[-1][0] != "9":
        raise ValidationError(_("The return file has no trailer record; it may be truncated."))
    details = []
    for number, line in enumerate(lines[1:-1], start=2):
        if line[0] != "1":
            raise ValidationError(
                _("Line %(line)s: unknown record type “%(type)s”.") % {"line": number, "type": line[0]}
            )
        try:
            details.append(
                ReturnDetail(
                    line_number=number,
                    nosso_numero=_digits(_field(line, 63, 70)),
                    occurrence=_field(line, 109, 110),
                    paid_on=_date(_field(line, 111, 116)),
                    amount_paid=_money(_field(line, 254, 266)),
                )
            )
        except ValueError:
            raise ValidationError(
                _("Line %(line)s is malformed: nosso número, date or amount is not numeric.")
                % {"line": number}
            ) from None
    return details


def itau_400_detail(*, agency, account, wallet_code, nosso_numero, occurrence, paid_on, amount_paid, sequence):
    """One detail line in the bank's layout: builds the fixtures of tests and benchmarks."""
    line = [" "] * LINE_LENGTH

    def put(start, text):
        line[start - 1:start - 1 + len(text)] = text

    put(1, "1")
    put(18, f"{int(agency):04d}00{int(account):05d}")
    put(63, f"{nosso_numero:08d}")
    put(83, wallet_code)
    put(86, f"{nosso_numero:08d}")
    put(109, occurrence)
    put(111, paid_on.strftime("%d%m%y"))
    put(153, f"{int(amount_paid * 100):013d}")
    put(254, f"{int(amount_paid * 100):013d}")
    put(395, f"{sequence:06d}")
    return "".join(line)


def itau_400_file(details, *, agency, account, generated_on):
    header = (
        "02RETORNO01COBRANCA".ljust(26) + f"{int(agency):04d}00{int(account):05d}".ljust(20)
    ).ljust(76) + "341BANCO ITAU SA".ljust(18) + generated_on.strftime("%d%m%y")
    header = header.ljust(394) + "000001"
    trailer = "9".ljust(394) + f"{len(details) + 2:06d}"
    return "\r\n".join([header, *details, trailer]) + "\r\n"
