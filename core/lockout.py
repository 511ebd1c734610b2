"""Login lockout and request limits keyed on the real peer address (and the account).

Every login path (the site, the admin, the API token endpoint) goes through
`django.contrib.auth.authenticate`, so one backend refuses a locked caller and one
`user_login_failed` receiver counts failures: no path can be left out. The peer is
REMOTE_ADDR; X-Forwarded-For only counts behind the proxies REST_FRAMEWORK's
NUM_PROXIES declares, so a visitor cannot rotate a forged header to start afresh.
"""
import hashlib
import math
import time

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle


def client_ip(request):
    """The peer's address; X-Forwarded-For only behind NUM_PROXIES declared proxies."""
    if api_settings.NUM_PROXIES is None:
        return request.META.get("REMOTE_ADDR")
    return BaseThrottle().get_ident(request)


def _keys(request, username):
    ip = client_ip(request)
    # Hashed: any string a caller sends as a username makes a short key.
    account = hashlib.sha256(str(username or "").strip().lower().encode()).hexdigest()[:32]
    return (
        (f"login-fail:{ip}:{account}", settings.MALHA_LOGIN_FAILURE_LIMIT),
        (f"login-fail:{ip}", settings.MALHA_LOGIN_IP_FAILURE_LIMIT),
    )


def hit(key, limit, window):
    """Count one event under `key` for `window` seconds; past `limit` the key stays
    blocked for a full window. Returns the seconds left blocked (0: not blocked)."""
    blocked = f"{key}:until"
    if cache.add(key, 1, timeout=window):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window)
            count = 1
    if count >= limit:
        cache.add(blocked, time.time() + window, timeout=window)
    return blocked_for(key)


def blocked_for(key):
    """Seconds `key` stays blocked (0 when it is not)."""
    until = cache.get(f"{key}:until")
    return max(0, math.ceil(until - time.time())) if until else 0


def locked_for(request, username):
    """Seconds this peer stays locked out of this account (0 when it is not)."""
    return max(blocked_for(key) for key, _limit in _keys(request, username))


def record_failure(sender, credentials, request=None, **kwargs):
    """user_login_failed receiver: count a wrong password against peer and account."""
    if request is None:
        return
    username = credentials.get("username")
    if locked_for(request, username):
        return
    for key, limit in _keys(request, username):
        hit(key, limit, settings.MALHA_LOGIN_COOLOFF)


def clear_failures(sender, request=None, user=None, **kwargs):
    """user_logged_in receiver: a right password forgets this peer's misses on the account."""
    if request is not None and user is not None:
        cache.delete(_keys(request, user.get_username())[0][0])


def lockout_message(seconds):
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext(
        "Too many failed sign-in attempts. Try again in %(minutes)d minute.",
        "Too many failed sign-in attempts. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


class LockoutModelBackend(ModelBackend):
    """ModelBackend that refuses a locked-out peer and account, even the right password."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is not None and locked_for(request, username or kwargs.get("username")):
            raise PermissionDenied(_("Too many failed sign-in attempts."))
        return super().authenticate(request, username=username, password=password, **kwargs)
