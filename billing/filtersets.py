import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.people.selectors import person_search_q

from .choices import ContractStatus, InvoiceStatus, ReturnRecordStatus
from .models import Contract, Invoice, Payment, Plan, ReturnRecord


class PlanFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", label=_("Search name")
    )
    price_min = django_filters.NumberFilter(field_name="monthly_price", lookup_expr="gte")
    price_max = django_filters.NumberFilter(field_name="monthly_price", lookup_expr="lte")

    class Meta:
        model = Plan
        fields = ["active"]


class ContractFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", label=_("Search contract number, client name or CPF/CNPJ")
    )
    status = django_filters.MultipleChoiceFilter(choices=ContractStatus.choices)
    signed_after = django_filters.DateFilter(field_name="signed_on", lookup_expr="gte")
    signed_before = django_filters.DateFilter(field_name="signed_on", lookup_expr="lte")

    class Meta:
        model = Contract
        fields = ["plan", "person", "cto_box", "due_day"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(number__icontains=value) | person_search_q(value, prefix="person__")
        )


class InvoiceFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=InvoiceStatus.choices)
    person = django_filters.NumberFilter(field_name="contract__person")
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte")
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")

    class Meta:
        model = Invoice
        fields = ["contract", "wallet", "period", "nosso_numero"]


class PaymentFilterSet(django_filters.FilterSet):
    reversed = django_filters.BooleanFilter(field_name="reversed_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Payment
        fields = ["invoice", "method", "paid_on"]


class ReturnRecordFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ReturnRecordStatus.choices)

    class Meta:
        model = ReturnRecord
        fields = ["file", "invoice", "nosso_numero"]
