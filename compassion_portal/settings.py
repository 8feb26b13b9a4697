"""Settings for the Compassion Portal, read from the environment.

Every value that differs between a laptop, CI and production comes from an environment
variable (see the README's configuration table). DEBUG is off unless asked for, so a
forgotten variable fails safe.
"""

import os
import sys
import zoneinfo
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no variable; anything unrecognised is a configuration error."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}"
    )


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """Read a comma-separated list, ignoring blanks and surrounding spaces."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from exc


def env_time_zone(name: str, default: str) -> str:
    """Read an IANA time zone name such as America/Chicago."""
    value = os.environ.get(name, "").strip() or default
    if value not in zoneinfo.available_timezones():
        raise ImproperlyConfigured(
            f"{name} must be a time zone such as America/Chicago; got {value!r}"
        )
    return value


def env_secret(name: str, *, required: bool, fallback: str = "") -> str:
    """Read a secret that production must set; development may use a throwaway fallback."""
    value = os.environ.get(name, "")
    if value:
        return value
    if required:
        raise ImproperlyConfigured(f"{name} must be set when DEBUG is off.")
    return fallback


TESTING = "pytest" in sys.modules
DEBUG = env_bool("DEBUG", default=False)
HTTPS = env_bool("HTTPS", default=not (DEBUG or TESTING))

SECRET_KEY = env_secret(
    "SECRET_KEY",
    required=not (DEBUG or TESTING),
    fallback="insecure-development-key-only-for-debug-and-tests-0123456789abcdef",
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "compassion_portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.forms",
    "django_filters",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "compassion_portal",
    "compacts",
    "directory",
    "curriculum",
]

MIDDLEWARE = [
    "compassion_portal.stack.StackHeadroomMiddleware",  # first: see its module
    "compassion_portal.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "compassion_portal.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "compassion_portal.languages.PreferredLanguageMiddleware",  # LocaleMiddleware, and more
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "compassion_portal.middleware.PrivatePagesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "compassion_portal.urls"
WSGI_APPLICATION = "compassion_portal.wsgi.application"

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
                "csp.context_processors.nonce",
                "compassion_portal.context_processors.navigation",
            ],
        },
    },
]

# Forms render with the templates above, so that templates/django/forms/ can adjust a widget.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Database: SQLite needs no set-up; Postgres is what production and CI use.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # psycopg 3's pool keeps connections warm; with CONN_HEALTH_CHECKS Django asks the pool
    # to test each connection as it is handed out, so a restarted Postgres costs a
    # reconnect instead of an error page.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT compilation: this site runs short queries, and Postgres's JIT, triggered by
    # a high cost estimate, spent 1.2 s compiling an "open now" search that then ran in
    # 0.3 s (200,000 services).
    # No synchronized sequential scans: with them a scan of a large table starts where
    # another one is, so a search that stops reading at its first thousand matches (see
    # directory/search.py) found a different thousand each time, and page 2 of a broad
    # search could repeat listings of page 1.
    # No parallel query: on a small server every core already serves a request, and
    # starting workers cost more than it saved. "Open now" (the first thousand open
    # services in name order, 200,000 services) took 46-57 ms with two workers and 23 ms
    # without; no other page type got slower.
    connection_options = {
        "options": "-c jit=off -c synchronize_seqscans=off -c max_parallel_workers_per_gather=0"
    }
    DATABASES["default"]["OPTIONS"] = {
        **connection_options,
        "pool": {
            "min_size": env_int("DB_POOL_MIN_SIZE", 1),
            "max_size": env_int("DB_POOL_MAX_SIZE", 8),
            "timeout": env_int("DB_POOL_TIMEOUT", 10),
        },
    }
    if TESTING:
        # Tests run threads and live servers against one pool per process; plain
        # connections keep them independent and let the test database be dropped.
        DATABASES["default"]["OPTIONS"] = connection_options
        DATABASES["default"]["CONN_MAX_AGE"] = 0

# Background jobs report their progress on a connection of their own: an HSDS import runs in
# one transaction on the default connection, and nobody else sees its writes until it ends.
# A plain connection (no pool): only the worker uses it. Postgres only: SQLite allows one
# writer at a time, so there progress is shown when a job ends (directory/imports.py).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["progress"] = {
        **DATABASES["default"],
        "OPTIONS": connection_options,
        "CONN_MAX_AGE": 0,
        "TEST": {"MIRROR": "default"},
    }

# The task queue (django-tasks, the backport of Django 6's tasks framework) keeps its jobs in
# the database; `manage.py db_worker` runs them (`make run` starts one beside runserver).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A running import that has not reported for this long is shown as stopped (its worker died:
# the import is one transaction, so nothing of it was kept).
IMPORT_STALLED_AFTER_SECONDS = env_int("IMPORT_STALLED_AFTER_SECONDS", 900)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "compassion_portal.User"

# Cache: rate limits and the directory's reference data live in it, so every worker of every
# app server must see the same one. Redis when REDIS_URL is set; otherwise the database's cache
# table, which `migrate` creates (compassion_portal/migrations/0002_cache_table.py). Only a
# single process may keep its cache in its own memory: runserver (DEBUG) and the test run.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "portal"),
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
elif DEBUG or TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "portal_cache",
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # OWASP ASVS level 2 (2.1.1): at least 12 characters.
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Accounts: email only, verified before first sign-in.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_RATE_LIMITS_ENABLED = True  # allauth's defaults: login failures, sign-up, reset
# The site's name in emails (allauth's and the portal's): the portal's own name, which the
# catalogue has in Spanish, unless an installation names itself (SITE_NAME).
SITE_NAME = os.environ.get("SITE_NAME", "").strip() or "Compassion Portal"
ACCOUNT_EMAIL_SUBJECT_PREFIX = format_lazy("[{}] ", _(SITE_NAME))
LOGIN_REDIRECT_URL = "account_profile"
LOGIN_URL = "account_login"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Admins always need two-factor; an installation may require it of city staff who sign too.
SIGNING_REQUIRES_MFA = env_bool("SIGNING_REQUIRES_MFA", default=False)

# Email: Django's own setting names, honoured as given; the console by default.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Compassion Portal <noreply@localhost>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# The site's public address, for the links in emails (staff decisions, cities asking to
# join). Never the Host a request came in on: a decision made in the admin behind a proxy
# would otherwise send people to an internal address such as 127.0.0.1:8000.
SITE_URL = os.environ.get("SITE_URL", "").strip().rstrip("/") or "http://localhost:8000"
_site_scheme, _site_separator, _site_host = SITE_URL.partition("://")
if _site_scheme not in ("http", "https") or not _site_host or "/" in _site_host:
    raise ImproperlyConfigured(
        f"SITE_URL must be a scheme and host such as https://portal.example.org; got {SITE_URL!r}"
    )

# Languages: English at /..., Spanish at /es/... (urls.py, compassion_portal/languages.py);
# the catalogue is locale/es/LC_MESSAGES/django.po, compiled beside it (README, Languages).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Spanish times and numbers as the U.S. writes them: "5 p. m.", 1,234.5 (formats/__init__.py).
FORMAT_MODULE_PATH = ["compassion_portal.formats"]
# The header's language switch remembers the choice for a year; the page's address still wins.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
# Opening hours are read in a listing's own local time: its partner city's time zone, else
# this one (never silently in UTC). The guide's working model, San Antonio, is on Central time.
DIRECTORY_TIME_ZONE = env_time_zone("DIRECTORY_TIME_ZONE", "America/Chicago")

# What an HSDS package may hold before it is refused (directory/hsds/reader.py). A synthetic
# package of 200,000 services is about 225 MB, services.csv 61 MB and its longest row 400 bytes.
HSDS_MAX_FIELD_CHARS = env_int("HSDS_MAX_FIELD_CHARS", 1024 * 1024)  # one cell
HSDS_MAX_ROW_BYTES = env_int("HSDS_MAX_ROW_BYTES", 4 * 1024 * 1024)  # one row, all its lines
HSDS_MAX_MEMBER_BYTES = env_int("HSDS_MAX_MEMBER_BYTES", 512 * 1024 * 1024)  # one file, unzipped
HSDS_MAX_PACKAGE_BYTES = env_int("HSDS_MAX_PACKAGE_BYTES", 2 * 1024 * 1024 * 1024)  # all files
if min(HSDS_MAX_FIELD_CHARS, HSDS_MAX_ROW_BYTES, HSDS_MAX_MEMBER_BYTES) < 1024:
    raise ImproperlyConfigured("the HSDS_MAX_* settings must each be at least 1024")
if HSDS_MAX_PACKAGE_BYTES < HSDS_MAX_MEMBER_BYTES:
    raise ImproperlyConfigured("HSDS_MAX_PACKAGE_BYTES must be at least HSDS_MAX_MEMBER_BYTES")

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Security: production-safe unless HTTPS=0 asks for plain HTTP on localhost.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
if HTTPS:
    # The __Host- prefix pins cookies to this exact host over HTTPS.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    LANGUAGE_COOKIE_NAME = "__Host-language"
    SECURE_HSTS_SECONDS = 63072000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
if env_bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# The visitor's address, which the rate limits and the audit log count, behind reverse proxies
# (nginx, a load balancer) that each append the address they were reached from to
# X-Forwarded-For: TRUSTED_PROXY_COUNT is how many of them stand in front of gunicorn, and the
# address is that many entries from the right of the header (compassion_portal/ratelimit.py);
# what the visitor sent further left is ignored. 0, the default, is for gunicorn facing the
# visitors itself: the header, which anyone can forge, is ignored.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT must be 0 or more; got {TRUSTED_PROXY_COUNT}")
# allauth's rate limits (sign-in failures, sign-up, password reset) read the same header the
# same way. Its other option, ALLAUTH_TRUSTED_CLIENT_IP_HEADER, stays unset: it would replace
# this count with a single header that a proxy passes on unchanged unless told to overwrite it.
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
# allauth reads the visitor's address through the portal's client_ip (adapters.py).
ACCOUNT_ADAPTER = "compassion_portal.adapters.AccountAdapter"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}

# Where the quick-exit button of a sensitive listing (family violence, crisis) goes: a site
# that says nothing about the person who leaves for it.
QUICK_EXIT_URL = os.environ.get("QUICK_EXIT_URL", "https://www.weather.gov/")

PERMISSIONS_POLICY_DENY = [
    "accelerometer",
    "autoplay",
    "bluetooth",
    "camera",
    "display-capture",
    "encrypted-media",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
]

# Logs: JSON lines on stdout, each with the request id (LOG_FORMAT=plain for humans).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "compassion_portal.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "compassion_portal.logs.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s %(message)s"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["request_id"],
            "formatter": os.environ.get("LOG_FORMAT", "plain" if DEBUG else "json"),
        }
    },
    "root": {"handlers": ["stdout"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Rate limits of the portal's own forms: name -> (attempts, per seconds). allauth keeps its own.
PORTAL_RATE_LIMITS = {
    "directory.suggest": (env_int("RATE_LIMIT_SUGGEST_PER_HOUR", 5), 3600),
    "compacts.sign": (env_int("RATE_LIMIT_SIGN_PER_HOUR", 30), 3600),
    "compacts.staff_request": (10, 3600),
    "compacts.peer_contact": (env_int("RATE_LIMIT_PEER_CONTACT_PER_HOUR", 5), 3600),
    "directory.api": (env_int("RATE_LIMIT_API_PER_HOUR", 600), 3600),  # HSDS API, per IP
}
