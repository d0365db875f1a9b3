"""Settings for the union portal: one file, everything machine-specific read from the environment.

Defaults are safe for development (`make run`): SQLite under var/, DEBUG on only when asked.
"""

import os
import tempfile
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
# Production sets SECRET_KEY; the development key is marked insecure so that
# `manage.py check --deploy` complains if it is ever used there.
SECRET_KEY = os.environ.get("SECRET_KEY") or "django-insecure-development-key-not-for-production-use"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "union_portal.apps.PortalAdminConfig",  # django.contrib.admin, open to district admins only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # trigram search indexes (pg_trgm) on PostgreSQL; inert on SQLite
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "import_export",
    "simple_history",
    "pgtrigger",  # database triggers that keep the aid ledger append-only (PostgreSQL)
    "axes",
    "csp",
    "django_tasks",  # background jobs (DEP 14: Django 6's django.tasks, backported); long exports run on it
    "django_tasks_db",  # its database backend: the queue is a table, the worker `manage.py db_worker`
    "union_portal",
    "stations",
    "disputes",
    "benefits",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "union_portal.middleware.PortalLanguageMiddleware",  # zh-Hans whatever the browser asks for
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "union_portal.middleware.SessionLifetimeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "union_portal.urls"
WSGI_APPLICATION = "union_portal.wsgi.application"

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
                "union_portal.context_processors.portal",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'portal.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Per connection, measured on the city-scale dataset (issue 10, `make bench`):
    # - jit=off: the summary's figure queries are short aggregates that JIT compilation only delays (district
    #   summary's SQL 4.2 s with JIT, 1.9 s without; its slowest statement 684 ms, 203 ms);
    # - random_page_cost=1.1: the portal's tables sit in memory or on SSD, where an index lookup costs little more
    #   than a sequential read; with the default 4 the planner hashed all 210,000 cases to join the 1,197 that a
    #   search for 张伟 finds (34 ms) rather than look them up by primary key (18 ms);
    # - max_parallel_workers_per_gather=0: a page's statements are short, and parallel workers only take the cores
    #   the other requests need (gunicorn, 2 workers, 2 cores: the case list at 210,000 cases 15.8 req/s with
    #   parallel plans, 28.4 without; the summary's SQL unchanged, 1.2 s and 1.1 s).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        "-c jit=off -c random_page_cost=1.1 -c max_parallel_workers_per_gather=0"
    )
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # SQLite is the embedded default for `make run`, whose server is threaded: with the write-ahead
    # log readers never wait, and a transaction takes the write lock when it begins (IMMEDIATE), so a
    # second writer waits up to 20 s for it rather than fail with "database is locked" half-way.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000",
    }
    # The list indexes hold their summed columns for PostgreSQL (INCLUDE: disputes 0007, benefits 0003); SQLite keeps
    # the same indexes without them, which Django reports on every command (models.W040): nothing to act on here.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
    # Tests with several threads (tests/union_portal/test_concurrency.py) need one database that every
    # connection sees, which an in-memory one is not: a file, one per test process (others may run at once).
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"union_portal_test_{os.getpid()}.sqlite3")
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Sessions: 30 minutes idle (renewed on each request), 12 hours at most (middleware).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_LIMIT = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True

# django-axes: lock the username *from* an address, not a whole office behind one NAT, and not for ever.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# Behind reverse proxies every request comes from the proxy's address: lock on the client's address, the one the
# nearest proxy appended to X-Forwarded-For (the right-most ones cannot be forged by the client).
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
if PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    AXES_IPWARE_PROXY_COUNT = PROXY_COUNT
    AXES_IPWARE_PROXY_ORDER = "right-most"

LANGUAGE_CODE = "zh-hans"
# English is listed for spreadsheet headers in English only: every page is in LANGUAGE_CODE (PortalLanguageMiddleware).
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [Path(os.environ.get("LOCALE_DIR", BASE_DIR / "locale"))]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Files that hold people's data (case attachments) live outside MEDIA_ROOT's public part and
# are only ever served by a view that checks who is asking.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env_bool("STATIC_MANIFEST", True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Uploads: request bodies are capped; each upload field checks its own file size too.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
PHOTO_MAX_BYTES = 5 * 1024 * 1024
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
IMPORT_MAX_BYTES = 10 * 1024 * 1024
IMPORT_MAX_ROWS = 20000
# A confirmed import of more rows than this is written by a background job (union_portal/imports), as long exports
# are: measured on PostgreSQL, the member import's confirm took 1.4 s for 2,000 rows, 3.9 s for 5,000 and 12.6 s for
# 20,000, so the inline path stays about 2 s at most.
IMPORT_INLINE_ROWS = int(os.environ.get("IMPORT_INLINE_ROWS", "2000"))

# Background jobs (django-tasks): the database is the queue, so the embedded default and a single server need no
# other service; `manage.py db_worker` runs the jobs (`make run` starts one beside runserver). A portal spread over
# several machines may move the queue to Redis with django-tasks-rq (TASKS_BACKEND names its backend),
# with no change to the code that enqueues.
TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# Exports (union_portal/exports): a list of at most EXPORT_INLINE_ROWS rows downloads at once (well within 10 s:
# benchmarks/export_bench.py measures the rate); a longer one becomes a job whose file its owner may download for
# EXPORT_KEEP_HOURS. The files live in PRIVATE_MEDIA_ROOT/exports, which no URL serves.
EXPORT_INLINE_ROWS = int(os.environ.get("EXPORT_INLINE_ROWS", "5000"))
EXPORT_KEEP_HOURS = int(os.environ.get("EXPORT_KEEP_HOURS", "24"))
EXPORT_CHUNK_SIZE = 2000  # rows read (and prefetched) per statement

# Django's widget templates, the commonest written out in Python (the same characters; union_portal/form_renderer.py).
FORM_RENDERER = "union_portal.form_renderer.PortalFormRenderer"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# django-filter: a filter's empty choice reads "全部" ("All"), not "---------" (filters may name their own).
FILTERS_EMPTY_CHOICE_LABEL = gettext_lazy("All")

# django-import-export: own permissions for import and export; the preview's temporary
# file (personal data) lives in the cache-backed storage, removed after the import.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.CacheStorage"

# The cache is shared by every app process (an import preview confirmed by another gunicorn worker
# must find its rows): a table in the database, made by `manage.py createcachetable` after migrate.
# Entries last an hour and are deleted once expired (union_portal.cache); past MAX_ENTRIES a third
# of them is culled.
CACHES = {
    "default": {
        "BACKEND": "union_portal.cache.PortalDatabaseCache",
        "LOCATION": "portal_cache",
        "TIMEOUT": 60 * 60,
        "OPTIONS": {"MAX_ENTRIES": 5000, "CULL_FREQUENCY": 3},
    }
}

# Security headers. HTTPS settings follow SECURE_SSL_REDIRECT so that local runs over HTTP work.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", SECURE_SSL_REDIRECT)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000 if SECURE_SSL_REDIRECT else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content security policy: everything from the portal itself; no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

PORTAL_DISTRICT_NAME = os.environ.get("PORTAL_DISTRICT_NAME", "")
PORTAL_PAGE_SIZE = 25

# Every line once: Django's loggers hand their records to the root's console handler instead of
# printing them with Django's own (DEBUG-only) console handler too; runserver's request lines keep
# their own handler ("django.server"). A refused request (403, 404) is one warning line; tracebacks
# are kept for server errors.
LOG_LEVEL = os.environ.get("LOG_LEVEL", "WARNING")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "no_client_error_traceback": {
            "()": "django.utils.log.CallbackFilter",
            "callback": "ext://union_portal.logs.without_client_error_traceback",
        }
    },
    "formatters": {
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.request": {"filters": ["no_client_error_traceback"]},
        # Reconfiguring "django" resets its children: runserver's request lines are set up again as Django has them.
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}
