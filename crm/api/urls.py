from rest_framework.routers import DefaultRouter

from . import views

app_name = "crm-api"

router = DefaultRouter()
router.register("people", views.PersonViewSet, basename="person")
router.register("addresses", views.AddressViewSet, basename="address")

urlpatterns = router.urls
