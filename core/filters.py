"""Filters shared by every filterset."""
import datetime

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

# Real time zones lie between UTC-12 and UTC+14; PostgreSQL refuses offsets past 15:59.
MAX_UTC_OFFSET = datetime.timedelta(hours=14)


class OffsetCheckedDateTimeField(IsoDateTimeField):
    """ISO 8601 date-time whose UTC offset a real time zone can have, so that a value such as
    `2026-01-01T00:00:00+16:00` is a 400 naming the field, not a database error."""

    def to_python(self, value):
        value = super().to_python(value)
        offset = value.utcoffset() if value else None
        if offset is not None and abs(offset) > MAX_UTC_OFFSET:
            raise ValidationError(
                _("The time zone offset must be between -14:00 and +14:00."), code="invalid_offset"
            )
        return value


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    """The date-time filter for every filterset (ISO 8601, offset checked)."""

    field_class = OffsetCheckedDateTimeField
