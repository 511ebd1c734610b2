"""People endpoints, served under /api/crm/ with messaging's and sales' (config.urls)."""

from rest_framework.routers import SimpleRouter
from rest_framework.urlpatterns import format_suffix_patterns

from . import views

router = SimpleRouter()
router.register("people", views.PersonViewSet, basename="person")
router.register("addresses", views.AddressViewSet, basename="address")

urlpatterns = format_suffix_patterns(router.urls)
