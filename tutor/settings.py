"""Settings for the tutor, read from the environment.

With nothing set the project runs embedded: SQLite in ``var/``, the in-memory channel
layer and Celery in eager mode. ``DATABASE_URL`` switches to PostgreSQL (or any database
dj-database-url understands); ``REDIS_URL`` switches the channel layer to channels-redis
and Celery to a real broker. ``DJANGO_ENV=production`` turns on the hardened settings that
``manage.py check --deploy`` expects and refuses to start without a secret key.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TUTOR_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


PRODUCTION = os.environ.get("DJANGO_ENV", "development").lower() == "production"
DEBUG = env_bool("DEBUG", default=not PRODUCTION)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("DJANGO_ENV=production needs SECRET_KEY in the environment.")
    # Development only: a fixed, obviously-unsafe key so sessions survive restarts.
    SECRET_KEY = "django-insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "students",
    "content",
    "modeling",
    "tutor",
    "tutor.homework",
    "tutor.assistant",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy on every response (tutor/security.py).
    "tutor.security.SecurityHeadersMiddleware",
    # Under /api/, errors are JSON whatever raised them (tutor/errors.py).
    "tutor.errors.ApiJsonErrorsMiddleware",
    # A NUL character in the address is a 400, never a database error (tutor/security.py).
    "tutor.security.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "students.access.RoleAccessMiddleware",
]

if PRODUCTION:
    # Static files from the ASGI processes themselves, after `collectstatic`.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "tutor.urls"
ASGI_APPLICATION = "tutor.asgi.application"
WSGI_APPLICATION = "tutor.wsgi.application"

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
                "students.access.role_context",
            ],
        },
    },
]

# --- database -----------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(VAR_DIR / "tutor.sqlite3")),
            # Several ASGI threads and an eager Celery task may write at once.
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Under ASGI each request runs on a thread of its own, and a persistent connection
# (conn_max_age) stays with a thread that is gone: under load the server processes exhaust
# PostgreSQL's max_connections. DB_POOL_SIZE=N (the scaled run sets it) shares a pool of at
# most N connections per process instead (psycopg's pool; a request waits for a free one).
DB_POOL_SIZE = int(os.environ.get("DB_POOL_SIZE", 0))
if DB_POOL_SIZE and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": DB_POOL_SIZE,
        "timeout": int(os.environ.get("DB_POOL_TIMEOUT", 20)),
    }

# --- channel layer and tasks ---------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # redis-py 8 reads with a 5 s socket timeout by default, the same as
            # channels-redis's blocking pop: an idle page's socket would time out.
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 30}]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", REDIS_URL or None)
# Without a broker the tasks run in-process, right after the transaction commits.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
# Routed by task name, never by module: a CPU task added to modeling/tasks.py must not land on
# the GPU workers of the grading queue. Unlisted tasks go to the default queue.
CELERY_TASK_ROUTES = {
    "modeling.tasks.grade_attempt": {"queue": "grading"},
    "modeling.tasks.grade_pending": {"queue": "grading"},
    # The sweeper only reads the attempt log and queues: a CPU task, never on a GPU worker.
    "modeling.tasks.grading_sweep": {"queue": "default"},
}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]

# --- no lost grade -------------------------------------------------------------------
# Tasks are acknowledged after they ran (acks late, above): a worker killed mid-task leaves
# its message unacknowledged, and Redis hands it to another worker once the visibility
# timeout has passed. The timeout must exceed the longest a task waits in a worker (a
# retry's countdown included), else a running task is handed out twice: harmless, since
# grading is idempotent by attempt id, but wasted work.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", 600))
}
GRADING_TASK_MAX_RETRIES = int(os.environ.get("GRADING_TASK_MAX_RETRIES", 5))
GRADING_TASK_RETRY_BACKOFF_MAX = int(os.environ.get("GRADING_TASK_RETRY_BACKOFF_MAX", 60))
# The sweeper (Celery beat) re-queues answers still pending this long after they were given:
# their task was lost (a broker restarted without persistence, a purged queue, retries spent).
GRADING_SWEEP_AFTER_SECONDS = int(os.environ.get("GRADING_SWEEP_AFTER_SECONDS", 120))
GRADING_SWEEP_EVERY_SECONDS = int(os.environ.get("GRADING_SWEEP_EVERY_SECONDS", 60))
GRADING_SWEEP_LIMIT = int(os.environ.get("GRADING_SWEEP_LIMIT", 5000))
CELERY_BEAT_SCHEDULE = {
    "grading-sweep": {"task": "modeling.tasks.grading_sweep", "schedule": float(GRADING_SWEEP_EVERY_SECONDS)},
}

# --- auth ----------------------------------------------------------------------------
AUTH_USER_MODEL = "students.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Failed log-ins are counted per account and per address (tutor/security.py); past a limit
# within the window, log-in is locked for that account or address, and the lock-out ends.
AUTHENTICATION_BACKENDS = ["tutor.security.ThrottledModelBackend"]
LOGIN_FAILURES_PER_ACCOUNT = int(os.environ.get("LOGIN_FAILURES_PER_ACCOUNT", 5))
LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("LOGIN_FAILURES_PER_ADDRESS", 20))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("LOGIN_FAILURE_WINDOW_SECONDS", 900))
LOGIN_LOCKOUT_SECONDS = int(os.environ.get("LOGIN_LOCKOUT_SECONDS", 900))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- i18n, static, uploads -----------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# A course package is a text file; anything bigger than this is not one.
COURSE_PACKAGE_MAX_BYTES = int(os.environ.get("COURSE_PACKAGE_MAX_BYTES", 5 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = COURSE_PACKAGE_MAX_BYTES + 1024 * 1024

# --- REST API ------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "tutor.errors.ErrorAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "tutor.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 100,
    # Every error as {"detail": ..., "errors": {field: [...]}} (tutor/errors.py).
    "EXCEPTION_HANDLER": "tutor.errors.api_exception_handler",
    # Generous by default: a class working through the API, the pages' scripts and the test
    # suite stay far below; a deployment tightens them through the environment.
    "DEFAULT_THROTTLE_CLASSES": [
        "tutor.security.AnonRateThrottle",
        "tutor.security.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "1000/minute"),
        "user": os.environ.get("API_THROTTLE_USER", "3000/minute"),
    },
    # Proxies in front of the ASGI processes whose X-Forwarded-For is trusted: the client's
    # address for the API's and the log-in's limits.
    "NUM_PROXIES": int(os.environ["NUM_PROXIES"]) if os.environ.get("NUM_PROXIES") else None,
}
# Pagination bounds (tutor/pagination.py): ?limit= from 1 to this, ?offset= up to API_MAX_OFFSET.
API_MAX_PAGE_SIZE = int(os.environ.get("API_MAX_PAGE_SIZE", 500))
API_MAX_OFFSET = int(os.environ.get("API_MAX_OFFSET", 1_000_000))
if REDIS_URL:
    # Rate-limit and log-in counters shared by every server process.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ.get("CACHE_URL", REDIS_URL),
            "KEY_PREFIX": "tutor",
        }
    }
SPECTACULAR_SETTINGS = {
    "TITLE": "Tutor API",
    "DESCRIPTION": "The intelligent tutor's REST API: courses, concepts and exercises by role.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the project's own static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- the student model (students/learning.py) ----------------------------------------------
# How much an answer tells about mastery (its evidence weight): each hint used multiplies it
# by hint_evidence_factor, a worked example shown before the item by
# worked_example_evidence_factor, an answer the student had been shown before by
# revealed_evidence_factor; never below min_evidence_weight.
STUDENT_MODEL = {
    "hint_evidence_factor": 0.7,
    "worked_example_evidence_factor": 0.6,
    "revealed_evidence_factor": 0.5,
    "min_evidence_weight": 0.25,
}

# --- homework (tutor/homework) ---------------------------------------------------------------
# A teacher who opens an answer in the review queue holds it this long; "due soon" on the
# teacher's home page means within this many days.
HOMEWORK_REVIEW_LOCK_SECONDS = int(os.environ.get("HOMEWORK_REVIEW_LOCK_SECONDS", 300))
HOMEWORK_DUE_SOON_DAYS = int(os.environ.get("HOMEWORK_DUE_SOON_DAYS", 7))

# --- teachers' dashboards (students/dashboards.py) --------------------------------------
STUDENT_DASHBOARD = {
    # Stuck: ASSISTments' wheel-spinning rule (Beck & Gong, 2013): 10 answers on a concept
    # without mastering it.
    "stuck_min_items": 10,
    # Stuck: errors without progress: this many wrong answers in a row, below mastery.
    "stuck_errors_in_a_row": 3,
    # Stuck: no answer in the classroom's courses for a week.
    "inactive_days": 7,
    # A student's page: answers listed, days of time on task drawn, and the most one answer
    # counts towards time on task (a tab left open is not work).
    "recent_attempts": 30,
    "time_on_task_days": 14,
    "max_seconds_per_answer": 600,
    # Item analysis: wrong answers listed per exercise; no discrimination below this many students.
    "common_wrong_answers": 3,
    "min_students_for_discrimination": 5,
    # Stuck-students page: the reasons shown per student (the API gives all of them).
    "stuck_reasons_shown": 3,
}

# --- the learned models --------------------------------------------------------------
MODEL_DIR = Path(os.environ.get("TUTOR_MODEL_DIR", VAR_DIR / "models"))
GRADER_DEVICE = os.environ.get("GRADER_DEVICE", "auto")
# bf16 inference on the CPU: auto = where the CPU has native bf16 (about 4x the batched
# throughput there, labels 99.6% the same as fp32); on; off.
GRADER_CPU_BF16 = os.environ.get("GRADER_CPU_BF16", "auto")
# Without a broker (Celery eager, the embedded default) grading runs in the web process:
# "background" on a thread of its own, so a free-text submit returns at once and the grade
# is pushed to the page as it is with a worker; "inline" inside the request (tests that
# want the grade at once). With a broker, the worker grades and this is not used.
GRADER_IN_PROCESS = os.environ.get("GRADER_IN_PROCESS", "background")

# --- the teaching assistant (tutor/assistant) ----------------------------------------
# LEXICAL_WEIGHT and MIN_SCORE were chosen on the labelled development questions
# (tutor/assistant/eval/, see ``manage.py ta_eval``); the LLM backend is off unless
# TA_LLM_URL is set (an OpenAI-compatible chat-completions endpoint).
ASSISTANT = {
    "MAX_MESSAGE_CHARS": int(os.environ.get("TA_MAX_MESSAGE_CHARS", 2000)),
    "MESSAGES_PER_MINUTE": int(os.environ.get("TA_MESSAGES_PER_MINUTE", 10)),
    "LLM_URL": os.environ.get("TA_LLM_URL", ""),
    "LLM_MODEL": os.environ.get("TA_LLM_MODEL", ""),
    "LLM_KEY": os.environ.get("TA_LLM_KEY", ""),
    "LLM_TIMEOUT_SECONDS": float(os.environ.get("TA_LLM_TIMEOUT_SECONDS", 10)),
}

# --- production hardening ------------------------------------------------------------
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ENV=production needs ALLOWED_HOSTS in the environment.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "tutor": {"level": os.environ.get("LOG_LEVEL", "INFO")},
        "modeling": {"level": os.environ.get("LOG_LEVEL", "INFO")},
    },
}
# One JSON object per line in production (LOG_FORMAT=json|text), for a log shipper; the
# Celery workers log through this configuration too (tutor/celery.py).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json" if PRODUCTION else "text")
if LOG_FORMAT == "json":
    LOGGING["formatters"] = {"json": {"()": "tutor.logging.JsonFormatter"}}
    LOGGING["handlers"]["console"]["formatter"] = "json"
# Health probes reach the ASGI processes over plain HTTP from inside the network, not
# through the TLS proxy: they must not be redirected to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
