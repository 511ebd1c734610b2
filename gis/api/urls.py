from rest_framework.routers import DefaultRouter

app_name = "gis-api"

router = DefaultRouter()

urlpatterns = router.urls
