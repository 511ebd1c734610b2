"""CPF/CNPJ check digits, CEP and mobile phone normalisation."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from crm.people.validators import (
    is_valid_cnpj,
    is_valid_cpf,
    normalize_cep,
    normalize_cnpj,
    normalize_cpf,
    normalize_mobile_phone,
)


def check_digit(digits, weights):
    """The Receita Federal rule, written out independently of crm.people.validators."""
    rest = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return "0" if rest < 2 else str(11 - rest)


def cpf_from_base(base):
    first = check_digit(base, range(10, 1, -1))
    return base + first + check_digit(base + first, range(11, 1, -1))


@pytest.mark.parametrize(
    "cpf", ["529.982.247-25", "52998224725", "111.444.777-35", "390.533.447-05"]
)
def test_known_valid_cpfs(cpf):
    assert is_valid_cpf(cpf)


@pytest.mark.parametrize(
    "cpf",
    [
        "529.982.247-24",  # last check digit off
        "529.982.247-15",  # first check digit off
        "123.456.789-00",
        "000.000.000-00",
        "111.111.111-11",
        "999.999.999-99",  # repeated digits pass the arithmetic
        "5299822472",  # ten digits
        "",
    ],
)
def test_invalid_cpfs(cpf):
    assert not is_valid_cpf(cpf)
    with pytest.raises(ValidationError):
        normalize_cpf(cpf)


@pytest.mark.parametrize(
    "cnpj", ["11.222.333/0001-81", "11222333000181", "11.444.777/0001-61", "04.252.011/0001-10"]
)
def test_known_valid_cnpjs(cnpj):
    assert is_valid_cnpj(cnpj)


@pytest.mark.parametrize(
    "cnpj",
    [
        "11.222.333/0001-82",
        "11.222.333/0001-71",
        "00.000.000/0000-00",
        "11.111.111/1111-11",
        "11.222.333/0001",
        "529.982.247-25",
    ],
)
def test_invalid_cnpjs(cnpj):
    assert not is_valid_cnpj(cnpj)
    with pytest.raises(ValidationError):
        normalize_cnpj(cnpj)


def test_normalised_documents_are_digits():
    assert normalize_cpf("529.982.247-25") == "52998224725"
    assert normalize_cnpj("11.222.333/0001-81") == "11222333000181"


non_repeated_bases = st.text(alphabet="0123456789", min_size=9, max_size=9).filter(
    lambda base: len(set(base)) > 1
)


@given(non_repeated_bases)
def test_cpf_with_computed_check_digits_is_valid(base):
    assert is_valid_cpf(cpf_from_base(base))


@given(
    non_repeated_bases,
    st.integers(min_value=9, max_value=10),
    st.integers(min_value=1, max_value=9),
)
def test_changing_a_check_digit_invalidates_the_cpf(base, position, delta):
    cpf = cpf_from_base(base)
    wrong = str((int(cpf[position]) + delta) % 10)
    assert not is_valid_cpf(cpf[:position] + wrong + cpf[position + 1 :])


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("90010-000", "90010000"),
        ("90010000", "90010000"),
        ("90.010-000", "90010000"),
        (" 90010 000 ", "90010000"),
    ],
)
def test_cep_normalisation(typed, stored):
    assert normalize_cep(typed) == stored


@pytest.mark.parametrize("cep", ["9001-000", "900100000", "90010-00A", "", "CEP 90010-000"])
def test_invalid_ceps(cep):
    with pytest.raises(ValidationError):
        normalize_cep(cep)


@pytest.mark.parametrize(
    "typed",
    [
        "(51) 99876-5432",
        "51998765432",
        "051998765432",
        "+55 51 99876-5432",
        "5551998765432",
        "+55 (51) 9 9876-5432",
    ],
)
def test_mobile_phone_normalisation(typed):
    assert normalize_mobile_phone(typed) == "+5551998765432"


@pytest.mark.parametrize(
    "phone",
    ["(51) 3333-4444", "(01) 99876-5432", "+1 415 555 0100", "99876-5432", "(51) 89876-5432", ""],
)
def test_invalid_mobile_phones(phone):
    with pytest.raises(ValidationError):
        normalize_mobile_phone(phone)
