from django.urls import path
from django.views.i18n import JavaScriptCatalog

from . import views

app_name = "frontend"

urlpatterns = [
    path("", views.home, name="home"),
    path("overview/map/", views.overview_map, name="overview-map"),
    path("map/", views.dispatch_map, name="map"),
    path("campaigns/", views.campaign_list, name="campaign-list"),
    path("campaigns/<int:pk>/", views.campaign_report, name="campaign-report"),
    # Strings of our JavaScript (djangojs domain), for gettext() in the browser.
    path("jsi18n/", JavaScriptCatalog.as_view(), name="jsi18n"),
]
