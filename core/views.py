"""Views that belong to no app: sign-in, API tokens and password reset, each limited
per real peer (core.lockout)."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext_lazy, ngettext
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.models import AuthToken
from rest_framework import generics, serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.exceptions import Throttled
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from .forms import LockoutAuthenticationForm
from .lockout import blocked_for, client_ip, hit, locked_for, lockout_message
from .tokens import issue_token, live_tokens


class PeerAnonRateThrottle(AnonRateThrottle):
    """The "anon" rate per real peer (core.lockout.client_ip), not per forgeable header."""

    def get_ident(self, request):
        return client_ip(request)


class ObtainAuthToken(APIView):
    """Exchange a username and password for a new API token that expires.

    Send it as `Authorization: Token <token>`. Anonymous callers are rate-limited and
    a peer that misses an account's password too often is locked out (429, Retry-After).
    """

    authentication_classes = []
    permission_classes = []
    throttle_classes = [PeerAnonRateThrottle]
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES

    def refuse_if_locked(self, request):
        data = request.data if isinstance(request.data, dict) else {}
        seconds = locked_for(request, data.get("username"))
        if seconds:
            raise Throttled(wait=seconds, detail=lockout_message(seconds))

    @extend_schema(
        tags=["auth"],
        auth=[],
        request=AuthTokenSerializer,
        responses=inline_serializer(
            "AuthToken",
            {
                "token": serializers.CharField(label=gettext_lazy("token")),
                "expiry": serializers.DateTimeField(label=gettext_lazy("expires")),
            },
        ),
    )
    def post(self, request, *args, **kwargs):
        self.refuse_if_locked(request)
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        if not serializer.is_valid():
            self.refuse_if_locked(request)
            raise serializers.ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        instance, token = issue_token(user)
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        expiry = serializers.DateTimeField().to_representation(instance.expiry)
        return Response({"token": token, "expiry": expiry})


class TokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuthToken
        fields = ["token_key", "created", "expiry"]


@extend_schema(tags=["auth"])
class TokenList(generics.ListAPIView):
    """The caller's live API tokens (the first characters of each key); admins see and
    revoke anyone's in the admin."""

    queryset = AuthToken.objects.none()  # the schema's model; get_queryset scopes it
    serializer_class = TokenSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = None

    def get_queryset(self):
        return live_tokens(self.request.user)


@extend_schema(tags=["auth"])
class TokenRevoke(generics.DestroyAPIView):
    """Revoke one of the caller's tokens by its `token_key`."""

    queryset = AuthToken.objects.none()
    serializer_class = TokenSerializer
    permission_classes = [IsAuthenticated]
    lookup_field = "token_key"

    def get_queryset(self):
        return AuthToken.objects.filter(user=self.request.user)


class TokenLogout(APIView):
    """Revoke the token this request was sent with."""

    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["auth"], request=None, responses={204: None})
    def post(self, request, *args, **kwargs):
        if isinstance(request.auth, AuthToken):
            request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class LoginView(auth_views.LoginView):
    """The site's sign-in: a locked-out peer gets the message with 429 and Retry-After."""

    form_class = LockoutAuthenticationForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        seconds = getattr(form, "locked_for", 0)
        if seconds:
            response.status_code = 429
            response["Retry-After"] = str(seconds)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Password reset limited per peer and per address (whether or not an account has it,
    so the limit reveals nothing); past it, a 429 that says when to try again."""

    template_name = "frontend/password_reset_form.html"

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        limit, window = settings.MALHA_PASSWORD_RESET_LIMIT, settings.MALHA_PASSWORD_RESET_WINDOW
        keys = (f"pw-reset:{client_ip(self.request)}", f"pw-reset:{email}")
        seconds = max(blocked_for(key) for key in keys)
        if not seconds:
            seconds = max(hit(key, limit + 1, window) for key in keys)
        if seconds:
            minutes = max(1, -(-seconds // 60))
            form.add_error("email", ngettext(
                "Too many password reset requests. Try again in %(minutes)d minute.",
                "Too many password reset requests. Try again in %(minutes)d minutes.",
                minutes,
            ) % {"minutes": minutes})
            response = self.form_invalid(form)
            response.status_code = 429
            response["Retry-After"] = str(seconds)
            return response
        return super().form_valid(form)
