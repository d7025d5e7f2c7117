"""Settings for Kết Nghĩa, read from the environment (and an optional .env file).

Every variable is listed in .env.example. With DEBUG off the secure defaults apply and
SECRET_KEY and ALLOWED_HOSTS must be given.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

if DEBUG:
    # A development-only key; production must set SECRET_KEY (env() raises otherwise).
    SECRET_KEY = env("SECRET_KEY", default="") or "dev-only-insecure-key-not-for-production"
else:
    SECRET_KEY = env("SECRET_KEY", default="")
    if not SECRET_KEY:
        raise ImproperlyConfigured("Set the SECRET_KEY environment variable (DEBUG is off).")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The coordinating body and the province appear on screens, emails and official documents.
COORDINATOR_NAME = env("COORDINATOR_NAME", default="Ban Dân tộc tỉnh Gia Lai")
PROVINCE_NAME = env("PROVINCE_NAME", default="Gia Lai")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "simple_history",
    "django_tasks",
    "ketnghia.apps.BackgroundTasksConfig",  # django_tasks_db, named in Vietnamese
    "import_export",
    "ketnghia.apps.LoginAttemptsConfig",  # axes, named in Vietnamese
    "csp",
    "assignments",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ketnghia.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ketnghia.urls"
WSGI_APPLICATION = "ketnghia.wsgi.application"

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
                "ketnghia.context_processors.site",
                "reports.context_processors.notices",
            ],
        },
    },
]

# The embedded default is a SQLite file in the project folder; production sets
# DATABASE_URL=postgres://user:password@host:5432/name.
DATABASES = {"default": env.db("DATABASE_URL", default="sqlite:///db.sqlite3")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["NAME"] = str(BASE_DIR / DATABASES["default"]["NAME"])
    # Several writers at once (pages, the worker, the reminders) must wait for each other,
    # never fail: write-ahead logging lets readers and one writer work together, write
    # transactions take their lock when they begin (a read that later wants to write cannot
    # deadlock another writer), and a busy writer is waited for up to SQLITE_BUSY_SECONDS.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_BUSY_SECONDS", default=30),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# A kept connection that the server closed meanwhile is noticed and opened again.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("TEST", {})["NAME"] = env(
        "TEST_DATABASE_NAME", default=f"test_{DATABASES['default']['NAME']}"
    )
    # No JIT compilation: the pages' queries run in milliseconds, and a query with several
    # correlated subqueries (the formalism flags) is estimated costly enough for PostgreSQL
    # to spend a second compiling it (measured: 1,054 ms of JIT for 7 ms of work).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "assignments.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["ketnghia.formats"]
USE_I18N = True
USE_THOUSAND_SEPARATOR = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / env("STATIC_ROOT", default="staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploaded files (directive scans, later signed reports) live outside the static files and
# are served only through permission-checked views, never by URL.
MEDIA_ROOT = BASE_DIR / env("MEDIA_ROOT", default="media")

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="ketnghia@localhost")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failed logins lock the pair (username, client address) for a while.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("LOGIN_LOCKOUT_HOURS", default=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "ketnghia.network.client_ip"
# Behind N reverse proxies that append to X-Forwarded-For, the client is the N-th address
# from the right; 0 (no proxy) uses the connection's address, which cannot be faked.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# No inline scripts or styles anywhere: scripts and styles come from our static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Signed scans and other private uploads: outside MEDIA_ROOT's URL, served only by views
# that check permissions.
PRIVATE_MEDIA_ROOT = BASE_DIR / env("PRIVATE_MEDIA_ROOT", default="private")
UPLOAD_MAX_BYTES = int(env.float("UPLOAD_MAX_MB", default=10) * 1_048_576)

# Defaults of the official documents' issuing form (each is typed again on every issue).
DOCUMENT_PARENT_BODY = env("DOCUMENT_PARENT_BODY", default=f"UBND tỉnh {PROVINCE_NAME}")
DOCUMENT_SIGNING_AUTHORITY = env("DOCUMENT_SIGNING_AUTHORITY", default="KT. TRƯỞNG BAN")
DOCUMENT_SIGNER_TITLE = env("DOCUMENT_SIGNER_TITLE", default="PHÓ TRƯỞNG BAN")
DOCUMENT_SIGNER_NAME = env("DOCUMENT_SIGNER_NAME", default="")
DOCUMENT_NUMBER_SUFFIX = env("DOCUMENT_NUMBER_SUFFIX", default="BDT")
DOCUMENT_RECIPIENTS = env.list("DOCUMENT_RECIPIENTS", default=["UBND tỉnh", "Ban Dân vận Tỉnh ủy"])
RENDER_TIME_LIMIT = env.int("RENDER_TIME_LIMIT", default=120)  # seconds per PDF

# Background work (PDF rendering): a database queue read by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": env("TASK_BACKEND", default="django_tasks_db.DatabaseBackend")}}

# Reminders: days before a deadline (or an agency's extended date) when its reporters are
# emailed, and days after it when they are chased again while it stays missed; from the
# second chase on the agency's head is copied.
REMINDER_DAYS = env.list("REMINDER_DAYS", cast=int, default=[7, 1])
REMINDER_REPEAT_DAYS = env.list("REMINDER_REPEAT_DAYS", cast=int, default=[1, 7, 14])
# Links in emails point here (emails are sent by a command, outside any request).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# Imports of lists (assignment lists, agencies, villages, units, directives).
IMPORT_MAX_BYTES = int(env.float("IMPORT_MAX_MB", default=5) * 1_048_576)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=20_000)
# The file waits between preview and confirmation in the media storage, which every
# application server shares (the default temporary folder is local to one server).
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.MediaStorage"
IMPORT_EXPORT_SKIP_ADMIN_LOG = True  # the audit history records imported rows
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# Read only where no language's formats apply: django-import-export writes and reads the
# dates of a .csv by the first of these (the forms use ketnghia/formats and ketnghia/forms.py).
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M:%S"]

# Secure defaults whenever DEBUG is off; the proxy header is opt-in because trusting it
# without a proxy that sets it would let clients fake HTTPS. Only a trial on loopback over
# plain http (`make serve`, the smoke test) turns the redirect and the secure cookies off.
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        # Joining the browsers' preload list is the domain owner's decision, not a default.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    if env.bool("USE_X_FORWARDED_PROTO", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint narrates every layout step at INFO; only its warnings matter.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
