"""Placeholders and SMS length, checked against the GSM 03.38 / UCS-2 segment rules."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from crm.messaging.message_templates import GSM7, UCS2, placeholders_in, render, sms_length


def test_known_placeholders_are_found_and_rendered():
    assert placeholders_in("Oi {first_name}, contrato {contract}") == {"first_name", "contract"}
    assert render("Oi {first_name}!", {"first_name": "Ana"}) == "Oi Ana!"


@pytest.mark.parametrize("template", ["Oi {nome}", "Oi {first_name} {cliente}"])
def test_unknown_placeholder_is_refused_with_the_known_ones(template):
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            placeholders_in(template)
        message = error.value.messages[0]  # lazy: read it while English is active
    assert "Unknown placeholder {" in message
    assert "{client_name}" in message


@pytest.mark.parametrize("template", ["Oi {first_name", "Oi first_name}", "{{first_name}"])
def test_stray_braces_are_refused(template):
    with pytest.raises(ValidationError) as error:
        placeholders_in(template)
    assert error.value.code == "unbalanced_brace"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a" * 160, (GSM7, 160, 1)),
        ("a" * 161, (GSM7, 161, 2)),
        ("a" * 306, (GSM7, 306, 2)),
        ("a" * 307, (GSM7, 307, 3)),
        ("€" * 80, (GSM7, 160, 1)),  # extension table: two septets each
        ("[" * 81, (GSM7, 162, 2)),
        ("é à Ç ñ ü", (GSM7, 9, 1)),  # in the GSM basic table
        ("ã" * 70, (UCS2, 70, 1)),
        ("ã" * 71, (UCS2, 71, 2)),
        ("manutenção " * 13, (UCS2, 143, 3)),
        ("😀" * 35, (UCS2, 70, 1)),  # surrogate pairs: two UTF-16 units each
    ],
)
def test_sms_segments(text, expected):
    assert sms_length(text) == expected
