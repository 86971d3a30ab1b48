"""Whole-page cache for anonymous readers.

A page is kept with the scopes it read while it was made (``articles.versions``: the view, the site
chrome and the values it used declare them) and their versions, under a key of its address; it is
served while those versions hold, so a publish or an edit makes cold only the pages that show what
changed, on every app server at once, with nothing to purge. A hit is one round trip to Redis (one
MGET of the versions) when this process has a copy of the page. Nothing is kept past the next
scheduled article that will appear on it (``entries``).

When a page's versions move, the next request makes it again; requests for it that come while it
is being made get the page it replaces (``X-Cache: stale``), not a page of their own each: right after
a publish, a busy site would otherwise make the same pages many times at once. That is for the time
one page takes to make (``MAKING_SECONDS`` at most); a page never kept before is made by each, and
a page not kept when made again (withdrawn, an error now) is forgotten: nobody is given it after.

The key is what the page depends on, nothing more: the scheme, host and path, and only the query
parameters its view declares it reads (``queries``). A logged-in editor bypasses the cache and gets
private pages; any other cookie (an invalid or anonymous session) is served from it.
"""

import contextlib
import hashlib
import logging

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.db import DatabaseError
from django.utils.cache import patch_cache_control, patch_vary_headers, set_response_etag
from django.utils.http import http_date

from .. import versions
from . import CACHE_ERRORS, entries
from .queries import canonical_query, query_parameters

logger = logging.getLogger(__name__)

# While one request makes a page again, others are given the page it replaces, for this long at most.
MAKING_SECONDS = 10


def logged_in(request):
    """Whether the request carries the session of a logged-in user. Costs one session lookup (one
    query by primary key) when there is a session cookie, and nothing otherwise; an invalid or
    anonymous session is not a login. Anything the authentication middleware would take for a user
    is one here, so no editor's page is ever kept for readers."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    return SESSION_KEY in request.session


class PageCacheMiddleware:
    """Serves anonymous GET and HEAD requests from the page cache; within every request, each scope's
    version is read once (``versions.one_read_per_request``), however many cached values it uses."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/" + settings.ADMIN_PATH

    def __call__(self, request):
        with versions.one_read_per_request():
            return self.respond(request)

    def respond(self, request):
        if request.path.startswith(self.admin_prefix):
            response = self.get_response(request)
            patch_cache_control(response, private=True, no_cache=True)
            return response
        try:
            key = self.key(request)
            entry = None if key is None else entries.lookup(key)
            counter = None if key is None or entry else versions.changes_before_reading()
        except (DatabaseError, *CACHE_ERRORS) as exc:
            # The database or the cache is down: serve without the cache (the view answers 503 if it must).
            logger.warning("page cache bypassed: %r", exc)
            return self.uncached(request)
        if key is None:
            return self.uncached(request)
        if entry is not None:
            return self.hit(entry)
        return self.made_once(request, key, counter)

    def made_once(self, request, key, counter):
        """The page made again for this request, or, while another request makes it, the page it replaces."""
        try:
            making = cache.add(f"{key}:making", 1, MAKING_SECONDS)
            stale = None if making else entries.previous(key)
        except CACHE_ERRORS:
            making, stale = False, None
        if stale is not None:
            # Another request is making this page again: the page it replaces meanwhile, rather than
            # every reader at once making the same page (right after a publish, on a busy site).
            response = stale.value
            response["X-Cache"] = "stale"
            return response
        response = None
        try:
            response = self.make(request, key, counter)
            return response
        finally:
            with contextlib.suppress(*CACHE_ERRORS):  # else they expire
                if getattr(response, "kept_entry", None) is None:
                    # Not kept (the page is gone or an error now, or content changed while it was
                    # made): nobody is given the page it replaced any more.
                    entries.forget(key)
                if making:
                    cache.delete(f"{key}:making")

    def make(self, request, key, counter):
        """The page made for ``request``, kept under ``key`` unless content changed since ``counter``."""
        with versions.recording() as recording:
            response = self.get_response(request)
        if self._storable(response):
            # A view with a caching policy of its own (the feeds: validators and max-age) keeps it.
            if "max-age" not in response.get("Cache-Control", ""):
                response["Last-Modified"] = http_date()
                patch_cache_control(response, max_age=0, must_revalidate=True)
            if not response.has_header("ETag"):
                set_response_etag(response)
            # Kept for readers without a login (a session cookie may get an editor's page): said here,
            # so that a hit, which reads no session, says it as the page just made does.
            patch_vary_headers(response, ("Cookie",))
            if recording.scopes <= {versions.SITE}:  # a page that declares nothing is taken to show articles
                recording.scopes.add(versions.ARTICLES)
            try:
                response.kept_entry = entries.store(key, response, recording, counter, settings.PAGE_CACHE_SECONDS)
            except (DatabaseError, *CACHE_ERRORS) as exc:
                logger.warning("page not cached: %r", exc)
            response["X-Cache"] = "miss"
        return response

    @staticmethod
    def key(request):
        """The cache key of this request's page; None if it is not served from the cache (not a GET
        or HEAD, the cache off, a logged-in editor). The request is first given only the query
        parameters its page reads, written one way: a public page sees those only, cached or not."""
        names = query_parameters(request.path_info)
        if names is not None:
            request.GET = canonical_query(request.GET, names)
            request.META["QUERY_STRING"] = request.GET.urlencode()
        if request.method not in ("GET", "HEAD") or settings.PAGE_CACHE_SECONDS <= 0 or logged_in(request):
            return None
        url = request.build_absolute_uri()
        # Every page names the traditional edition's standard (hreflang), and those pages are in it.
        release = f"{settings.RELEASE}:{settings.TRADITIONAL_CHINESE}"
        return f"newsroom:page:{release}:{hashlib.sha256(url.encode()).hexdigest()}"

    @staticmethod
    def hit(entry):
        response = entry.value
        response["X-Cache"] = "hit"
        response.kept_entry = entry  # what it was kept with (``handler`` keeps the bytes sent with it)
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
        """Whether the page may be kept: a plain 200 that no header keeps from shared caches
        (``s-maxage=0``: a feed made within the second of a change, whose Last-Modified is to come)."""
        policy = response.get("Cache-Control", "")
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not any(directive in policy for directive in ("private", "no-store", "s-maxage=0"))
        )
