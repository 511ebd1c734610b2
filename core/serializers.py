"""Base serializers: every geometry model field goes through core.fields.GeometryField."""

from django.contrib.gis.db import models as gis_models
from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from .fields import GeometryField

GEOMETRY_MODEL_FIELDS = (
    gis_models.GeometryField,
    gis_models.PointField,
    gis_models.LineStringField,
    gis_models.PolygonField,
    gis_models.MultiPointField,
    gis_models.MultiLineStringField,
    gis_models.MultiPolygonField,
    gis_models.GeometryCollectionField,
)


class MalhaModelSerializer(serializers.ModelSerializer):
    """ModelSerializer whose geometry fields parse GeoJSON safely and check the geometry type.

    rest_framework_gis registers its own (GDAL-parsing) field for geometry
    columns on DRF's global mapping; this class maps them to ours instead.
    """

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        **dict.fromkeys(GEOMETRY_MODEL_FIELDS, GeometryField),
    }

    def build_standard_field(self, field_name, model_field):
        field_class, field_kwargs = super().build_standard_field(field_name, model_field)
        if issubclass(field_class, GeometryField):
            field_kwargs["geometry_type"] = model_field.geom_type
        return field_class, field_kwargs


class GeoFeatureSerializer(GeoFeatureModelSerializer, MalhaModelSerializer):
    """A GeoJSON Feature: the geometry (Meta.geo_field) plus the other fields as properties."""
