import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filters import DateTimeFilter
from crm.people.selectors import person_search_q

from .choices import OrderStatus, OrderType, Priority
from .models import ServiceOrder, Skill, Technician
from .selectors import overdue_q


class SkillFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search code or name"))

    class Meta:
        model = Skill
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))


class TechnicianFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search name or username"))
    skill = django_filters.ModelMultipleChoiceFilter(
        field_name="skills",
        queryset=Skill.objects.all(),
        conjoined=True,
        label=_("Has all these skills"),
    )

    class Meta:
        model = Technician
        fields = ["active"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(user__first_name__icontains=value)
            | Q(user__last_name__icontains=value)
            | Q(user__username__icontains=value)
        )


class ServiceOrderFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", label=_("Search order number, address or client name/CPF/CNPJ")
    )
    status = django_filters.MultipleChoiceFilter(choices=OrderStatus.choices)
    order_type = django_filters.MultipleChoiceFilter(choices=OrderType.choices)
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices)
    unassigned = django_filters.BooleanFilter(
        field_name="assignee", lookup_expr="isnull", label=_("Without a technician")
    )
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Past its SLA deadline"))
    window_after = DateTimeFilter(
        field_name="window_end", lookup_expr="gt", label=_("Window ends after")
    )
    window_before = DateTimeFilter(
        field_name="window_start", lookup_expr="lt", label=_("Window starts before")
    )

    class Meta:
        model = ServiceOrder
        fields = ["assignee", "person", "contract"]

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(number__icontains=value)
            | Q(address_text__icontains=value)
            | person_search_q(value, prefix="person__")
        )
