"""`{% if user|may_sell %}`: whether the navigation offers the sales pages."""
from django import template

from frontend.views.sales_pipeline import may_sell as _may_sell

register = template.Library()


@register.filter
def may_sell(user):
    return _may_sell(user)
