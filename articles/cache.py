"""Whole-page cache for anonymous readers, and values kept per content version (``versioned``).

A page is stored under a key that includes ``versions.content_version()``, so a publish or an edit
(which bumps the version) is seen on the very next request on every app server, with nothing to
purge. A scheduled article appears without any change being made, so an entry never outlives the
next scheduled publish time.

The key is what the page depends on, nothing more: the scheme, host and path, and only the query
parameters its view declares it reads (``query_parameters``), each written one way. Every public
page is given only those (cached or not, so it is the same page for all), and a parameter it ignores
(``?utm_source=…``, ``?x=1``, ``?x=2``…) can neither make a new entry nor end up in the one kept.
Such requests are served the page itself rather than redirected: links shared from WeChat
(``?from=singlemessage``) or with ``utm_*`` tags cost no extra round trip, and the page's canonical
link names its one address for search engines. A logged-in editor bypasses the cache and gets private
pages; any other cookie (an invalid or anonymous session) is served from it.
"""

import functools
import hashlib
import logging
import pickle
import threading
import time
from collections import OrderedDict
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.core.cache.backends import redis as django_redis
from django.db import DatabaseError
from django.db.models import Min
from django.http import QueryDict
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import patch_cache_control, set_response_etag
from django.utils.http import http_date
from redis.exceptions import RedisError

from . import versions
from .models import Article

logger = logging.getLogger(__name__)
# What a cache server that went away raises.
CACHE_ERRORS = (RedisError, OSError)


class RedisCacheClient(django_redis.RedisCacheClient):
    """Django's Redis cache client, keeping one ``redis.Redis`` per connection pool.

    Django makes a new ``redis.Redis`` for every cache call, and redis-py 8 builds a table of about
    170 response callbacks in each: a third of the time of a page served from the cache. A client
    shares its pool and is safe to share between threads, so one per pool is enough.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    """Django's Redis cache backend with the client above (settings: REDIS_URL)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient


# Derived values (counts, the site chrome, articles with their HTML) are kept at most this long.
DERIVED_SECONDS = 300


def _seconds_until(moment):
    return int((moment - timezone.now()).total_seconds())


class LocalCopies:
    """This process's copies of kept values: least recently used first out, within a byte budget.

    Values are pickled (as Django's local-memory cache does, so each reader gets its own copy), which
    gives their size: the copies never take more than ``max_bytes`` in all, and a value larger than
    ``max_bytes // 16`` (a 400 KB feed on a small budget) is not copied at all: it is read from the
    shared cache each time. Entries expire with their original.
    """

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_bytes // 16
        self.bytes = 0
        self._entries = OrderedDict()  # key -> (expires at, pickled value)
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] <= time.time():
                self._drop(key)
                return None
            self._entries.move_to_end(key)
        return pickle.loads(entry[1])

    def set(self, key, value, timeout):
        data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        with self._lock:
            self._drop(key)
            if len(data) > self.max_entry_bytes:
                return
            while self.bytes + len(data) > self.max_bytes:
                self._drop(next(iter(self._entries)))
            self._entries[key] = (time.time() + timeout, data)
            self.bytes += len(data)

    def _drop(self, key):
        entry = self._entries.pop(key, None)
        if entry is not None:
            self.bytes -= len(entry[1])

    def clear(self):
        with self._lock:
            self._entries.clear()
            self.bytes = 0


# What is kept under a content version never changes, so with a shared cache (Redis) each process
# also keeps its own copy of what it read: a page or fragment then costs no round trip to Redis, only
# the content version does. Entries carry their expiry time, so a copy expires with the original.
_local = LocalCopies(settings.LOCAL_CACHE_BYTES)


def kept(key):
    """The value kept under ``key`` (None if there is none): from this process's memory if it can."""
    entry = _local.get(key) if settings.SHARED_CACHE else None
    if entry is None:
        entry = cache.get(key)
        if settings.SHARED_CACHE and entry is not None and (remaining := entry[0] - time.time()) > 0:
            _local.set(key, entry, remaining)
    return None if entry is None else entry[1]


def keep(key, value, timeout):
    entry = (time.time() + timeout, value)
    cache.set(key, entry, timeout)
    if settings.SHARED_CACHE:
        _local.set(key, entry, timeout)


def forget_local_copies():
    _local.clear()


def _next_scheduled_publish(version):
    """When the next scheduled article appears (None if none is scheduled), cached per version
    until that moment."""
    key = f"newsroom:next-scheduled:{settings.RELEASE}:{version}"
    value = kept(key)
    if value is None:
        value = (
            Article.objects.filter(status=Article.Status.PUBLISHED, publish_at__gt=timezone.now()).aggregate(
                first=Min("publish_at")
            )["first"]
            or "none"
        )
        ttl = DERIVED_SECONDS if value == "none" else min(DERIVED_SECONDS, _seconds_until(value))
        if ttl > 0:
            keep(key, value, ttl)
    return None if value == "none" else value


def _timeout(version, longest):
    """How long something made now stays true: ``longest``, or less if a scheduled article appears first."""
    upcoming = _next_scheduled_publish(version)
    return longest if upcoming is None else min(longest, _seconds_until(upcoming))


def versioned(name, compute):
    """``compute()``, kept in the cache under the content version (so any change made through the
    publishing module renders it stale at once) and never past the next scheduled publish time."""
    try:
        version = versions.content_version()
        key = f"newsroom:derived:{settings.RELEASE}:{version}:{hashlib.sha256(name.encode()).hexdigest()}"
        value = kept(key)
    except CACHE_ERRORS as exc:
        logger.warning("derived value not cached: %r", exc)
        return compute()
    if value is None:
        value = compute()
        try:
            timeout = _timeout(version, DERIVED_SECONDS)
            if timeout > 0:
                keep(key, value, timeout)
        except CACHE_ERRORS as exc:
            logger.warning("derived value not cached: %r", exc)
    return value


class ContentVersionMiddleware:
    """Reads the content version once per request, however many cached values the request uses."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with versions.one_content_version_per_request():
            return self.get_response(request)


def reads_query(*names):
    """Declares the query parameters a function view reads (a class-based view sets
    ``query_parameters``): the only ones its page cache key holds and the view is given."""

    def declare(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            return view(*args, **kwargs)

        wrapper.query_parameters = names
        return wrapper

    return declare


# Page numbers: 01, +1 and 1 are the same page, and page 1 is written without a parameter.
PAGE_NUMBERS = {"page", "p"}


def query_parameters(path):
    """The query parameters the view at ``path`` reads: none unless it declares them. None for a path
    no view answers (a 404, or an address the common middleware redirects to the one with a slash,
    which keeps the query string as it came)."""
    try:
        view = resolve(path).func
    except Resolver404:
        return None
    return getattr(getattr(view, "view_class", view), "query_parameters", ())


def canonical_query(query, names):
    """The parameters of ``query`` that are among ``names``, each once, in the order of ``names``,
    written one way: the value the view reads (the last one given), stripped; empty ones left out."""
    canonical = []
    for name in names:
        value = query.get(name, "").strip()
        if name in PAGE_NUMBERS:
            try:
                number = int(value)
            except ValueError:
                pass  # "last", or not a number: the view answers
            else:
                value = "" if number == 1 else str(number)
        if value:
            canonical.append((name, value))
    return QueryDict(urlencode(canonical))


def logged_in(request):
    """Whether the request carries the session of a logged-in user. Costs one session lookup (one
    query by primary key) when there is a session cookie, and nothing otherwise; an invalid or
    anonymous session is not a login. Anything the authentication middleware would take for a user
    is one here, so no editor's page is ever kept for readers."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    return SESSION_KEY in request.session


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/" + settings.ADMIN_PATH

    def __call__(self, request):
        if request.path.startswith(self.admin_prefix):
            response = self.get_response(request)
            patch_cache_control(response, private=True, no_cache=True)
            return response
        # A public page sees only the query parameters it declares, written one way, cached or not.
        names = query_parameters(request.path_info)
        if names is not None:
            request.GET = canonical_query(request.GET, names)
            request.META["QUERY_STRING"] = request.GET.urlencode()
        if request.method not in ("GET", "HEAD") or settings.PAGE_CACHE_SECONDS <= 0:
            return self.uncached(request)
        try:
            if logged_in(request):
                return self.uncached(request)
            version = versions.content_version()
            url = request.build_absolute_uri()
            key = f"newsroom:page:{settings.RELEASE}:{version}:{hashlib.sha256(url.encode()).hexdigest()}"
            response = kept(key)
        except (DatabaseError, *CACHE_ERRORS) as exc:
            # The database or the cache is down: serve without the cache (the view answers 503 if it must).
            logger.warning("page cache bypassed: %r", exc)
            return self.uncached(request)
        if response is not None:
            response["X-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if self._storable(response):
            # A view with a caching policy of its own (the feeds: validators and max-age) keeps it.
            if "max-age" not in response.get("Cache-Control", ""):
                response["Last-Modified"] = http_date()
                patch_cache_control(response, max_age=0, must_revalidate=True)
            if not response.has_header("ETag"):
                set_response_etag(response)
            try:
                timeout = _timeout(version, settings.PAGE_CACHE_SECONDS)
                if timeout > 0:
                    keep(key, response, timeout)
            except CACHE_ERRORS as exc:
                logger.warning("page not cached: %r", exc)
            response["X-Cache"] = "miss"
        return response

    def uncached(self, request):
        """The page made for this request alone: private if it may be an editor's."""
        response = self.get_response(request)
        try:
            private = logged_in(request)
        except DatabaseError:  # cannot tell while the database is down: a session cookie was sent
            private = True
        if private:
            patch_cache_control(response, private=True, no_cache=True)
        return response

    @staticmethod
    def _storable(response):
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and "private" not in response.get("Cache-Control", "")
            and "no-store" not in response.get("Cache-Control", "")
        )
