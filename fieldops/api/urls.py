from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

app_name = "fieldops-api"

router = DefaultRouter()
router.register("skills", views.SkillViewSet, basename="skill")
router.register("materials", views.MaterialViewSet, basename="material")
router.register("sectors", views.SectorViewSet, basename="sector")
router.register("technicians", views.TechnicianViewSet, basename="technician")
router.register("service-orders", views.ServiceOrderViewSet, basename="serviceorder")

urlpatterns = [
    path("positions/", views.PositionReportView.as_view(), name="position-report"),
    path("my-day/", views.MyDayView.as_view(), name="my-day"),
    path(
        "reports/technicians/", views.TechnicianSlaReportView.as_view(), name="technician-sla-report"
    ),
    path(
        "reports/completed-orders/", views.CompletedOrdersReportView.as_view(), name="completed-orders-report"
    ),
    path("schedule/board/", views.ScheduleBoardView.as_view(), name="schedule-board"),
    path("schedule/check/", views.ScheduleCheckView.as_view(), name="schedule-check"),
    path("schedule/apply/", views.ScheduleApplyView.as_view(), name="schedule-apply"),
    path("schedule/route/", views.ScheduleRouteView.as_view(), name="schedule-route"),
    *router.urls,
]
