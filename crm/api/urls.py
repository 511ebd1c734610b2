from django.urls import path
from rest_framework.routers import DefaultRouter

from . import messaging, sales, viability, views

app_name = "crm-api"

router = DefaultRouter()
router.register("people", views.PersonViewSet, basename="person")
router.register("addresses", views.AddressViewSet, basename="address")
router.register("campaigns", messaging.CampaignViewSet, basename="campaign")
router.register("messages", messaging.MessageLogViewSet, basename="message")
router.register("opt-outs", messaging.OptOutViewSet, basename="opt-out")
router.register("leads", sales.LeadViewSet, basename="lead")
router.register("proposals", sales.ProposalViewSet, basename="proposal")
router.register("sales/channels", sales.SalesChannelViewSet, basename="sales-channel")
router.register("sales/teams", sales.SalesTeamViewSet, basename="sales-team")
router.register("sales/goals", sales.SalesGoalViewSet, basename="sales-goal")
router.register("sales/commission-rules", sales.CommissionRuleViewSet, basename="commission-rule")
router.register("sales/commissions", sales.CommissionViewSet, basename="commission")
router.register("sales/sales", sales.SaleViewSet, basename="sale")

urlpatterns = [
    path(
        "messaging/callbacks/<str:channel>/",
        messaging.ProviderCallbackView.as_view(),
        name="messaging-callback",
    ),
    path("sales/progress/", sales.SalesProgressView.as_view(), name="sales-progress"),
    path("sales/rankings/", sales.SalesRankingView.as_view(), name="sales-rankings"),
    path("viability/", viability.ViabilityView.as_view(), name="viability"),
    *router.urls,
]
