from rest_framework.routers import DefaultRouter

from . import views

app_name = "billing-api"

router = DefaultRouter()
router.register("plans", views.PlanViewSet, basename="plan")
router.register("contracts", views.ContractViewSet, basename="contract")

urlpatterns = router.urls
