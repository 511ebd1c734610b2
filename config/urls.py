from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter
from rest_framework.urlpatterns import format_suffix_patterns

from billing.views import public_document
from core.forms import LockoutAdminAuthenticationForm
from core.views import LoginView, ObtainAuthToken, PasswordResetView, TokenList, TokenLogout, TokenRevoke
from crm.messaging.api import urls as messaging_api
from crm.messaging.views import opt_out
from crm.people.api import urls as people_api
from crm.sales.api import urls as sales_api
from crm.sales.views import proposal_file, proposal_page
from fieldops.views import attachment_file

# People, messaging and sales share /api/crm/, its root view and the "crm-api" URL names they
# had as one app.
crm_apps = (people_api, messaging_api, sales_api)
crm_root = DefaultRouter()
crm_root.registry = [entry for app in crm_apps for entry in app.router.registry]
crm_api = [
    *format_suffix_patterns(
        [path("", crm_root.get_api_root_view(), name=crm_root.root_view_name)]
    ),
    *(pattern for app in crm_apps for pattern in app.urlpatterns),
]

api_patterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("auth/token/", ObtainAuthToken.as_view(), name="api-token"),
    path("auth/logout/", TokenLogout.as_view(), name="api-logout"),
    path("auth/tokens/", TokenList.as_view(), name="api-tokens"),
    path("auth/tokens/<str:token_key>/", TokenRevoke.as_view(), name="api-token-revoke"),
    path("crm/", include((crm_api, "crm-api"))),
    path("billing/", include("billing.api.urls")),
    path("fieldops/", include("fieldops.api.urls")),
    path("gis/", include("gis.api.urls")),
    path("routing/", include("routing.api.urls")),
    path("public/", include("crm.sales.api.public_urls")),
]

# The admin's sign-in says so when core.lockout refuses the caller.
admin.site.login_form = LockoutAdminAuthenticationForm

urlpatterns = [
    path("api/", include(api_patterns)),
    path("tiles/", include("gis.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("optout/<str:token>/", opt_out, name="messaging-opt-out"),
    path("documents/<str:token>/", public_document, name="billing-public-document"),
    path("proposal/<str:token>/", proposal_page, name="sales-proposal"),
    path("admin/", admin.site.urls),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/", auth_views.PasswordResetDoneView.as_view(template_name="frontend/password_reset_done.html"), name="password_reset_done"
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="frontend/password_reset_confirm.html"
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="frontend/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("", include("frontend.urls")),
    # Uploads only through views that check who may see them: no public MEDIA.
    path(f"{settings.MEDIA_URL.strip('/')}/fieldops/<path:path>", attachment_file, name="fieldops-attachment"),
    path(f"{settings.MEDIA_URL.strip('/')}/crm/proposals/<path:path>", proposal_file, name="proposal-file"),
]
