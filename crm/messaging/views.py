"""The public opt-out page behind the link in every campaign e-mail (no login: the signed
token is the proof). GET asks, POST records, so link scanners never opt anyone out;
mail providers' one-click unsubscribe (RFC 8058) POSTs directly."""

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import services


@csrf_exempt
@require_http_methods(["GET", "POST"])
def opt_out(request, token):
    if request.method == "GET":
        return render(request, "messaging/optout.html", {"token": token, "done": False})
    try:
        services.opt_out_from_token(token)
    except ValidationError as error:
        return render(request, "messaging/optout.html", {"error": error.messages[0]}, status=400)
    return render(request, "messaging/optout.html", {"done": True})
