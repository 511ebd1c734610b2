"""People endpoints; config.urls serves them under /api/crm/ with messaging's and sales'
(namespace "crm-api"), this router giving the root listing."""

from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("people", views.PersonViewSet, basename="person")
router.register("addresses", views.AddressViewSet, basename="address")

urlpatterns = router.urls
