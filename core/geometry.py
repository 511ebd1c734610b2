"""Geometry checks shared by models, serializers and commands."""
from django.conf import settings
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


def in_supported_region(extent):
    """Whether the extent (xmin, ymin, xmax, ymax; a point twice) lies in settings.MALHA_SUPPORTED_REGION."""
    west, south, east, north = settings.MALHA_SUPPORTED_REGION
    xmin, ymin, xmax, ymax = extent
    return west <= xmin and xmax <= east and south <= ymin and ymax <= north


def validate_supported_region(extent):
    """The extent must lie in settings.MALHA_SUPPORTED_REGION (see in_supported_region).

    Everything is measured in the metric projection (settings.MALHA_METRIC_SRID), which
    cannot take a point on the other side of the planet; refusing it here keeps it out of
    the database, where it would break every page that shows it.
    """
    if not in_supported_region(extent):
        west, south, east, north = settings.MALHA_SUPPORTED_REGION
        raise ValidationError(
            _("This place is outside the region the system serves (longitude %(west)s to %(east)s, "
              "latitude %(south)s to %(north)s)."),
            code="outside_region",
            params={"west": west, "east": east, "south": south, "north": north},
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
    validate_supported_region(geometry.extent)
    if not geometry.valid:
        raise ValidationError(
            _("Invalid geometry: %(reason)s."),
            code="invalid_geometry",
            params={"reason": geometry.valid_reason},
        )
