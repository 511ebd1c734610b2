from rest_framework.routers import DefaultRouter

app_name = "billing-api"

router = DefaultRouter()

urlpatterns = router.urls
