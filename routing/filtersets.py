import django_filters

from .choices import PlanStatus
from .models import RoutePlan


class RoutePlanFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=PlanStatus.choices)

    class Meta:
        model = RoutePlan
        fields = ["date", "status"]
