"""`{% if user|may_sell %}` and friends: which pages the main menu offers to a user."""
from django import template

from frontend.views.reports import may_map_clients as _may_map_clients
from frontend.views.sales_pipeline import may_sell as _may_sell

register = template.Library()


@register.filter
def may_sell(user):
    return _may_sell(user)


@register.filter
def may_map_clients(user):
    return _may_map_clients(user)
