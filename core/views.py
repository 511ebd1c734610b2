"""API views that belong to no app."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle


class ThrottledObtainAuthToken(ObtainAuthToken):
    """Exchange a username and password for an API token.

    Send it as `Authorization: Token <token>`. Anonymous callers are rate-limited
    to slow down password guessing.
    """

    throttle_classes = [AnonRateThrottle]
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES

    @extend_schema(
        tags=["auth"],
        auth=[],
        responses=inline_serializer(
            "AuthToken", {"token": serializers.CharField(label=_("token"))}
        ),
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
