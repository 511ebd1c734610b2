import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import BoxKind, CableKind
from .models import AddressPoint, Cable, CoverageArea, CtoBox, Olt, Pop, RoadEdge


class CodeNameSearchFilterSet(django_filters.FilterSet):
    """`q` searches the code and the name, as back-office people type either."""

    q = django_filters.CharFilter(method="search", label=_("Search code or name"))

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))


class CoverageAreaFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", label=_("Search name")
    )

    class Meta:
        model = CoverageArea
        fields = ["active"]


class PopFilterSet(CodeNameSearchFilterSet):
    class Meta:
        model = Pop
        fields = []


class OltFilterSet(CodeNameSearchFilterSet):
    class Meta:
        model = Olt
        fields = ["pop"]


class CtoBoxFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search code or street"))
    kind = django_filters.MultipleChoiceFilter(choices=BoxKind.choices)
    has_free_ports = django_filters.BooleanFilter(
        method="filter_has_free_ports", label=_("Has free ports")
    )

    class Meta:
        model = CtoBox
        fields = ["olt"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(street__icontains=value))

    def filter_has_free_ports(self, queryset, name, value):
        # ports_free is annotated by gis.selectors.cto_boxes_with_occupancy.
        return queryset.filter(ports_free__gt=0) if value else queryset.filter(ports_free__lte=0)


class CableFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="code", lookup_expr="icontains", label=_("Search code")
    )
    kind = django_filters.MultipleChoiceFilter(choices=CableKind.choices)

    class Meta:
        model = Cable
        fields = ["olt"]


class RoadEdgeFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", label=_("Search street name")
    )
    highway = django_filters.CharFilter(label=_("Road class (OSM highway tag)"))

    class Meta:
        model = RoadEdge
        fields = ["oneway", "osm_way_id"]


class AddressPointFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", label=_("Search street, number or neighbourhood")
    )
    postcode = django_filters.CharFilter(label=_("CEP"))

    class Meta:
        model = AddressPoint
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(street__icontains=value) | Q(housenumber__iexact=value) | Q(suburb__icontains=value)
        )
