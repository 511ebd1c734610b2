import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import DateTimeFilter
from crm.people.selectors import person_search_q
from crm.sales.choices import LeadStage, ProposalStatus, SendingStatus
from crm.sales.models import Lead, Proposal


class LeadFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search name, e-mail or CPF/CNPJ"))
    stage = django_filters.MultipleChoiceFilter(choices=LeadStage.choices)
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("Only my leads"))
    unowned = django_filters.BooleanFilter(
        field_name="owner", lookup_expr="isnull", label=_("Without an owner")
    )
    next_action_after = DateTimeFilter(
        field_name="next_action_at", lookup_expr="gte"
    )
    next_action_before = DateTimeFilter(
        field_name="next_action_at", lookup_expr="lt"
    )
    next_action_on = django_filters.DateFilter(field_name="next_action_at", lookup_expr="date")

    class Meta:
        model = Lead
        fields = ["owner", "channel", "plan", "lost_reason"]

    def search(self, queryset, name, value):
        return queryset.filter(person_search_q(value, prefix="person__"))

    def filter_mine(self, queryset, name, value):
        if value:
            return queryset.filter(owner=self.request.user)
        return queryset


class ProposalFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ProposalStatus.choices)
    sending_status = django_filters.MultipleChoiceFilter(choices=SendingStatus.choices)

    class Meta:
        model = Proposal
        fields = ["lead", "rep"]
