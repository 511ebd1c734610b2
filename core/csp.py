"""Content-Security-Policy for our HTML pages: no inline script runs unless it carries the
request's nonce (import maps, and the folium map documents after ``with_nonce``).

Stored text that reaches a page as markup or inside a script therefore cannot run; styles
keep 'unsafe-inline' because the folium documents and a few templates use style attributes.
"""
import re
import secrets
from urllib.parse import urlsplit

from django.conf import settings

# X-Frame-Options (set per view by Django's decorators) → the same rule as frame-ancestors.
_FRAME_ANCESTORS = {"DENY": "'none'", "SAMEORIGIN": "'self'"}
_SCRIPT_TAG = re.compile(r"<script(?=[\s>])", re.IGNORECASE)


def basemap_origin():
    """The hosted base map's origin, which MapLibre fetches styles, tiles and glyphs from."""
    url = urlsplit(settings.MALHA_BASEMAP_STYLE_URL)
    return f"{url.scheme}://{url.netloc}" if url.scheme and url.netloc else ""


def page_policy(nonce, frame_ancestors=None):
    """The policy for one page; ``frame_ancestors`` None leaves framing unrestricted."""
    remote = basemap_origin()
    extra = f" {remote}" if remote else ""
    directives = [
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: blob:{extra}",
        "font-src 'self' data:",
        f"connect-src 'self'{extra}",
        "worker-src 'self' blob:",
        "frame-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
    if frame_ancestors is not None:
        directives.append(f"frame-ancestors {frame_ancestors}")
    return "; ".join(directives)


def with_nonce(html, request):
    """A whole HTML document (folium's) with the request's nonce on every script tag, so its
    inline Leaflet code runs under the page policy and nothing else inline does."""
    return _SCRIPT_TAG.sub(f'<script nonce="{request.csp_nonce}"', html)


class ContentSecurityPolicyMiddleware:
    """Gives each request a nonce and each HTML response the page policy, unless the view set
    its own (served files and the public widget do). Listed before XFrameOptionsMiddleware so
    it sees the X-Frame-Options that middleware sets, and mirrors it in frame-ancestors."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(18)
        response = self.get_response(request)
        if "Content-Security-Policy" in response or not response.get("Content-Type", "").startswith("text/html"):
            return response
        frame_ancestors = _FRAME_ANCESTORS.get(response.get("X-Frame-Options", "").upper())
        response["Content-Security-Policy"] = page_policy(request.csp_nonce, frame_ancestors)
        return response
