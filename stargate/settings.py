"""StarGate settings: one env-driven module, two run modes.

Embedded (default): SQLite, in-memory channel layer, django-q2 on the ORM broker. Nothing to install
beyond the Python packages. Production (STARGATE_MODE=production): PostgreSQL from
STARGATE_DATABASE_URL, Redis from STARGATE_REDIS_URL for the channel layer, the q2 broker and the
cache. Every variable is listed, with its default, in the README's configuration table.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import os
from pathlib import Path
from typing import Any

import django_stubs_ext

from stargate.lib.env import (
    check_redis_url,
    envbool,
    envfloat,
    envint,
    envlist,
    envsecret,
    envstr,
    parse_database_url,
    problem,
    problems_collect,
    problems_report,
    secret_key_weakness,
)

# Every missing or malformed variable is collected, then reported at once (the end of the file).
problems_collect()

# Lets admin.ModelAdmin[Model] and friends be subscripted at run time, as the type stubs allow.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

# LiteLLM fetches a model cost map over the network at import unless told otherwise.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

MODE = envstr("STARGATE_MODE", "embedded")
if MODE not in {"embedded", "production"}:
    problem(f"STARGATE_MODE={MODE!r}: use embedded or production")
PRODUCTION = MODE == "production"

DATA_DIR = Path(envstr("STARGATE_DATA_DIR", str(BASE_DIR / "var")))
DEBUG = envbool("STARGATE_DEBUG", default=False)

_INSECURE_DEV_KEY = "django-insecure-embedded-mode-only-never-in-production"
SECRET_KEY = envsecret("STARGATE_SECRET_KEY", "")
if not SECRET_KEY and PRODUCTION:
    problem("STARGATE_SECRET_KEY (or STARGATE_SECRET_KEY_FILE) is required in production mode")
elif PRODUCTION and (weakness := secret_key_weakness(SECRET_KEY)):
    problem(f"STARGATE_SECRET_KEY is too weak for production mode: {weakness}")
SECRET_KEY = SECRET_KEY or _INSECURE_DEV_KEY
if PRODUCTION and DEBUG:
    problem("STARGATE_DEBUG=true is refused in production mode: debug pages show settings and code")

ALLOWED_HOSTS = envlist("STARGATE_ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1]")
if PRODUCTION and not ALLOWED_HOSTS:
    problem("STARGATE_ALLOWED_HOSTS is required in production mode")
CSRF_TRUSTED_ORIGINS = envlist("STARGATE_CSRF_TRUSTED_ORIGINS", "")

# No "daphne" app: it only swaps `runserver` for Daphne's, and importing it loads Twisted
# (about 27 MB) into every process, workers included. The web process is `daphne` itself.
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "django_htmx",
    "template_partials",
    "django_tables2",
    "django_filters",
    "ninja",  # the API docs page's templates and static files (served locally, no CDN)
    "django_q",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "stargate.apps.StargateConfig",
    "labs",
    "scanning",
    "rubrics_app",
    "remediation",
    "forecasting",
    "collectors",
    "recommendations",
    "incidents",
    "notifications",
    "dashboard",
    "metrics",
]


def _importable(package: str) -> bool:
    try:
        return importlib.util.find_spec(package) is not None
    except ImportError:  # an import hook that hides the package
        return False


# The Kubernetes API simulator: a development and test tool (`simulate_fleet`, `inject_failure`,
# the demo fleet), an app only where it runs. A production image may leave the package out.
SIMULATOR_ENABLED = envbool(
    "STARGATE_SIMULATOR_ENABLED", default=not PRODUCTION and _importable("simulator")
)
if SIMULATOR_ENABLED:
    if not _importable("simulator"):
        problem("STARGATE_SIMULATOR_ENABLED=true, but this installation has no simulator package")
    else:
        INSTALLED_APPS.append("simulator")
# Seams (stargate.seams): production code reaches the simulator only through these dotted paths.
SHOWROOM_TRANSPORT_FACTORY = envstr(
    "STARGATE_SHOWROOM_TRANSPORT_FACTORY",
    "simulator.seams.showroom_transport" if SIMULATOR_ENABLED else "",
)
DEMO_FLEET = envstr(
    "STARGATE_DEMO_FLEET", "simulator.seams.demo_fleet" if SIMULATOR_ENABLED else ""
)
CLASSIFIER_EVAL_CASES = envstr(
    "STARGATE_CLASSIFIER_EVAL_CASES",
    "simulator.seams.classifier_eval_cases" if SIMULATOR_ENABLED else "",
)

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "stargate.csp.ContentSecurityPolicyMiddleware",
    # Probes and /metrics, addressed to the pod's IP: answered before host validation.
    "stargate.podaddress.pod_address_middleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "stargate.auth.TrustedHeaderMiddleware",
    "stargate.auth.PasswordResetGateMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "stargate.configaudit.config_audit_middleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "stargate.urls"
ASGI_APPLICATION = "stargate.asgi.application"
WSGI_APPLICATION = "stargate.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "stargate.context_processors.stargate",
            ],
        },
    }
]

# --- Database ---------------------------------------------------------------------------------
DATABASE_URL = envsecret("STARGATE_DATABASE_URL", "")
if DATABASE_URL:
    DATABASES: dict[str, dict[str, Any]] = {"default": parse_database_url(DATABASE_URL)}
else:
    if PRODUCTION:
        problem("STARGATE_DATABASE_URL is required in production mode")
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "stargate.sqlite3",
            # WAL and IMMEDIATE transactions let the web process and the workers share the file.
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer, task broker, cache -------------------------------------------------
REDIS_URL = envsecret("STARGATE_REDIS_URL", "")
if REDIS_URL:
    check_redis_url(REDIS_URL)
elif PRODUCTION:
    problem("STARGATE_REDIS_URL is required in production mode")

WORKERS = envint("STARGATE_WORKERS", 4 if PRODUCTION else 2, minimum=1)
Q_CLUSTER: dict[str, Any] = {
    "name": "stargate",
    "workers": WORKERS,
    "timeout": envint("STARGATE_TASK_TIMEOUT", 600, minimum=10),
    "retry": envint("STARGATE_TASK_TIMEOUT", 600, minimum=10) + 60,
    "max_attempts": 1,
    "catch_up": False,
    "save_limit": 1000,
    "label": "Tasks",
}
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": envstr("STARGATE_REDIS_PREFIX", "stargate")},
        }
    }
    Q_CLUSTER["redis"] = REDIS_URL
    # The queue's Redis key is the cluster name: installs sharing a Redis keep their own queue.
    Q_CLUSTER["name"] = envstr("STARGATE_REDIS_PREFIX", "stargate")
    CACHES = {
        "default": {
            "BACKEND": "stargate.cache.SharedClientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": envstr("STARGATE_REDIS_PREFIX", "stargate"),
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    Q_CLUSTER["orm"] = "default"
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The DEBUG page and the admins' error mails: the settings above hold the Redis URL.
DEFAULT_EXCEPTION_REPORTER_FILTER = "stargate.error_reports.RedactingExceptionReporterFilter"

# --- Authentication ---------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "stargate.auth.NoSignupAccountAdapter"
SOCIALACCOUNT_ADAPTER = "stargate.auth.TeamMappingSocialAdapter"
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
# Users log in by username and SSO users are known by their subject: an SSO user whose email a
# local account also has gets an account of their own (allauth would send them to a sign-up form).
ACCOUNT_UNIQUE_EMAIL = False
SOCIALACCOUNT_STORE_TOKENS = False
LOCAL_LOGIN = envbool("STARGATE_LOCAL_LOGIN", default=True)

OIDC_SERVER_URL = envstr("STARGATE_OIDC_SERVER_URL", "")
OIDC_CLIENT_ID = envstr("STARGATE_OIDC_CLIENT_ID", "")
OIDC_CLIENT_SECRET = envsecret("STARGATE_OIDC_CLIENT_SECRET", "")
OIDC_PROVIDER_NAME = envstr("STARGATE_OIDC_PROVIDER_NAME", "Red Hat SSO")
OIDC_GROUPS_CLAIM = envstr("STARGATE_OIDC_GROUPS_CLAIM", "groups")


def oidc_app(*, server_url: str, client_id: str, secret: str, name: str) -> dict[str, Any]:
    """allauth's `openid_connect` app for the SSO; its login URLs are /accounts/oidc/sso/…"""
    return {
        "provider_id": "sso",
        "name": name,
        "client_id": client_id,
        "secret": secret,
        "settings": {
            "server_url": server_url,
            "oauth_pkce_enabled": True,
            "scope": ["openid", "profile", "email"],
        },
    }


SOCIALACCOUNT_PROVIDERS: dict[str, Any] = {"openid_connect": {"APPS": []}}
if OIDC_SERVER_URL:
    if not OIDC_CLIENT_ID:
        problem("STARGATE_OIDC_CLIENT_ID is required with STARGATE_OIDC_SERVER_URL")
    SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"] = [
        oidc_app(
            server_url=OIDC_SERVER_URL,
            client_id=OIDC_CLIENT_ID,
            secret=OIDC_CLIENT_SECRET,
            name=OIDC_PROVIDER_NAME,
        )
    ]

# Trusted-header login behind the OpenShift oauth-proxy, only from these peers: addresses or
# networks. The TCP peer is compared, so the ASGI server must not rewrite it from
# X-Forwarded-For (daphne --proxy-headers).
TRUSTED_PROXY_IPS = envlist("STARGATE_TRUSTED_PROXY_IPS", "")
for _entry in TRUSTED_PROXY_IPS:
    try:
        ipaddress.ip_network(_entry, strict=False)
    except ValueError as exc:
        problem(f"STARGATE_TRUSTED_PROXY_IPS: {exc}")

# The JSON API: requests per API key per minute, counted in the cache (0: no limit).
API_RATE_LIMIT = envint("STARGATE_API_RATE_LIMIT", 600, minimum=0)

# Mail: off unless a host is set. Without it, password reset is hidden (its URLs answer 404).
EMAIL_HOST = envstr("STARGATE_EMAIL_HOST", "")
EMAIL_PORT = envint("STARGATE_EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = envstr("STARGATE_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = envsecret("STARGATE_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = envbool("STARGATE_EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = envstr("STARGATE_EMAIL_FROM", "stargate@localhost")
MAIL_CONFIGURED = bool(EMAIL_HOST)
if not MAIL_CONFIGURED:
    EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# --- HTTP security ----------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_SSL_REDIRECT = envbool("STARGATE_SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]  # kubelet, Prometheus: HTTP
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_HSTS_SECONDS = envint("STARGATE_HSTS_SECONDS", 31536000 if PRODUCTION else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = False
# Preloading commits the whole domain to HTTPS in browsers: the domain owner's call, not an app's.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# --- Static files, i18n -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = not PRODUCTION
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"

# --- StarGate domain settings -----------------------------------------------------------------
SSL_VERIFY = envbool("STARGATE_SSL_VERIFY", default=True)
K8S_CONNECT_TIMEOUT = envint("STARGATE_K8S_CONNECT_TIMEOUT", 5, minimum=1)
K8S_READ_TIMEOUT = envint("STARGATE_K8S_READ_TIMEOUT", 30, minimum=1)
# Cluster kubeconfigs and token files are only read from under this directory (the chart's mount).
CREDENTIALS_DIR = Path(
    envstr("STARGATE_CREDENTIALS_DIR", "/etc/stargate/clusters" if PRODUCTION else str(DATA_DIR))
)
KUBECONFIG_EXEC_ALLOWED = envbool("STARGATE_KUBECONFIG_EXEC_ALLOWED", default=False)
LAB_NAMESPACE_PATTERNS = envlist(
    "STARGATE_LAB_NAMESPACE_PATTERNS", r"^sandbox-(?P<guid>[a-z0-9]+)-(?P<catalog_item>[a-z0-9-]+)$"
)
WATCHED_NAMESPACES = envlist("STARGATE_WATCHED_NAMESPACES", "")
RUBRICS_DIR = Path(envstr("STARGATE_RUBRICS_DIR", str(BASE_DIR / "rubrics")))
REMEDIATIONS_DIR = Path(envstr("STARGATE_REMEDIATIONS_DIR", str(BASE_DIR / "remediations")))
PROMPTS_DIR = Path(envstr("STARGATE_PROMPTS_DIR", str(BASE_DIR / "prompts")))
# Policy engine and forecasts (recommendations, forecasting): rule files, threshold overrides
# per rule as JSON ({"pool_exhaustion": {"available_max": 2}}), the pool-scale target.
POLICIES_DIR = Path(envstr("STARGATE_POLICIES_DIR", str(BASE_DIR / "policies")))
POLICY_THRESHOLDS = envstr("STARGATE_POLICY_THRESHOLDS", "")
POOL_SCALE_DEFAULT = envint("STARGATE_POOL_SCALE_DEFAULT", 5, minimum=0)
POOLBOY_NAMESPACE = envstr("STARGATE_POOLBOY_NAMESPACE", "poolboy")
# Policy notifications (23.5): critical and high recommendations to the routed channels.
POLICY_NOTIFY_MINUTES = envint("STARGATE_POLICY_NOTIFY_MINUTES", 1, minimum=1)
POLICY_NOTIFY_REPEAT_HOURS = envint("STARGATE_POLICY_NOTIFY_REPEAT_HOURS", 24, minimum=1)
POLICY_NOTIFY_MAX_PER_CYCLE = envint("STARGATE_POLICY_NOTIFY_MAX_PER_CYCLE", 5, minimum=1)
# The node label naming a node's hardware class (gaudi, xeon6) for the substrate router (23.6).
NODE_HARDWARE_LABEL = envstr("STARGATE_NODE_HARDWARE_LABEL", "stargate.io/hardware-class")
FORECAST_HOURS = envint("STARGATE_FORECAST_HOURS", 24, minimum=1)
FORECAST_WINDOW_HOURS = envint("STARGATE_FORECAST_WINDOW_HOURS", 6, minimum=1)
FORECAST_VELOCITY_METHOD = envstr("STARGATE_FORECAST_VELOCITY_METHOD", "regression")
# Running labs of a catalog item needed before their measured requests are its footprint.
FOOTPRINT_MIN_LABS = envint("STARGATE_FOOTPRINT_MIN_LABS", 3, minimum=1)
EXECUTION_TARGET = envstr("STARGATE_EXECUTION_TARGET", "mock")
if EXECUTION_TARGET not in {"mock", "test", "production"}:
    problem(f"STARGATE_EXECUTION_TARGET={EXECUTION_TARGET!r}: use mock, test or production")
DRY_RUN = envbool("STARGATE_DRY_RUN", default=False)
REMEDIATION_ALLOWED_PREFIXES = envlist("STARGATE_REMEDIATION_ALLOWED_PREFIXES", "sandbox-")
SANDBOX_API_URL = envstr("STARGATE_SANDBOX_API_URL", "")
SANDBOX_API_TOKEN = envsecret("STARGATE_SANDBOX_API_TOKEN", "")
LLM_MODEL = envstr("STARGATE_LLM_MODEL", "openai/granite-3.3-8b-instruct")
LLM_API_BASE = envstr("STARGATE_LLM_API_BASE", "")
LLM_API_KEY = envsecret("STARGATE_LLM_API_KEY", "")
# LLM client, budget and breaker (README "LLM classification"); 0 disables a budget or cap.
LLM_TIMEOUT_SECONDS = envint("STARGATE_LLM_TIMEOUT_SECONDS", 30, minimum=1)
LLM_RETRIES = envint("STARGATE_LLM_RETRIES", 3, minimum=0)
LLM_RETRY_BACKOFF_SECONDS = envfloat("STARGATE_LLM_RETRY_BACKOFF_SECONDS", 1.0, minimum=0)
LLM_RESPONSE_FORMAT = envstr("STARGATE_LLM_RESPONSE_FORMAT", "json_schema")
if LLM_RESPONSE_FORMAT not in {"json_schema", "json_object", "none"}:
    problem(
        f"STARGATE_LLM_RESPONSE_FORMAT={LLM_RESPONSE_FORMAT!r}: "
        "use json_schema, json_object or none"
    )
LLM_PRICE_PROMPT_PER_1K = envfloat("STARGATE_LLM_PRICE_PROMPT_PER_1K", 0.003, minimum=0)
LLM_PRICE_COMPLETION_PER_1K = envfloat("STARGATE_LLM_PRICE_COMPLETION_PER_1K", 0.006, minimum=0)
LLM_DAILY_TOKEN_BUDGET = envint("STARGATE_LLM_DAILY_TOKEN_BUDGET", 2_000_000, minimum=0)
LLM_DAILY_COST_BUDGET_USD = envfloat("STARGATE_LLM_DAILY_COST_BUDGET_USD", 10.0, minimum=0)
LLM_CALLS_PER_HOUR = envint("STARGATE_LLM_CALLS_PER_HOUR", 200, minimum=0)
LLM_BREAKER_FAILURES = envint("STARGATE_LLM_BREAKER_FAILURES", 5, minimum=1)
LLM_BREAKER_OPEN_SECONDS = envint("STARGATE_LLM_BREAKER_OPEN_SECONDS", 60, minimum=1)
# Classification of unexplained failures (queued after each scan's commit when an endpoint is set).
LLM_CLASSIFY = envbool("STARGATE_LLM_CLASSIFY", True)
LLM_CLASSIFY_MAX_PER_RUN = envint("STARGATE_LLM_CLASSIFY_MAX_PER_RUN", 20, minimum=1)
# Calibration (spec 17): the factor is helpful/total once an endpoint has this much feedback.
LLM_CALIBRATION_MIN_FEEDBACK = envint("STARGATE_LLM_CALIBRATION_MIN_FEEDBACK", 10, minimum=1)
LLM_CALIBRATION_WINDOW_DAYS = envint("STARGATE_LLM_CALIBRATION_WINDOW_DAYS", 0, minimum=0)
# The investigation agent (README "Investigation"): a bounded, read-only tool loop.
INVESTIGATION_MAX_STEPS = envint("STARGATE_INVESTIGATION_MAX_STEPS", 8, minimum=2)
INVESTIGATION_MAX_SECONDS = envint("STARGATE_INVESTIGATION_MAX_SECONDS", 120, minimum=1)
INVESTIGATION_TOOL_OUTPUT_CHARS = envint(
    "STARGATE_INVESTIGATION_TOOL_OUTPUT_CHARS", 3000, minimum=200
)

# `/metrics` (README "Metrics"): Prometheus sends it as a bearer token; unset, the endpoint is 404.
METRICS_TOKEN = envsecret("STARGATE_METRICS_TOKEN", "")

LOG_LEVEL = envstr("STARGATE_LOG_LEVEL", "INFO").upper()
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {  # credentials in URLs, tokens and `password=` are masked in every line
        "plain": {
            "()": "stargate.lib.redact.RedactingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s: %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "httpx": {"level": "WARNING"},
        # "N of M channels over capacity" on every broadcast for a day after a web process
        # stops: its sockets' channels stay in the groups until they expire, unread.
        "channels_redis": {"level": "WARNING"},
    },
}

# One message for every problem found above, and exit status 2 (see stargate.lib.env).
problems_report()
