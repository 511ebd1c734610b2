from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

app_name = "gis-api"

router = DefaultRouter()
router.register("coverage-areas", views.CoverageAreaViewSet, basename="coveragearea")
router.register("pops", views.PopViewSet, basename="pop")
router.register("olts", views.OltViewSet, basename="olt")
router.register("cto-boxes", views.CtoBoxViewSet, basename="ctobox")
router.register("cables", views.CableViewSet, basename="cable")
router.register("road-edges", views.RoadEdgeViewSet, basename="roadedge")
router.register("address-points", views.AddressPointViewSet, basename="addresspoint")

urlpatterns = [
    path("selection/", views.SelectionView.as_view(), name="selection"),
    path("selection/export/", views.SelectionExportView.as_view(), name="selection-export"),
    path("geocode/", views.GeocodeView.as_view(), name="geocode"),
    path("reverse-geocode/", views.ReverseGeocodeView.as_view(), name="reverse-geocode"),
    path("search/", views.SearchView.as_view(), name="search"),
    *router.urls,
]
