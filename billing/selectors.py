"""Billing reads shared by the API, the admin and other apps."""

from django.db.models import Count

from .choices import PORT_HOLDING_STATUSES
from .models import Contract, Plan


def plan_list():
    return Plan.objects.all()


def contract_list():
    return Contract.objects.select_related("person", "plan", "installation_address", "cto_box")


def port_holder(cto_box, port, exclude_pk=None):
    """The contract holding `port` of `cto_box`, if any (cancelled contracts free their port)."""
    return (
        Contract.objects.filter(cto_box=cto_box, cto_port=port, status__in=PORT_HOLDING_STATUSES)
        .exclude(pk=exclude_pk)
        .first()
    )


def contract_counts_by_status():
    """{status: count} over every contract, for dashboards."""
    rows = Contract.objects.values_list("status").annotate(total=Count("id")).order_by()
    return dict(rows)
