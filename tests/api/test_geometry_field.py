"""Every geometry the API accepts is parsed by shapely (core.fields), never by GDAL."""

import pytest
from django.urls import get_resolver

from core.fields import GeometryField
from core.serializers import GEOMETRY_MODEL_FIELDS


def api_viewsets():
    """The viewset classes of every /api/ route."""
    found = set()

    def walk(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns)
            elif getattr(pattern.callback, "cls", None) and hasattr(pattern.callback, "actions"):
                found.add(pattern.callback.cls)

    walk(get_resolver().url_patterns)
    return sorted(found, key=lambda cls: cls.__name__)


@pytest.mark.parametrize("viewset", api_viewsets(), ids=lambda cls: cls.__name__)
def test_geometry_fields_use_the_safe_parser(viewset):
    for serializer_class in filter(
        None, [viewset.serializer_class, getattr(viewset, "geojson_serializer_class", None)]
    ):
        serializer = serializer_class()
        model = serializer.Meta.model
        for name, field in serializer.fields.items():
            model_field = next((f for f in model._meta.concrete_fields if f.name == name), None)
            # Read-only fields parse no input (campaigns take their area through the
            # selection service, which validates it with the same parser).
            if isinstance(model_field, GEOMETRY_MODEL_FIELDS) and not field.read_only:
                assert type(field) is GeometryField, f"{serializer_class.__name__}.{name}"
                assert field.geometry_type == model_field.geom_type


@pytest.mark.django_db
def test_a_crs_member_cannot_redirect_the_parser(client_for):
    """GeoJSON's obsolete `crs` is ignored: coordinates are always WGS 84."""
    point = {
        "type": "Point",
        "coordinates": [-51.22, -30.03],
        "crs": {"type": "link", "properties": {"href": "http://198.51.100.1/crs.wkt"}},
    }
    response = client_for("admin").post(
        "/api/gis/pops/", {"code": "POP-1", "name": "Centro", "point": point}, format="json"
    )
    assert response.status_code == 201, response.data
    assert response.data["point"] == {"type": "Point", "coordinates": [-51.22, -30.03]}
