from rest_framework.routers import DefaultRouter

app_name = "fieldops-api"

router = DefaultRouter()

urlpatterns = router.urls
