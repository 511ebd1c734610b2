"""The technician's phone: today's route as an installable, offline-first web app (PWA)."""
import hashlib
import json
import os

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import ensure_csrf_cookie

from fieldops.selectors import technician_of

THEME_COLOUR = "#0d47a1"
# Static files of the app shell, precached by the service worker (MapLibre included).
SHELL_STATIC = [
    "frontend/tech/tech.css",
    "frontend/tech/app.js",
    "frontend/tech/store.js",
    "frontend/tech/media.js",
    "frontend/basemap.js",
    "frontend/dom.js",
    "frontend/format.js",
    "frontend/http.js",
    "frontend/tech/icon.svg",
    "frontend/tech/icon-192.png",
    "frontend/tech/icon-512.png",
    "vendor/maplibre-gl/maplibre-gl.mjs",
    "vendor/maplibre-gl/maplibre-gl-worker.mjs",
    "vendor/maplibre-gl/maplibre-gl.css",
]


def is_technician_only(user):
    """Technicians land on their route after logging in."""
    return technician_of(user) is not None and not user.has_perm("fieldops.change_serviceorder")


@login_required
@ensure_csrf_cookie
def route(request):
    """Today's stops on a map and a list, each order's details and field actions, queued offline."""
    if technician_of(request.user) is None:
        raise PermissionDenied(_("Only technicians have a route."))
    config = {
        "position_interval_s": settings.MALHA_POSITION_MIN_INTERVAL_SECONDS,
        "urls": {
            "day": reverse("fieldops-api:my-day"),
            "orders": reverse("fieldops-api:serviceorder-list"),
            "positions": reverse("fieldops-api:position-report"),
            "tiles": reverse("tiles:index"),
            "worker": reverse("frontend:tech-sw"),
            "login": f"{reverse('login')}?next={reverse('frontend:tech')}",
        },
    }
    return render(request, "frontend/tech/route.html", {"config": config, "theme_colour": THEME_COLOUR})


def manifest(request):
    """The web app manifest: installs /tech/ as a standalone app on the phone's home screen."""
    data = {
        "name": _("Malha — my route"),
        "short_name": _("My route"),
        "description": _("Today's service orders, on the map and offline."),
        "start_url": reverse("frontend:tech"),
        "scope": reverse("frontend:tech"),
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": [
            {"src": static("frontend/tech/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("frontend/tech/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("frontend/tech/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return JsonResponse(data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})


def _shell_version(urls):
    """Changes whenever a shell file does, so phones pick up a new service worker."""
    digest = hashlib.sha1()
    for path in SHELL_STATIC:
        found = finders.find(path)
        stat = os.stat(found) if found else None
        digest.update(f"{path}:{stat.st_mtime_ns if stat else 0}:{stat.st_size if stat else 0}".encode())
    digest.update("|".join(urls).encode())
    return digest.hexdigest()[:12]


def service_worker(request):
    """The service worker, scoped to /tech/: precaches the shell, keeps the day's data and tiles."""
    shell = [
        reverse("frontend:tech"), reverse("frontend:tech-manifest"), reverse("frontend:jsi18n"),
        reverse("tiles:index"), *(static(path) for path in SHELL_STATIC),
    ]
    context = {
        "shell": json.dumps(shell), "version": _shell_version(shell),
        "data_urls": json.dumps([reverse("fieldops-api:my-day"), f"/{settings.MEDIA_URL.strip('/')}/fieldops/"]),
        "tiles_url": json.dumps(reverse("tiles:index")),
    }
    response = render(request, "frontend/tech/sw.js", context, content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = reverse("frontend:tech")
    return response
