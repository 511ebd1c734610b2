"""Sales pages: the rep's phone view of viability, and the public widget for the ISP's site."""
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt

from core.csp import page_policy
from crm.sales import public
from crm.sales.viability import may_check_viability


@login_required
def viability(request):
    """Phone-sized: an address, the GPS or a pin -> viable or not, the box, the walk, plans; a lead."""
    if not may_check_viability(request.user):
        raise PermissionDenied
    config = {
        "center": settings.MALHA_MAP_CENTER,
        "urls": {
            "tiles": reverse("tiles:index"),
            "viability": reverse("crm-api:viability"),
            "geocode": reverse("gis-api:geocode"),
            "leads": reverse("crm-api:lead-list"),
            # The lead's page (proposal, conversion); the browser fills in {id}.
            "lead_page": reverse("frontend:sales-lead", args=[0]).replace("/0/", "/{id}/"),
        },
        "consent_text": str(public.CONSENT_TEXT),
    }
    return render(request, "frontend/sales/viability.html", {"config": config})


@xframe_options_exempt
def viability_widget(request, public_key):
    """The widget the ISP's site embeds in an iframe; only the channel's sites may frame it."""
    channel = public.active_channel(public_key)
    if channel is None:
        raise Http404
    config = {
        "key": channel.public_key,
        "urls": {"viability": reverse("public-api:viability"), "leads": reverse("public-api:leads")},
        "consent_text": str(public.CONSENT_TEXT),
    }
    response = render(request, "frontend/sales/widget.html", {"config": config, "channel": channel})
    response["Content-Security-Policy"] = page_policy(
        request.csp_nonce, " ".join(["'self'", *sorted(public.allowed_origins(channel))])
    )
    return response
