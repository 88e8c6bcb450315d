"""Settings for every environment, driven by environment variables.

With nothing set the portal runs on the embedded default: SQLite, local file storage,
a local-memory cache and eager Celery. `DATABASE_URL` switches to PostgreSQL, `REDIS_URL`
to Redis for Celery and the cache, `AWS_STORAGE_BUCKET_NAME` to S3-compatible storage.
`qms.settings.production` tightens the security settings on top of this module.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# A development key is used only when none is configured; production.py refuses it.
DEV_SECRET_KEY = "django-insecure-qms-development-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env("SECRET_KEY", default=DEV_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
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
    "guardian",
    "simple_history",
    "axes",
    "django_filters",
    "qms.apps.QmsConfig",
    "documents.apps.DocumentsConfig",
    "records.apps.RecordsConfig",
    "nonconformities.apps.NonconformitiesConfig",
    "audits.apps.AuditsConfig",
    "procedures.apps.ProceduresConfig",
    "planning.apps.PlanningConfig",
    "reviews.apps.ReviewsConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "qms.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "qms.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must come last so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qms.urls"
WSGI_APPLICATION = "qms.wsgi.application"

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
                "qms.context_processors.portal",
            ],
            # {% url %} through qms.links.url_for (qms/templatetags/portal_builtins.py)
            "builtins": ["qms.templatetags.portal_builtins"],
            # Django's i18n tags, {% trans "text" %} kept once translated per language
            # (the label is Django's on purpose: every template loads it; see
            # SILENCED_SYSTEM_CHECKS below)
            "libraries": {"i18n": "qms.templatetags.portal_i18n"},
        },
    },
]

# templates.W003 says a label names two libraries: "i18n" is Django's and, in its place,
# the portal's (qms/templatetags/portal_i18n.py, Django's library with a faster {% trans %}).
SILENCED_SYSTEM_CHECKS = ["templates.W003"]

# Select boxes are written in Python, the same HTML as Django's templates (qms/forms.py).
FORM_RENDERER = "qms.forms.FormRenderer"

# --- Database -----------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A new PostgreSQL connection per request costs most of a simple page's time.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # PostgreSQL compiles a query it thinks expensive (JIT): 8 ms spent compiling a count
    # that then ran in under 1 ms. A portal's queries are short; DATABASE_JIT=on restores it.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    if not env.bool("DATABASE_JIT", default=False):
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
    # PostgreSQL's default cost of a random read (4) is a spinning disk's. On SSD, with the
    # working set in memory, an index probe is nearly as cheap as reading in order: at the
    # default, a clerk's action list hashed 10,000 nonconformities and 30,000 actions for 389
    # of them (23 ms; 6.9 at 1.1, no key page slower). DATABASE_RANDOM_PAGE_COST=4 restores it.
    random_page_cost = env.float("DATABASE_RANDOM_PAGE_COST", default=1.1)
    options["options"] = f"{options.get('options', '')} -c random_page_cost={random_page_cost}"
    options["options"] = options["options"].strip()
# An optional streaming replica for the reports' reads (qms/db.py).
if env("REPORTS_DATABASE_URL", default=""):
    DATABASES["reports"] = env.db("REPORTS_DATABASE_URL")
    DATABASES["reports"]["CONN_MAX_AGE"] = DATABASES["default"].get("CONN_MAX_AGE", 0)
    DATABASES["reports"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["qms.db.ReportsRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, Celery ------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "qms.cache.PortalRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="qms"),
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    # Sessions are read from Redis on every request and written through to the database,
    # so a Redis restart signs nobody out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
# Several portals (or a test run) can share one Redis by using their own queue name.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="qms")
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
# A web request must never hang on a broker that is down: short timeouts, few retries;
# the daily sweeps catch up on whatever could not be queued.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_TIMEZONE = env("TIME_ZONE", default="Asia/Ho_Chi_Minh")
CELERY_BEAT_SCHEDULE = {
    "reminder-sweeps": {
        "task": "qms.tasks.run_reminder_sweeps",
        "schedule": crontab(hour=6, minute=0),
    },
    "documents-publish-due-revisions": {
        "task": "documents.tasks.publish_due_revisions",
        "schedule": crontab(hour=0, minute=5),
    },
    "records-propose-disposal": {
        "task": "records.tasks.propose_disposal",
        "schedule": crontab(day_of_month=1, hour=5, minute=30),
    },
    "procedures-flag-repeated-problems": {
        "task": "procedures.tasks.flag_repeated_problems",
        "schedule": crontab(hour=5, minute=45),
    },
    "procedures-clear-abandoned-imports": {
        "task": "procedures.tasks.clear_abandoned_imports",
        "schedule": crontab(hour=1, minute=15),
    },
    "planning-measure-objectives": {
        "task": "planning.tasks.measure_objectives",
        "schedule": crontab(hour=2, minute=30),
    },
    "weekly-digest": {
        "task": "qms.tasks.send_weekly_digest",
        "schedule": crontab(day_of_week="mon", hour=6, minute=30),
    },
    "pending-notification-emails": {
        "task": "qms.tasks.send_pending_notification_emails",
        "schedule": crontab(minute="*/15"),
    },
}

# --- Auth ---------------------------------------------------------------------------
AUTH_USER_MODEL = "qms.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "qms.backends.PortalBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", default=10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "qms:login"
LOGIN_REDIRECT_URL = "qms:home"
LOGOUT_REDIRECT_URL = "qms:login"

# Sessions end after this many idle minutes (qms.middleware.IdleTimeoutMiddleware; the
# bell's background refresh does not count as activity), and after 12 hours in any case.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_COOKIE_AGE = env.int("SESSION_MAX_HOURS", default=12) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Behind a reverse proxy, the client's address is the N-th from the right in
# X-Forwarded-For; used by the lock-out and the security log alike.
QMS_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if QMS_TRUSTED_PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = QMS_TRUSTED_PROXY_COUNT
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None  # no guardian anonymous user: the public never gets grants

# --- i18n ---------------------------------------------------------------------------
LANGUAGE_CODE = env("LANGUAGE_CODE", default="vi")
LANGUAGES = [
    ("en", _("English")),
    ("vi", _("Vietnamese")),
    ("zh-hans", _("Simplified Chinese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "qms_language"

# --- Static and uploaded files ------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "media"))
MEDIA_URL = "/media-not-served/"  # uploads are only ever served through checked views

AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    # S3-compatible object storage (MinIO, Ceph, AWS) through django-storages.
    DEFAULT_FILE_STORAGE_BACKEND = "storages.backends.s3.S3Storage"
    AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default=None)
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = True
else:
    DEFAULT_FILE_STORAGE_BACKEND = "django.core.files.storage.FileSystemStorage"
STORAGES = {
    "default": {"BACKEND": DEFAULT_FILE_STORAGE_BACKEND},
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- E-mail -------------------------------------------------------------------------
EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="qms-portal@localhost")

# --- Security headers ---------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# --- The portal's own settings ------------------------------------------------------
QMS_AGENCY_NAME = env("QMS_AGENCY_NAME", default="")
QMS_MAX_UPLOAD_MB = env.int("QMS_MAX_UPLOAD_MB", default=25)
QMS_WEEKEND_DAYS = [int(d) for d in env.list("QMS_WEEKEND_DAYS", default=["5", "6"])]
QMS_LIST_PAGE_SIZE = env.int("QMS_LIST_PAGE_SIZE", default=25)
# Rows of lists kept rendered per web process ({% keep %}, qms/fragments.py); 0: none.
QMS_KEPT_FRAGMENTS = env.int("QMS_KEPT_FRAGMENTS", default=5_000)
# SELECTs prepared on the PostgreSQL server (qms/prepared.py): after a connection ran one
# this many times, at most this many per connection; off behind a transaction-mode pooler.
QMS_PREPARED_STATEMENTS = env.bool("QMS_PREPARED_STATEMENTS", default=True)
QMS_PREPARE_AFTER = env.int("QMS_PREPARE_AFTER", default=2)
QMS_PREPARED_MAX = env.int("QMS_PREPARED_MAX", default=200)
# List pages count at most this many rows ("more than 10,000"): see qms/pagination.py.
QMS_LIST_COUNT_LIMIT = env.int("QMS_LIST_COUNT_LIMIT", default=10_000)
QMS_LIST_COUNT_CACHE_ABOVE = env.int("QMS_LIST_COUNT_CACHE_ABOVE", default=1_000)
QMS_EXPORT_MAX_ROWS = env.int("QMS_EXPORT_MAX_ROWS", default=100_000)
# Office hours of a working day: statutory times and step allowances count only these
# (eight hours by default; a step allowed in hours counts at that many hours a day).
QMS_OFFICE_HOURS = env("QMS_OFFICE_HOURS", default="07:30-11:30,13:00-17:00")
# Receipt codes of service cases: <prefix>-<yymmdd>-<number of the day>.
QMS_RECEIPT_PREFIX = env("QMS_RECEIPT_PREFIX", default="HS")
# Receipts and apology letters go to citizens in the agency's language, whatever the
# language of the civil servant who prints them.
QMS_LETTER_LANGUAGE = env("QMS_LETTER_LANGUAGE", default="vi")
# Working days to answer a complaint or a dissatisfied rating (call-back, rectification).
QMS_FEEDBACK_DAYS = env.int("QMS_FEEDBACK_DAYS", default=15)
# The agency's on-time target for service cases (%), drawn on the charts.
QMS_ON_TIME_TARGET = env.int("QMS_ON_TIME_TARGET", default=95)
# Repeated problems on one procedure within QMS_FLAG_WINDOW_DAYS raise a nonconformity:
# this many late cases, or this many dissatisfied ratings.
QMS_FLAG_LATE_CASES = env.int("QMS_FLAG_LATE_CASES", default=5)
QMS_FLAG_BAD_RATINGS = env.int("QMS_FLAG_BAD_RATINGS", default=3)
QMS_FLAG_WINDOW_DAYS = env.int("QMS_FLAG_WINDOW_DAYS", default=30)
# Risk matrix: likelihood × impact from 1 to "size"; a score up to "low" is low, up to
# "medium" medium, up to "high" high, above that critical.
QMS_RISK_MATRIX = {
    "size": env.int("QMS_RISK_MATRIX_SIZE", default=5),
    "levels": {
        "low": env.int("QMS_RISK_LOW", default=4),
        "medium": env.int("QMS_RISK_MEDIUM", default=9),
        "high": env.int("QMS_RISK_HIGH", default=15),
    },
}
# An objective that misses its target by no more than this share of the target is "at
# risk" (twice this while improving); further off it is "off track".
QMS_OBJECTIVE_TOLERANCE = env.float("QMS_OBJECTIVE_TOLERANCE", default=0.10)
# Dashboard figures may be this many seconds old (each unit and period cached apart).
QMS_DASHBOARD_CACHE_SECONDS = env.int("QMS_DASHBOARD_CACHE_SECONDS", default=60)
# The public transparency page, the same for every visitor, is kept whole this long.
QMS_PUBLIC_PAGE_SECONDS = env.int("QMS_PUBLIC_PAGE_SECONDS", default=60)
# Public case lookups per address per ten minutes (guessing receipt codes is refused).
QMS_PUBLIC_LOOKUP_LIMIT = env.int("QMS_PUBLIC_LOOKUP_LIMIT", default=10)
QMS_DEMO_PASSWORD = env("QMS_DEMO_PASSWORD", default="Demo-QMS-2026")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# History: reasons can be a sentence or two; index history dates for the activity page.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = True
# Absolute links in e-mails (the portal's public address).
QMS_BASE_URL = env("QMS_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
FORMAT_MODULE_PATH = ["qms.formats"]

# Days from the last action done to the effectiveness check, by severity.
QMS_EFFECTIVENESS_DAYS = {"minor": 30, "major": 60, "critical": 90}
