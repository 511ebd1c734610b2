"""API errors: every failure a client can cause becomes a 4xx with a translated message.

Services raise Django's ValidationError (one rule, one place); here it becomes a
DRF 400 with the same per-field messages. A database constraint that still
fires (a race between two requests) becomes a 409 instead of a 500.
"""
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler

from .parsers import too_large


class Conflict(DjangoValidationError):
    """A write that lost a race (a stale version, a reused action id, a taken port):
    services raise it and the API answers 409, not 400."""


class ConflictError(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("The change conflicts with a newer one and was not saved.")
    default_code = "conflict"


def django_error_detail(error):
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
    return {"non_field_errors": error.messages}


def api_exception_handler(exc, context):
    if isinstance(exc, Conflict):
        exc = ConflictError(exc.messages[0], code=exc.code)
    elif isinstance(exc, DjangoValidationError):
        exc = ValidationError(django_error_detail(exc))
    elif isinstance(exc, RequestDataTooBig):
        exc = too_large()
    elif isinstance(exc, IntegrityError):
        return Response(
            {"detail": _("The change conflicts with existing data and was not saved.")},
            status=status.HTTP_409_CONFLICT,
        )
    return exception_handler(exc, context)
