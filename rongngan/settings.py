"""One settings module, driven by the environment.

Development defaults are safe on a laptop (SQLite under var/, DEBUG on). Production is selected by
DEBUG=0, and then every secret must be given explicitly: a missing one is an error, not a default.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
# In a checkout, var/ beside the code; installed as a package, var/ in the working directory.
_DEFAULT_VAR = (
    PROJECT_DIR / "var" if (PROJECT_DIR / "pyproject.toml").exists() else Path.cwd() / "var"
)
VAR_DIR = Path(os.environ.get("RONGNGAN_VAR_DIR", _DEFAULT_VAR))


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def envsecret(name: str, dev_default: str | None = None) -> str:
    """A secret from NAME or from the file named by NAME_FILE (for container secrets)."""
    if path := os.environ.get(f"{name}_FILE"):
        return Path(path).read_text(encoding="utf-8").strip()
    if value := os.environ.get(name):
        return value
    if DEBUG and dev_default is not None:
        return dev_default
    raise ImproperlyConfigured(f"{name} (or {name}_FILE) must be set when DEBUG is off")


DEBUG = envbool("DEBUG", "1")
SECRET_KEY = envsecret("SECRET_KEY", dev_default="dev-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
if os.environ.get("CSRF_TRUSTED_ORIGINS"):
    CSRF_TRUSTED_ORIGINS = os.environ["CSRF_TRUSTED_ORIGINS"].split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "rongngan.core",
    "rongngan.accounts",
    "rongngan.registry",
    "rongngan.plan",
    "rongngan.waste",
    "rongngan.chemicals",
    "rongngan.chemicals.supervision",
    "rongngan.monitoring",
]

# The waste dashboard's covering index (INCLUDE columns) is a PostgreSQL feature; on SQLite the
# same index is built without them, which is what we want there.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "rongngan.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "rongngan.core.middleware.ThaiFirstLocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "rongngan.urls"
WSGI_APPLICATION = "rongngan.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "registry:factory_list"
LOGOUT_REDIRECT_URL = "home"

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
                "rongngan.core.context_processors.site",
            ],
        },
    },
]

# SQLite under var/ unless DATABASE_URL names another database (PostgreSQL in production).
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'rongngan.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", "60"),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker and the web process write without "database is locked" errors.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compilation costs 100-150 ms on each large aggregate (the KPI metrics) and gains
    # nothing on queries of this size; DB_OPTIONS adds other server settings.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = os.environ.get(
        "DB_OPTIONS", "-c jit=off"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# API tokens stop working after this many days (0: never); signing in again gives a new one.
API_TOKEN_MAX_AGE_DAYS = envint("API_TOKEN_MAX_AGE_DAYS", "90")
# Lock an account name (from any address) after this many failures within the window.
LOGIN_MAX_FAILURES = envint("LOGIN_MAX_FAILURES", "5")
LOGIN_LOCKOUT_MINUTES = envint("LOGIN_LOCKOUT_MINUTES", "15")

LANGUAGE_CODE = "th"
LANGUAGES = [("th", "ไทย"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploaded files (imports) are never served publicly: no MEDIA_URL route exists.
MEDIA_URL = "/media-not-served/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
IMPORT_MAX_BYTES = envint("IMPORT_MAX_BYTES", str(100 * 1024 * 1024))

# Only behind the documented reverse proxy, which sets X-Forwarded-For to the client address.
USE_X_FORWARDED_FOR = envbool("USE_X_FORWARDED_FOR", "0")

# Map tiles: the page works without them (a plain outline and the pin); deployments set a URL.
TILE_URL = os.environ.get("TILE_URL", "")
TILE_ATTRIBUTION = os.environ.get("TILE_ATTRIBUTION", "")

if not DEBUG:
    SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", "1")
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0")
SESSION_COOKIE_HTTPONLY = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rongngan.accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Deny by default: each view states who may use it.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "rongngan.core.parsers.ObjectJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rongngan.core.api.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "rongngan.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Rongngan API",
    "DESCRIPTION": "Factory register and regulatory data of the Department of Industrial Works.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files: the docs work with no internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets that share a field name across apps get names of their own in the schema.
    "ENUM_NAME_OVERRIDES": {
        "PlanStatusEnum": "rongngan.plan.models.Plan.Status",
        "MonitoringEventKindEnum": "rongngan.monitoring.models.Event.Kind",
        "MonitoringEventStatusEnum": "rongngan.monitoring.models.Event.Status",
        "StorageInspectionKindEnum": (
            "rongngan.chemicals.supervision.models.StorageInspection.Kind"
        ),
        "RefrigerationPlantKindEnum": (
            "rongngan.chemicals.supervision.models.RefrigerationPlant.Kind"
        ),
        "MassUnitEnum": [("kg", "kg"), ("t", "t")],
    },
}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "rongngan.core.logging.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "rongngan.core.logging.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": os.environ.get("LOG_FORMAT", "plain"),
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
    },
}
TASK_QUEUE_MAX_AGE_SECONDS = envint("TASK_QUEUE_MAX_AGE_SECONDS", "300")

# Waste manifest clocks (days), see rongngan/waste/clocks.py.
# E-mail (monitoring notifications). With no EMAIL_HOST the mails are written as files under
# <var>/mail/ (a demo or a test install sends nothing); with EMAIL_HOST they go by SMTP.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = envint("EMAIL_PORT", "587")
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = (
        envsecret("EMAIL_HOST_PASSWORD", "")
        if os.environ.get("EMAIL_HOST_PASSWORD") or os.environ.get("EMAIL_HOST_PASSWORD_FILE")
        else ""
    )
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "1")
    EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", "20")
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "rongngan@localhost")

WASTE_RECEIPT_CONTACT_DAYS = int(os.environ.get("WASTE_RECEIPT_CONTACT_DAYS", "35"))
WASTE_RECEIPT_EXCEPTION_DAYS = int(os.environ.get("WASTE_RECEIPT_EXCEPTION_DAYS", "45"))
WASTE_DISCREPANCY_DAYS = int(os.environ.get("WASTE_DISCREPANCY_DAYS", "15"))
# Waste may stay at the generator this many days without an officer's approval (Ministry of
# Industry notification on the disposal of waste or unusable materials B.E. 2566: 90 days).
WASTE_STORAGE_DAYS = int(os.environ.get("WASTE_STORAGE_DAYS", "90"))
# The generator's annual report on a calendar year is due on this day ("MM-DD") of the next year.
WASTE_ANNUAL_REPORT_DUE = os.environ.get("WASTE_ANNUAL_REPORT_DUE", "03-01")
# Processors are listed as near capacity when accepted tonnes reach this share of the permit.
WASTE_CAPACITY_WARNING = os.environ.get("WASTE_CAPACITY_WARNING", "0.8")
