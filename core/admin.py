"""Admin building blocks: map widgets that work offline and the API's rules on admin forms."""

from django import forms
from django.contrib.gis import admin
from django.contrib.gis.db.models import GeometryField
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance

from core.geometry import validate_geometry

from .widgets import OfflineOSMWidget


class RuleCheckedForm(forms.ModelForm):
    """A ModelForm that applies the checks the API applies, before Django's generic ones.

    Every geometry goes through core.geometry.validate_geometry, then
    `check_rules(instance)` runs, which model-specific forms point at their
    app's service `clean_*` function. Running first, these give the specific
    message ("port 3 is taken by CT-000001") instead of a bare constraint name.
    """

    def check_rules(self, instance):
        """Raise ValidationError for business rules; nothing by default."""

    def clean(self):
        cleaned_data = super().clean()
        if self.errors:
            return cleaned_data
        instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
        for field in instance._meta.concrete_fields:
            if isinstance(field, GeometryField) and field.name in self.fields:
                try:
                    validate_geometry(getattr(instance, field.attname), field.geom_type)
                except ValidationError as error:
                    self.add_error(field.name, error)
        if not self.errors:
            try:
                self.check_rules(instance)
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned_data


class GeoModelAdmin(admin.GISModelAdmin):
    """GISModelAdmin with the offline OpenLayers map and rule-checked forms."""

    gis_widget = OfflineOSMWidget
    form = RuleCheckedForm


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only by their app's services (with rules and audit): the admin shows
    them and may delete them where `can_delete` says so, never adds or edits."""

    can_delete = True

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.can_delete and super().has_delete_permission(request, obj)
