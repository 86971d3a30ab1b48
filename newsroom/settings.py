"""Settings for Newsroom: one file, read from the environment.

Variables:
  DATABASE_URL          database (unset: SQLite file db.sqlite3 in the project)
  DATABASE_REPLICA_URLS comma-separated PostgreSQL streaming replicas of it, for public reads
  DJANGO_SECRET_KEY     required unless DJANGO_DEBUG is on
  DJANGO_DEBUG          "1"/"true" turns debug on (default off)
  DJANGO_ALLOWED_HOSTS  comma-separated host names (default: localhost names)
  REDIS_URL             cache server (unset: local memory cache)
  PAGE_CACHE_SECONDS    how long anonymous pages are cached (default 300; 0 turns the cache off)
  LOCAL_CACHE_MB        each process's copies of cached pages and values, in MiB (default 32)
  DERIVED_CACHE_SECONDS how long derived values (counts, the site chrome, article HTML) are kept (default 300; 0: none)
  NEWSROOM_RELEASE      names the release in cache keys (default: a hash of the code and templates)
  TRADITIONAL_CHINESE   the standard of the traditional edition, /zh-hant/: tw or hk (default: tw)
  MEDIA_ROOT            where uploads are stored (default: media/ in the project)
  STATIC_ROOT           where collectstatic puts static files (default: staticfiles/ in the project)
  DJANGO_HTTPS          "0" turns off HTTPS-only cookies, HSTS and the SSL redirect (default: on unless debug)
  DJANGO_ADMIN_PATH     where the admin lives (default: admin/)
  DJANGO_PROXY_COUNT    proxies in front that append to X-Forwarded-For (nginx: 1; 0: none, on purpose)
  DJANGO_EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS,
  DEFAULT_FROM_EMAIL    sending password reset e-mails (default: the console in debug, else SMTP on localhost)
  MEDIA_STORAGE_BACKEND, MEDIA_STORAGE_OPTIONS (JSON)   storage class for uploads (default: local files)
  SITE_URL              the site's address in e-mails (default: https:// and the first allowed host)
  ALERTS_FROM_EMAIL     the sender of e-mail alerts (default: DEFAULT_FROM_EMAIL)
"""

import hashlib
import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from django_prose_editor.config import html_tags
from js_asset import static_lazy

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DJANGO_DEBUG")

# Never hard-coded for production: without DJANGO_SECRET_KEY (and debug off) the key stays empty,
# so the web server refuses to start (newsroom/wsgi.py) and anything that signs data fails, while
# commands that need no key (makemigrations, migrate) still run.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "insecure-development-key-only-used-when-debug-is-on"

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h.strip()
]

# Behind a TLS-terminating proxy (nginx) that sets X-Forwarded-Proto.
HTTPS = env_bool("DJANGO_HTTPS", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

ADMIN_PATH = os.environ.get("DJANGO_ADMIN_PATH", "admin/").strip("/") + "/"

INSTALLED_APPS = [
    "newsroom.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "taggit",
    "csp",
    "articles.apps.AxesConfig",
    "reversion",
    "js_asset",
    "django_prose_editor",
    "articles",
    "alerts",
]

MIDDLEWARE = [
    "articles.proxies.ForwardedWithoutProxyMiddleware",  # first: it sees requests answered from the cache too
    "django.middleware.security.SecurityMiddleware",
    "articles.middleware.RejectNullBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "articles.routing.ReplicaReadsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "articles.hant.LanguageFromPathMiddleware",  # before the page cache: /zh-hant/ resolves only in its language
    "articles.cache.pages.PageCacheMiddleware",
    "articles.hant.TraditionalMiddleware",  # after it: the cache keeps the converted page
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "articles.middleware.DatabaseUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy: no inline scripts or styles on public pages. The admin (which has
# some inline code of its own) is left out.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/" + ADMIN_PATH],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Admin login throttling (django-axes): a user and address pair is locked out after five failures
# for an hour; `manage.py axes_reset_username NAME` (or deleting the attempt in the admin) lifts it.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hour
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The client's address, which the lockout counts: behind PROXY_COUNT proxies (nginx: 1) it is read
# from X-Forwarded-For, else the header is ignored (articles/proxies.py). Unset, a deploy check and a
# log line warn; 0 says no proxy, on purpose.
PROXY_COUNT = int(os.environ["DJANGO_PROXY_COUNT"]) if os.environ.get("DJANGO_PROXY_COUNT", "").strip() else None
AXES_CLIENT_IP_CALLABLE = "articles.proxies.client_ip"
# A locked-out login gets a page in Chinese saying when to try again and who can lift the lock.
AXES_LOCKOUT_CALLABLE = "articles.accounts.lockout"

ROOT_URLCONF = "newsroom.urls"

# A form refused for its security token: a page that says where the work is and what to do.
CSRF_FAILURE_VIEW = "articles.errors.csrf_failure"

# E-mail: the admin's password reset links. Debug prints messages on the console; production sends
# them through EMAIL_HOST (EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS).
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost")

# The site's address, for links in e-mails sent outside a request (email alerts).
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/") or (
    f"{'https' if HTTPS else 'http'}://{(ALLOWED_HOSTS or ['localhost'])[0]}"
)

# Email alerts (alerts/, README "Press room"): jobs go to an RQ queue on Redis (REDIS_URL) that
# `manage.py alerts_worker` works through; without Redis they run in the process that enqueues them.
ALERTS_FROM_EMAIL = os.environ.get("ALERTS_FROM_EMAIL", DEFAULT_FROM_EMAIL)
ALERTS_REDIS_URL = os.environ.get("REDIS_URL", "")
ALERTS_QUEUE = "alerts"
# Seconds between tries of a mail the SMTP server refused or could not take (then the job fails).
ALERTS_RETRY_INTERVALS = [60, 300, 1800, 7200]
# An unconfirmed subscription (and its confirmation link) lasts this many days.
ALERTS_UNCONFIRMED_DAYS = 7
# A daily digest lists articles of at most this many past days that the subscriber has not received.
ALERTS_DIGEST_DAYS = 2
# Subscribe requests per client address and hour (no captcha: a honeypot field and this limit).
ALERTS_SUBSCRIBE_LIMIT = 10

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
                "articles.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "newsroom.wsgi.application"

conn_max_age = int(os.environ.get("DATABASE_CONN_MAX_AGE", "60"))
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=conn_max_age,
        conn_health_checks=True,
    )
}


def replica_databases(urls):
    """Aliases replica1, replica2, … for comma-separated replica URLs. They hold the primary's data,
    so tests never create them (``MIRROR``); articles.routing sends public reads to them."""
    replicas = {}
    for number, url in enumerate((url.strip() for url in urls.split(",") if url.strip()), start=1):
        replica = dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True)
        if "postgresql" not in replica["ENGINE"] or "postgresql" not in DATABASES["default"]["ENGINE"]:
            raise ImproperlyConfigured("DATABASE_REPLICA_URLS: read replicas are PostgreSQL streaming replicas")
        replicas[f"replica{number}"] = {**replica, "TEST": {"MIRROR": "default"}}
    return replicas


DATABASES.update(replica_databases(os.environ.get("DATABASE_REPLICA_URLS", "")))
DATABASE_REPLICAS = [alias for alias in DATABASES if alias != "default"]
DATABASE_ROUTERS = ["articles.routing.ReplicaRouter"]
# A client that has just written (any POST) reads from the primary this long (articles.routing).
REPLICA_PIN_SECONDS = 10


def redis_caches(url):
    """The shared cache on Redis: django-redis, which keeps one client per connection pool (Django's
    own backend builds a client, with its table of response callbacks, on every call)."""
    return {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": url}}


if os.environ.get("REDIS_URL"):
    CACHES = redis_caches(os.environ["REDIS_URL"])
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# A cache every app server sees; without it the versions of what readers see are kept in the database.
SHARED_CACHE = bool(os.environ.get("REDIS_URL"))


def source_fingerprint():
    """A hash of the code, templates, static files and translations: what renders a page."""
    digest = hashlib.sha256()
    for folder in ("articles", "newsroom", "templates", "static", "locale"):
        for path in sorted((BASE_DIR / folder).rglob("*")):
            if path.is_file() and path.suffix in {".py", ".html", ".txt", ".xml", ".css", ".js", ".mo"}:
                digest.update(str(path.relative_to(BASE_DIR)).encode() + path.read_bytes())
    return digest.hexdigest()[:12]


# Cached pages and rendered fragments are keyed by the release, so a deploy never serves what the
# previous code rendered (the versions of what they show are shared by all releases).
RELEASE = os.environ.get("NEWSROOM_RELEASE") or source_fingerprint()

# Whole pages for anonymous readers are cached this long (0 turns the page cache off).
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "300"))
# With Redis, each process also keeps copies of what it read, within this many bytes (least recently
# used out first; a value over a sixteenth of it is not copied), and within a quarter of it again the
# bytes it sent for kept pages (articles/cache/handler.py). Redis itself is bounded by its own
# maxmemory (deploy/redis.conf).
LOCAL_CACHE_BYTES = int(os.environ.get("LOCAL_CACHE_MB", "32")) * 2**20
# Values derived from content (page counts, the site chrome, an article with its HTML) are kept at most
# this long (0: made for each request, as in the benchmarks' cold rows).
DERIVED_CACHE_SECONDS = int(os.environ.get("DERIVED_CACHE_SECONDS", "300"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
# Public pages come in two editions: simplified (the default, no prefix) and traditional under
# /zh-hant/ (articles.hant), converted by OpenCC to the Taiwan ("tw") or Hong Kong ("hk") standard.
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("zh-hant", _("Traditional Chinese"))]
TRADITIONAL_CHINESE = os.environ.get("TRADITIONAL_CHINESE", "tw").strip().lower()
if TRADITIONAL_CHINESE not in ("tw", "hk"):
    raise ImproperlyConfigured("TRADITIONAL_CHINESE must be tw (Taiwan) or hk (Hong Kong)")
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["newsroom.formats"]  # times in forms keep their seconds
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    # Uploads: local files by default; S3-compatible storage through django-storages, e.g.
    # MEDIA_STORAGE_BACKEND=storages.backends.s3.S3Storage
    # MEDIA_STORAGE_OPTIONS='{"bucket_name": "newsroom", "endpoint_url": "https://s3.example.com"}'
    "default": {
        "BACKEND": os.environ.get("MEDIA_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": json.loads(os.environ.get("MEDIA_STORAGE_OPTIONS", "{}")),
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TAGGIT_CASE_INSENSITIVE = True

# Rich-text editor of article bodies (django-prose-editor): the article-image button is our own
# extension (static/js/admin/article-figure.js), and the toolbar (the Menu extension, always on) is
# replaced by one in Chinese (static/js/admin/prose-editor-zh.js). What it sends is sanitised by
# bodies.sanitize_html.
DJANGO_PROSE_EDITOR_EXTENSIONS = [
    {
        "js": [static_lazy("js/admin/article-figure.js")],
        "extensions": {"ArticleFigure": html_tags(["figure"], {"figure": ["data-image", "data-pending"]})},
    },
    {"js": [static_lazy("js/admin/paste-cleaner.js")], "extensions": {"PasteCleaner": html_tags([])}},
    {"js": [static_lazy("js/admin/prose-editor-zh.js")], "extensions": {"Menu": html_tags([])}},
]

# Deleted articles stay in the trash this many days; `purge_trash` removes older ones.
TRASH_DAYS = 30

# Articles per page on every list: stable so page links stay valid.
ARTICLES_PER_PAGE = 20

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
