"""Settings for the peer support circles site.

Every value comes from an environment variable with a safe development default, so
`make run` works on a laptop with nothing else installed and production is configured
entirely through the environment (see README.md for the list).
"""

import os
import tempfile
from pathlib import Path

import environ
from kombu import Exchange, Queue

from peersupport import crisis
from peersupport.cache import redis_broker_options, redis_caches

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BASE_DIR / ".data"
DATA_DIR.mkdir(exist_ok=True)

env = environ.Env()


def env_secret(name: str, default: str = "") -> str:
    """Read NAME, or the file named by NAME_FILE (Docker/Kubernetes secrets)."""
    path = env.str(f"{name}_FILE", default="")
    if path:
        return Path(path).read_text().strip()
    return env.str(name, default=default)


DEBUG = env.bool("DEBUG", default=False)
# Without DEBUG and without a key it stays empty: Django refuses to sign anything with it,
# and the web server, worker and beat refuse to start (peersupport.startup).
SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "development-only-secret-key-not-for-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Where links in emails, feeds and calendars point. Unset, it is this machine on PORT, the
# port a local run serves (`PORT=8100 make run`). `make run` sets it once for the web
# server, worker and beat alike, since honcho gives each of them a PORT of its own.
PORT = env.int("PORT", default=8000)
SITE_URL = env.str("SITE_URL", default=f"http://127.0.0.1:{PORT}").rstrip("/")
SITE_NAME = env.str("SITE_NAME", default="Peer Support Circles")

INSTALLED_APPS = [
    # The admin behind allauth's login, for staff with two-step sign-in (see the block
    # "Privacy and security" below).
    "peersupport.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    # Each room's rules.py registers its permissions when the app registry is ready.
    "rules.apps.AutodiscoverRulesConfig",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "accounts",
    "circles",
    "meetups",
    "hosting",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "meetups.seats.SeatsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.PersonsLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "accounts.middleware.PrivatePagesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.NeutralHistoryMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.PrivacyConsentMiddleware",
]

ROOT_URLCONF = "peersupport.urls"
WSGI_APPLICATION = "peersupport.wsgi.application"

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
                "peersupport.context_processors.site",
            ],
        },
    },
]

# Database: SQLite under .data/ unless DATABASE_URL says otherwise.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with a health check that asks the socket, not the server.
    DATABASES["default"]["ENGINE"] = "peersupport.postgres"
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A Postgres that refuses fails at once; one that hangs (a dead host, a full backlog)
    # fails after this many seconds, so /healthz and the 503 page answer within 3 s
    # instead of waiting minutes for the operating system to give up.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=2)
    )
else:
    # WAL lets the web process read while the worker writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["OPTIONS"]["timeout"] = 20
    # Tests get a file rather than memory so a real Celery worker (tests/jobs) can open the
    # same database; one file per run so runs side by side never share one.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"peersupport-test-{os.getpid()}.sqlite3")
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The longest one SQL statement of a web request may run (milliseconds; 0: no limit). The
# web server's connections get it (peersupport.startup.limit_web_statements, called by
# wsgi.py and asgi.py); migrations and the Celery worker's long jobs do not. A statement
# stopped by it, like a lock waited on too long, answers the 503 page (peersupport.errors).
# Half a second later the web server stops waiting for a server that cannot even stop it
# (a frozen one), on its own side (peersupport.postgres.stall).
WEB_STATEMENT_TIMEOUT_MS = env.int("WEB_STATEMENT_TIMEOUT_MS", default=1500)
# The longest a web request may spend waiting on the database, all queries together;
# past it the request answers the 503 page (peersupport.postgres.stall, wsgi.py).
WEB_REQUEST_SECONDS = env.float("WEB_REQUEST_SECONDS", default=4.0)

# Redis backs the cache (allauth's rate limits need a shared cache) and the broker.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # While Redis is down the site carries on without it: calls answer as misses, errors
    # are logged once per outage, and what Redis missed is forgotten when it is back
    # (peersupport.cache). REDIS_TIMEOUT bounds each call to a Redis that hangs.
    CACHES = redis_caches(
        REDIS_URL,
        key_prefix=env.str("CACHE_KEY_PREFIX", default="ps"),
        timeout_seconds=env.float("REDIS_TIMEOUT", default=1.0),
    )
    # Sessions are read from Redis and written through to the database, so a signed-in
    # request costs no session query, and with Redis down they are read from the database.
    # Only with a shared cache: with per-process memory caches, signing out in one process
    # would leave the session alive in another.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # The site's permissions, one policy (accounts.rules and each room's rules.py).
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # zxcvbn's estimate, offline: long but guessable passwords ("password1234…") fail.
    {"NAME": "accounts.passwords.StrengthValidator"},
]
PASSWORD_HASHERS = env.list(
    "PASSWORD_HASHERS",
    default=[
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    ],
)
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

# django-allauth: email is the login, verified before joining or RSVPing.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# allauth turns its rate limits off with ACCOUNT_RATE_LIMITS = False (there is no separate
# "enabled" setting).
ACCOUNT_RATE_LIMITS = (
    {
        "login_failed": "10/m/ip,5/5m/key",
        "signup": "20/m/ip",
        "confirm_email": "1/3m/key",
        "reset_password": "20/m/ip,5/m/key",
    }
    if env.bool("RATE_LIMITS_ENABLED", default=True)
    else False
)
# Per-person limits on what a member does on the site (accounts.ratelimits.rate_limited),
# in allauth's format ("amount/period/user"), kept in the same shared cache. A request over
# the limit gets the "429 Too many requests" page. RATE_LIMITS_ENABLED=0 turns these off too.
PERSON_RATE_LIMITS = (
    {
        # Going and cancelling a seat (meetups' RSVP and cancel); the benchmark raises it.
        "rsvp": env.str("RSVP_RATE_LIMIT", default="30/m/user"),
        # Joining or asking to join a circle, and leaving one.
        "join": "10/m/user",
        "leave": "10/m/user",
        # Reports about a circle or a meetup (hosting also keeps its 10 a day).
        "report": "5/m/user",
        # Downloading all my data.
        "export": "3/m/user,20/d/user",
        # A reminder's "I can't make it" page, opened signed in or not: per client address
        # and per link, GET included (accounts.ratelimits.link_rate_limited).
        "cant_make_it": "30/m/ip,10/m/key",
        # Saving a weekly check-in, and notes of support on others' check-ins.
        "checkin": "10/m/user",
        # Saving a check-in (or accepting the privacy note) from a prompt's link, signed in
        # or not: per link, every mood link of one prompt counting as one
        # (circles.checkin_views), and per client address.
        "checkin_link": "5/m/key,30/d/key,30/m/ip",
        "checkin_reply": "10/m/user,100/d/user",
        # "Find this address" on a new venue: each may ask the geocoder (accounts.geocoding).
        "geocode": "10/m/user,100/d/user",
    }
    if env.bool("RATE_LIMITS_ENABLED", default=True)
    else {}
)
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"

# The apps that hold personal data, each with a provider module (see accounts.my_data):
# the download joins their parts in this order, and each one's `before_delete` runs, in
# this order, before an account is deleted.
PERSONAL_DATA_PROVIDERS = [
    "accounts.personal_data",
    "circles.personal_data",
    "meetups.personal_data",
    "hosting.personal_data",
]

# Version of the privacy note people consent to at signup; bump when its text changes.
# Bumping it asks every signed-in person to accept the note again at their next visit
# (accounts.middleware.PrivacyConsentMiddleware); these pages stay open meanwhile.
PRIVACY_NOTICE_VERSION = env.str("PRIVACY_NOTICE_VERSION", default="2026-12")
PRIVACY_CONSENT_EXEMPT_URLS = frozenset(
    {
        "account_logout",
        "account_reauthenticate",
        "mfa_reauthenticate",
        "accounts:consent",
        "accounts:withdraw_consent",
        "accounts:choose_language",
        "accounts:unsubscribe",
        "meetups:cant_make_it",
        "me:calendar",
        "export_data",
        "delete_account",
        "crisis",
        "privacy",
        "healthz",
        "robots_txt",
    }
)

# Email: django-environ's EMAIL_URL (smtp://, consolemail://, filemail://path). Kept on the
# EMAIL_* settings rather than Django 6.1's MAILERS until pytest-django's locmem outbox
# follows MAILERS.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
if EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend":  # noqa: F821
    EMAIL_BACKEND = "peersupport.mail.EmailBackend"  # links printed whole, not encoded
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"{SITE_NAME} <circles@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds any one SMTP step (connect, a command, a message) may take before the send fails
# and the message waits in the outbox for the next try (accounts.outbox).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# The outbox (accounts.outbox): messages per delivery task (one SMTP connection each),
# the first wait before sending again after a failure (doubling up to OUTBOX_RETRY_MAX
# seconds), and how often the mail server may refuse one message before it is given up.
OUTBOX_CHUNK = env.int("OUTBOX_CHUNK", default=100)
OUTBOX_RETRY_BASE = env.int("OUTBOX_RETRY_BASE", default=30)
OUTBOX_RETRY_MAX = env.int("OUTBOX_RETRY_MAX", default=600)
OUTBOX_MAX_REFUSALS = env.int("OUTBOX_MAX_REFUSALS", default=5)
# After a mail server timed out, no chunk connects for this many seconds; then one tries
# (accounts.outbox, "the mail circuit"). 0: never wait as a whole.
OUTBOX_CIRCUIT_SECONDS = env.int("OUTBOX_CIRCUIT_SECONDS", default=60)

# Celery: Redis when REDIS_URL is set, otherwise the filesystem transport under .data/
# so `make run` needs no server.
BROKER_VISIBILITY_TIMEOUT = 3600
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_BROKER_DIR = Path(env.str("CELERY_BROKER_DIR", default=str(DATA_DIR / "broker")))
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR),
        "data_folder_out": str(CELERY_BROKER_DIR),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    # Redis hands an unacknowledged message (acks_late) to another worker after this many
    # seconds. Every task's hard time limit, retry countdown and the outbox's lease stay
    # well below it, so no task is ever run twice at once because it was merely slow.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **redis_broker_options(),
        "visibility_timeout": BROKER_VISIBILITY_TIMEOUT,
    }
CELERY_TASK_DEFAULT_QUEUE = "default"
# Tasks that talk to the mail server run on a queue of their own, consumed by a worker of
# its own (docker-compose.yml's `mailer`, Procfile.dev's `mail`), so a mail server that
# hangs never makes the scans and the other tasks wait.
MAIL_QUEUE = "mail"
# Both declared, so that purging the queues (`celery purge`, tests) empties both.
CELERY_TASK_QUEUES = [
    Queue(name, Exchange(name), routing_key=name)
    for name in (CELERY_TASK_DEFAULT_QUEUE, MAIL_QUEUE)
]
CELERY_TASK_ROUTES = {
    name: {"queue": MAIL_QUEUE}
    for name in (
        "accounts.tasks.deliver_notifications",
        "meetups.notifications.queue_reminders",
        "circles.notifications.send_checkin_prompts",
    )
}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_IGNORE_RESULT = True
# A backstop for every task (each outbox task sets its own, far shorter limits): below the
# broker's visibility_timeout, so a stuck task is killed before Redis redelivers it.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=1500)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=1800)
# On a warm shutdown (a deploy's SIGTERM) running tasks get this long to finish before the
# worker stops; unfinished ones go back to the queue (acks_late) and the outbox lease lets
# the next worker take their messages.
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = env.float("CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT", default=30)
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = "UTC"

TIME_ZONE = env.str("TIME_ZONE", default="America/Chicago")
USE_TZ = True

# --- Languages (README "Languages") ---------------------------------------------------------
# The site's own words: a person's setting (accounts.User.language, chosen from the footer),
# else their browser's Accept-Language, else LANGUAGE_CODE. URLs carry no language. Adding a
# language is its catalog under locale/<code>/LC_MESSAGES/ and its line here.
USE_I18N = True
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Set by the footer's language switcher (accounts.views.choose_language) for everyone; kept
# a year, like Django's own default, and sent only to this site.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
# The languages circles meet in, offered when starting a circle and when searching, each
# named in its own language (circles.forms.language_choices). A circle's language is the
# words its facilitators wrote, not the site's: any code Django knows may be added.
CIRCLE_LANGUAGES = env.list(
    "CIRCLE_LANGUAGES",
    default=["en", "es", "zh-hans", "vi", "ko", "ar", "ru", "fr", "ht", "pt", "pl", "uk"],
)

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(DATA_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
WHITENOISE_USE_FINDERS = True

# Security headers. Pages carry no inline script, so the policy needs no nonce and
# whole pages can be cached for anonymous visitors.
from django.utils.csp import CSP  # noqa: E402

MAP_TILE_URL = env.str("MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env.str("MAP_TILE_ATTRIBUTION", default="&copy; OpenStreetMap contributors")
# A venue's "map" link in emails (circles.models.Venue.map_url): `{query}` becomes its
# address, URL-encoded. Any map site with a search URL works.
MAP_SEARCH_URL = env.str(
    "MAP_SEARCH_URL", default="https://www.openstreetmap.org/search?query={query}"
)
# Looking addresses up (accounts.geocoding): "nominatim" or "photon" (geopy's clients),
# or "" (off: venues are placed on the map or typed, and only offline places are found).
# GEOCODER_URL: the server, e.g. a self-hosted one; empty, the service's public server.
GEOCODER = env.str("GEOCODER", default="")
GEOCODER_URL = env.str("GEOCODER_URL", default="")
GEOCODER_USER_AGENT = env.str("GEOCODER_USER_AGENT", default="peer-support-circles")
GEOCODER_TIMEOUT = env.float("GEOCODER_TIMEOUT", default=5.0)
GEOCODER_CACHE_SECONDS = env.int("GEOCODER_CACHE_SECONDS", default=30 * 24 * 3600)
# The most lookups the whole site sends the geocoder in a minute (0: no limit).
GEOCODER_PER_MINUTE = env.int("GEOCODER_PER_MINUTE", default=60)
_tile_origin = "/".join(MAP_TILE_URL.split("/")[:3]).replace("{s}.", "*.")
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", _tile_origin] if MAP_TILE_URL else [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=SITE_URL.startswith("https"))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Privacy and security (issue 13) ------------------------------------------------------
# HTTPS: one year of HSTS and a redirect to https when SITE_URL is https. /healthz stays on
# plain http for the load balancer's check. Behind a TLS proxy set BEHIND_TLS_PROXY=1, or
# every request looks like http and the redirect loops.
SITE_IS_HTTPS = SITE_URL.startswith("https://")
SECURE_HSTS_SECONDS = env.int("HSTS_SECONDS", default=365 * 24 * 3600 if SITE_IS_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("HSTS_PRELOAD", default=False)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=SITE_IS_HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Preloading is the operator's choice (hard to undo, and only from the registrable domain),
# so `check --deploy` does not ask for it.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# The client's address for allauth's rate limits. Behind N proxies of ours, the Nth address
# from the right of X-Forwarded-For; 0 trusts none (every visitor is REMOTE_ADDR). Or a
# header the proxy sets to the client's address alone (e.g. X-Real-IP).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env.str("TRUSTED_CLIENT_IP_HEADER", default="") or None

# A server with DEBUG off needs REDIS_URL for the rate limits' shared cache: the web
# server, worker and beat refuse to start without it (peersupport.startup).

# Two-step sign-in (allauth.mfa): an authenticator app and recovery codes. Staff need it to
# open the admin (peersupport.admin_site); members may turn it on from their settings.
# WebAuthn is left out: allauth's WebAuthn pages need their script wired into our pages.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME

# Sessions: signed out after SESSION_IDLE_MINUTES without a request, and SESSION_MAX_DAYS
# after signing in whatever happens (accounts.middleware.SessionTimeoutMiddleware).
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=180)
SESSION_COOKIE_AGE = env.int("SESSION_MAX_DAYS", default=14) * 24 * 3600
# The password again before changing the email address or downloading all data (within
# allauth's five minutes); a notice to the old address when the email address changes.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
PASSWORD_RESET_TIMEOUT = 3600

# Crisis resources, linked from every page. Configure per deployment. Each line has a
# version per language, from CRISIS_LINE_TEXT_ES and the like; a language without its own
# lines shows the default ones (peersupport.context_processors.crisis_help). While the
# default lines are the US ones (CRISIS_LINE_TEXT unset), Spanish gets 988's own Spanish
# service.
CRISIS_LINE_TEXT = env.str(
    "CRISIS_LINE_TEXT",
    default="In the US, call or text 988 (Suicide & Crisis Lifeline), any time.",
)
CRISIS_LINE_URL = env.str("CRISIS_LINE_URL", default="https://988lifeline.org/")
CRISIS_EMERGENCY_TEXT = env.str(
    "CRISIS_EMERGENCY_TEXT",
    default="If you or someone else is in immediate danger, call your local emergency number.",
)
_CRISIS_DEFAULTS = {
    "es": {
        "CRISIS_LINE_TEXT": "En EE. UU., llama al 988 y marca 2 para hablar en español, o "
        "envía AYUDA por mensaje de texto al 988 (Línea 988 de Prevención del Suicidio y "
        "Crisis), a cualquier hora.",
        "CRISIS_LINE_URL": "https://988lineadevida.org/",
        "CRISIS_EMERGENCY_TEXT": "Si tú u otra persona están en peligro inmediato, llama al "
        "número de emergencias de tu zona.",
    },
}
CRISIS_HELP = {
    code: {
        name: env.str(f"{name}_{code.upper().replace('-', '_')}", default=default)
        for name, default in {
            "CRISIS_LINE_TEXT": CRISIS_LINE_TEXT,
            "CRISIS_LINE_URL": CRISIS_LINE_URL,
            "CRISIS_EMERGENCY_TEXT": CRISIS_EMERGENCY_TEXT,
            **({} if "CRISIS_LINE_TEXT" in os.environ else _CRISIS_DEFAULTS.get(code, {})),
        }.items()
    }
    for code, _name in LANGUAGES
    if code != LANGUAGE_CODE
}

# The country the site serves (ISO 3166 code): a town name several countries share means
# this country's, and distances are in its units (miles in the US and the UK).
SITE_COUNTRY = env.str("SITE_COUNTRY", default="US")

# The crisis help listed on the crisis page, the error pages and beside a check-in's lowest
# mood: a JSON list (peersupport.crisis says its keys); empty, the US list.
CRISIS_RESOURCES = crisis.parse(env.str("CRISIS_RESOURCES", default=""))

# Where "Leave this site quickly" goes: a neutral site that replaces the page (and its entry
# in the tab's history).
QUICK_EXIT_URL = env.str("QUICK_EXIT_URL", default="https://www.google.com/")
# Whether "Leave this site quickly" also signs the person out (with JavaScript).
QUICK_EXIT_SIGNS_OUT = env.bool("QUICK_EXIT_SIGNS_OUT", default=False)

# "I can't host this one": how many hours before a meetup's start its facilitators are
# told that nobody has accepted to cover for its host (hosting.services.cover).
COVER_REQUEST_DEADLINE_HOURS = env.int("COVER_REQUEST_DEADLINE_HOURS", default=24)

# Browse results cached for anonymous visitors; 0 turns the cache off. Any change to a
# circle, schedule, venue, meetup or RSVP invalidates every cached page at once.
BROWSE_CACHE_SECONDS = env.int("BROWSE_CACHE_SECONDS", default=300)
BROWSE_PAGE_SIZE = env.int("BROWSE_PAGE_SIZE", default=20)

# Records of emails sent and of who came to a meetup are purged after this many months
# (accounts/retention.py, run daily by beat).
RETENTION_MONTHS = env.int("RETENTION_MONTHS", default=12)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Error responses are logged by their URL pattern, not their path: a path can carry a
    # calendar token or a circle's name (peersupport/log_filters.py).
    "filters": {"path_as_route": {"()": "peersupport.log_filters.PathAsRoute"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django.request": {"filters": ["path_as_route"]},
        "django.server": {"filters": ["path_as_route"]},
    },
}
