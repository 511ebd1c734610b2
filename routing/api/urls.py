from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

app_name = "routing-api"

router = DefaultRouter()
router.register("plans", views.RoutePlanViewSet, basename="routeplan")

urlpatterns = [
    path("my-route/", views.MyRouteView.as_view(), name="my-route"),
    *router.urls,
]
