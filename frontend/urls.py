from django.urls import path

from . import views

app_name = "frontend"

urlpatterns = [
    path("", views.home, name="home"),
    path("overview/map/", views.overview_map, name="overview-map"),
]
