import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import PersonStage, PersonType, State
from .models import Address, Person
from .selectors import person_search_q
from core.filters import DateTimeFilter
from core.text import only_digits


class PersonFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", label=_("Search name, trade name, e-mail or CPF/CNPJ")
    )
    person_type = django_filters.MultipleChoiceFilter(choices=PersonType.choices)
    stage = django_filters.MultipleChoiceFilter(choices=PersonStage.choices)
    created_after = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = DateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Person
        fields = ["consent_sms", "consent_email", "consent_whatsapp"]

    def search(self, queryset, name, value):
        return queryset.filter(person_search_q(value))


class AddressFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search street, neighbourhood or city"))
    cep = django_filters.CharFilter(method="filter_cep", label=_("CEP"))
    city = django_filters.CharFilter(lookup_expr="iexact")
    state = django_filters.MultipleChoiceFilter(choices=State.choices)

    class Meta:
        model = Address
        fields = ["person"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(street__icontains=value)
            | Q(neighbourhood__icontains=value)
            | Q(city__icontains=value)
        )

    def filter_cep(self, queryset, name, value):
        return queryset.filter(cep=only_digits(value))
