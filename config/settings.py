"""Settings for the party-building case archive: one module, configured by the environment.

Every value a deployment must choose is read from an environment variable.
With DEBUG off (the default) a missing SECRET_KEY or ALLOWED_HOSTS stops start-up
with a clear message rather than running with an unsafe fallback.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use 1/0, true/false, yes/no or on/off.")


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production (DEBUG off) needs a long random SECRET_KEY in the "
            "environment; for local development set DEBUG=1."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS is not set. Production (DEBUG off) needs a comma-separated list of host names."
        )
    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django_filters",
    "simple_history",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "corsheaders",
    "cases",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",  # before CommonMiddleware, as django-cors-headers requires
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "cases.middleware.DatabaseUnavailableMiddleware",  # a database outage is a 503 page, not a 500
    "axes.middleware.AxesMiddleware",  # last: it turns a lockout into a 429 page
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# sqlite:///path (default: a file in the project) or postgres://user@host:port/name
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the site read while an ingest writes; a busy timeout instead of "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        # A 64 MB page cache: the default 2 MB cache thrashes once an archive
        # (with its history and FTS tables) outgrows it, which slowed a long ingest down as it went.
        # Checkpoints (which fsync) every 16 MB of WAL rather than every 4 MB.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536; "
            "PRAGMA temp_store=MEMORY; PRAGMA wal_autocheckpoint=4000;"
        ),
        "timeout": 20,
        # Every transaction takes the write lock when it begins (BEGIN IMMEDIATE), so a writer waits
        # for another (up to the timeout) instead of failing with "database is locked" when its read
        # snapshot can no longer be upgraded to a write: two ingests at once, or an upload during one.
        "transaction_mode": "IMMEDIATE",
    }
    # Connections are kept (CONN_MAX_AGE, as on PostgreSQL): Django's connections are per thread, so a
    # kept one is never shared, and in autocommit it holds no read snapshot between requests (WAL
    # sees the loader's commits). A new one per request would re-run the PRAGMAs and start with an
    # empty 64 MB page cache each time: a wide query was 2.5× slower.

# A read replica (e.g. a PostgreSQL streaming standby of DATABASE_URL): anonymous GET/HEAD requests of
# the public pages read the archive from it; writes, the admin and signed-in users use the primary
# (config/db_router.py). Tests mirror it onto the primary's test database.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]
    # first: every read of the request knows whether the replica may answer it
    MIDDLEWARE.insert(0, "config.db_router.ReadReplicaMiddleware")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The list's covering indexes (cases.Case.Meta.indexes) INCLUDE columns for PostgreSQL's index-only
# scans; on SQLite, which has no INCLUDE, they are plain partial indexes, as intended.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed names in production; plain files while developing and testing.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

# Uploaded report files are kept outside static/ and never served back.
UPLOAD_ROOT = Path(os.environ.get("UPLOAD_ROOT", BASE_DIR / "var" / "uploads"))
DATA_UPLOAD_MAX_NUMBER_FILES = 100

LOGIN_URL = "admin:login"

# Repeated failed logins are slowed down by django-axes: after AXES_FAILURE_LIMIT failures for one
# user name from one address, that pair is locked out for AXES_COOLOFF_HOURS. Counting the pair (not
# the address alone) stops someone else's typos from locking a curator out of the office network.
AUTHENTICATION_BACKENDS = [
    "cases.auth.LoginThrottleBackend",  # first: a locked-out pair is refused before the password is checked
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# axes's own admin pages (attempts, failures, logs) are English and of no use to a curator; a locked-out
# account is released with `manage.py axes_reset_username <name>` (see README, Curation).
AXES_ENABLE_ADMIN = False

# The admin's upload page, per request (after a zip is opened).
ADMIN_UPLOAD_MAX_FILES = int(os.environ.get("ADMIN_UPLOAD_MAX_FILES", "50"))
ADMIN_UPLOAD_MAX_FILE_BYTES = int(os.environ.get("ADMIN_UPLOAD_MAX_FILE_BYTES", str(5 * 1024 * 1024)))
ADMIN_UPLOAD_MAX_TOTAL_BYTES = int(os.environ.get("ADMIN_UPLOAD_MAX_TOTAL_BYTES", str(50 * 1024 * 1024)))
# An upload holding more text than this is loaded after the response, not within the request's timeout.
ADMIN_UPLOAD_INLINE_BYTES = int(os.environ.get("ADMIN_UPLOAD_INLINE_BYTES", str(512 * 1024)))

# Security: on by default when DEBUG is off; SECURE_SSL_REDIRECT=0 behind a proxy that terminates TLS itself.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The site and its admin load nothing from elsewhere and run no inline script or style: everything
# from this origin only (django-csp sets the header on every response).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
    },
}

# Seconds a reader (or a crawler) is asked to wait when the database cannot be reached (503).
DATABASE_RETRY_AFTER_SECONDS = int(os.environ.get("DATABASE_RETRY_AFTER_SECONDS", "30"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}


# ---- the public JSON API (/api/, cases/api/) --------------------------------------------------------
# Read-only public data: no authentication at all (no session, so no CSRF), JSON only (no browsable
# API), an OpenAPI 3 schema from drf-spectacular. Any origin may GET it (CORS), nothing else.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": [],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "城市基层党建案例库 API",
    "DESCRIPTION": "只读的公开数据：已发布的案例、数字、比较指标、实践和地区。",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "cases.api.schema.document_errors",
    ],
}
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
