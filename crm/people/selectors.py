"""CRM reads shared by the API, the admin and other apps."""

from django.db.models import Q

from .choices import PersonStage
from .models import Address, Person
from core.text import only_digits
from gis.search import scoped


def person_list():
    return Person.objects.all()


def address_list():
    return Address.objects.select_related("person")


def people_visible_to(user):
    """People `user` may read, narrowed by the "client" scopes other apps register (fieldops: a
    technician only their orders' clients), in the API, the map's search and the client tiles."""
    return scoped("client", user, person_list())


def addresses_visible_to(user):
    people = people_visible_to(user)
    return address_list().filter(person__in=people) if narrowed(people) else address_list()


def narrowed(people):
    """True when a scope filtered `people` (a query over them then needs the filter too)."""
    return people.query.has_filters()


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
