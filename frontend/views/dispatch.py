import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.clickjacking import xframe_options_sameorigin

from billing.choices import ContractStatus
from billing.selectors import contract_counts_by_status
from crm.messaging import selectors as messaging_selectors
from crm.messaging.choices import CampaignStatus, Channel, DeliveryStatus, ExclusionReason
from crm.messaging.message_templates import PLACEHOLDERS
from crm.people.selectors import client_count
from core.csp import with_nonce
from fieldops.choices import OrderStatus
from fieldops.selectors import active_technician_count, order_counts_by_day_and_status
from gis.choices import BoxKind, CableKind
from gis.selectors import (
    coverage_geojson,
    cto_boxes_with_occupancy,
    main_roads_geojson,
    plant_summary,
    pop_list,
)

from ..maps import plant_overview_map
from .schedule import live_config, schedule_config
from .tech import is_technician_only

OVERVIEW_MAP_CACHE_SECONDS = 300


@login_required
def home(request):
    """The operation at a glance; each card only for those whose role may read its data.
    Technicians go straight to their route."""
    if is_technician_only(request.user):
        return redirect("frontend:tech")
    perms = request.user
    context = {}
    if perms.has_perm("crm.view_person"):
        context["clients"] = client_count()
    if perms.has_perm("billing.view_contract"):
        counts = contract_counts_by_status()
        context["contracts"] = [
            (status.label, counts.get(status.value, 0), status.value) for status in ContractStatus
        ]
        context["contracts_total"] = sum(counts.values())
    if perms.has_perm("geo.view_ctobox"):
        context["plant"] = plant_summary()
    if perms.has_perm("fieldops.view_serviceorder"):
        today = timezone.localdate()
        days = [today, today + datetime.timedelta(days=1)]
        by_day = order_counts_by_day_and_status(request.user, days)
        context["orders"] = [
            {
                "day": day,
                "total": sum(by_day[day].values()),
                "statuses": [(s.label, by_day[day][s.value]) for s in OrderStatus if s.value in by_day[day]],
            }
            for day in days
        ]
    if perms.has_perm("fieldops.view_technician"):
        context["technicians"] = active_technician_count()
    return render(request, "frontend/home.html", context)


@login_required
@permission_required("geo.view_ctobox", raise_exception=True)
@xframe_options_sameorigin
def overview_map(request):
    """The plant overview map document (folium), cached briefly: it is the same for everyone.

    The overview page shows it in an iframe, so it may be framed by our own pages only."""
    key = f"frontend:overview-map:{translation.get_language()}"
    html = cache.get(key)
    if html is None:
        fmap = plant_overview_map(
            roads=main_roads_geojson(),
            coverage=coverage_geojson(),
            boxes=cto_boxes_with_occupancy(),
            pops=pop_list(),
        )
        html = fmap.get_root().render()
        cache.set(key, html, OVERVIEW_MAP_CACHE_SECONDS)
    return HttpResponse(with_nonce(html, request))


# Pages an entity's popup links to: (app, model, API route name), by tile layer.
MAP_DETAIL_PAGES = {
    "clients": ("crm", "person", "crm-api:person-detail"),
    "contracts": ("billing", "contract", "billing-api:contract-detail"),
    "orders": ("fieldops", "serviceorder", "fieldops-api:serviceorder-detail"),
    "boxes": ("geo", "ctobox", "gis-api:ctobox-detail"),
    "cables": ("geo", "cable", "gis-api:cable-detail"),
    "coverage": ("geo", "coveragearea", "gis-api:coveragearea-detail"),
    "technicians": ("fieldops", "technician", "fieldops-api:technician-detail"),
}


def _url_template(name):
    """A route's URL with an `{id}` placeholder for the browser to fill in (reversed with a sentinel id)."""
    return reverse(name, args=[0]).replace("/0/", "/{id}/")


def _detail_url_templates(user):
    """Per layer, where a popup's link leads: the admin page for staff, else the API's browsable detail."""
    templates = {}
    for layer, (app_label, model, api_route) in MAP_DETAIL_PAGES.items():
        if not user.has_perm(f"{app_label}.view_{model}"):
            continue
        admin_route = f"admin:{app_label}_{model}_change"
        templates[layer] = _url_template(admin_route if user.is_staff else api_route)
    return templates


# Plant layers the map can edit: (model, API list route), by tile layer.
PLANT_EDIT_LAYERS = {
    "boxes": ("ctobox", "gis-api:ctobox-list"),
    "cables": ("cable", "gis-api:cable-list"),
    "coverage": ("coveragearea", "gis-api:coveragearea-list"),
}


def _plant_edit_config(user):
    """What the map's plant editor may do, per layer; None for those who may neither add nor change."""
    layers = {}
    for layer, (model, route) in PLANT_EDIT_LAYERS.items():
        actions = [
            action for action in ("add", "change", "delete") if user.has_perm(f"geo.{action}_{model}")
        ]
        if "add" in actions or "change" in actions:
            layers[layer] = {"url": reverse(route), "actions": actions}
    if not layers:
        return None
    return {
        "layers": layers,
        "olts": reverse("gis-api:olt-list"),
        "box_kinds": BoxKind.choices,
        "cable_kinds": CableKind.choices,
    }


def _campaign_form_config(user):
    """What the map's "Notify these clients" form needs; None for those who may not create campaigns."""
    if not user.has_perm("messaging.add_campaign"):
        return None
    return {
        "preview": reverse("crm-api:campaign-preview"),
        "create": reverse("crm-api:campaign-list"),
        "confirm": _url_template("crm-api:campaign-confirm"),
        "report_page": _url_template("frontend:campaign-report"),
        # A channel without a provider would be refused by the API: only offer those that have one.
        "channels": [
            [channel.value, str(channel.label)] for channel in Channel
            if (settings.MESSAGING_PROVIDERS.get(channel.value) or {}).get("backend")
        ],
        "placeholders": [[name, str(help_text)] for name, help_text in PLACEHOLDERS.items()],
        "exclusions": [[reason.value, str(reason.label)] for reason in ExclusionReason],
    }


@login_required
def dispatch_map(request):
    """The dispatcher's map. Which layers appear is the tile index's business: it follows the role."""
    user = request.user
    config = {
        "center": settings.MALHA_MAP_CENTER,
        "urls": {
            "tiles": reverse("tiles:index"),
            "search": reverse("gis-api:search"),
            "selection": reverse("gis-api:selection"),
            "selection_export": reverse("gis-api:selection-export"),
            "detail": _detail_url_templates(user),
            # A client's popup leads billing clerks to the client's financial panel.
            "finance": _url_template("frontend:client-finance") if user.has_perm("billing.view_invoice") else None,
        },
        "can_select": user.has_perm("billing.view_contract"),
        "plant_edit": _plant_edit_config(user),
        "campaign": _campaign_form_config(user),
        "schedule": schedule_config(user),
        "live": live_config(user),
    }
    return render(request, "frontend/map.html", {"map_config": config})


RECENT_CAMPAIGNS = 50


@login_required
@permission_required("messaging.view_campaign", raise_exception=True)
def campaign_list(request):
    """The most recent campaigns, each linking to its delivery report."""
    campaigns = messaging_selectors.campaign_list()[:RECENT_CAMPAIGNS]
    return render(request, "frontend/campaign_list.html", {"campaigns": campaigns})


@login_required
@permission_required("messaging.view_campaign", raise_exception=True)
def campaign_report(request, pk):
    """A campaign's delivery report, kept current by campaign-report.js (WebSocket, else polling)."""
    campaign = get_object_or_404(messaging_selectors.campaign_list(), pk=pk)
    config = {
        "report": reverse("crm-api:campaign-report", args=[pk]),
        "resend_failed": reverse("crm-api:campaign-resend-failed", args=[pk]),
        "live": f"/ws/campaigns/{pk}/",
        "campaign_statuses": dict(CampaignStatus.choices),
        "statuses": [[status.value, str(status.label)] for status in DeliveryStatus],
        "exclusions": [[reason.value, str(reason.label)] for reason in ExclusionReason],
        # Resending is a POST to the campaigns API, which asks for the add permission.
        "can_resend": request.user.has_perm("messaging.add_campaign"),
    }
    return render(request, "frontend/campaign_report.html", {
        "campaign": campaign,
        "export_url": reverse("crm-api:campaign-export", args=[pk]),
        "report_config": config,
    })
