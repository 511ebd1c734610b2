"""JSON bodies with limits: no body crashes the server by its size or its nesting.

Python's JSON decoder recurses once per nesting level, so a few kilobytes of `[[[[…`
raise RecursionError; and a stream parser never looks at DATA_UPLOAD_MAX_MEMORY_SIZE.
Every JSON body (DRF's parser and the webhooks that read the raw body for its
signature) goes through `load_json`.
"""
import json

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "body_too_large"


def too_large():
    limit_mb = number_format(settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024), 1)
    return BodyTooLarge(_("The request body is larger than %(limit)s MB.") % {"limit": limit_mb})


def _depth(value):
    """How deeply lists and objects nest in `value`, counted without recursion."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        pending.extend((child, depth + 1) for child in item)
    return deepest


def load_json(body):
    """The JSON value of `body` (bytes or text), or a 400/413 saying what is wrong with it."""
    if len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        raise too_large()
    try:
        value = json.loads(body, parse_constant=json_constant)
    except RecursionError:
        value = None
        depth = MAX_DEPTH + 1
    except ValueError as error:
        raise ParseError(_("The body is not valid JSON: %(error)s") % {"error": error}) from None
    else:
        depth = _depth(value)
    if depth > MAX_DEPTH:
        raise ParseError(
            _("The JSON body nests more than %(depth)d levels deep.") % {"depth": MAX_DEPTH}
        )
    return value


def json_constant(name):
    """NaN and Infinity are not JSON (Python's decoder would take them)."""
    raise ValueError(_("%(name)s is not a JSON value") % {"name": name})


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser through `load_json`: size and depth limits, strict constants."""

    def parse(self, stream, media_type=None, parser_context=None):
        if stream is None:
            return None
        body = stream.read(settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
        return load_json(body)
