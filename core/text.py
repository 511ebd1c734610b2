"""Small text helpers shared by every app."""
import re

_NON_DIGITS = re.compile(r"\D")


def only_digits(value):
    """The digits of a CPF, CNPJ, CEP or phone typed with any punctuation."""
    return _NON_DIGITS.sub("", value or "")
