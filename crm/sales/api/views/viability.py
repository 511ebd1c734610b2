"""POST /api/crm/viability/: can an address (or a point) be served, with which box and plans.

For sales reps, dispatchers and administrators. The answer's shape is documented by
ViabilityResponseSerializer (the rep's phone view and the sales pages read it).
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.sales.viability import AddressNotFound, check_viability, may_check_viability

from ..serializers.viability import (
    AddressNotFoundSerializer,
    ViabilityRequestSerializer,
    ViabilityResponseSerializer,
)


class CanCheckViability(BasePermission):
    message = _("Only sales reps, dispatchers and administrators check viability.")

    def has_permission(self, request, view):
        return may_check_viability(request.user)


def address_not_found_body(error):
    return {
        "code": error.code, "detail": error.messages[0],
        "suggestion": error.suggestion, "check_id": error.check.pk,
    }


class ViabilityView(APIView):
    """Is the address (or point) viable: coverage area, nearest boxes with free ports by walking
    distance within the drop length, the box that would be used and the plans. Recorded."""

    permission_classes = [CanCheckViability]

    @extend_schema(
        request=ViabilityRequestSerializer,
        responses={200: ViabilityResponseSerializer, 400: AddressNotFoundSerializer},
    )
    def post(self, request):
        query = ViabilityRequestSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        try:
            viability = check_viability(**query.validated_data, user=request.user)
        except AddressNotFound as error:
            return Response(address_not_found_body(error), status=status.HTTP_400_BAD_REQUEST)
        return Response(viability.as_dict())
