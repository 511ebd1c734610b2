"""The ISP's own site: a sales channel's public viability widget and the leads it brings.

Anyone may call it, so it answers only viable or not and the plans (never boxes,
distances, clients or plant), runs only for the origins the channel allows (and our
own, where the widget page lives), may ask for a CAPTCHA (settings.MALHA_CAPTCHA_VERIFIER,
the dotted path of a function(token, ip) -> bool) and is rate-limited per IP by its views.
"""
import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.sales.choices import ViabilityReason
from crm.sales.models import SalesChannel, ViabilityCheck

from .services import create_lead

CONSENT_TEXT = gettext_lazy("I agree to be contacted by the provider about this offer.")
# A lead left within this time after a check from the same IP is linked to that check.
LEAD_CHECK_WINDOW = datetime.timedelta(hours=1)


def active_channel(public_key):
    return SalesChannel.objects.filter(active=True, public_key=public_key).first()


def origin_of(url):
    """'https://www.example.com.br/page?x' -> 'https://www.example.com.br' ('' when none)."""
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def allowed_origins(channel):
    return {origin_of(origin) for origin in channel.allowed_origins} - {""}


def origin_allowed(channel, origin, own_host):
    """The channel's sites, and our own host (the widget page calls from there)."""
    return bool(origin) and (origin in allowed_origins(channel) or urlsplit(origin).netloc == own_host.lower())


def any_channel_allows(origin):
    """For CORS preflights, which do not say the channel: does any active channel allow `origin`?"""
    return bool(origin) and any(
        origin in allowed_origins(channel) for channel in SalesChannel.objects.filter(active=True)
    )


def widget_url(channel):
    return settings.MALHA_PUBLIC_URL + reverse("frontend:viability-widget", args=[channel.public_key])


def embed_snippet(channel):
    """The HTML the ISP pastes into its site to show the widget."""
    return (
        f'<iframe src="{widget_url(channel)}" title="{escape(_("Check your address"))}" '
        'allow="geolocation" style="width:100%;max-width:480px;height:560px;border:0" '
        'loading="lazy"></iframe>'
    )


def captcha_passed(token, ip):
    """True when no CAPTCHA is configured or the configured verifier accepts `token`."""
    if not settings.MALHA_CAPTCHA_VERIFIER:
        return True
    return bool(token) and bool(import_string(settings.MALHA_CAPTCHA_VERIFIER)(token, ip))


def public_message(viability):
    if viability.viable:
        return _("Good news: we can connect you at this address!")
    return _("We cannot connect this address yet. Leave your contact and we will let you know when we can.")


def create_public_lead(*, channel, name, email="", mobile_phone="", address="", point=None,
                       plan=None, consent=False, client_ip=None):
    """A visitor's lead: unowned (any rep may take it), with the channel, the consent wording
    shown and the visitor's latest check from this IP, when recent."""
    if not consent:
        raise ValidationError({"consent": [_("We need your consent to contact you.")]})
    if not (email or mobile_phone):
        raise ValidationError({"non_field_errors": [
            _("Leave a mobile phone number or an e-mail so we can reach you."),
        ]})
    recent = ViabilityCheck.objects.filter(
        channel=channel, client_ip=client_ip, created_at__gte=timezone.now() - LEAD_CHECK_WINDOW,
    ).exclude(reason=ViabilityReason.ADDRESS_NOT_FOUND)
    if address:
        recent = recent.filter(address_text=address[:300])
    return create_lead(
        name=name, email=email, mobile_phone=mobile_phone, channel=channel,
        viability_check=recent.order_by("-created_at").first(), point=point,
        address_text=address[:300], plan=plan, consent_contact=True, consent_text=str(CONSENT_TEXT),
    )
