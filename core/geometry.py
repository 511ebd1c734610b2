"""Geometry checks shared by models, serializers and commands."""
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_VERTICES = 10_000


def validate_lonlat_range(geometry):
    """Every coordinate must be a longitude in [-180, 180] and a latitude in [-90, 90]."""
    if geometry is None:
        return
    xmin, ymin, xmax, ymax = geometry.extent
    if xmin < -180 or xmax > 180 or ymin < -90 or ymax > 90:
        raise ValidationError(
            _("Coordinates out of range: longitude must be between -180 and 180 and "
              "latitude between -90 and 90 (WGS 84, SRID 4326)."),
            code="out_of_range",
        )


def validate_geometry(geometry, expected_type=None, max_vertices=MAX_VERTICES):
    """Type, coordinate range, vertex count and OGC validity, with a clear message each."""
    if geometry is None:
        return
    if expected_type and expected_type != "GEOMETRY" and geometry.geom_type.upper() != expected_type:
        raise ValidationError(
            _("Wrong geometry type: expected %(expected)s, got %(got)s."),
            code="wrong_type",
            params={"expected": expected_type.title(), "got": geometry.geom_type},
        )
    if geometry.srid not in (None, 4326):
        raise ValidationError(
            _("Unsupported SRID %(srid)s: send WGS 84 coordinates (SRID 4326)."),
            code="wrong_srid",
            params={"srid": geometry.srid},
        )
    if geometry.num_coords > max_vertices:
        raise ValidationError(
            _("Too many vertices: %(count)s, at most %(max)s."),
            code="too_many_vertices",
            params={"count": geometry.num_coords, "max": max_vertices},
        )
    validate_lonlat_range(geometry)
    if not geometry.valid:
        raise ValidationError(
            _("Invalid geometry: %(reason)s."),
            code="invalid_geometry",
            params={"reason": geometry.valid_reason},
        )
