"""/api/public/: the viability widget's API, for the ISP's own site (no login).

Keyed by a sales channel's public key; see crm.sales.public for what it may reveal and
which origins it serves. CSRF does not apply (no session is used); instead the Origin
(or Referer) must be one the channel allows, and those origins get CORS headers.
"""

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from core.lockout import client_ip
from crm.sales import public
from crm.sales.viability import AddressNotFound, check_viability

from ..serializers.public import (
    PublicLeadSerializer,
    PublicMessageSerializer,
    PublicViabilityRequestSerializer,
    PublicViabilityResponseSerializer,
)


class PublicRateThrottle(SimpleRateThrottle):
    """Per client IP, at settings.MALHA_PUBLIC_VIABILITY_RATE; a 429 carries Retry-After."""

    def get_rate(self):
        return settings.MALHA_PUBLIC_VIABILITY_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def get_ident(self, request):
        return client_ip(request)


class ViabilityThrottle(PublicRateThrottle):
    scope = "public_viability"


class LeadThrottle(PublicRateThrottle):
    scope = "public_leads"


class PublicChannelView(APIView):
    """Finds the channel by `key`, checks the origin and the CAPTCHA, answers CORS."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def get_throttles(self):
        return [] if self.request.method == "OPTIONS" else super().get_throttles()

    def request_origin(self, request):
        return public.origin_of(request.headers.get("Origin") or request.headers.get("Referer"))

    def channel_for(self, request, data):
        channel = public.active_channel(str(data.get("key", "")))
        if channel is None:
            raise NotFound(_("Unknown or inactive sales channel."))
        if not public.origin_allowed(channel, self.request_origin(request), request.get_host()):
            raise PermissionDenied(_("This site may not use this sales channel's widget."))
        if not public.captcha_passed(data.get("captcha", ""), self.client_ip(request)):
            raise PermissionDenied(_("Please confirm you are not a robot."))
        return channel

    def client_ip(self, request):
        return self.throttle_classes[0]().get_ident(request)

    def options(self, request, *args, **kwargs):
        response = HttpResponse(status=status.HTTP_204_NO_CONTENT)
        if public.any_channel_allows(self.request_origin(request)):
            response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
            response["Access-Control-Allow-Headers"] = "Content-Type"
            response["Access-Control-Max-Age"] = "600"
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        origin = self.request_origin(request)
        if request.headers.get("Origin") and public.any_channel_allows(origin):
            response["Access-Control-Allow-Origin"] = origin
        patch_vary_headers(response, ["Origin"])
        return response


class PublicViabilityView(PublicChannelView):
    """Can the visitor's address (or point) be served, and with which plans. Nothing else."""

    throttle_classes = [ViabilityThrottle]

    @extend_schema(request=PublicViabilityRequestSerializer, responses=PublicViabilityResponseSerializer)
    def post(self, request):
        query = PublicViabilityRequestSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        data = dict(query.validated_data)
        channel = self.channel_for(request, data)
        data.pop("key"), data.pop("captcha")
        data.pop("max_drop_m", None)  # the ISP's rule, not the visitor's
        try:
            viability = check_viability(**data, channel=channel, client_ip=self.client_ip(request))
        except AddressNotFound as error:
            return Response(
                {"code": error.code, "message": _(
                    "We could not find this address. Check the street and the number, or use your location."
                )},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response({
            "viable": viability.viable,
            "message": public.public_message(viability),
            "plans": viability.plans,
        })


class PublicLeadView(PublicChannelView):
    """The visitor leaves name, contact and consent: a lead for the channel's sales team."""

    throttle_classes = [LeadThrottle]

    @extend_schema(request=PublicLeadSerializer, responses={201: PublicMessageSerializer})
    def post(self, request):
        form = PublicLeadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        channel = self.channel_for(request, data)
        data.pop("key"), data.pop("captcha")
        public.create_public_lead(channel=channel, client_ip=self.client_ip(request), **data)
        return Response(
            {"message": _("Thank you! We will contact you soon.")}, status=status.HTTP_201_CREATED
        )
