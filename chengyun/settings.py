"""Settings for chengyun, read from environment variables with safe defaults.

The embedded default (no environment at all) is a SQLite database under var/
and Celery running tasks in-process, so `make demo` needs nothing but Python.
Production sets DATABASE_URL (PostgreSQL), CELERY_BROKER_URL (Redis),
SECRET_KEY, DEBUG=0 and ALLOWED_HOSTS.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CHENGYUN_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
# The fallback key is only for the embedded demo; production must set SECRET_KEY. Its "django-insecure-" prefix
# makes `manage.py check --deploy` fail when production forgot to.
SECRET_KEY = os.environ.get("SECRET_KEY", "django-insecure-chengyun-demo-key-change-me-in-production-0123456789")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "workdays",
    "org",
    "audit",
    "cases",
    "open311",
    "sensors",
    "notifications",
    "selfreport",
    "residents",
    "hotline",
    "kpi",
    "reports",
    "dispatch",
    "registry",
    "questionnaires",
    "minqing",
    "minsheng",
    "demo",
    "privacy",
    "workbench",
    # Last: the composition root's own ready() runs with every app loaded.
    "chengyun",
]

# The composition root plugs higher apps into lower ones by name (README "Layers"): the case page's smart
# dispatch advice (cases/advice.py).
CASE_PAGE_ADVISOR = "dispatch.advice"
# Panels higher apps add to the case page (cases/panels.py): the registry's 诉求人 ↔ 底册人员 link.
CASE_PAGE_PANELS = ["registry.panels"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Characters XML/Excel cannot hold are refused at every entry point (chengyun/textguard.py).
    "chengyun.textguard.InvalidCharactersMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "audit.middleware.PermissionDenialAuditMiddleware",
    # A domain error a page view let through is its Chinese 403/404/409/422 page (chengyun/middleware.py).
    "chengyun.middleware.DomainErrorPageMiddleware",
    # A dropped database connection: a clean 503 page instead of the 500 (chengyun/faults.py).
    "chengyun.faults.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "chengyun.urls"

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
                "chengyun.context_processors.street",
                "workbench.context_processors.header",
            ],
        },
    },
]

WSGI_APPLICATION = "chengyun.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'chengyun.sqlite3'}",
        # Persistent connections: opening a PostgreSQL connection costs more than a typical request.
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web server and a management command share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        # IMMEDIATE: a write transaction takes the lock up front, so concurrent writers wait (busy timeout)
        # instead of failing with "database is locked" when a read lock cannot be upgraded.
        {"timeout": 20, "transaction_mode": "IMMEDIATE",
         "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"}
    )
    # The test database is a file too, not Django's in-memory shared cache: there a reader meets a writer's table
    # lock at once ("database table is locked", no busy timeout), so a page polling an import that a worker thread
    # is writing failed in the browser tests — a failure production's file with WAL never has.
    DATABASES["default"].setdefault("TEST", {}).setdefault(
        "NAME", os.environ.get("CHENGYUN_TEST_SQLITE", str(VAR_DIR / "test-chengyun.sqlite3")))

AUTH_USER_MODEL = "org.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workbench"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = DEBUG
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- chengyun domain settings -------------------------------------------------
# Case numbers look like JAS-2026-000123; the prefix names the street.
CASE_NUMBER_PREFIX = os.environ.get("CASE_NUMBER_PREFIX", "JAS")
STREET_NAME = os.environ.get("STREET_NAME", "静安寺街道")
# Word reports name the East Asian font; 宋体 is on every Chinese Windows desktop, LibreOffice substitutes Noto CJK.
REPORT_DOCX_FONT = os.environ.get("REPORT_DOCX_FONT", "宋体")
OPEN311_JURISDICTION = os.environ.get("OPEN311_JURISDICTION", "jingansi.sh.cn")
# Sources whose cases the public Open311 feed lists: what residents reported in the open and what the street's own
# patrols, inspections and sensors found. 12345 calls, visits, councils and walk-ins were told to the centre in
# confidence and are not published. Categories are excluded one by one in admin (open311.UnpublishedCategory).
OPEN311_PUBLIC_SOURCES = [s.strip() for s in os.environ.get(
    "OPEN311_PUBLIC_SOURCES", "self_report,patrol,inspection,sensor").split(",") if s.strip()]
# Decimal places of published coordinates: 3 ≈ 110 m north–south, 95 m east–west in Shanghai (a block).
OPEN311_COORDINATE_DECIMALS = int(os.environ.get("OPEN311_COORDINATE_DECIMALS", "3"))
WORKDAY_START = os.environ.get("WORKDAY_START", "08:30")
WORKDAY_END = os.environ.get("WORKDAY_END", "17:30")
# A case still unsigned this many working hours after its sign deadline gets an automatic 督办.
UNSIGNED_ESCALATION_GRACE_HOURS = float(os.environ.get("UNSIGNED_ESCALATION_GRACE_HOURS", "0"))

# --- Celery --------------------------------------------------------------------
# Without a broker the embedded default runs tasks in-process (eager).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "memory://")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", None)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", CELERY_BROKER_URL == "memory://")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "celery")
# A hotline import or report RUNNING with no progress for this long lost its worker (killed, host restarted): the
# page offers to resume or regenerate it. Every batch and every report step is a sign of life.
BACKGROUND_STALE_SECONDS = int(os.environ.get("BACKGROUND_STALE_SECONDS", "600"))
# Database connections a hotline import writes its batches over side by side (PostgreSQL; SQLite has one writer).
# The database's work per row (index entries, foreign-key checks at commit) is most of an import's time, and one
# connection runs on one core.
HOTLINE_IMPORT_WRITERS = int(os.environ.get("HOTLINE_IMPORT_WRITERS", "2"))
CELERY_BEAT_SCHEDULE = {
    "sla-sweep": {"task": "cases.tasks.sla_sweep", "schedule": float(os.environ.get("SLA_SWEEP_SECONDS", "300"))},
    "deadline-reminders": {"task": "notifications.tasks.deadline_sweep",
                           "schedule": float(os.environ.get("SLA_SWEEP_SECONDS", "300"))},
    "kpi-monthly-summaries": {"task": "kpi.tasks.keep_monthly_summaries", "schedule": 3600.0},
    "personal-data-retention": {"task": "privacy.tasks.anonymise_expired", "schedule": 24 * 3600.0},
    "registry-retention": {"task": "privacy.tasks.registry_retention", "schedule": 24 * 3600.0},
    "retrain-classifier": {"task": "dispatch.tasks.retrain_classifier",
                           "schedule": float(os.environ.get("DISPATCH_RETRAIN_SECONDS", str(7 * 24 * 3600)))},
}
# Days after 结案 that a case keeps its 诉求人's name, phone and house number; then the retention job
# anonymises them (README "Personal data").
PERSONAL_DATA_RETENTION_DAYS = int(os.environ.get("PERSONAL_DATA_RETENTION_DAYS", "365"))
# 社区底册 (registry/retention.py): days a moved-out or deceased person keeps name, phones, ID number and birth date
# after the last change to the record; then the daily job anonymises them. Three years is our choice, to confirm.
REGISTRY_RETENTION_DAYS_MOVED_OUT = int(os.environ.get("REGISTRY_RETENTION_DAYS_MOVED_OUT", str(3 * 365)))
REGISTRY_RETENTION_DAYS_DECEASED = int(os.environ.get("REGISTRY_RETENTION_DAYS_DECEASED", str(3 * 365)))
# The resident's page /me/ (residents/sections.py): each a dotted callable(request, person) returning a Section or
# None, shown in this order. Later programmes (时间银行's hours and points, 十户联防's team) add theirs here.
RESIDENT_PAGE_SECTIONS = [
    "residents.sections.household",
    "residents.sections.capacities",
    "residents.sections.cases",
]
# --- issue18 projects ---
RESIDENT_PAGE_SECTIONS += ["minsheng.sections.echoes"]  # 民生回音 on the resident's page
# Questionnaire results (exports, summaries) are read under 民情日志's scope and masking rule.
QUESTIONNAIRE_READER_POLICY = "minqing.policy"
# --- end issue18 projects ---
# A resident's sign-in on /me/ ends after this many idle seconds (staff sessions: SESSION_IDLE_SECONDS).
RESIDENT_IDLE_SECONDS = int(os.environ.get("RESIDENT_IDLE_SECONDS", str(30 * 60)))
# Who hears of case progress (cases/signals.py, README "One event contract"): each is called after commit with the
# CaseEvent rows a transaction recorded, a single change's or a whole import batch's. The one list of listeners.
CASE_EVENT_LISTENERS = [
    "dispatch.listeners.on_case_events",  # 派单 outcome against the suggestion; auto-dispatch of new cases
    "kpi.listeners.on_case_events",  # drop the kept monthly aggregates of the cases' months
    "notifications.listeners.on_case_events",  # who is told (新派单, 督办, 超时, requests)
]
# --- issue18 needs ---
CASE_EVENT_LISTENERS += ["minqing.listeners.on_case_events"]  # a need's case 办结/回访/结案/重办 back to the need
# Panels a higher app adds to the registry's household and person pages (registry/panels_hook.py).
REGISTRY_HOUSEHOLD_PANELS = ["minqing.panels"]
REGISTRY_PERSON_PANELS = ["minqing.panels"]
# --- end issue18 needs ---
# Smart dispatch (app dispatch): auto-dispatch is off unless a confidence level is set (e.g. 0.95).
DISPATCH_AUTO_CONFIDENCE = float(os.environ["DISPATCH_AUTO_CONFIDENCE"]) if os.environ.get("DISPATCH_AUTO_CONFIDENCE") else None
DISPATCH_DUPLICATE_DAYS = int(os.environ.get("DISPATCH_DUPLICATE_DAYS", "30"))
DISPATCH_DUPLICATE_THRESHOLD = float(os.environ.get("DISPATCH_DUPLICATE_THRESHOLD", "0.65"))
# Who reads the audit log (三员分立): role values of org.models.Role, as strings because audit imports nothing of org.
AUDIT_READER_ROLES = frozenset({"auditor"})
# Outbound channels for notifications (SMS, WeChat Work…): dotted paths of classes with send(notification).
SMS_BACKEND = os.environ.get("SMS_BACKEND", "notifications.channels.LogSms")
NOTIFICATION_CHANNELS = [c for c in os.environ.get("NOTIFICATION_CHANNELS", "notifications.channels.LogChannel").split(",") if c]

# Every handler masks phones, ID numbers and API keys (chengyun/logfilters.py), runserver's access log included;
# Django's own "django" and "django.server" handlers are replaced by filtered ones. gunicorn's and
# Celery's handlers, set up outside this dict, get the filter at start-up (ops/apps.py, chengyun/celery.py).
LOG_LEVEL = os.environ.get("LOG_LEVEL", "WARNING")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "personal_data": {"()": "chengyun.logfilters.PersonalDataFilter"},
    },
    "formatters": {
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "level": LOG_LEVEL, "filters": ["personal_data"]},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server", "level": "INFO",
                          "filters": ["personal_data"]},
    },
    "loggers": {
        # No error mails to ADMINS (Django's default): they would carry the whole request, query string and all.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}
# Development and the demo (DEBUG): the logging SMS channel's texts reach the console at INFO whatever LOG_LEVEL is,
# so the verification code of /report/ and the resident's /me/ sign-in can be read there (the phone is masked).
if DEBUG and os.environ.get("SMS_BACKEND", "notifications.channels.LogSms") == "notifications.channels.LogSms":
    LOGGING["handlers"]["outbound"] = {"class": "logging.StreamHandler", "level": "INFO", "filters": ["personal_data"]}
    LOGGING["loggers"]["chengyun.outbound.sms"] = {"handlers": ["outbound"], "level": "INFO", "propagate": False}

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

# --- Security: authentication, lock-out, rate limits, headers (issue 8) -------------------------------------------
# "ninja" makes /api/docs use the Swagger UI files shipped with django-ninja instead of a CDN (blocked by our CSP).
INSTALLED_APPS += ["ninja", "axes", "django_otp", "django_otp.plugins.otp_totp", "ops"]
_auth_index = MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware")
# Two-step login (org/otp.py): optional for admins and leaders; once enrolled, required at every login.
MIDDLEWARE[_auth_index + 1:_auth_index + 1] = ["django_otp.middleware.OTPMiddleware", "org.otp.OtpRequiredMiddleware"]
# Rate limits answer before any view or database work.
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.common.CommonMiddleware") + 1, "chengyun.ratelimit.RateLimitMiddleware")
MIDDLEWARE += [
    "chengyun.security.SessionIdleTimeoutMiddleware",
    "chengyun.security.SecurityHeadersMiddleware",
    # Last, as django-axes asks: it turns a request flagged as locked out into the lock-out page.
    "axes.middleware.AxesMiddleware",
]
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS += [{"NAME": "org.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}}]

OTP_VERIFY_URL = "/login/otp/"
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "城运 chengyun")

# Behind a reverse proxy (nginx) set TRUSTED_PROXY_COUNT=1 so limits and audit see the client, not the proxy.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# MLPS level 3: a limited number of failed logins, then the account is locked for a while (admins can unlock it
# earlier with `manage.py axes_reset_username`). Locked by username so guessing from many addresses still stops.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 warns that a lock-out without the address can be dodged by rotating user agents or cookies; a lock-out
# by username alone counts failures from every address and client. Spraying many accounts from one address is
# stopped by the login rate limit instead (an office behind one NAT address must not lock itself out).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # successful logins are already in the audit log
AXES_LOCKOUT_CALLABLE = "chengyun.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "core.http.client_ip"
AXES_VERBOSE = False
# API tokens stop working this many days after they were made (401 token_expired); ask /api/auth/token again.
API_TOKEN_LIFETIME_DAYS = int(os.environ.get("API_TOKEN_LIFETIME_DAYS", "90"))
# Sessions: a whole working day at most (SESSION_COOKIE_AGE above), 30 idle minutes at most.
SESSION_IDLE_SECONDS = int(os.environ.get("SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Rate limits (chengyun/ratelimit.py) count in the default cache: Redis in production (REDIS_CACHE_URL), shared by every
# app host; the local-memory cache of the embedded demo counts per process.
REDIS_CACHE_URL = os.environ.get("REDIS_CACHE_URL", "")
CACHES = {
    # Short timeouts: with Redis unreachable the limits fail open quickly instead of holding every request.
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_CACHE_URL,
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}
    if REDIS_CACHE_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
RATE_LIMIT_ENABLED = env_bool("RATE_LIMIT_ENABLED", True)
# Per client address; "N/m" is N a minute, "N/h" N an hour.
RATE_LIMITS = {
    "report": os.environ.get("RATE_LIMIT_REPORT", "30/m"),  # public 随手拍 pages (SMS codes have their own limits)
    "open311": os.environ.get("RATE_LIMIT_OPEN311", "60/m"),
    "api": os.environ.get("RATE_LIMIT_API", "600/m"),
    "login": os.environ.get("RATE_LIMIT_LOGIN", "30/m"),  # password attempts (web, admin and API token)
}

# Uploads: images are re-encoded (EXIF and anything appended dropped); this caps decoded size against bombs.
DATA_UPLOAD_MAX_NUMBER_FILES = 20  # Django's default is 100 files in one request
UPLOAD_MAX_IMAGE_PIXELS = int(os.environ.get("UPLOAD_MAX_IMAGE_PIXELS", str(40_000_000)))

# `manage.py backup` writes its archives here; keep them on another disk or host in production.
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", VAR_DIR / "backups"))
# With a key the archives are AES-256-GCM encrypted (`.tar.enc`, ops/backup_crypto.py); restore needs the same key.
BACKUP_ENCRYPTION_KEY = os.environ.get("BACKUP_ENCRYPTION_KEY", "")

CONTENT_SECURITY_POLICY = os.environ.get(
    "CONTENT_SECURITY_POLICY",
    # Scripts only from our own static files (static/js/, static/vendor/): no inline script, no handler attribute, no
    # eval. Styles keep 'unsafe-inline': templates use style attributes and ECharts and htmx set inline styles.
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
)
PERMISSIONS_POLICY = "camera=(self), geolocation=(self), microphone=(), payment=(), usb=()"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    # TLS ends at the reverse proxy, which says so with X-Forwarded-Proto.
    if env_bool("SECURE_PROXY_SSL", True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The health probe of the load balancer speaks plain HTTP to the app host.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
