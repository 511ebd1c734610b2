from django.urls import path
from django.views.i18n import JavaScriptCatalog

from .views import billing, dispatch, fieldops_reports, reports, sales, sales_pipeline, tech

app_name = "frontend"

urlpatterns = [
    path("", dispatch.home, name="home"),
    path("overview/map/", dispatch.overview_map, name="overview-map"),
    path("map/", dispatch.dispatch_map, name="map"),
    path("campaigns/", dispatch.campaign_list, name="campaign-list"),
    path("campaigns/<int:pk>/", dispatch.campaign_report, name="campaign-report"),
    path("sales/viability/", sales.viability, name="sales-viability"),
    path("sales/pipeline/", sales_pipeline.pipeline, name="sales-pipeline"),
    path("sales/leads/map/", sales_pipeline.leads_map, name="sales-leads-map"),
    path("sales/leads/<int:pk>/", sales_pipeline.lead_detail, name="sales-lead"),
    path("sales/goals/", sales_pipeline.goals, name="sales-goals"),
    path("widget/viability/<str:public_key>/", sales.viability_widget, name="viability-widget"),
    path("clients/<int:person_id>/finance/", billing.client_finance, name="client-finance"),
    path("reports/field/", fieldops_reports.field_reports, name="field-reports"),
    path("reports/clients/map/", reports.client_locations_report, name="client-locations-report"),
    path(
        "reports/route-sheet/<int:technician_id>/<str:date>/", fieldops_reports.route_sheet, name="route-sheet"
    ),
    path("tech/", tech.route, name="tech"),
    path("tech/manifest.webmanifest", tech.manifest, name="tech-manifest"),
    path("tech/sw.js", tech.service_worker, name="tech-sw"),
    # Strings of our JavaScript (djangojs domain), for gettext() in the browser.
    path("jsi18n/", JavaScriptCatalog.as_view(), name="jsi18n"),
]
