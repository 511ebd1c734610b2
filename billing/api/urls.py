from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

app_name = "billing-api"

router = DefaultRouter()
router.register("plans", views.PlanViewSet, basename="plan")
router.register("contracts", views.ContractViewSet, basename="contract")
router.register("wallets", views.WalletViewSet, basename="wallet")
router.register("charges", views.ChargeViewSet, basename="charge")
router.register("cancellation-requests", views.CancellationRequestViewSet, basename="cancellationrequest")
router.register("invoices", views.InvoiceViewSet, basename="invoice")
router.register("payments", views.PaymentViewSet, basename="payment")
router.register("return-files", views.ReturnFileViewSet, basename="returnfile")
router.register("return-records", views.ReturnRecordViewSet, basename="returnrecord")
router.register("fiscal-series", views.FiscalSeriesViewSet, basename="fiscalseries")
router.register("fiscal-documents", views.FiscalDocumentViewSet, basename="fiscaldocument")
router.register("dunning-rules", views.DunningRuleViewSet, basename="dunningrule")
router.register("dunning-notices", views.DunningNoticeViewSet, basename="dunningnotice")
router.register("bureau-records", views.BureauRecordViewSet, basename="bureaurecord")
router.register("clearance-declarations", views.DeclarationViewSet, basename="clearancedeclaration")

urlpatterns = [
    path("clients/<int:person_id>/panel/", views.FinancialPanelView.as_view(), name="client-panel"),
    path("panel/<int:person_id>/", views.FinancialPanelView.as_view(), name="financial-panel"),
    *router.urls,
]
