"""telcrm settings: one module, configured only by TELCRM_* environment variables.

Embedded mode (the default) needs nothing but Python: SQLite under var/, a file cache shared by the
server and the worker, a Celery broker on a second SQLite file (kombu's SQLAlchemy transport).
Production sets TELCRM_DATABASE_URL (PostgreSQL) and TELCRM_REDIS_URL (cache, channel layer and
task queue). The README lists every variable.
"""

from __future__ import annotations

import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url

SRC_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = SRC_DIR.parent
VAR_DIR = Path(os.environ.get("TELCRM_VAR_DIR", BASE_DIR / "var"))


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"TELCRM_{name}", default)


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


def _local_secret(filename: str, nbytes: int) -> str:
    """Embedded mode only: a secret generated once and kept under var/ (never in the repository)."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / filename
    if not path.exists():
        path.write_text(secrets.token_urlsafe(nbytes))
        path.chmod(0o600)
    return path.read_text().strip()


TESTING = env_bool("TESTING", "pytest" in sys.modules)
DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env("SECRET_KEY") or _local_secret("secret_key", 50)
# AES-GCM key material for PII at rest and the HMAC blind index (platform/crypto.py derives both).
PII_KEY = env("PII_KEY") or _local_secret("pii_key", 32)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
    "django_htmx",
    "template_partials",
    "simple_history",
    "axes",
    "channels",
    "telcrm.platform",
    "telcrm.customers",
    "telcrm.catalog",
    "telcrm.catalog.rules",
    "telcrm.resources",
    "telcrm.resources.stock",
    "telcrm.resources.coverage",
    "telcrm.integration",
    "telcrm.orders",
    "telcrm.knowledge",
    "telcrm.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "telcrm.platform.middleware.RejectNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "telcrm.platform.middleware.RequestContextMiddleware",
    "telcrm.platform.middleware.UserLanguageMiddleware",
    "telcrm.platform.middleware.SessionIdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "telcrm.urls"
ASGI_APPLICATION = "telcrm.asgi.application"
WSGI_APPLICATION = "telcrm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "telcrm.web.context_processors.navigation",
            ],
            "builtins": ["django.templatetags.i18n", "template_partials.templatetags.partials"],
        },
    }
]

# --- database -------------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'telcrm.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(env("DB_CONN_MAX_AGE", "60")))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the server read while the worker writes; IMMEDIATE avoids upgrade deadlocks.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": env("TEST_DB_NAME") or None}
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"]["TEST"] = {"NAME": env("TEST_DB_NAME") or None}
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache, channels, tasks -----------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if TESTING and REDIS_URL and env_bool("TEST_USE_REDIS"):
    # Parallel test workers each get their own Redis database, so one worker's cache.clear()
    # never touches another's keys.
    _worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    _db = 8 + int("".join(ch for ch in _worker if ch.isdigit()) or 0) % 8
    REDIS_URL = REDIS_URL.rsplit("/", 1)[0] + f"/{_db}" if REDIS_URL.count("/") >= 3 else f"{REDIS_URL}/{_db}"
if TESTING and not env_bool("TEST_USE_REDIS"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_PREFIX", "telcrm"),
        }
    }
else:
    # Shared by the server and the worker processes of the embedded mode.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

if REDIS_URL and not TESTING:
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# The servers we ship are ASGI (uvicorn), so pages open the notification websocket; the WSGI test
# server of the browser tests has none.
WEBSOCKETS = env_bool("WEBSOCKETS", not TESTING)

CELERY_BROKER_URL = env("BROKER_URL") or REDIS_URL or f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}"
CELERY_TASK_ALWAYS_EAGER = env_bool("TASKS_EAGER", TESTING)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the message to be redelivered
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True  # progress and results live in platform.Job rows
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "platform-heartbeat": {"task": "platform.heartbeat", "schedule": timedelta(seconds=30)},
    "platform-expire-tokens": {"task": "platform.expire_api_tokens", "schedule": timedelta(hours=1)},
    "platform-reap-stale-jobs": {"task": "platform.reap_stale_jobs", "schedule": timedelta(minutes=5)},
    "customers-sync-accounts": {"task": "customers.sync_stale_accounts", "schedule": timedelta(minutes=10)},
    "resources-expire-reservations": {
        "task": "resources.expire_reservations",
        "schedule": timedelta(minutes=1),
    },
    "resources-finish-quarantine": {"task": "resources.finish_quarantine", "schedule": timedelta(hours=1)},
    "stock-check-low-stock": {"task": "stock.check_low_stock", "schedule": timedelta(minutes=30)},
    "catalog-expire-group-tariffs": {"task": "catalog.expire_group_tariffs", "schedule": timedelta(hours=6)},
    # the outbox: every commit that writes to it wakes the dispatcher too (integration/kick.py)
    "integration-dispatch": {"task": "integration.dispatch", "schedule": timedelta(seconds=10)},
    "integration-purge": {"task": "integration.purge", "schedule": timedelta(hours=24)},
    # processes: due timers, retries and idle running instances; work-order SLA warnings and alerts
    "orders-fire-due": {"task": "orders.fire_due", "schedule": timedelta(minutes=1)},
    "orders-check-work-order-sla": {"task": "orders.check_work_order_sla", "schedule": timedelta(minutes=1)},
    # pending installations: appointments whose window passed without arrival or result
    "orders-check-installations": {"task": "orders.check_installations", "schedule": timedelta(minutes=5)},
}


# --- adapters to billing and the network, webhooks (integration/adapters/__init__.py) ---------------
def _adapter(system: str) -> dict:
    url = env(f"{system}_URL", "") or ""
    return {
        "kind": (env(f"{system}_ADAPTER") or ("http" if url else "simulator")).strip().lower(),
        "url": url.strip(),
        "token": env(f"{system}_TOKEN", "") or "",
        "connect_timeout": float(env(f"{system}_CONNECT_TIMEOUT", "5")),
        "read_timeout": float(env(f"{system}_READ_TIMEOUT") or env(f"{system}_TIMEOUT") or "30"),
    }


INTEGRATION_ADAPTERS = {"billing": _adapter("BILLING"), "network": _adapter("NETWORK")}
INTEGRATION_WEBHOOK_TIMEOUTS = (
    float(env("WEBHOOK_CONNECT_TIMEOUT", "5")),
    float(env("WEBHOOK_READ_TIMEOUT", "10")),
)
# Webhook callbacks into private / loopback networks are refused unless allowed (SSRF).
INTEGRATION_WEBHOOK_ALLOW_PRIVATE = env_bool("WEBHOOK_ALLOW_PRIVATE", False)

# --- auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "platform.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "telcrm.platform.auth.RoleBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Lockout after repeated failures (django-axes); both numbers are system parameters.
AXES_FAILURE_LIMIT = "telcrm.platform.auth.lockout_failure_limit"
AXES_COOLOFF_TIME = "telcrm.platform.auth.lockout_cooloff"
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "telcrm.platform.auth.lockout_response"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Lockout is per account, not per IP: a branch's clerks share one NAT address (docs/decisions/0003).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = int(env("SESSION_MAX_AGE", str(12 * 3600)))  # absolute; idle timeout is a parameter
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- security (production: TELCRM_HTTPS=1 behind a TLS-terminating proxy) ----------------------
HTTPS = env_bool("HTTPS", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(env("HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = env("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [SRC_DIR / "telcrm" / "locale"]

# --- static ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve straight from app static dirs when collectstatic was not run
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "telcrm.platform.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "telcrm.platform.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "EXCEPTION_HANDLER": "telcrm.platform.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"auth": "30/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "telcrm API",
    "DESCRIPTION": "REST API of telcrm, the CRM for telecom operators. Authenticate with "
    "POST /api/v1/auth/token and send `Authorization: Bearer <token>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the npm package copied by `make setup`, never from a CDN.
    "SWAGGER_UI_DIST": "/static/vendor/swagger-ui",
    "SWAGGER_UI_FAVICON_HREF": "/static/vendor/swagger-ui/favicon-32x32.png",
    # Choice sets sharing a field name ("kind", "status") get stable component names.
    "ENUM_NAME_OVERRIDES": {
        "OrgKindEnum": "telcrm.platform.models.OrgKind",
        "HolidayKindEnum": "telcrm.platform.models.HolidayKind",
        "AuditKindEnum": "telcrm.platform.models.AuditKind",
        "NumberStateEnum": "telcrm.resources.models.NumberState",
        "NumberRuleKindEnum": "telcrm.resources.models.RuleKind",
        "SimKindEnum": "telcrm.resources.stock.models.SimKind",
        "TransferStatusEnum": "telcrm.resources.stock.models.TransferStatus",
        "StockCountStatusEnum": "telcrm.resources.stock.models.CountStatus",
        "ElementStatusEnum": "telcrm.resources.coverage.models.ElementStatus",
        "ElementKindEnum": "telcrm.resources.coverage.models.ElementKind",
        "TechnologyEnum": "telcrm.resources.coverage.models.Technology",
        "LifecycleStatusEnum": "telcrm.catalog.models.common.LifecycleStatus",
        "SpecKindEnum": "telcrm.catalog.models.common.SpecKind",
        "OfferingKindEnum": "telcrm.catalog.models.common.OfferingKind",
        "TariffKindEnum": "telcrm.catalog.models.common.TariffKind",
        "TariffStatusEnum": "telcrm.catalog.models.common.TariffStatus",
        "CatalogRuleKindEnum": "telcrm.catalog.rules.models.RuleKind",
        "CatalogRuleVersionStatusEnum": "telcrm.catalog.rules.models.VersionStatus",
        "OutboxStateEnum": "telcrm.integration.models.outbox.State",
        "ProcessVersionStateEnum": "telcrm.orders.models.process.VersionState",
        "ProcessInstanceStateEnum": "telcrm.orders.models.process.InstanceState",
        "WorkOrderStateEnum": "telcrm.orders.workorder_states.WorkOrderState",
    },
}
API_TOKEN_TTL = timedelta(hours=int(env("API_TOKEN_TTL_HOURS", "12")))

# --- logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING" if TESTING else "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
