"""Writes every app shares: plain records, deleting with a clear refusal, numbering.

Records without business rules of their own (a skill, a POP) are written
here with the model's full validation; anything with rules has a function in
its app's services.py.
"""

import re
import zlib

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import IntegerField, Max
from django.db.models.deletion import ProtectedError
from django.db.models.functions import Cast, Substr
from django.utils.text import get_text_list
from django.utils.translation import gettext as _


@transaction.atomic
def create_object(model, **fields):
    instance = model(**fields)
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def update_object(instance, **fields):
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    return instance


def delete_object(instance):
    """Delete `instance`, or explain which records still depend on it.

    PROTECT foreign keys keep history intact (a plan with contracts, a client
    with orders); the user gets the reason instead of a bare conflict.
    """
    try:
        with transaction.atomic():
            instance.delete()
    except ProtectedError as error:
        blockers = sorted({str(obj._meta.verbose_name_plural) for obj in error.protected_objects})
        raise ValidationError(
            _("“%(object)s” cannot be deleted: %(count)s record(s) of %(kinds)s still refer to it.")
            % {
                "object": instance,
                "count": len(error.protected_objects),
                "kinds": get_text_list(blockers, _("and")),
            },
            code="protected",
        ) from None


def next_number(model, prefix, width=6):
    """The next free `<prefix><zero-padded n>` in `model.number`, e.g. CT-000042.

    A transaction-scoped advisory lock per prefix serialises concurrent
    creators, so two requests never compute the same number; numbers typed by
    people in the same pattern are skipped past.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(prefix.encode())])
    highest = (
        model.objects.filter(number__regex=rf"^{re.escape(prefix)}[0-9]{{1,9}}$")
        .annotate(sequence=Cast(Substr("number", len(prefix) + 1), IntegerField()))
        .aggregate(highest=Max("sequence"))["highest"]
    )
    return f"{prefix}{(highest or 0) + 1:0{width}d}"
