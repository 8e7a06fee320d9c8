"""Liuke's one settings module, driven by environment variables.

The helpers below fail loudly on malformed values instead of guessing (after healthchecks'
`hc/settings.py`). Defaults give the embedded single-salon setup: SQLite in `var/`, DEBUG off
unless asked for, served on 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


def envint(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def envsecret(name: str, default: str = "") -> str:
    """A secret from NAME, or from the file named by NAME_FILE (Docker/systemd credentials)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


VAR_DIR = Path(env("LIUKE_VAR_DIR", str(PROJECT_DIR / "var"))).resolve()
DEBUG = envbool("DEBUG", False)
LIUKE_DEV_SECRET = envbool("LIUKE_DEV_SECRET", True)


def _secret_key() -> str:
    key = envsecret("SECRET_KEY")
    if key:
        return key
    if not LIUKE_DEV_SECRET:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set in production")
    # The embedded default: a random key kept in var/ so that sessions survive restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        import secrets

        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()


def liuke_apps() -> list[str]:
    """Every Liuke app: each package beside this file with an `apps.py`, ordered by its
    AppConfig's `order` (lower apps first, as docs/architecture.md lists them), so that adding an
    app edits no settings. The order is also the order of every store in `liuke.core.registry`,
    and it decides which app's translation wins when two catalogues translate the same text."""
    import importlib

    from django.apps import AppConfig

    found = []
    for path in BASE_DIR.glob("*/apps.py"):
        module = importlib.import_module(f"liuke.{path.parent.name}.apps")
        configs = [
            c
            for c in vars(module).values()
            if isinstance(c, type) and issubclass(c, AppConfig) and c.__module__ == module.__name__
        ]
        order = getattr(configs[0], "order", None) if len(configs) == 1 else None
        if not isinstance(order, int):
            raise ImproperlyConfigured(f"{module.__name__} needs one AppConfig with an int `order`")
        found.append((order, configs[0].name))
    orders = [order for order, _name in found]
    if len(set(orders)) != len(orders):
        raise ImproperlyConfigured("two Liuke apps have the same `order` in their apps.py")
    return [name for _order, name in sorted(found)]


ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "huey.contrib.djhuey",
    *liuke_apps(),
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "liuke.core.middleware.RequestIdMiddleware",
    # Before anything reads the body or the database: the API's 413 and 405 in its shape.
    "liuke.core.middleware.ApiEdgeMiddleware",
    # A form or JSON body that is not UTF-8 is refused, not stored with U+FFFD in its place.
    "liuke.core.middleware.Utf8InputMiddleware",
    # Just inside the request id: the request's reads become one audit event (audit.journal).
    "liuke.audit.journal.AuditJournalMiddleware",
    "liuke.core.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Cache-Control: no-store on every answer to staff and the API (read on the way out).
    "liuke.accounts.middleware.NoStoreMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "liuke.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "liuke.accounts.middleware.SessionIdleTimeoutMiddleware",
    "liuke.core.middleware.PageErrorMiddleware",
]

AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]

ROOT_URLCONF = "liuke.urls"
WSGI_APPLICATION = "liuke.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:today"
LOGOUT_REDIRECT_URL = "web:login"

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
                "liuke.web.context_processors.navigation",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
#: Run on every SQLite connection. `secure_delete` overwrites deleted and overwritten content with
#: zeros, so an erased customer's values do not stay readable in the file's free space; the WAL
#: holds them until its next checkpoint, which the erasure's storage job forces (docs/security.md).
SQLITE_INIT_COMMAND = (
    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA secure_delete=ON;"
    "PRAGMA foreign_keys=ON;PRAGMA cache_size=-64000;PRAGMA temp_store=MEMORY;"
)
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'liuke.sqlite3'}")
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 0))
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock when a
    # transaction starts, so two writers queue on the busy timeout instead of failing midway.
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": envint("SQLITE_BUSY_TIMEOUT", 20),
        "init_command": SQLITE_INIT_COMMAND,
    }
    Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    _db["TEST"] = {"NAME": env("SQLITE_TEST_NAME", "") or None}
else:
    _db["CONN_HEALTH_CHECKS"] = True
    # Parameters bound by the server, and statements run twice on a connection prepared: the
    # hot reads (session, user, customer, audit append) then skip PostgreSQL's parse and plan.
    # About a fifth of a profile read's time (docs/benchmarks.md). Behind a transaction-mode
    # pooler older than PgBouncer 1.21, set DB_PREPARE_THRESHOLD=0 to turn preparing off.
    _prepare = envint("DB_PREPARE_THRESHOLD", 2)
    if _prepare > 0:
        _db.setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=_prepare)
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background jobs (huey) ---------------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "liuke", "url": REDIS_URL, "immediate": False}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "liuke",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": envbool("HUEY_IMMEDIATE", False),
    }

# --- Passwords and sessions ---------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Absolute limit: a login lasts one working day at most, whatever the activity.
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 10 * 60 * 60)
# Idle limit: a front-desk tablet left alone logs out after 30 minutes without a request.
LIUKE_SESSION_IDLE_SECONDS = envint("LIUKE_SESSION_IDLE_SECONDS", 30 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Login throttling (liuke.accounts.throttle): failed logins are counted per account and per
# client address separately. After the free failures each further one doubles the time before
# the next attempt is heard (from LIUKE_LOGIN_BASE_DELAY seconds), up to a ceiling; a success
# clears the account's count; counts are forgotten after a quiet LIUKE_LOGIN_FORGET_SECONDS. A
# browser that has logged in to an account before is not held up by that account's count (its
# address's count still applies), so guessing at someone's password cannot lock them out.
LIUKE_LOGIN_ACCOUNT_FREE = envint("LIUKE_LOGIN_ACCOUNT_FREE", 5)
LIUKE_LOGIN_ADDRESS_FREE = envint("LIUKE_LOGIN_ADDRESS_FREE", 20)
LIUKE_LOGIN_BASE_DELAY = envint("LIUKE_LOGIN_BASE_DELAY", 30)
LIUKE_LOGIN_ACCOUNT_MAX_DELAY = envint("LIUKE_LOGIN_ACCOUNT_MAX_DELAY", 15 * 60)
LIUKE_LOGIN_ADDRESS_MAX_DELAY = envint("LIUKE_LOGIN_ADDRESS_MAX_DELAY", 60 * 60)
LIUKE_LOGIN_FORGET_SECONDS = envint("LIUKE_LOGIN_FORGET_SECONDS", 24 * 60 * 60)


def _networks(name: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    raw = env(name)
    try:
        parts = [p.strip() for p in raw.split(",") if p.strip()]
        return tuple(ipaddress.ip_network(p, strict=False) for p in parts)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: not an address or network: {exc}") from exc


# The proxies (addresses or networks, comma-separated) whose X-Forwarded-For is believed; only
# when the immediate peer is one of them is the client's address read from it (liuke.core.
# clientaddr). Empty: REMOTE_ADDR is the client, and any X-Forwarded-For is ignored.
LIUKE_TRUSTED_PROXIES = _networks("LIUKE_TRUSTED_PROXIES")
if env("LIUKE_CLIENT_IP_HEADER"):
    raise ImproperlyConfigured(
        "LIUKE_CLIENT_IP_HEADER is gone: set LIUKE_TRUSTED_PROXIES to your proxy's address "
        "(docs/operations.md, 'Behind a proxy')"
    )

# --- Production hardening (on when DEBUG is off and LIUKE_HTTPS is on) --------------------------
LIUKE_HTTPS = envbool("LIUKE_HTTPS", False)
SESSION_COOKIE_SECURE = LIUKE_HTTPS
CSRF_COOKIE_SECURE = LIUKE_HTTPS
SECURE_SSL_REDIRECT = LIUKE_HTTPS
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000 if LIUKE_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = LIUKE_HTTPS
SECURE_HSTS_PRELOAD = LIUKE_HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if LIUKE_HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = env("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
#: Replaces the default Content-Security-Policy (liuke/core/csp.py) when set.
LIUKE_CSP = env("LIUKE_CSP", "")
USE_I18N = True
TIME_ZONE = env("TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

# --- Static and uploaded files ------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
# No MEDIA_URL is routed: photos are served only through a view that checks the access policy.
MEDIA_URL = "/media-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = envbool("WHITENOISE_USE_FINDERS", False)
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 4 * 1024 * 1024

# --- Logging: never personal data in clear, one record one line (liuke.core.logging) -----------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "liuke.core.logging.RedactPersonalData"}},
    "formatters": {
        "plain": {
            "()": "liuke.core.logging.SafeFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact"], "formatter": "plain"}
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Liuke's own knobs --------------------------------------------------------------------------
# How long a retried write's Idempotency-Key is remembered (core.idempotency.purge_expired).
LIUKE_IDEMPOTENCY_DAYS = envint("LIUKE_IDEMPOTENCY_DAYS", 7)
LIUKE_PAGE_SIZE = envint("LIUKE_PAGE_SIZE", 25)
LIUKE_DEMO_CUSTOMERS = envint("LIUKE_DEMO_CUSTOMERS", 2000)
# Auditing of reads: on. `liuke bench` turns it off (LIUKE_AUDIT_READS=0) only to measure what
# auditing costs; it must NEVER be off in production (reads would leave no trace).
LIUKE_AUDIT_READS = envbool("LIUKE_AUDIT_READS", True)
# Public pages (survey answers, the suggestion box): the address customers reach them at, used
# in survey links and the printed QR code; and how many submissions one client address (read as
# liuke.core.clientaddr reads it) may make to one kind of public page per window (a
# database-backed counter, shared by every app server).
LIUKE_PUBLIC_URL = env("LIUKE_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")


def _channel_credentials() -> dict[str, dict[str, str]]:
    """Message channels' secrets (name → {key: value}) as JSON, from LIUKE_CHANNEL_CREDENTIALS
    or the file named by LIUKE_CHANNEL_CREDENTIALS_FILE: never in the database."""
    raw = envsecret("LIUKE_CHANNEL_CREDENTIALS", "{}") or "{}"
    try:
        table = json.loads(raw)
    except ValueError as exc:
        raise ImproperlyConfigured("LIUKE_CHANNEL_CREDENTIALS must be a JSON object") from exc
    if not isinstance(table, dict) or not all(isinstance(v, dict) for v in table.values()):
        raise ImproperlyConfigured("LIUKE_CHANNEL_CREDENTIALS: {name: {key: value}}")
    return {str(k): {str(a): str(b) for a, b in v.items()} for k, v in table.items()}


CHANNEL_CREDENTIALS = _channel_credentials()
LIUKE_PUBLIC_RATE_LIMIT = envint("LIUKE_PUBLIC_RATE_LIMIT", 20)
LIUKE_PUBLIC_RATE_WINDOW = envint("LIUKE_PUBLIC_RATE_WINDOW", 600)
