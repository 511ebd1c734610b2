"""CRM reads shared by the API, the admin and other apps."""

from django.db.models import Q

from .choices import PersonStage
from .models import Address, Person
from core.text import only_digits


def person_list():
    return Person.objects.all()


def address_list():
    return Address.objects.select_related("person")


def person_search_q(text, prefix=""):
    """Q matching a person by name, trade name, e-mail or (formatted or not) CPF/CNPJ.

    `prefix` is the path to the person from another model, e.g. "person__".
    """
    query = (
        Q(**{f"{prefix}name__icontains": text})
        | Q(**{f"{prefix}trade_name__icontains": text})
        | Q(**{f"{prefix}email__icontains": text})
    )
    if digits := only_digits(text):
        query |= Q(**{f"{prefix}document__contains": digits})
    return query


def client_count():
    return Person.objects.filter(stage=PersonStage.CLIENT).count()
