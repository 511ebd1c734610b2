"""Brazilian identity and contact validators: CPF, CNPJ, CEP and mobile phones.

Each `normalize_*` returns the canonical stored form (digits only, or E.164 for
phones) and raises ValidationError with a translated message on bad input, so
forms, serializers and services share one rule.
"""
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.text import only_digits


def _check_digit(digits, weights):
    total = sum(int(d) * w for d, w in zip(digits, weights))
    rest = total % 11
    return "0" if rest < 2 else str(11 - rest)


_CNPJ_WEIGHTS = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]


def with_cpf_check_digits(base):
    """The 11-digit CPF whose first nine digits are `base`."""
    first = _check_digit(base, range(10, 1, -1))
    return base + first + _check_digit(base + first, range(11, 1, -1))


def with_cnpj_check_digits(base):
    """The 14-digit CNPJ whose first twelve digits are `base`."""
    first = _check_digit(base, _CNPJ_WEIGHTS)
    return base + first + _check_digit(base + first, [6] + _CNPJ_WEIGHTS)


def is_valid_cpf(value):
    digits = only_digits(value)
    if len(digits) != 11 or digits == digits[0] * 11:
        return False
    return with_cpf_check_digits(digits[:9]) == digits


def is_valid_cnpj(value):
    digits = only_digits(value)
    if len(digits) != 14 or digits == digits[0] * 14:
        return False
    return with_cnpj_check_digits(digits[:12]) == digits


def normalize_cpf(value):
    if not is_valid_cpf(value):
        raise ValidationError(_("Invalid CPF: check the 11 digits."), code="invalid_cpf")
    return only_digits(value)


def normalize_cnpj(value):
    if not is_valid_cnpj(value):
        raise ValidationError(_("Invalid CNPJ: check the 14 digits."), code="invalid_cnpj")
    return only_digits(value)


def validate_cpf(value):
    normalize_cpf(value)


def validate_cnpj(value):
    normalize_cnpj(value)


def validate_document_digits(value):
    """A stored CPF (11 digits) or CNPJ (14 digits) with correct check digits."""
    digits = only_digits(value)
    if len(digits) == 11:
        validate_cpf(digits)
    elif len(digits) == 14:
        validate_cnpj(digits)
    else:
        raise ValidationError(
            _("Enter a CPF (11 digits) or a CNPJ (14 digits)."), code="invalid_document"
        )


def normalize_cep(value):
    digits = only_digits(value)
    if len(digits) != 8 or re.fullmatch(r"[-.\s\d]*", value or "") is None:
        raise ValidationError(
            _("Invalid CEP: use 8 digits, e.g. 90010-000."), code="invalid_cep"
        )
    return digits


def validate_cep(value):
    normalize_cep(value)


# Brazilian mobile numbers: two-digit area code (11-99, no zero) + 9 + eight digits.
_MOBILE = re.compile(r"[1-9][1-9]9\d{8}")


def normalize_mobile_phone(value):
    """'(51) 99876-5432', '051998765432' or '+55 51 99876-5432' -> '+5551998765432'."""
    digits = only_digits(value)
    if (value or "").strip().startswith("+"):
        if not digits.startswith("55"):
            raise ValidationError(
                _("Only Brazilian mobile numbers (+55) are accepted."), code="invalid_phone"
            )
        digits = digits[2:]
    elif len(digits) == 13 and digits.startswith("55"):
        digits = digits[2:]
    elif len(digits) == 12 and digits.startswith("0"):
        digits = digits[1:]
    if not _MOBILE.fullmatch(digits):
        raise ValidationError(
            _("Invalid mobile phone: use the area code and 9 digits, e.g. (51) 99876-5432."),
            code="invalid_phone",
        )
    return "+55" + digits


def validate_mobile_phone(value):
    normalize_mobile_phone(value)


def validate_e164_mobile(value):
    """The stored form: exactly what normalize_mobile_phone returns."""
    if normalize_mobile_phone(value) != value:
        raise ValidationError(
            _("Invalid mobile phone: use the area code and 9 digits, e.g. (51) 99876-5432."),
            code="invalid_phone",
        )
