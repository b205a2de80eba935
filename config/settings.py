"""One settings module, driven by the environment, with defaults that run a fresh checkout.

Unset DATABASE_URL -> SQLite file; unset REDIS_URL -> Celery tasks run in-process.
"""
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").lower()
    if raw not in ("", "true", "false", "1", "0"):
        raise ImproperlyConfigured(f"{name} must be 'true' or 'false', not {raw!r}")
    return default if raw == "" else raw in ("true", "1")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    try:
        return default if raw == "" else int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from exc


# A deployment is recognised by its secret: with SECRET_KEY set, DEBUG defaults to off and cookies
# to secure, so forgetting DEBUG=false in production cannot switch either off (docs/running.md).
DEPLOYED = bool(os.environ.get("SECRET_KEY"))
DEBUG = env_bool("DEBUG", not DEPLOYED)
SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-insecure"
if not DEBUG and not DEPLOYED:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false")
# Invitation links are HMACs under TOKEN_KEYS (newest first), not SECRET_KEY: rotating SECRET_KEY
# leaves every printed link working (surveys/tokens.py, docs/running.md).
TOKEN_KEYS = [k for k in os.environ.get("TOKEN_KEYS", "").split(",") if k] or [SECRET_KEY]
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # the docs page's script, served here rather than from a CDN
    "csp",
    "axes",  # sign-in throttling per username and client address (below, docs/roles.md)
    "surveys",
    "analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "surveys.middleware.RejectNulMiddleware",  # NUL in any parameter: 400 with a message
    "surveys.middleware.NoStoreMiddleware",  # pages with answers are never cached
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy: no inline script
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "surveys.accounts.language.UserLanguageMiddleware",  # a signed-in user's own language beats Accept-Language
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a sign-in refused by axes into the 429 page
]

ROOT_URLCONF = "config.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,  # a connection PostgreSQL dropped (restart) is replaced, not a 500
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The same, with a health check that sends nothing and prepared statements on the page-save path
    # (surveys/compiled.py): prepared after DB_PREPARE_THRESHOLD runs; empty turns them off (a
    # transaction-pooling PgBouncer before 1.21 cannot keep them).
    DATABASES["default"]["ENGINE"] = "config.db.postgresql"
    _prepare = os.environ.get("DB_PREPARE_THRESHOLD", "2")
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = int(_prepare) if _prepare else None
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Web and worker both write: wait for the lock instead of failing, take it at BEGIN.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
# Redis away: the cache answers as an empty one (surveys/cache.py) after at most these timeouts.
CACHES = {
    "default": (
        {"BACKEND": "surveys.cache.FailOpenRedisCache", "LOCATION": REDIS_URL,
         "OPTIONS": {"socket_connect_timeout": float(os.environ.get("CACHE_CONNECT_TIMEOUT", "0.5")),
                     "socket_timeout": float(os.environ.get("CACHE_TIMEOUT", "1.0"))}}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/staff/"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("it", "Italiano"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]  # English short dates stay ISO (2026-11-26); it/es use Django's
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "survey@example.org")
# File backend (EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend) and SMTP, by environment.
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "sent_emails"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", DEPLOYED)
# HTTPS, from the environment (docs/running.md): behind a TLS proxy set TRUST_X_FORWARDED_PROTO.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
# No inline script anywhere (static/js/site.js carries the templates' behaviour); inline styles stay
# allowed for the progress bars and charts. Admin pages need nothing more.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"], "script-src": ["'self'"], "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"], "object-src": ["'none'"], "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"], "form-action": ["'self'"],
    },
}

# The client's address (surveys/ratelimit.py client_address, used by every limit): REMOTE_ADDR unless
# TRUSTED_PROXY_COUNT reverse proxies of our own stand in front, in which case their header says.
# Default 0: a forwarding header is ignored, since any client can send one (docs/running.md).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more")
TRUSTED_PROXY_HEADER = "HTTP_" + os.environ.get("TRUSTED_PROXY_HEADER", "X-Forwarded-For").upper().replace("-", "_")

# Respondent token look-ups: failed attempts per window per client address.
RATE_LIMIT_TOKEN = env_int("RATE_LIMIT_TOKEN", 60)
RATE_LIMIT_WINDOW = env_int("RATE_LIMIT_WINDOW", 300)

# Sign-in throttling (django-axes; /accounts/login/ and /admin/login/ alike, docs/roles.md). Failures
# count per username AND client address together, so a guesser elsewhere cannot lock an administrator
# out and colleagues behind one office NAT do not share a budget.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out pair before the password is checked
    "django.contrib.auth.backends.ModelBackend",
]
# Attempts are kept in the database, not the cache: the lock holds while Redis is away (a fail-open
# cache would forget every failure during an outage, exactly when nobody watches), needs no Redis
# for `make run`, and administrators see and clear attempts in the admin.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)  # failures of one username from one address
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))  # locked this long after the last
if AXES_FAILURE_LIMIT < 1 or AXES_COOLOFF_TIME < timedelta(minutes=1):
    raise ImproperlyConfigured("LOGIN_FAILURE_LIMIT and LOGIN_COOLOFF_MINUTES must be 1 or more")
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the lock ends when the page says it does
AXES_RESET_ON_SUCCESS = True  # a successful sign-in clears that pair's failures
AXES_CLIENT_IP_CALLABLE = "surveys.ratelimit.client_address"
AXES_USERNAME_CALLABLE = "surveys.accounts.lockout.attempt_username"  # cut to the column: no 500 on PostgreSQL
AXES_LOCKOUT_CALLABLE = "surveys.accounts.lockout.lockout_response"  # the 429 page in the user's language
AXES_DISABLE_ACCESS_LOG = True  # throttling needs the failures only, not a second log of staff addresses

# Telephone interviews: how long a case stays locked to the interviewer working on it (renewed on
# every page), and after how many calls without an appointment a case leaves the call list.
CATI_LOCK_MINUTES = env_int("CATI_LOCK_MINUTES", 20)
CATI_CALL_CAP_MINUTES = env_int("CATI_CALL_CAP_MINUTES", 240)  # a call held longer (case left open) counts this long
CATI_MAX_ATTEMPTS = env_int("CATI_MAX_ATTEMPTS", 10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Fieldwork (docs/fieldwork.md): invitation and reminder e-mail, reminders by Celery beat, tracking.
FIELDWORK_BATCH_SIZE = env_int("FIELDWORK_BATCH_SIZE", 100)  # messages per Celery task
FIELDWORK_MAIL_PER_MINUTE = env_int("FIELDWORK_MAIL_PER_MINUTE", 600)  # per worker process
FIELDWORK_REDISPATCH_SECONDS = env_int("FIELDWORK_REDISPATCH_SECONDS", 600)  # re-enqueue messages still queued
FIELDWORK_MAX_ATTEMPTS = env_int("FIELDWORK_MAX_ATTEMPTS", 3)  # temporary SMTP failures before `failed`
FIELDWORK_REMINDER_DAYS = [int(d) for d in os.environ.get("FIELDWORK_REMINDER_DAYS", "7,14").split(",") if d]
FIELDWORK_PARTIAL_SHARE = 0.5  # share of modules saved for an unfinished case to be an AAPOR partial (1.2)
# A page visit (served -> saved) counts at most this long in page times and response burden: a tab left
# open while the respondent did something else is not work on the page.
PARADATA_PAGE_CAP_SECONDS = env_int("PARADATA_PAGE_CAP_SECONDS", 1800)

# Results (docs/analytics.md): recomputed by Celery after submissions, coalesced; full run by beat.
ANALYTICS_COALESCE_SECONDS = float(os.environ.get("ANALYTICS_COALESCE_SECONDS", "0.1"))  # wait to batch a burst
ANALYTICS_MIN_INTERVAL_SECONDS = float(os.environ.get("ANALYTICS_MIN_INTERVAL_SECONDS", "2.0"))  # during a burst
ANALYTICS_PENDING_SECONDS = 60  # a recompute flagged as waiting longer than this is asked for again
ANALYTICS_BUSY_RETRY_SECONDS = 0.25  # a run that finds another one holding the lock comes back after this
ANALYTICS_LOCK_SECONDS = 600  # the cache lock of a run expires after this (a killed worker frees it)
ANALYTICS_MAX_VIEWS = 50  # analysts' filtered views kept per questionnaire (oldest dropped)
ANALYTICS_MIN_CELL = env_int("ANALYTICS_MIN_CELL", 5)  # cells below this are hidden from viewers without the right
ANALYTICS_FULL_RECOMPUTE_SECONDS = env_int("ANALYTICS_FULL_RECOMPUTE_SECONDS", 3600)
# a submission's edit rules run this long after it, once its results recompute has been picked up
EDITING_RUN_DELAY_SECONDS = float(os.environ.get("EDITING_RUN_DELAY_SECONDS", "0.5"))
# Results frames kept on disk (Arrow IPC files, a cache: see analytics/results/snapshots.py); empty: none
ANALYTICS_SNAPSHOT_DIR = os.environ.get("ANALYTICS_SNAPSHOT_DIR", str(BASE_DIR / "var" / "results-snapshots"))
ANALYTICS_SNAPSHOT_REWRITE_ROWS = env_int("ANALYTICS_SNAPSHOT_REWRITE_ROWS", 20_000)  # changed rows before a rewrite
ANALYTICS_SNAPSHOT_MAX_AGE_SECONDS = env_int("ANALYTICS_SNAPSHOT_MAX_AGE_SECONDS", 7 * 86400)  # then a full read

# Data in and out (docs/data.md).
EXPORT_LINK_HOURS = env_int("EXPORT_LINK_HOURS", 24)  # export downloads expire after this
# A running export writes a heartbeat this often; one silent for EXPORT_STALE_SECONDS lost its worker and
# is restarted (beat "analytics.export_jobs_recover"), at most EXPORT_MAX_ATTEMPTS times.
EXPORT_HEARTBEAT_SECONDS = float(os.environ.get("EXPORT_HEARTBEAT_SECONDS", "10"))
EXPORT_STALE_SECONDS = env_int("EXPORT_STALE_SECONDS", 90)
EXPORT_QUEUED_STALE_SECONDS = env_int("EXPORT_QUEUED_STALE_SECONDS", 900)  # sent, never started: sent again
EXPORT_MAX_ATTEMPTS = env_int("EXPORT_MAX_ATTEMPTS", 3)
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 100 * 1024 * 1024)  # larger response files are refused
# Workbooks are refused before parsing when they declare more than this (surveys/tabular.py):
XLSX_MAX_UNCOMPRESSED_BYTES = env_int("XLSX_MAX_UNCOMPRESSED_BYTES", 1024 * 1024 * 1024)  # unpacked size
XLSX_MAX_CELLS = env_int("XLSX_MAX_CELLS", 20_000_000)  # rows x columns a sheet claims

# Outbox (docs/running.md#the-outbox): tasks are recorded with the change that asks for them and sent
# after the commit; what the broker did not take is sent by the flush (beat, a starting worker, a nudge).
OUTBOX_FLUSH_SECONDS = env_int("OUTBOX_FLUSH_SECONDS", 30)  # beat interval of the flush
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 60)  # a sender's claim on a row lapses after this
OUTBOX_CHECK_SECONDS = env_int("OUTBOX_CHECK_SECONDS", 30)  # a sending process looks for leftovers at most this often
OUTBOX_BATCH = 100  # rows claimed per round of a flush
OUTBOX_FLUSH_LIMIT = env_int("OUTBOX_FLUSH_LIMIT", 10_000)  # rows sent by one flush at most
OUTBOX_KEEP_DAYS = env_int("OUTBOX_KEEP_DAYS", 7)  # dispatched rows are pruned after this

# Celery: each part's tasks module (task names are pinned with `name=`, so a moved file renames nothing).
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL  # no broker configured: run tasks inline
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 300}
CELERY_IMPORTS = ["surveys.tasks", "surveys.fieldwork.tasks", "analytics.results.tasks", "analytics.data.tasks",
                  "analytics.editing.tasks"]
CELERY_BEAT_SCHEDULE = {
    "fieldwork-dispatch": {"task": "fieldwork.messages_dispatch", "schedule": 60.0},
    "fieldwork-reminders": {"task": "fieldwork.reminders_run", "schedule": 3600.0},
    "fieldwork-tracking": {"task": "fieldwork.tracking_recompute_open", "schedule": 600.0},
    "fieldwork-sequential": {"task": "fieldwork.sequential_switch", "schedule": 3600.0},  # web -> telephone
    "surveys-outbox-flush": {"task": "surveys.outbox_flush", "schedule": float(OUTBOX_FLUSH_SECONDS)},
    "surveys-outbox-prune": {"task": "surveys.outbox_prune", "schedule": 3600.0},
    "analytics-export-jobs-recover": {"task": "analytics.export_jobs_recover", "schedule": 60.0},
    "analytics-full-recompute": {"task": "analytics.results_recompute_all",
                                 "schedule": float(ANALYTICS_FULL_RECOMPUTE_SECONDS)},
}

# REST API (docs/api.md): personal tokens, the same roles as the screens, throttled per token.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90)  # default lifetime of a new token
API_THROTTLE_RATE = os.environ.get("API_THROTTLE_RATE", "600/min")  # requests per token
API_FEED_MAX_LIMIT = env_int("API_FEED_MAX_LIMIT", 1000)  # responses per page of the change feed
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["surveys.api.auth.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["surveys.api.auth.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "surveys.api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Business survey platform API",
    "DESCRIPTION": "Questionnaires, codebooks, the response change feed, results, exports and fieldwork "
                   "tracking. Send `Authorization: Token <key>`; see docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "surveys.api.schema.error_responses"],
}
