"""MatchPlan settings: one file, configured from the environment.

Development defaults are safe and need nothing set (SQLite file, DEBUG on, console
email). Production (DEBUG off) refuses to start without a real SECRET_KEY.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

_DEV_SECRET = "django-insecure-matchplan-development-only"  # noqa: S105 (DEBUG only)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(or DEBUG=1 for local development)."
        )
    SECRET_KEY = _DEV_SECRET

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # third party
    "django_htmx",
    "template_partials",
    "crispy_forms",
    "crispy_bootstrap5",
    "import_export",
    "simple_history",
    "axes",
    # ours
    "core",
    "accounts",
    "programs",
    "assessments",
    "advising",
    "tracker",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # 400 for a NUL character in the path, query, form or cookies, before anything reads them
    "core.middleware.RejectNulMiddleware",
    # outside the session middleware so a failed session save is caught as well
    "core.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-csp, with a hash-listed exception for one admin page (see the module)
    "core.middleware.AdminCSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # failed log-ins per IP address across accounts (axes counts per email and IP)
    "accounts.middleware.LoginThrottleMiddleware",
    # axes last, as its documentation asks
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "programs.context_processors.demo_notice",
                "core.context_processors.navigation",
            ],
        },
    },
]

# --- Database: SQLite file unless DATABASE_URL is set -----------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
# A pooled connection that died with the server is detected before use, so the app
# recovers by itself after a database restart.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A bound on one request's database work: on PostgreSQL a statement running longer than
# DB_STATEMENT_TIMEOUT_MS is cancelled and the request gets the 503 page. gunicorn
# (docker/gunicorn.conf.py) sets 10 s for web workers; commands (migrate, imports) have none.
DB_STATEMENT_TIMEOUT_MS = env.int("DB_STATEMENT_TIMEOUT_MS", default=0)
if DB_STATEMENT_TIMEOUT_MS and "postgresql" in DATABASES["default"]["ENGINE"]:
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS}"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "assessments:home"

# Login throttling (django-axes): lock the username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The login form posts the email as "username"; read either key, lower-cased.
AXES_USERNAME_CALLABLE = "accounts.throttling.axes_username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# No start-up banner on stderr: `manage.py assess` promises stderr holds only field errors.
AXES_VERBOSE = False

# --- i18n ------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Files browsers ask for at the site root (/favicon.ico), served by WhiteNoise.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
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

# --- Forms -----------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Email -----------------------------------------------------------------------------
# The console and file backends write every email in full (password-reset and invitation
# links, addresses) to the server output or disk, where anyone reading logs could take over
# an account. Development uses the console; with DEBUG off the backend must be named and
# must not be one of those (accounts.checks repeats this as a deploy check).
CONSOLE_EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
LOGGING_EMAIL_BACKENDS = (CONSOLE_EMAIL_BACKEND, "django.core.mail.backends.filebased.EmailBackend")
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default=CONSOLE_EMAIL_BACKEND if DEBUG else "")
if not DEBUG and (not EMAIL_BACKEND or EMAIL_BACKEND in LOGGING_EMAIL_BACKENDS):
    raise ImproperlyConfigured(
        f"EMAIL_BACKEND is {'set to ' + EMAIL_BACKEND if EMAIL_BACKEND else 'not set'}. "
        "With DEBUG off, set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend "
        "(with EMAIL_HOST, EMAIL_PORT, ...) to send mail, or "
        "django.core.mail.backends.dummy.EmailBackend to send none. The console and file "
        "backends would write password-reset and invitation links to the logs."
    )
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="MatchPlan <noreply@matchplan.invalid>")
# The public address links in emails sent outside a request (the reminder command) start with.
SITE_URL = env.str("SITE_URL", default="http://localhost:8000")

# --- Cache and sessions: one shared cache ---------------------------------------------
# Redis when REDIS_URL is set (CI, docker-compose, production): every worker and every app
# server shares cached counts and fragments (keyed by catalog version) and sessions.
# Without it (`make run`), a per-process local-memory cache, which needs nothing.
REDIS_URL = env.str("REDIS_URL", default="")


def _code_digest() -> str:
    """A digest of the code and templates: part of every cache key, so a deploy never reads
    what the previous release cached (pickled engine objects of classes since renamed,
    fragments of changed templates). Sessions survive: they are read from the database
    when the cache misses."""
    digest = hashlib.sha256()
    for folder in (
        "core",
        "accounts",
        "programs",
        "assessments",
        "advising",
        "tracker",
        "config",
        "templates",
    ):
        for path in sorted((BASE_DIR / folder).rglob("*")):
            if path.suffix in {".py", ".html"} and "migrations" not in path.parts:
                digest.update(path.relative_to(BASE_DIR).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


CACHE_KEY_PREFIX = f"{env.str('CACHE_KEY_PREFIX', default='matchplan')}:{_code_digest()}"
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "matchplan",
        }
    }
# Sessions are written to the database and read from the cache (a miss reads the row).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Rate limits (accounts.ratelimit): "count/seconds" per client -----------------------
# Counted in the cache above; point CACHES at a shared Redis for one count across workers.
RATE_LIMITS_ENABLED = env.bool("RATE_LIMITS_ENABLED", default=True)
RATE_LIMITS = {
    # plans generated from the wizard (each stores a snapshot of the catalog)
    "plan_create": env.str("RATE_LIMIT_PLAN_CREATE", default="20/3600"),
    # what-if recomputations on a plan page
    "plan_whatif": env.str("RATE_LIMIT_PLAN_WHATIF", default="60/600"),
    # failed log-ins from one IP address, whatever the accounts (axes counts per account)
    "login_ip": env.str("RATE_LIMIT_LOGIN_IP", default="30/900"),
    # sign-up attempts from one IP address (each may send an email)
    "signup": env.str("RATE_LIMIT_SIGNUP", default="10/3600"),
    # password reset emails asked for from one IP address, and to one email address
    # (room for a few tries: the lock-out pages offer the reset as the way back in)
    "password_reset_ip": env.str("RATE_LIMIT_PASSWORD_RESET_IP", default="10/3600"),
    "password_reset_email": env.str("RATE_LIMIT_PASSWORD_RESET_EMAIL", default="5/3600"),
    # plan CSV downloads (a large plan's file takes a worker for a fraction of a second)
    "plan_csv": env.str("RATE_LIMIT_PLAN_CSV", default="30/600"),
    # program browser CSV downloads (the whole catalog when unfiltered)
    "programs_csv": env.str("RATE_LIMIT_PROGRAMS_CSV", default="30/600"),
}
# Plan CSV files built at the same time (site-wide with a shared cache, else per worker):
# the rest are asked to retry in a few seconds, so downloads never take every worker.
CSV_EXPORTS_AT_ONCE = env.int("CSV_EXPORTS_AT_ONCE", default=1)

# Anonymous drafts and plans nobody claimed are deleted after this many days by
# `manage.py expire_anonymous` (run it daily from cron). Longer than a session lasts
# (SESSION_COOKIE_AGE, two weeks), so nothing a visitor can still open is removed.
ANONYMOUS_WORK_MAX_AGE_DAYS = env.int("ANONYMOUS_WORK_MAX_AGE_DAYS", default=30)

# --- Security --------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads no cookie; the token is in hx-headers
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # /healthz is probed over plain HTTP inside the container network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content-Security-Policy: no inline scripts or styles anywhere (htmx is configured
# through a <meta> tag and its indicator styles live in our CSS).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Logging: no applicant data in logs ------------------------------------------------
# Every handler scrubs emails, query strings and score/visa key=value pairs
# (accounts.logging_filters). Request bodies are never logged; SQL (whose parameters hold
# profile answers) is logged only at WARNING. "django" and "django.server" are named here
# to drop Django's default handlers, which do not redact; their records go to the root.
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "accounts.logging_filters.RedactPersonalData"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
    },
}

# --- MatchPlan -------------------------------------------------------------------------
DEMO_SOURCE = "Demo data (fictional)"
