"""Vector tiles, mounted at /tiles/ by config/urls.py."""
from django.urls import path, re_path

from . import views

app_name = "tiles"

urlpatterns = [
    path("", views.TileIndexView.as_view(), name="index"),
    # z, x and y are matched loosely so a bad value gets a 400 that names it, not a 404.
    re_path(r"^(?P<layer>[^/]+)/(?P<z>[^/]+)/(?P<x>[^/]+)/(?P<y>[^/]+)\.mvt$",
            views.TileView.as_view(), name="tile"),
]
