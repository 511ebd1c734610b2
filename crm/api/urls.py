from rest_framework.routers import DefaultRouter

app_name = "crm-api"

router = DefaultRouter()

urlpatterns = router.urls
