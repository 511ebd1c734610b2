"""Desktop sales pages: the pipeline board, the leads map, a lead's page (proposals,
conversion) and the month's goals, rankings and commissions.

The board, the map and the lead's forms work through /api/crm/ (moves, versions and every
rule live in crm.sales.services); the pages only hand the browser its URLs and choices.
"""
import datetime
from decimal import Decimal
from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.selectors import plan_list
from core.roles import Role, user_has_role
from crm.people.choices import PersonType, State
from crm.sales import selectors
from crm.sales.choices import LeadStage, LostReason, ProposalStatus, SendingStatus
from gis.geocoding import reverse_geocode


def may_sell(user):
    """Sales reps and administrators work the pipeline."""
    return user_has_role(user, Role.SALES) or selectors.manages_sales(user)


def sales_page(view):
    """Logged in (else the login page) and a sales rep or administrator (else 403)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not may_sell(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _template(name):
    """A route's URL with an `{id}` placeholder for the browser to fill in."""
    return reverse(name, args=[0]).replace("/0/", "/{id}/")


def _choices(choices):
    return [[value, str(label)] for value, label in choices]


def _lead_urls():
    return {
        "leads": reverse("crm-api:lead-list"),
        "lead": _template("crm-api:lead-detail"),
        "lead_page": _template("frontend:sales-lead"),
    }


def _filter_choices(user):
    """Owners and channels for the board's and the map's filters (owners only for those who
    see other reps' leads)."""
    owners = []
    if not selectors.sees_only_own_leads(user):
        owners = [
            [owner.pk, owner.get_full_name() or owner.get_username()]
            for owner in get_user_model()
            .objects.filter(leads__isnull=False)
            .distinct()
            .order_by("first_name", "username")
        ]
    channels = [[channel.pk, channel.name] for channel in selectors.channel_list().order_by("name")]
    return {"owners": owners, "channels": channels}


@sales_page
def pipeline(request):
    """The board: a column per stage, cards dragged between them."""
    config = {
        "urls": {
            **_lead_urls(),
            "counts": reverse("crm-api:lead-counts"),
            "move": _template("crm-api:lead-move"),
        },
        "stages": _choices(LeadStage.choices),
        "lost_reasons": _choices(LostReason.choices),
        "now": timezone.now().isoformat(),
    }
    return render(
        request,
        "frontend/sales_pipeline/pipeline.html",
        {"config": config, "filters": _filter_choices(request.user)},
    )


@sales_page
def leads_map(request):
    """The leads on the map, coloured by stage."""
    config = {
        "center": settings.MALHA_MAP_CENTER,
        "urls": {
            **_lead_urls(),
            "tiles": reverse("tiles:index"),
            "geojson": reverse("crm-api:lead-geojson"),
        },
        "stages": _choices(LeadStage.choices),
    }
    return render(
        request,
        "frontend/sales_pipeline/leads_map.html",
        {"config": config, "filters": _filter_choices(request.user)},
    )


def _address_guess(lead):
    """The installation address the rep confirms at conversion: the street address nearest the
    lead's point, else nothing to suggest."""
    if lead.point is None:
        return {}
    found = reverse_geocode(lead.point.x, lead.point.y)
    if found is None:
        return {}
    return {
        "cep": found.cep_display,
        "street": found.street,
        "number": found.number,
        "neighbourhood": found.neighbourhood,
        "city": found.city,
    }


@sales_page
def lead_detail(request, pk):
    """A lead: contact, viability, notes and next action, proposals, conversion."""
    lead = get_object_or_404(selectors.leads_visible_to(request.user), pk=pk)
    plans = plan_list().filter(active=True).order_by("monthly_price", "name")
    today = timezone.localdate()
    is_open = lead.stage in (LeadStage.NEW, LeadStage.CONTACTED, LeadStage.PROPOSAL_SENT)
    config = {
        "lead": lead.pk,
        "version": lead.version,
        "stage": lead.stage,
        "name": lead.person.name,
        "next_action_at": lead.next_action_at.isoformat() if lead.next_action_at else None,
        "stages": _choices(LeadStage.choices),
        "urls": {
            **_lead_urls(),
            "convert": reverse("crm-api:lead-convert", args=[lead.pk]),
            "proposals": reverse("crm-api:proposal-list"),
            "proposal": _template("crm-api:proposal-detail"),
            "send": _template("crm-api:proposal-send"),
            "accept": _template("crm-api:proposal-accept"),
            "pdf": _template("crm-api:proposal-pdf"),
            "map": reverse("frontend:map"),
        },
        "plans": [
            {"id": plan.pk, "name": plan.name, "price": str(plan.monthly_price)} for plan in plans
        ],
        "proposal_statuses": _choices(ProposalStatus.choices),
        "sending_statuses": _choices(SendingStatus.choices),
    }
    context = {
        "lead": lead,
        "config": config,
        "plans": plans,
        "check": lead.viability_check,
        "sale": selectors.sales_visible_to(request.user)
        .select_related("service_order")
        .filter(lead=lead)
        .first(),
        "address": _address_guess(lead),
        "states": State.choices,
        "person_types": PersonType.choices,
        "due_days": range(1, 29),
        "valid_until": today + datetime.timedelta(days=settings.MALHA_SALES_PROPOSAL_VALID_DAYS),
        "today": today,
        "open": is_open,
        "overdue": is_open
        and lead.next_action_at is not None
        and lead.next_action_at < timezone.now(),
    }
    return render(request, "frontend/sales_pipeline/lead_detail.html", context)


class MonthForm(forms.Form):
    month = forms.DateField(input_formats=["%Y-%m"], required=False)


def _month(request):
    """The month asked for (?month=YYYY-MM), else this one; a bad value says so."""
    this_month = timezone.localdate().replace(day=1)
    form = MonthForm(request.GET)
    if not form.is_valid():
        messages.error(request, _("Give the month as year-month, e.g. 2026-03."))
        return this_month
    return (form.cleaned_data["month"] or this_month).replace(day=1)


def _goal_owner(goal):
    if goal.rep_id:
        return _("Rep: %(name)s") % {"name": goal.rep.get_full_name() or goal.rep.get_username()}
    if goal.team_id:
        return _("Team: %(name)s") % {"name": goal.team.name}
    return _("Store / channel: %(name)s") % {"name": goal.channel.name}


@sales_page
def goals(request):
    """The month's goals against what is done and the trend to month end; rankings of reps and
    channels; the commissions of the month."""
    month = _month(request)
    first, last = selectors.month_bounds(month)
    progress = [
        {**line, "owner": _goal_owner(line["goal"])}
        for line in selectors.progress_for(request.user, month)
    ]
    commissions = selectors.commissions_visible_to(request.user).filter(
        sale__won_on__range=(first, last)
    )
    context = {
        "month": month,
        "previous": (first - datetime.timedelta(days=1)).strftime("%Y-%m"),
        "next": (last + datetime.timedelta(days=1)).strftime("%Y-%m"),
        "trend": selectors.month_trend(month),
        "progress": progress,
        "rep_ranking": selectors.rep_ranking(month),
        "channel_ranking": selectors.channel_ranking(month),
        "commissions": commissions.order_by("-sale__won_on", "-id"),
        "commission_total": commissions.aggregate(total=Sum("amount"))["total"] or Decimal("0.00"),
    }
    return render(request, "frontend/sales_pipeline/goals.html", context)
