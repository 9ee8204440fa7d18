"""Settings for the DDKC portal.

One module for every environment: each difference is an environment variable, read through one
``environ.Env`` (see ``.env.example``). Production configuration that is missing or malformed fails
loudly at start-up instead of running half-configured.
"""

import ipaddress
import tempfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

# Read verbatim: django-environ would take a value starting with "$" (which a random key may) for the
# name of another variable.
SECRET_KEY = env.ENVIRON.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable (a long random string), "
            "or DEBUG=true for local development only. See .env.example."
        )
    SECRET_KEY = "insecure-development-only-key"  # noqa: S105 - only ever used with DEBUG on

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The admin's path (without a leading slash), e.g. ADMIN_URL=darbs/ to keep it off the well-known one.
ADMIN_URL = env.str("ADMIN_URL", default="admin/")
if not ADMIN_URL.endswith("/") or ADMIN_URL.startswith("/") or ADMIN_URL == "/":
    raise ImproperlyConfigured(
        f"ADMIN_URL must be a relative path ending with '/', e.g. 'admin/', not {ADMIN_URL!r}."
    )

INSTALLED_APPS = [
    # modeltranslation must come before the admin to patch its forms.
    "modeltranslation",
    # Django's admin with the portal's site (Latvian messages that agree with the noun: ddkc.admin_site).
    "ddkc.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "import_export",
    "simple_history",
    "csp",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "partners",
    "strategy",
    "indicators",
]

# A form sent without its token gets the portal's own 403 page (in the admin: with what to do).
CSRF_FAILURE_VIEW = "ddkc.views.csrf_failure"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything that can answer early, so that every answer (a 400 too) carries the policy.
    "csp.middleware.CSPMiddleware",
    "ddkc.middleware.NullCharacterMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The host first: nothing below may answer for a host outside ALLOWED_HOSTS (a 400).
    "ddkc.middleware.HostValidationMiddleware",
    # CORS for the read API: GET/HEAD (and their preflight) from any site, nothing else (ddkc/api/cors.py).
    # Above everything that can answer, so that a 404 or 429 of the API carries the header too.
    "corsheaders.middleware.CorsMiddleware",
    # HTML (and every other dynamic answer of 200 bytes or more) gzipped for a client that accepts it,
    # with Vary: Accept-Encoding. Above the public-page cache, so a page answered from that cache is
    # compressed on its way out too (the cache keeps the uncompressed page, one for every client);
    # below WhiteNoise, whose static files are already compressed ahead of time. BREACH: an attacker who
    # can inject text into a page and watch the compressed length may guess a secret on the same page.
    # Django 5.2's GZipMiddleware adds 0–99 random bytes to each gzip answer ("Heal The Breach",
    # max_random_bytes = 100), and the CSRF token is masked anew in every response; the public pages
    # carry no secret at all (anonymous, no session, no token) — staff pages carry only the masked token.
    "django.middleware.gzip.GZipMiddleware",
    # A cached public page is answered here, without the rest of the stack (partners/public_cache.py).
    "partners.public_cache.PublicPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "ddkc.middleware.AdminLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "ddkc.middleware.ClosedYearMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ddkc.urls"
WSGI_APPLICATION = "ddkc.wsgi.application"

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
                "django.template.context_processors.i18n",
                "ddkc.context_processors.portal",
            ],
        },
    },
]

# SQLite is the embedded default; DATABASE_URL (postgres://…) selects PostgreSQL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20})
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "partners.User"

# The cache of public pages, and the data version every write bumps (partners/public_cache.py). Every
# server process must see the same one, or a process keeps serving a withdrawn record: production's
# default is Django's database cache (its table is made by `migrate`, partners/migrations/0003), Redis
# (CACHE_URL=redis://127.0.0.1:6379/1) for larger sites; a per-process cache (locmemcache://, dummycache://)
# only with DEBUG on — `check --deploy` refuses it otherwise (ddkc/checks.py).
CACHE_TABLE = "ddkc_cache"
CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://ddkc" if DEBUG else f"dbcache://{CACHE_TABLE}")
}
if CACHES["default"]["BACKEND"].endswith(".RedisCache"):
    # Django's own Redis backend (django-environ would pick django-redis if it were installed).
    CACHES["default"]["BACKEND"] = "django.core.cache.backends.redis.RedisCache"
# Several portals (or test runs) on one Redis keep apart with a prefix of their own.
CACHES["default"]["KEY_PREFIX"] = env.str("CACHE_KEY_PREFIX", default="")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: Latvian is the default and the language of the admin; English is the second.
LANGUAGE_CODE = "lv"
LANGUAGES = [("lv", "Latviešu"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "ddkc" / "locale"]
TIME_ZONE = "Europe/Riga"
USE_I18N = True
USE_TZ = True
# Latvian pages group thousands with a (non-breaking) space: 2 899 408,11 EUR.
USE_THOUSAND_SEPARATOR = True
# English pages: EU English dates and numbers («20 January 2026»), not Django's American "en" formats.
FORMAT_MODULE_PATH = ["ddkc.formats"]

MODELTRANSLATION_DEFAULT_LANGUAGE = "lv"
MODELTRANSLATION_LANGUAGES = ("lv", "en")
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("lv",)}

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "ddkc" / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))

# Hashed file names need `collectstatic`; the test suite and development use plain storage.
STATIC_MANIFEST = env.bool("STATIC_MANIFEST", default=not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Without collectstatic (development, tests) WhiteNoise serves straight from the app folders.
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
WHITENOISE_AUTOREFRESH = DEBUG

LOGIN_URL = "admin:login"

# Import: the whole file is one transaction; one bad row writes nothing.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_IMPORT_IGNORE_BLANK_LINES = True
# What one import may cost: a file over any limit is refused with a Latvian message before it is
# parsed (strategy.importing). The rows allow `make bench`'s 10 000; the uncompressed size is what
# an XLSX inflates to (a 10 000-row export of every activity column: ≈ 11 MB).
IMPORT_MAX_FILE_BYTES = env.int("IMPORT_MAX_FILE_BYTES", default=10 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=10_000)
IMPORT_MAX_COLUMNS = env.int("IMPORT_MAX_COLUMNS", default=100)
IMPORT_MAX_UNCOMPRESSED_BYTES = env.int("IMPORT_MAX_UNCOMPRESSED_BYTES", default=50 * 1024 * 1024)
# The uploaded file between an import's preview and its confirmation: in a folder of its own, removed
# by the confirmation, and otherwise once older than the session (at most 23 h) by the next preview or
# `manage.py cleanup` (hourly: docs/ddkc-cleanup.timer). See strategy/importing/tempfiles.py.
IMPORT_TEMP_DIR = env.path("IMPORT_TEMP_DIR", default=str(Path(tempfile.gettempdir()) / "ddkc-imports"))
IMPORT_EXPORT_TMP_STORAGE_CLASS = "strategy.importing.tempfiles.ImportFileStorage"
# The change history is for reading: reverting a version would be a write around the workflow.
SIMPLE_HISTORY_REVERT_DISABLED = True
# The open-data files, built once per data version and served from here (partners/filestore.py): a
# folder the server processes may write, shared by all of them, outside MEDIA_ROOT and STATIC_ROOT. Old
# versions' files are removed when a new version's file is built and by `manage.py cleanup`.
OPEN_DATA_ROOT = env.path("OPEN_DATA_ROOT", default=str(BASE_DIR / "var" / "open-data"))
# Above this many approved activities the activity files are not built inside a request (at 100× volume
# that takes minutes): `manage.py build_open_data` builds them, and meanwhile the newest earlier copy is sent.
OPEN_DATA_BUILD_IN_REQUEST_MAX = env.int("OPEN_DATA_BUILD_IN_REQUEST_MAX", default=20000)

# --- Security (Django's deployment checklist; `manage.py check --deploy` is clean with .env.example) ---
# Secure by default when DEBUG is off; plain-HTTP set-ups (tests, a localhost smoke test) switch off
# the redirect explicitly.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# A load balancer's health probe speaks plain HTTP to the application port.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Behind a TLS-terminating proxy that sets the header, e.g. SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https.
# Only set it when the proxy always overwrites that header: otherwise a client could claim HTTPS.
_proxy_ssl_header = env.list("SECURE_PROXY_SSL_HEADER", default=[])
if _proxy_ssl_header:
    if len(_proxy_ssl_header) != 2:
        raise ImproperlyConfigured(
            "SECURE_PROXY_SSL_HEADER must be 'HEADER,value', e.g. 'HTTP_X_FORWARDED_PROTO,https'."
        )
    SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header)
# HSTS pins browsers to HTTPS for this many seconds: 0 (off) until TLS is known to work, then a year.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Staff sessions: a working day at most, and none survives closing the browser.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=True)

# Content-Security-Policy (django-csp 4): only the portal's own files, no inline script or style,
# no plugins, no framing. The Django admin runs under the same policy: it has no inline scripts or
# style attributes (tests/test_security.py checks the HTML, tests/e2e/test_admin_csp.py the browser);
# a few cosmetic style attributes of the import/export and history templates are dropped by the
# browser, which changes nothing but padding and bold.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# Figures on other sites (#15): the origins (scheme://host[:port]) whose pages may frame the /embed/
# cards, e.g. the LAGs' own websites. They enter CSP frame-ancestors on the embed pages only
# (indicators/embed.py); every other page keeps frame-ancestors 'none' and X-Frame-Options DENY.
# Empty (the default): the cards can be framed only by the portal itself.
EMBED_ORIGINS = [origin.rstrip("/") for origin in env.list("EMBED_ORIGINS", default=[])]
for _origin in EMBED_ORIGINS:
    _parts = urlsplit(_origin)
    if (
        _parts.scheme not in ("http", "https")
        or not _parts.netloc
        or _parts.path
        or _parts.query
        or _parts.fragment
        or any(c in _origin for c in " ;,'\"")
    ):
        raise ImproperlyConfigured(
            "EMBED_ORIGINS must list origins such as 'https://www.example.lv,https://*.example.lv', "
            f"not {_origin!r}."
        )

# Login throttling (django-axes): AXES_FAILURE_LIMIT failed logins lock that username from that
# address for AXES_COOLOFF_MINUTES; a successful login clears the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Showing the login form costs no lookup; only a login attempt is checked against the lock.
AXES_NEVER_LOCKOUT_GET = True
# Unlocking is an operator's job (`manage.py axes_reset_username NAME`), not an admin page.
AXES_ENABLE_ADMIN = False
AXES_LOCKOUT_CALLABLE = "ddkc.security.lockout"
# Behind N reverse proxies the client's address is the N-th from the right in X-Forwarded-For — read
# only when the request comes from one of TRUSTED_PROXIES (addresses or networks of the proxy next to
# gunicorn; loopback by default) or over a Unix socket: a client that reaches gunicorn directly could
# otherwise name any address and escape its lockout (ddkc/security.py).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=["127.0.0.1", "::1"])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES must list IP addresses or networks, e.g. '127.0.0.1,::1', not {_proxy!r}."
        ) from None
AXES_CLIENT_IP_CALLABLE = "ddkc.security.client_ip"

# --- The read API (/api/v1/, ddkc/api/) ---
# Read-only, anonymous: no session or CSRF (no authentication classes), JSON only (no browsable API,
# whose pages would need inline script). Anonymous clients are throttled per address (ddkc.security's
# client_ip, behind TRUSTED_PROXY_COUNT proxies as for logins), counted in the configured cache;
# API_ANON_RATE is DRF's "N/second|minute|hour|day".
API_ANON_RATE = env.str("API_ANON_RATE", default="600/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_THROTTLE_CLASSES": ["ddkc.api.throttling.AnonymousThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_VERSIONING_CLASS": None,
    # OPTIONS is only CORS's preflight (answered by django-cors-headers), not a description of the view.
    "DEFAULT_METADATA_CLASS": None,
    # Amounts and figures are exact decimals written as strings ("2899408.11"): a JSON number would
    # become a binary float in most clients (invariant 11).
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "DDKC portal API",
    "DESCRIPTION": (
        "Read-only open data of the DDKC strategy monitoring portal: the strategy tree, indicators with "
        "their reference sheets, figures from the progress engine (equal to the KPI dashboard), approved "
        "activities, LAGs and the territory. Licence CC BY 4.0. Latvian and English texts side by side "
        "(`*_lv`, `*_en`; an empty English text means there is none). Exact numbers are strings."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # The docs UI's script and styles are the portal's own static files (drf-spectacular-sidecar).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": False,
    "ENUM_NAME_OVERRIDES": {},
}
# CORS (django-cors-headers): only the API's paths; which requests get it is decided per request.
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False
CORS_PREFLIGHT_MAX_AGE = 86400

# Uploaded evidence: the largest file accepted, in bytes (10 MB).
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

PORTAL_NAME = _("DDKC stratēģijas uzraudzības portāls")

# The portal's public address (scheme and host, e.g. https://portal.example.lv): the links printed in
# the annual PDF report, the canonical links and sitemap, and the links in e-mails point here — never
# at the request's Host header. Development falls back to runserver's address; with DEBUG off it has
# no default, and `check --deploy` refuses it unset or not an absolute http(s) address (ddkc.E002).
PORTAL_URL = env.str("PORTAL_URL", default="http://127.0.0.1:8000" if DEBUG else "")

# --- E-mail (#16): notifications wait in the outbox (partners.OutboxMessage) and `manage.py send_mail`
# sends them, every 5 minutes from docs/ddkc-mail.timer. EMAIL_URL names the SMTP server, e.g.
# smtp+tls://user:password@mail.example.lv:587 (django-environ). Unset: the console backend with DEBUG
# on (the mails are printed); with DEBUG off `check --deploy` refuses it (ddkc/checks.py, ddkc.E003).
EMAIL_URL_SET = bool(env.str("EMAIL_URL", default=""))
if EMAIL_URL_SET:
    _email = env.email_url("EMAIL_URL")
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email["EMAIL_HOST"]
    EMAIL_PORT = _email["EMAIL_PORT"]
    EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
    EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
    EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="DDKC portāls <portals@localhost>")
# Seconds to wait for the SMTP server: a server that does not answer fails the run, which retries later.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
