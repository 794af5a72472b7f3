"""Settings for chengyun, read from environment variables with safe defaults.

The embedded default (no environment at all) is a SQLite database under var/
and Celery running tasks in-process, so `make demo` needs nothing but Python.
Production sets DATABASE_URL (PostgreSQL), CELERY_BROKER_URL (Redis),
SECRET_KEY, DEBUG=0 and ALLOWED_HOSTS.
"""

import os
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
# The fallback key is only for the embedded demo; production must set SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY", "chengyun-insecure-demo-key-change-me-in-production-0123456789")
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
    "hotline",
    "kpi",
    "reports",
    "dispatch",
    "demo",
    "privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "audit.middleware.PermissionDenialAuditMiddleware",
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
CELERY_BEAT_SCHEDULE = {
    "sla-sweep": {"task": "cases.tasks.sla_sweep", "schedule": float(os.environ.get("SLA_SWEEP_SECONDS", "300"))},
    "deadline-reminders": {"task": "notifications.tasks.deadline_sweep",
                           "schedule": float(os.environ.get("SLA_SWEEP_SECONDS", "300"))},
    "kpi-monthly-summaries": {"task": "kpi.tasks.keep_monthly_summaries", "schedule": 3600.0},
    "personal-data-retention": {"task": "privacy.tasks.anonymise_expired", "schedule": 24 * 3600.0},
    "retrain-classifier": {"task": "dispatch.tasks.retrain_classifier",
                           "schedule": float(os.environ.get("DISPATCH_RETRAIN_SECONDS", str(7 * 24 * 3600)))},
}
# Days after 结案 that a case keeps its 诉求人's name, phone and house number; then the retention job
# anonymises them (README "Personal data").
PERSONAL_DATA_RETENTION_DAYS = int(os.environ.get("PERSONAL_DATA_RETENTION_DAYS", "365"))
# Smart dispatch (app dispatch): auto-dispatch is off unless a confidence level is set (e.g. 0.95).
DISPATCH_AUTO_CONFIDENCE = float(os.environ["DISPATCH_AUTO_CONFIDENCE"]) if os.environ.get("DISPATCH_AUTO_CONFIDENCE") else None
DISPATCH_DUPLICATE_DAYS = int(os.environ.get("DISPATCH_DUPLICATE_DAYS", "30"))
DISPATCH_DUPLICATE_THRESHOLD = float(os.environ.get("DISPATCH_DUPLICATE_THRESHOLD", "0.65"))
# Outbound channels for notifications (SMS, WeChat Work…): dotted paths of classes with send(notification).
SMS_BACKEND = os.environ.get("SMS_BACKEND", "notifications.channels.LogSms")
NOTIFICATION_CHANNELS = [c for c in os.environ.get("NOTIFICATION_CHANNELS", "notifications.channels.LogChannel").split(",") if c]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

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
