"""The content version: a number that changes whenever content readers see changes.

Every cache key of a page or of a value derived from content includes it, so a change is seen on
the next request on every app server with nothing to purge (see ``articles.cache``).
"""

import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from .models import ContentVersion

CONTENT_VERSION_KEY = "newsroom:content-version"
CONTENT_POSITION_KEY = "newsroom:content-position"


# The version a request has read, so that it reads it once (see ContentVersionMiddleware).
_request_version = ContextVar("newsroom_request_version", default=None)


def _read_content_version():
    if settings.SHARED_CACHE:
        # Start from the clock, so a version lost from the cache never repeats an old one.
        return cache.get_or_set(CONTENT_VERSION_KEY, time.time_ns, timeout=None)
    return ContentVersion.current()


def content_version():
    """A number that changes whenever content readers see changes; part of every page cache key.

    It lives where every app server sees it: in the cache when the cache is shared (Redis), else
    in the database (a local-memory cache is private to one process). Within a request it is read
    once.
    """
    memo = _request_version.get()
    if memo is None:
        return _read_content_version()
    if not memo:
        memo.append(_read_content_version())
    return memo[0]


@contextmanager
def one_content_version_per_request():
    """Inside this block content_version() is read at most once, unless content changes meanwhile."""
    token = _request_version.set([])
    try:
        yield
    finally:
        _request_version.reset(token)


def content_changed():
    """Call after any change readers could see: the next request on every server sees it.

    The version moves when the change is committed, never before (``transaction.on_commit``; at once
    outside a transaction). Moved earlier, a reader between the bump and the commit would render the
    old content, which its own connection still sees, and keep it under the new version: stale until
    it expires. Moved after, a reader in between keeps the new content under the old version, which
    nobody asks for once the bump is made. A rolled-back change moves nothing.
    """
    transaction.on_commit(_bump)


def _bump():
    # The request that made the change reads the version again, so its own next page is fresh.
    memo = _request_version.get()
    if memo:
        memo.clear()
    if settings.SHARED_CACHE:
        try:
            cache.incr(CONTENT_VERSION_KEY)
        except ValueError:
            cache.set(CONTENT_VERSION_KEY, time.time_ns(), timeout=None)
    else:
        ContentVersion.bump()


def content_position():
    """How far into the primary's write-ahead log (a PostgreSQL LSN) a read replica must have replayed
    to show everything the current content version stands for (see ``articles.routing``).

    The primary's position is asked after the version was read, so it lies past every change made
    under this version or before; it is asked once per version and kept in the cache (asked again
    if lost), never at the bump itself, so concurrent bumps cannot record positions out of order.
    """
    key = f"{CONTENT_POSITION_KEY}:{content_version()}"
    position = cache.get(key)
    if position is None:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            (position,) = cursor.fetchone()
        cache.add(key, position, timeout=24 * 60 * 60)
    return position
