from rest_framework.routers import DefaultRouter

from . import views

app_name = "fieldops-api"

router = DefaultRouter()
router.register("skills", views.SkillViewSet, basename="skill")
router.register("technicians", views.TechnicianViewSet, basename="technician")
router.register("service-orders", views.ServiceOrderViewSet, basename="serviceorder")

urlpatterns = router.urls
