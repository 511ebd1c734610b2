from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from core.exceptions import ConflictError, django_error_detail
from routing import selectors, services
from routing.filtersets import RoutePlanFilterSet

from . import serializers


class ManagesPlans(BasePermission):
    """Requesting, accepting and discarding plans: dispatchers and admins."""

    def has_permission(self, request, view):
        return selectors.manages_plans(request.user)


class RoutePlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Route plans. Dispatchers and admins request, follow, accept and discard them; a technician
    sees only accepted plans they have a route in, with only their own route."""

    filterset_class = RoutePlanFilterSet

    def get_queryset(self):
        if self.action == "list":
            return selectors.plans_visible_to(self.request.user)
        return selectors.plan_details_visible_to(self.request.user)

    def get_permissions(self):
        if self.action in ("create", "accept", "discard"):
            return [IsAuthenticated(), ManagesPlans()]
        return super().get_permissions()

    def get_serializer_class(self):
        if self.action == "create":
            return serializers.RoutePlanRequestSerializer
        if self.action == "list":
            return serializers.RoutePlanSerializer
        return serializers.RoutePlanDetailSerializer

    @extend_schema(responses={202: serializers.RoutePlanSerializer})
    def create(self, request):
        """Queue an optimisation; follow it at ws/routing/plans/<id>/ or by polling the plan."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan = services.request_plan(user=request.user, **serializer.validated_data)
        return Response(serializers.RoutePlanSerializer(plan).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={200: serializers.RoutePlanDetailSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Give every routed order its technician and scheduled start; 409 when orders changed."""
        try:
            plan = services.accept_plan(self.get_object(), request.user)
        except services.StalePlan as stale:
            raise ConflictError(django_error_detail(stale)) from stale
        return Response(serializers.RoutePlanDetailSerializer(self._reloaded(plan)).data)

    @extend_schema(request=None, responses={200: serializers.RoutePlanDetailSerializer})
    @action(detail=True, methods=["post"])
    def discard(self, request, pk=None):
        plan = services.discard_plan(self.get_object(), request.user)
        return Response(serializers.RoutePlanDetailSerializer(self._reloaded(plan)).data)

    @extend_schema(responses={200: {"type": "object"}})
    @action(detail=True, methods=["get"])
    def geojson(self, request, pk=None):
        """A FeatureCollection of the route lines along the streets and their stops."""
        return Response(serializers.plan_feature_collection(self.get_object().routes.all()))

    def _reloaded(self, plan):
        return self.get_queryset().get(pk=plan.pk)


class MyRouteView(APIView):
    """The signed-in technician's route for a day (`?date=YYYY-MM-DD`), from the accepted plan."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("date", str, required=True)],
        responses={200: serializers.RouteSerializer},
    )
    def get(self, request):
        query = serializers.MyRouteQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        route = selectors.my_route(request.user, query.validated_data["date"])
        if route is None:
            raise NotFound(_("You have no accepted route on this day."))
        return Response(serializers.RouteSerializer(route).data)
