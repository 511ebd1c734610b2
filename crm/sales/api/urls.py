"""Sales endpoints, served under /api/crm/ with people's and messaging's (config.urls)."""

from django.urls import path
from rest_framework.routers import SimpleRouter
from rest_framework.urlpatterns import format_suffix_patterns

from .views import goals, leads, proposals, viability

# config.urls gives /api/crm/ its root view over the three apps' routers.
router = SimpleRouter()
router.register("leads", leads.LeadViewSet, basename="lead")
router.register("proposals", proposals.ProposalViewSet, basename="proposal")
router.register("sales/channels", goals.SalesChannelViewSet, basename="sales-channel")
router.register("sales/teams", goals.SalesTeamViewSet, basename="sales-team")
router.register("sales/goals", goals.SalesGoalViewSet, basename="sales-goal")
router.register("sales/commission-rules", goals.CommissionRuleViewSet, basename="commission-rule")
router.register("sales/commissions", goals.CommissionViewSet, basename="commission")
router.register("sales/sales", goals.SaleViewSet, basename="sale")

urlpatterns = [
    path("sales/progress/", goals.SalesProgressView.as_view(), name="sales-progress"),
    path("sales/rankings/", goals.SalesRankingView.as_view(), name="sales-rankings"),
    path("viability/", viability.ViabilityView.as_view(), name="viability"),
    *format_suffix_patterns(router.urls),
]
