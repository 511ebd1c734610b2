"""Geography writes with rules beyond the model: box capacity and cable length."""

from django.contrib.gis.db.models.functions import Length
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.services import create_object, update_object

from .models import Cable
from .selectors import cto_boxes_with_occupancy


def clean_cto_box(box):
    """A box cannot shrink below a port a client still holds; also used by the admin form."""
    if box.pk is None:
        return
    highest = cto_boxes_with_occupancy().get(pk=box.pk).highest_port_used or 0
    if box.ports_total < highest:
        raise ValidationError(
            {
                "ports_total": _(
                    "Port %(port)s of this box is in use; the box needs at least %(port)s ports."
                )
                % {"port": highest}
            }
        )


@transaction.atomic
def update_cto_box(box, **fields):
    for name, value in fields.items():
        setattr(box, name, value)
    clean_cto_box(box)
    return update_object(box)


def measure_cable(cable):
    """Store the length in metres on the spheroid (never degrees), derived from the path."""
    Cable.objects.filter(pk=cable.pk).update(length_m=Length("path"))
    cable.refresh_from_db(fields=["length_m"])
    return cable


@transaction.atomic
def create_cable(**fields):
    return measure_cable(create_object(Cable, **fields))


@transaction.atomic
def update_cable(cable, **fields):
    return measure_cable(update_object(cable, **fields))
