"""GeoJSON geometry field for the API, parsed without GDAL.

Debian's GDAL 3.6 cannot be trusted with user-supplied spatial input, so
GeoJSON is read by shapely (GEOS) into WKB and only then handed to GEOS
through GeoDjango. The field also enforces the model field's geometry type and
the shared checks of core.geometry, so every endpoint rejects bad geometry the
same way.
"""

import json

import shapely
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework_gis.fields import GeometryField as GeoJsonGeometryField

from core.geometry import validate_geometry

WGS84 = 4326


def _reject_constant(name):
    raise ValueError(f"{name} is not a number")


def _geojson_text(value):
    """The GeoJSON geometry as a JSON string, or ValidationError if it is not one."""
    if isinstance(value, str):
        try:
            value = json.loads(value, parse_constant=_reject_constant)
        except ValueError:
            raise ValidationError(
                _("Malformed GeoJSON: the text is not valid JSON."), code="malformed_geojson"
            ) from None
    if not isinstance(value, dict) or not isinstance(value.get("type"), str):
        raise ValidationError(
            _(
                "Malformed GeoJSON: send a geometry object such as "
                '{"type": "Point", "coordinates": [-51.22, -30.03]}.'
            ),
            code="malformed_geojson",
        )
    if value["type"] in ("Feature", "FeatureCollection"):
        raise ValidationError(
            _("Malformed GeoJSON: send the geometry itself, not a Feature or FeatureCollection."),
            code="malformed_geojson",
        )
    try:
        return json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        raise ValidationError(
            _("Malformed GeoJSON: coordinates must be finite numbers."), code="malformed_geojson"
        ) from None


def parse_geojson(value, geometry_type="GEOMETRY"):
    """GeoJSON (dict or string) -> a valid 2D GEOSGeometry in SRID 4326 of the expected type.

    `geometry_type` is a GeoDjango field's `geom_type` ("POINT", "MULTIPOLYGON"...);
    a Polygon sent for a MultiPolygon field is promoted, since people draw one shape.
    Altitude (Z) is dropped: the map is two-dimensional.
    """
    text = _geojson_text(value)
    try:
        parsed = shapely.from_geojson(text)
    except shapely.errors.ShapelyError as error:
        reason = str(error).split(": ", 1)[-1].strip()
        raise ValidationError(
            _("Malformed GeoJSON: %(reason)s."), code="malformed_geojson", params={"reason": reason}
        ) from None
    if parsed.is_empty:
        raise ValidationError(_("The geometry is empty."), code="empty_geometry")
    geometry = GEOSGeometry(memoryview(shapely.to_wkb(shapely.force_2d(parsed))), srid=WGS84)
    if geometry_type == "MULTIPOLYGON" and geometry.geom_type == "Polygon":
        geometry = MultiPolygon(geometry, srid=WGS84)
    validate_geometry(geometry, expected_type=geometry_type)
    return geometry


class GeometryField(GeoJsonGeometryField):
    """GeoJSON in and out; input parsed and validated by parse_geojson.

    Extends rest_framework_gis' field for its GeoJSON output and the OpenAPI
    description drf-spectacular derives from the model field.
    """

    def __init__(self, geometry_type="GEOMETRY", **kwargs):
        self.geometry_type = geometry_type
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        return parse_geojson(value, self.geometry_type)


@extend_schema_field(
    {
        "type": "object",
        "description": "GeoJSON Point (WGS 84)",
        "example": {"type": "Point", "coordinates": [-51.22, -30.03]},
    }
)
class PointField(GeometryField):
    """A GeoJSON Point that is not a model field (a phone's GPS fix, an address pin)."""

    def __init__(self, **kwargs):
        super().__init__(geometry_type="POINT", **kwargs)
