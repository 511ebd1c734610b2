"""Message templates: `{placeholder}` substitution and SMS length in segments.

Templates are checked before a campaign exists (unknown placeholders, stray
braces) and every rendered message is measured against its channel's limit, so
nothing is queued that a gateway would cut or refuse.
"""

import math
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PLACEHOLDERS = {
    "client_name": _("Client name (trade name for companies)"),
    "first_name": _("Client's first name"),
    "contract": _("Contract number(s) inside the selection"),
    "address": _("Installation address"),
    "window_start": _("Start of the date/time window"),
    "window_end": _("End of the date/time window"),
    "protocol": _("Protocol number"),
}

_TOKEN = re.compile(r"\{([^{}]*)\}")

# GSM 03.38 default alphabet (one septet each) and its extension table (two septets:
# escape + character). Anything else forces UCS-2, e.g. "ã", "õ", "ç" in Portuguese.
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")
GSM7, UCS2 = "GSM-7", "UCS-2"


def placeholders_in(template, known=PLACEHOLDERS):
    """The placeholder names a template uses, or ValidationError for unknown ones or stray braces.

    `known` is the campaign placeholders unless a caller (billing reminders) has its own.
    """
    names = [name.strip() for name in _TOKEN.findall(template)]
    if "{" in _TOKEN.sub("", template) or "}" in _TOKEN.sub("", template):
        raise ValidationError(
            _("Unbalanced brace: write placeholders as {client_name}."), code="unbalanced_brace"
        )
    unknown = sorted({name for name in names if name not in known})
    if unknown:
        raise ValidationError(
            _("Unknown placeholder %(unknown)s: use %(known)s."),
            code="unknown_placeholder",
            params={
                "unknown": ", ".join(f"{{{name}}}" for name in unknown),
                "known": ", ".join(f"{{{name}}}" for name in known),
            },
        )
    return set(names)


def render(template, context):
    """The template with every `{placeholder}` replaced from `context` (missing ones empty)."""
    return _TOKEN.sub(lambda match: str(context.get(match.group(1).strip(), "")), template)


def sms_length(text):
    """(encoding, units, segments) of an SMS: GSM-7 septets or UCS-2 code units.

    One segment holds 160 GSM-7 septets or 70 UCS-2 units; a concatenated
    message loses room to its header: 153 and 67 per segment.
    """
    if all(char in GSM7_BASIC or char in GSM7_EXTENDED for char in text):
        units = sum(2 if char in GSM7_EXTENDED else 1 for char in text)
        single, multi, encoding = 160, 153, GSM7
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi, encoding = 70, 67, UCS2
    segments = 1 if units <= single else math.ceil(units / multi)
    return encoding, units, segments
