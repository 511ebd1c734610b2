"""The client's page behind the link in a proposal e-mail: the offer and an accept button.

No login: the signed link is the proof. GET shows, POST accepts (the typed name is stored
with the time and the client's IP), so a link scanner never accepts anything. The page
speaks the proposal's language.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from core.files import private_file_response, safe_media_path

from . import selectors, services

TEMPLATE = "sales/proposal_public.html"


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


def proposal_file(request, path):
    """MEDIA_URL/crm/proposals/<number>/<name>: a proposal's signature or attachment, for those who
    see the proposal; anonymous users get a 403, others a 404 (the address confirms nothing)."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    name = f"crm/proposals/{path}"
    if safe_media_path(path) is None or path.count("/") != 1 or not request.user.has_perm("sales.view_proposal"):
        raise Http404
    proposal = (
        selectors.proposals_visible_to(request.user)
        .filter(Q(signature_image=name) | Q(attachments__file=name))
        .first()
    )
    if proposal is None:
        raise Http404
    if proposal.signature_image.name == name:
        return private_file_response(proposal.signature_image)
    return private_file_response(proposal.attachments.get(file=name).file)
