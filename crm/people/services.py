"""CRM writes: people and their addresses.

Input arrives as people type it ("123.456.789-09", "(51) 99876-5432",
"90010-000"); these functions store the canonical form and refuse bad input
with per-field messages before anything reaches the database.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gis.geocoding import locate_address

from .choices import PersonStage, PersonType
from .models import Address, Person
from .validators import (
    normalize_cep,
    normalize_cnpj,
    normalize_cpf,
    normalize_mobile_phone,
    only_digits,
)


def _normalized_document(person_type, document):
    digits = only_digits(document)
    if person_type == PersonType.COMPANY:
        if len(digits) == 11:
            raise ValidationError(_("A company needs a CNPJ (14 digits), not a CPF."))
        return normalize_cnpj(document)
    if len(digits) == 14:
        raise ValidationError(_("A natural person needs a CPF (11 digits), not a CNPJ."))
    return normalize_cpf(document)


def clean_person_fields(*, person_type, stage, document, mobile_phone, exclude_pk=None):
    """Canonical `document` and `mobile_phone`, or ValidationError naming the fields.

    The document must suit the person type (CPF for a natural person, CNPJ for
    a company), be unique, and exist once the person is a client. Shared by the
    services and the admin forms so both accept the same input.
    """
    errors = {}
    cleaned = {"document": "", "mobile_phone": ""}
    if document:
        try:
            cleaned["document"] = _normalized_document(person_type, document)
        except ValidationError as error:
            errors["document"] = error.messages
        else:
            duplicates = Person.objects.filter(document=cleaned["document"]).exclude(pk=exclude_pk)
            if duplicates.exists():
                errors["document"] = [_("A person with this CPF/CNPJ is already registered.")]
    elif stage == PersonStage.CLIENT:
        errors["document"] = [_("A client needs a CPF or CNPJ.")]
    if mobile_phone:
        try:
            cleaned["mobile_phone"] = normalize_mobile_phone(mobile_phone)
        except ValidationError as error:
            errors["mobile_phone"] = error.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


def _save_person(person):
    cleaned = clean_person_fields(
        person_type=person.person_type,
        stage=person.stage,
        document=person.document,
        mobile_phone=person.mobile_phone,
        exclude_pk=person.pk,
    )
    person.document = cleaned["document"]
    person.mobile_phone = cleaned["mobile_phone"]
    person.full_clean()
    person.save()
    return person


@transaction.atomic
def create_person(**fields):
    """Register a lead or a client."""
    return _save_person(Person(**fields))


@transaction.atomic
def update_person(person, **fields):
    for name, value in fields.items():
        setattr(person, name, value)
    return _save_person(person)


@transaction.atomic
def mark_as_client(person):
    """A lead becomes a client when a contract is signed (clients need a document)."""
    if person.stage != PersonStage.CLIENT:
        person.stage = PersonStage.CLIENT
        _save_person(person)
    return person


def _save_address(address):
    try:
        address.cep = normalize_cep(address.cep)
    except ValidationError as error:
        raise ValidationError({"cep": error.messages}) from None
    if address.point is None:
        # Typed without a pin: place it when geocoding is confident, else leave it to a person.
        address.point = locate_address(
            street=address.street, number=address.number, neighbourhood=address.neighbourhood,
            city=address.city, cep=address.cep,
        )
    address.full_clean()
    address.save()
    return address


@transaction.atomic
def create_address(**fields):
    return _save_address(Address(**fields))


@transaction.atomic
def update_address(address, **fields):
    for name, value in fields.items():
        setattr(address, name, value)
    return _save_address(address)
