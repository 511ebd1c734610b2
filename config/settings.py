"""Malha settings. Everything a deployment changes comes from the environment.

Defaults point at the project's own services started by `make services`
(scripts/env.sh): PostGIS on 127.0.0.1:55432, Redis on 127.0.0.1:56379 and the
SMTP sink on 127.0.0.1:8025.
"""
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("MALHA_VAR", BASE_DIR / ".var"))


def env_bool(name, default=False):
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key():
    """SECRET_KEY from the environment; in development a random one kept in .var/."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.gis",
    "rest_framework",
    "knox",
    "rest_framework_gis",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "gis",
    "crm.people",
    "crm.messaging",
    "billing",
    "fieldops",
    "routing",
    "crm.sales",
    "frontend",
    # Tooling on top of every app, imported by none: the demo city and the benchmarks.
    "demo",
    "bench",
    # Last: its post_migrate hook syncs role permissions once every app has its own.
    "core",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "postgis://malha@127.0.0.1:55432/malha"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DATABASES["default"]["ENGINE"] = "django.contrib.gis.db.backends.postgis"
# Two test runs side by side on one server need two test databases (default: test_<name>).
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("MALHA_TEST_DATABASE")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:56379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "malha",
    }
}
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        # channels_redis waits 5 s in BZPOPMIN and redis-py 8 gives up reading after 5 s by
        # default: the two race, and an idle consumer dies with a TimeoutError. Read longer.
        "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 30}]},
    }
}

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", REDIS_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "America/Sao_Paulo"
# Beat writes its schedule file after every task it sends (celery's default is every 3 min),
# so a beat killed right after firing a job does not fire it again when it restarts.
CELERY_BEAT_SYNC_EVERY = 1
CELERY_BEAT_SCHEDULE = {
    # Low-zoom client/contract map cells follow contract changes (gis/tiles.py).
    "refresh-tile-cells": {"task": "gis.tasks.refresh_tile_cells_task", "schedule": 30.0},
    # Billing: last month's invoices on the 1st, the overdue-suspension job every morning.
    "billing-monthly-invoices": {
        "task": "billing.tasks.run_monthly_invoices_task",
        "schedule": crontab(minute=0, hour=3, day_of_month=1),
    },
    "billing-overdue-suspensions": {
        "task": "billing.tasks.run_overdue_suspensions_task",
        "schedule": crontab(minute=0, hour=6),
    },
    # Billing collection: reminders every morning, bureau listings of settled debts cleared,
    # last year's debt-clearance declarations every month (those who paid up late get theirs).
    "billing-dunning": {
        "task": "billing.tasks.run_dunning_task",
        "schedule": crontab(minute=0, hour=9),
    },
    "billing-bureau-clear-settled": {
        "task": "billing.tasks.clear_settled_bureau_records_task",
        "schedule": crontab(minute=30, hour=6),
    },
    "billing-clearance-declarations": {
        "task": "billing.tasks.issue_clearance_declarations_task",
        "schedule": crontab(minute=0, hour=4, day_of_month=2),
    },
    # Sales: proposals past their validity become expired.
    "sales-expire-proposals": {
        "task": "crm.sales.tasks.expire_proposals_task",
        "schedule": crontab(minute=10, hour=0),
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "frontend:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "pt-br"
LANGUAGES = [("pt-br", _("Portuguese (Brazil)")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Sao_Paulo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Browser libraries from npm (package.json), copied here by scripts/bootstrap.sh.
STATICFILES_DIRS = [BASE_DIR / "frontend" / "vendor-static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "8025"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Malha <noreply@malha.local>")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "knox.auth.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.permissions.RoleModelPermissions"],
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.StandardPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "60/minute", "user": "6000/minute"},
    # Reverse proxies in front that append X-Forwarded-For; unset: the header is ignored and
    # limits key on the peer address (core.lockout.client_ip).
    "NUM_PROXIES": int(os.environ["MALHA_NUM_PROXIES"]) if os.environ.get("MALHA_NUM_PROXIES") else None,
}
# API tokens (django-rest-knox): a new one per sign-in, sent as `Authorization: Token <key>`,
# stored hashed, ending after MALHA_TOKEN_TTL seconds (default a week).
REST_KNOX = {
    "TOKEN_TTL": timedelta(seconds=int(os.environ.get("MALHA_TOKEN_TTL", str(7 * 24 * 3600)))),
    "AUTH_HEADER_PREFIX": "Token",
}
# Sign-in lockout (core.lockout), on every path that authenticates a password: after
# MALHA_LOGIN_FAILURE_LIMIT misses on one account from one peer (or
# MALHA_LOGIN_IP_FAILURE_LIMIT on any accounts), that peer is refused, right password
# included, for MALHA_LOGIN_COOLOFF seconds.
AUTHENTICATION_BACKENDS = ["core.lockout.LockoutModelBackend"]
MALHA_LOGIN_FAILURE_LIMIT = int(os.environ.get("MALHA_LOGIN_FAILURE_LIMIT", "5"))
MALHA_LOGIN_IP_FAILURE_LIMIT = int(os.environ.get("MALHA_LOGIN_IP_FAILURE_LIMIT", "30"))
MALHA_LOGIN_COOLOFF = int(os.environ.get("MALHA_LOGIN_COOLOFF", "900"))
# Password reset e-mails per peer and per address within MALHA_PASSWORD_RESET_WINDOW seconds.
MALHA_PASSWORD_RESET_LIMIT = int(os.environ.get("MALHA_PASSWORD_RESET_LIMIT", "3"))
MALHA_PASSWORD_RESET_WINDOW = int(os.environ.get("MALHA_PASSWORD_RESET_WINDOW", "3600"))
SPECTACULAR_SETTINGS = {
    "TITLE": "Malha API",
    "DESCRIPTION": "Clients, contracts, fibre plant, service orders and routes of an ISP.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # The API map of an internal system is for its users only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI and Redoc from the installed drf-spectacular-sidecar: no CDN, works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One schema name per choice set that several fields share.
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "fieldops.choices.OrderStatus",
        "OrderEventKindEnum": "fieldops.choices.EventKind",
        "AttachmentKindEnum": "fieldops.choices.AttachmentKind",
        "ContractStatusEnum": "billing.choices.ContractStatus",
        "SuspensionKindEnum": "billing.choices.SuspensionKind",
        "InvoiceStatusEnum": "billing.choices.InvoiceStatus",
        "RetentionStatusEnum": "billing.choices.RetentionStatus",
        "ReturnRecordStatusEnum": "billing.choices.ReturnRecordStatus",
        "RoutePlanStatusEnum": "routing.choices.PlanStatus",
        "LeadStageEnum": "crm.sales.choices.LeadStage",
        "ProposalStatusEnum": "crm.sales.choices.ProposalStatus",
        "ChannelEnum": "crm.messaging.choices.Channel",
    },
}

# GIS: the demo city and where OSM data is read from (never copied into the repository).
MALHA_SHARED_DATA = Path(os.environ.get("MALHA_SHARED_DATA", BASE_DIR.parent / "shared" / "data"))
MALHA_DEMO_OSM = Path(os.environ.get("MALHA_DEMO_OSM", MALHA_SHARED_DATA / "osm" / "poa_osm.pbf"))
MALHA_DEMO_POPULATION = Path(
    os.environ.get("MALHA_DEMO_POPULATION", MALHA_SHARED_DATA / "osm" / "poa_hexgrid.csv")
)
# Where maps open by default (lon, lat): the demo city, Porto Alegre.
MALHA_MAP_CENTER = tuple(
    float(v) for v in os.environ.get("MALHA_MAP_CENTER", "-51.2200,-30.0330").split(",")
)
# Metric projection for buffers and lengths: SIRGAS 2000 / UTM zone 22S (Porto Alegre).
MALHA_METRIC_SRID = int(os.environ.get("MALHA_METRIC_SRID", "31982"))
# Where points and areas may lie (lon_min,lat_min,lon_max,lat_max): Brazil and its neighbours,
# the region the metric projection above handles; anything else is refused at the edge.
MALHA_SUPPORTED_REGION = tuple(
    float(v) for v in os.environ.get("MALHA_SUPPORTED_REGION", "-82,-56,-28,14").split(",")
)
# Polygon selection (gis/selection.py): the largest area one selection may cover (geodesic km²).
MALHA_SELECTION_MAX_AREA_KM2 = float(os.environ.get("MALHA_SELECTION_MAX_AREA_KM2", "500"))
# ... and the widest and tallest it may be (degrees of its bounding box), checked before any
# query: a thin sliver across the continent has little area but costs seconds to select.
MALHA_SELECTION_MAX_SPAN_DEG = float(os.environ.get("MALHA_SELECTION_MAX_SPAN_DEG", "5"))
# Geocoding (gis/geocoding.py): where street numbering starts when no numbered address is
# known on a street (the end nearer this point, lon,lat; the city's historic centre), and
# the confidence a geocoded point needs to be stored on an address typed without one.
MALHA_GEOCODING_ORIGIN = tuple(
    float(v) for v in os.environ.get("MALHA_GEOCODING_ORIGIN", "-51.2300,-30.0280").split(",")
)
MALHA_GEOCODING_MIN_CONFIDENCE = float(os.environ.get("MALHA_GEOCODING_MIN_CONFIDENCE", "0.5"))

# Vector tiles (gis/tiles.py). Below the detail zoom a layer ships aggregate cells
# (CLUSTER_GRID x CLUSTER_GRID per tile, a power of two) instead of its points.
MALHA_TILE_DETAIL_ZOOM = int(os.environ.get("MALHA_TILE_DETAIL_ZOOM", "14"))  # clients, contracts
MALHA_TILE_ORDERS_DETAIL_ZOOM = int(os.environ.get("MALHA_TILE_ORDERS_DETAIL_ZOOM", "11"))
MALHA_TILE_CLUSTER_GRID = int(os.environ.get("MALHA_TILE_CLUSTER_GRID", "16"))
# A client/contract tile holding more points than this is aggregated even at detail zooms.
MALHA_TILE_MAX_POINTS = int(os.environ.get("MALHA_TILE_MAX_POINTS", "10000"))
# Seconds the client/contract aggregate cells may lag behind contract changes.
MALHA_TILE_CELLS_MAX_STALE = int(os.environ.get("MALHA_TILE_CELLS_MAX_STALE", "60"))
MALHA_TILE_STREETS_MAX_AGE = int(os.environ.get("MALHA_TILE_STREETS_MAX_AGE", "86400"))
# A hosted MapLibre style for the base map; empty = our offline `streets` tiles.
MALHA_BASEMAP_STYLE_URL = os.environ.get("MALHA_BASEMAP_STYLE_URL", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

if not DEBUG:
    SESSION_COOKIE_HTTPONLY = True
    CSRF_COOKIE_HTTPONLY = False
    X_FRAME_OPTIONS = "DENY"

# Sessions end after a working day (seconds), not Django's two weeks.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(12 * 3600)))
# Behind TLS (any real deployment) set MALHA_HTTPS=1: secure cookies, HTTPS redirect and
# HSTS follow, each overridable on its own. Off by default only because `make run` serves
# plain HTTP on loopback.
MALHA_HTTPS = env_bool("MALHA_HTTPS", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", MALHA_HTTPS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", MALHA_HTTPS)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", MALHA_HTTPS)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if MALHA_HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", MALHA_HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# A TLS-terminating proxy in front says so with X-Forwarded-Proto (only trust it there).
if env_bool("MALHA_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Debian 12 ships GDAL 3.6, which cannot block file/network access in spatial
# references. User geometry never reaches GDAL: API GeoJSON is parsed by shapely
# into WKB (core.fields.GeometryField), so the warning does not apply.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# Road network (import_osm): free-flow speeds a technician's car keeps in town, by OSM
# highway class, in km/h. A numeric maxspeed tag lowers a class speed, never raises it.
MALHA_ROAD_SPEEDS_KMH = {
    "motorway": 80, "motorway_link": 50,
    "trunk": 60, "trunk_link": 40,
    "primary": 45, "primary_link": 35,
    "secondary": 40, "secondary_link": 30,
    "tertiary": 35, "tertiary_link": 30,
    "unclassified": 30, "residential": 30, "road": 25,
    "living_street": 15, "service": 15,
}

# Routing (issue 4): a stop farther than MAX_SNAP_M from any street is not snapped and
# gets straight-line estimates (distance x DETOUR_FACTOR at FALLBACK_SPEED_KMH), labelled.
MALHA_ROUTING_MAX_SNAP_M = float(os.environ.get("MALHA_ROUTING_MAX_SNAP_M", "500"))
MALHA_ROUTING_FALLBACK_SPEED_KMH = float(os.environ.get("MALHA_ROUTING_FALLBACK_SPEED_KMH", "20"))
MALHA_ROUTING_DETOUR_FACTOR = float(os.environ.get("MALHA_ROUTING_DETOUR_FACTOR", "1.4"))
MALHA_ROUTING_MATRIX_CACHE_SECONDS = int(os.environ.get("MALHA_ROUTING_MATRIX_CACHE_SECONDS", "86400"))
# Leaving out a normal-priority order costs as much as this much driving (doubled per
# priority step, +50% per day past its SLA): below it the optimiser drops orders.
MALHA_ROUTING_DROP_PENALTY_SECONDS = int(os.environ.get("MALHA_ROUTING_DROP_PENALTY_SECONDS", "10800"))
# Route plans: the optimiser's time budget a dispatcher may ask for, and how often its
# progress goes out over Channels.
MALHA_ROUTING_PLAN_MIN_SECONDS = int(os.environ.get("MALHA_ROUTING_PLAN_MIN_SECONDS", "1"))
MALHA_ROUTING_PLAN_MAX_SECONDS = int(os.environ.get("MALHA_ROUTING_PLAN_MAX_SECONDS", "600"))
MALHA_ROUTING_PLAN_DEFAULT_SECONDS = int(os.environ.get("MALHA_ROUTING_PLAN_DEFAULT_SECONDS", "30"))
MALHA_ROUTING_PROGRESS_INTERVAL_S = float(os.environ.get("MALHA_ROUTING_PROGRESS_INTERVAL_S", "0.5"))
# A re-run mid-day starts a technician from their last GPS fix when it is at most this old.
MALHA_ROUTING_POSITION_MAX_AGE_MINUTES = int(os.environ.get("MALHA_ROUTING_POSITION_MAX_AGE_MINUTES", "30"))

# Field operations. SLA: hours from opening (or reopening) to the deadline, by order type
# and priority (low, normal, high, urgent).
MALHA_ORDER_SLA_HOURS = {
    "installation": (168, 120, 72, 48),
    "repair": (72, 48, 24, 8),
    "removal": (240, 168, 120, 72),
    "maintenance": (168, 96, 48, 24),
    "visit": (168, 120, 72, 24),
}
MALHA_ATTACHMENT_MAX_BYTES = int(os.environ.get("MALHA_ATTACHMENT_MAX_BYTES", str(8 * 1024 * 1024)))
# A technician's phone reports at most one position per this many seconds; the last N are kept.
MALHA_POSITION_MIN_INTERVAL_SECONDS = int(os.environ.get("MALHA_POSITION_MIN_INTERVAL_SECONDS", "15"))
MALHA_POSITION_HISTORY = int(os.environ.get("MALHA_POSITION_HISTORY", "500"))

# Password of every demo user created by load_demo (demo data, not a secret).
MALHA_DEMO_PASSWORD = os.environ.get("MALHA_DEMO_PASSWORD", "malha-demo")

# Messaging (crm.messaging): campaigns over e-mail, SMS and WhatsApp. Secrets only from the
# environment. E-mail goes to EMAIL_* (the local SMTP sink by default); SMS and WhatsApp
# have no gateway until MESSAGING_SMS_BACKEND / MESSAGING_WHATSAPP_BACKEND are set.
def _messaging_rate(prefix, per_second="0", per_hour="0", per_day="0"):
    return {
        "per_second": float(os.environ.get(f"{prefix}_PER_SECOND", per_second)),
        "per_hour": int(os.environ.get(f"{prefix}_PER_HOUR", per_hour)),
        "per_day": int(os.environ.get(f"{prefix}_PER_DAY", per_day)),
    }


MESSAGING_PROVIDERS = {
    "email": {
        "backend": "smtp",
        "rate": _messaging_rate("MESSAGING_EMAIL_RATE"),
    },
    "sms": {
        "backend": os.environ.get("MESSAGING_SMS_BACKEND", ""),  # generic_sms | zenvia_sms
        "base_url": os.environ.get("MESSAGING_SMS_BASE_URL", ""),
        "token": os.environ.get("MESSAGING_SMS_TOKEN", ""),
        "sender": os.environ.get("MESSAGING_SMS_SENDER", "Malha"),
        "rate": _messaging_rate("MESSAGING_SMS_RATE"),
    },
    "whatsapp": {
        "backend": os.environ.get("MESSAGING_WHATSAPP_BACKEND", ""),  # whatsapp_cloud
        "base_url": os.environ.get("MESSAGING_WHATSAPP_BASE_URL", "https://graph.facebook.com"),
        "token": os.environ.get("MESSAGING_WHATSAPP_TOKEN", ""),
        "phone_number_id": os.environ.get("MESSAGING_WHATSAPP_PHONE_NUMBER_ID", ""),
        "template": os.environ.get("MESSAGING_WHATSAPP_TEMPLATE", "malha_notice"),
        "rate": _messaging_rate("MESSAGING_WHATSAPP_RATE"),
    },
}
# Shared secret of delivery callbacks (HMAC-SHA256 of "<timestamp>." + body, see
# docs/messaging.md); WhatsApp signs with the app secret. A callback whose timestamp is
# further than MAX_AGE seconds from now is refused, and so is one received before.
MESSAGING_WEBHOOK_SECRET = os.environ.get("MESSAGING_WEBHOOK_SECRET", "")
MESSAGING_WEBHOOK_MAX_AGE_SECONDS = int(os.environ.get("MESSAGING_WEBHOOK_MAX_AGE_SECONDS", "300"))
MESSAGING_WHATSAPP_APP_SECRET = os.environ.get("MESSAGING_WHATSAPP_APP_SECRET", "")
# The token typed in Meta's webhook settings; the GET handshake echoes the challenge only for it.
MESSAGING_WHATSAPP_VERIFY_TOKEN = os.environ.get("MESSAGING_WHATSAPP_VERIFY_TOKEN", "")
MESSAGING_SMS_MAX_SEGMENTS = int(os.environ.get("MESSAGING_SMS_MAX_SEGMENTS", "4"))
MESSAGING_BATCH_SIZE = int(os.environ.get("MESSAGING_BATCH_SIZE", "200"))
MESSAGING_MAX_ATTEMPTS = int(os.environ.get("MESSAGING_MAX_ATTEMPTS", "5"))
MESSAGING_RETRY_BASE_SECONDS = float(os.environ.get("MESSAGING_RETRY_BASE_SECONDS", "30"))
# A batch stops after this long and hands the rest to a new task; a claim older than the
# lease belongs to a dead worker and is taken over (lease > budget + one provider timeout).
MESSAGING_BATCH_BUDGET_SECONDS = float(os.environ.get("MESSAGING_BATCH_BUDGET_SECONDS", "20"))
MESSAGING_CLAIM_LEASE_SECONDS = int(os.environ.get("MESSAGING_CLAIM_LEASE_SECONDS", "60"))
MESSAGING_HTTP_TIMEOUT = float(os.environ.get("MESSAGING_HTTP_TIMEOUT", "10"))
MESSAGING_RATE_LIMIT_PREFIX = os.environ.get("MESSAGING_RATE_LIMIT_PREFIX", "malha:ratelimit")
# Absolute links in messages (e-mail opt-out) point here.
MALHA_PUBLIC_URL = os.environ.get("MALHA_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# Billing collection (billing.dunning, billing.links): missed reminders are caught up for
# this many days; links to invoice and declaration PDFs in messages expire after this many.
BILLING_DUNNING_CATCH_UP_DAYS = int(os.environ.get("BILLING_DUNNING_CATCH_UP_DAYS", "3"))
BILLING_PUBLIC_LINK_DAYS = int(os.environ.get("BILLING_PUBLIC_LINK_DAYS", "120"))
# Kombu's Redis transport redelivers an unacknowledged task (worker killed) after this.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))
}

# Sales (crm.sales): the largest discount a sales rep may give on a plan's monthly price
# (administrators have no limit), and how many days a new proposal is valid by default.
MALHA_SALES_MAX_DISCOUNT_PERCENT = int(os.environ.get("MALHA_SALES_MAX_DISCOUNT_PERCENT", "10"))
MALHA_SALES_PROPOSAL_VALID_DAYS = int(os.environ.get("MALHA_SALES_PROPOSAL_VALID_DAYS", "10"))
# Viability (crm.sales.viability): the longest drop, walked along the streets from the box
# (a request may ask for less, never more). The public widget's API: requests per IP
# (DRF rate, e.g. "20/minute") and an optional CAPTCHA check, the dotted path of a
# function(token, ip) -> bool (empty: none asked).
MALHA_MAX_DROP_M = float(os.environ.get("MALHA_MAX_DROP_M", "250"))
MALHA_PUBLIC_VIABILITY_RATE = os.environ.get("MALHA_PUBLIC_VIABILITY_RATE", "20/minute")
MALHA_CAPTCHA_VERIFIER = os.environ.get("MALHA_CAPTCHA_VERIFIER", "")
