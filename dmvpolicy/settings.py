"""Settings for dmvpolicy, read from the environment.

With no environment at all the site runs for development on a local SQLite
file. With DJANGO_DEBUG off it refuses to start without a real secret key and
explicit allowed hosts.
"""

import datetime
import hashlib
import os
import tempfile
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name, default):
    value = os.environ.get(name) or str(default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def default_stamp_file(database):
    """Where the page cache's stamps live with a local-memory cache: beside the
    SQLite file, or in the temporary folder under a name made from the database."""
    name = str(database.get("NAME") or "")
    if database["ENGINE"].endswith("sqlite3") and name and not name.startswith(("file:", ":")):
        return Path(f"{name}.page-cache-stamp")
    where = f"{database.get('HOST')}:{database.get('PORT')}/{name}"
    digest = hashlib.sha256(where.encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"dmvpolicy-page-cache-stamp-{digest}"


def cache_from_url(url):
    """CACHES['default'] from a CACHE_URL: locmem://, redis://host:6379/0,
    memcached://host:11211 (several: memcached://a:11211,b:11211) or dummy://."""
    scheme, _, location = url.partition("://")
    if scheme == "locmem":
        # Bounded so a worker's memory stays bounded: about 1,000 pages of up to 100 KB.
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": location or "pages",
            "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 1000)},
        }
    if scheme in ("redis", "rediss"):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if scheme in ("memcached", "pymemcache"):
        return {
            "BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
            "LOCATION": location.split(","),
        }
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ImproperlyConfigured(
        f"CACHE_URL {url!r} is not understood: use locmem://, redis://host:6379/0, "
        "memcached://host:11211 or dummy://."
    )


DEBUG = env_bool("DJANGO_DEBUG", True)

DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", DEVELOPMENT_SECRET_KEY if DEBUG else "")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

if not DEBUG:
    if (
        len(SECRET_KEY) < 50
        or SECRET_KEY == DEVELOPMENT_SECRET_KEY
        or SECRET_KEY.startswith("django-insecure")
    ):
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set to a random value of at least 50 characters "
            "when DJANGO_DEBUG is off. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(64))'"
        )
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS must list the site's host names (comma-separated, no '*') "
            "when DJANGO_DEBUG is off."
        )

INSTALLED_APPS = [
    # The admin, with its site requiring a second factor (staff/admin_site.py).
    "staff.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "taggit",
    "simple_history",
    "csp",
    "faq",
    "staff",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A NUL in the path or query is a 400 (PostgreSQL refuses it: faq/bad_input.py).
    "faq.bad_input.RefuseNulBytesMiddleware",
    # Answers cached pages before sessions, CSRF and auth run (faq/middleware.py).
    "faq.middleware.PageCacheMiddleware",
    # The admin, and only the admin, speaks the editor's browser language.
    "faq.middleware.AdminLanguageMiddleware",
    # The URL alone decides the language: /es/… is Spanish (faq/languages.py).
    "faq.languages.LanguageFromURLMiddleware",
    # django-csp, with the site's one policy built once (faq/csp.py).
    "faq.csp.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session gave a second factor.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle timeout and absolute lifetime of staff sessions (staff/middleware.py).
    "staff.middleware.StaffSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records the logged-in editor on every history row.
    "simple_history.middleware.HistoryRequestMiddleware",
    # A database fault becomes a 503 that keeps an editor's posted text (faq/faults.py).
    "faq.faults.DatabaseFaultMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dmvpolicy.urls"
WSGI_APPLICATION = "dmvpolicy.wsgi.application"

# Public pages are Jinja2 (faq/jinja.py says why); the admin's overrides in
# templates/admin/ and every app's templates are Django templates.
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "faq.jinja.environment",
            "context_processors": ["faq.context_processors.site"],
        },
    },
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

# The busy timeout (seconds) stays well under gunicorn's worker timeout so a
# locked database gives a clear error instead of a killed worker.
SQLITE_BUSY_TIMEOUT = 20
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions: concurrent admin saves wait for the lock instead
    # of failing with "database is locked" (Django docs, SQLite notes). A
    # rollback journal, not WAL: WAL's memory-mapped -shm file kills a worker
    # with SIGBUS when it becomes unwritable (faq/faults.py use_rollback_journal).
    # Connections persist like PostgreSQL's (DATABASE_CONN_MAX_AGE): a warm
    # SQLite page cache renders an uncached page of a 10,000-question database
    # about a third faster than a connection opened per request.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": SQLITE_BUSY_TIMEOUT,
        # NORMAL: FULL's extra fsync per commit blocked readers for the whole
        # commit and cut public throughput under saves by half or more
        # (README "Faults and recovery").
        "init_command": "PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Editor logins and security (README "Editor logins and security") --------
# django-axes must come first: it refuses a locked-out login before the
# password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout: after LOGIN_FAILURE_LIMIT wrong passwords for one username (from
# any address), or from one client address (for any usernames), that username
# or address may not log in for LOGIN_COOLOFF_MINUTES, even with the right
# password. `manage.py axes_reset` (or axes_reset_username NAME /
# axes_reset_ip ADDRESS) unlocks at once.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "staff.views.lockout_response"
# The client's address: REMOTE_ADDR, unless TRUSTED_PROXY_COUNT proxies that
# append to X-Forwarded-For stand in front of the app (staff/client_ip.py).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "staff.client_ip.client_ip"
AXES_USERNAME_CALLABLE = "staff.client_ip.client_username"
# Passwords and usernames typed at the login never reach the logs.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password"]

# Second factor (django-otp): required of everyone who may publish (Publishers
# and superusers); offered to Editors. Only a development machine may turn the
# requirement off.
OTP_REQUIRED = env_bool("OTP_REQUIRED", True)
if not OTP_REQUIRED and not DEBUG:
    raise ImproperlyConfigured(
        "OTP_REQUIRED=false is for development machines only: it is refused when "
        "DJANGO_DEBUG is off. Publishers and superusers must use a second factor."
    )
OTP_TOTP_ISSUER = os.environ.get("DJANGO_SITE_NAME", "DMV Policy FAQ")
RECOVERY_CODE_COUNT = 10

# Staff sessions: logged out after SESSION_IDLE_MINUTES without a request, and
# SESSION_MAX_HOURS after logging in whatever they do (staff/middleware.py).
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_MINUTES", 60) * 60
SESSION_MAX_AGE_SECONDS = env_int("SESSION_MAX_HOURS", 12) * 3600
# The browser drops the cookie at the absolute lifetime too.
SESSION_COOKIE_AGE = SESSION_MAX_AGE_SECONDS
# A login whose next= is refused lands on the admin, not /accounts/profile/.
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"
# --- end of editor logins and security ---------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Interface languages (README "Interface languages"). On public pages the URL
# alone decides the language: no LocaleMiddleware, no Accept-Language or
# cookie, so the page cache keeps one copy per URL. Only the admin follows
# the editor's browser (faq.middleware.AdminLanguageMiddleware).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "America/Chicago")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# With DEBUG off: hashed file names, gzip and brotli copies made at
# collectstatic, and whitenoise sends hashed files with a ten-year
# "Cache-Control: max-age=315360000, public, immutable".
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Where `manage.py backup` (make backup) writes; git ignores the default.
BACKUP_DIR = os.environ.get("DJANGO_BACKUP_DIR") or BASE_DIR / "backups"

TAGGIT_CASE_INSENSITIVE = True
# Reverts go through the answer's own history (faq/admin/common.py RevisionedAdmin).
SIMPLE_HISTORY_REVERT_DISABLED = True

SITE_NAME = os.environ.get("DJANGO_SITE_NAME", "DMV Policy FAQ")
# The site's address as editors reach it, for links in emails (no request
# there to build them from): https://faq.example.org. By default the first
# allowed host over HTTPS, or `make run`'s address in development.
SITE_URL = (
    os.environ.get("SITE_URL")
    or ("http://127.0.0.1:8000" if DEBUG else f"https://{ALLOWED_HOSTS[0].lstrip('.')}")
).rstrip("/")

# Email (workflow notifications, faq/notifications.py): SMTP when EMAIL_HOST
# is set, else printed to the console (development). A failure to send is
# logged and never stops the editor's step.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
# Emails are sent as the editor's step ends: a slow server must not hold it long.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", f"{SITE_NAME} <noreply@{SITE_URL.split('://', 1)[-1].split(':')[0]}>"
)

# Page cache (faq/middleware.py, faq/cache.py). CACHE_URL picks the store:
# the default local memory is per gunicorn worker; several app servers share
# Redis or Memcached. Pages are keyed by a content stamp that every edit
# replaces, so PAGE_CACHE_SECONDS only bounds memory, never staleness.
CACHES = {"default": cache_from_url(os.environ.get("CACHE_URL") or "locmem://")}
CACHES["default"]["KEY_PREFIX"] = os.environ.get("CACHE_KEY_PREFIX", "dmvpolicy")
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 3600)  # 0 turns the page cache off
# How long browsers and proxies may reuse a page before revalidating (a 304).
PAGE_CACHE_MAX_AGE = env_int("PAGE_CACHE_MAX_AGE", 60)
# With the local-memory cache, the content stamps all workers share live in this
# file and a folder beside it: by default beside the SQLite database, or for
# another database in the system's temporary folder, named after the database.
PAGE_CACHE_STAMP_FILE = os.environ.get("PAGE_CACHE_STAMP_FILE") or default_stamp_file(
    DATABASES["default"]
)
# How long a request waits for another request's render of the same page
# before rendering it itself (faq/middleware.py render_once).
PAGE_CACHE_RENDER_WAIT = float(os.environ.get("PAGE_CACHE_RENDER_WAIT") or 2)
PAGE_CACHE_EXEMPT_PREFIXES = ("/admin/", "/healthz")
# Query parameters that select a different page; any other parameter bypasses the cache.
PAGE_CACHE_QUERY_PARAMS = frozenset({"page", "q"})

# Search statistics (faq/search_stats.py): days kept, and how often each
# process writes its counts (seconds; counts are written after responses).
SEARCH_STATS_DAYS = env_int("SEARCH_STATS_DAYS", 90)
SEARCH_STATS_FLUSH_SECONDS = env_int("SEARCH_STATS_FLUSH_SECONDS", 10)

# Security headers. `manage.py check --deploy --fail-level WARNING` passes with
# DJANGO_DEBUG=false (tests/test_serving.py). Scored against the MDN HTTP
# Observatory rules: CSP without unsafe-inline, HSTS >= 6 months, cookies
# Secure + HttpOnly + SameSite, nosniff, Referrer-Policy, frame-ancestors.
if not DEBUG:
    # The TLS proxy must set X-Forwarded-Proto (and strip it from clients).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    # Load balancers probe over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^healthz/schedules$"]
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

SESSION_COOKIE_HTTPONLY = True
# The admin reads the CSRF token from its forms, never from the cookie.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# django-csp 4 format. No inline script or style anywhere: the public
# templates and the Django admin load theirs from files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
