"""The client's page behind the link in a proposal e-mail: the offer and an accept button.

No login: the signed link is the proof. GET shows, POST accepts (the typed name is stored
with the time and the client's IP), so a link scanner never accepts anything. The page
speaks the proposal's language.
"""

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from . import services

TEMPLATE = "crm/sales/proposal_public.html"


@require_http_methods(["GET", "POST"])
def proposal_page(request, token):
    try:
        proposal = services.proposal_from_token(token)
    except ValidationError as error:
        return render(request, TEMPLATE, {"error": error.messages[0]}, status=404)
    error, status = None, 200
    if request.method == "POST":
        try:
            with translation.override(proposal.language):
                proposal = services.accept_proposal(
                    proposal,
                    user=None,
                    signed_name=request.POST.get("signed_name", ""),
                    ip=request.META.get("REMOTE_ADDR"),
                )
        except ValidationError as invalid:
            error, status = invalid.messages[0], 400
    with translation.override(proposal.language):
        context = {
            "proposal": proposal,
            "items": proposal.items.select_related("plan"),
            "error": error,
        }
        return render(request, TEMPLATE, context, status=status)
