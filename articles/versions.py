"""Versions of what readers see, one per scope: what a change makes cold, and what a page read.

A publish used to bump one content version, which made every cached page of the site cold at once.
Now each change moves the versions of the scopes it touches, and a cached page or value is kept
with the scopes it read and the versions they had; it is served only while all of them still do.

Scopes (names are strings, so a page can list them and Redis can hold them):

``site``
    settings, notices, promo blocks, the sections' and columns' own edits. Every page depends on it.
``articles``
    the published articles as a whole: home, date archives, the site's feeds, sitemaps, search,
    the subscribe page. Any change to a published (or scheduled) article moves it.
``article:<id>``
    an article's own content: its page, and every page that names it (its neighbours' previous/next
    links, related articles lists).
``neighbours:<id>``
    which articles are previous and next of it: its page only.
``section:<id>``, ``column:<id>``, ``unit:<id>``, ``tag:<id>``
    which articles a list holds, in which order, and what they show: its pages and feeds.
``albums``, ``album:<id>``
    the albums editors curate for the media library: the library's list of them, one album's page.
    The images they show are of published articles, so those pages depend on ``articles`` too.
``changes``
    moves with every bump (below).

What a change touches is worked out by ``articles.scopes`` from the article as it was before the
change and as it is after (old and new section, column, units, tags, new neighbours), and the
workflow (the one door) calls ``changed(scopes)``. A page declares what it read by calling
``depends_on(scope, …)`` while it is made (views, the site chrome, feeds); ``articles.cache`` records
that (``recording``) and keeps it with the entry.

What is not made cold at once: a related-articles list depends on the articles it names, so their
edits show at once; a newly published article joins other articles' related lists when those are next
made (within ``PAGE_CACHE_SECONDS``), rather than making cold every article page of its tags and
column. A scheduled article appears with no change at all: entries that read a scope it will be shown
under (and the page of the article before it) expire at its time (``articles.cache.entries``).

Where versions live: in Redis when the cache is shared (one key per scope, no expiry, so the
volatile-lru bound never evicts one), else in the database (``ContentVersion``, a row per scope), as a
local-memory cache is private to one process. A bump is one round trip (a MULTI pipeline, or one
transaction); reading any number of scopes is one (MGET, or one query), and a request reads each
scope at most once (``one_read_per_request``). A version starts from the clock (nanoseconds), so a
version lost with its key never repeats one a cached copy may still hold.

After the commit, never before: ``changed`` bumps in ``transaction.on_commit``. Moved earlier, a
reader between the bump and the commit would render the old content, which its connection still
sees, and keep it under the new versions. A reader can still read rows just before a commit and the
versions just after its bump; so an entry is stored only if ``changes`` (bumped first, in the same
round trip as the others) is where it was before anything was read (``unchanged_since``): a change
that lands while a page is made leaves that page unstored.

``content_version()`` (the ``changes`` counter) and ``content_position()`` serve read replicas
(``articles.routing``): a request reads from a replica that has replayed the primary's log up to the
position recorded for the present counter.
"""

import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import F

from .models import ContentVersion

SITE = "site"
ARTICLES = "articles"
CHANGES = "changes"
KEY_PREFIX = "newsroom:scope:"
CONTENT_POSITION_KEY = "newsroom:content-position"


def article(pk):
    return f"article:{pk}"


def neighbours(pk):
    return f"neighbours:{pk}"


def section(pk):
    return f"section:{pk}"


def column(pk):
    return f"column:{pk}"


def unit(pk):
    return f"unit:{pk}"


def tag(pk):
    return f"tag:{pk}"


ALBUMS = "albums"


def album(pk):
    return f"album:{pk}"


LISTS = {"articles.section": section, "articles.column": column, "articles.unit": unit, "taggit.tag": tag}


def list_of(obj):
    """The scope of the list of articles of ``obj`` (a section, column, unit or tag; None: the site)."""
    return ARTICLES if obj is None else LISTS[obj._meta.label_lower](obj.pk)


# --- reading ---------------------------------------------------------------------------------

# The versions this request has read (scope -> version), so that it reads each once.
_request_versions = ContextVar("newsroom_request_versions", default=None)


def _redis():
    from django_redis import get_redis_connection

    return get_redis_connection("default")


def _read(scopes):
    """The present versions of ``scopes`` (None for a scope never bumped): one round trip."""
    scopes = list(scopes)
    if settings.SHARED_CACHE:
        prefix = cache.make_key(KEY_PREFIX)  # the cache's own prefix and version, then ours
        values = _redis().mget([prefix + scope for scope in scopes])
        return {scope: None if value is None else int(value) for scope, value in zip(scopes, values, strict=True)}
    rows = dict(ContentVersion.objects.filter(scope__in=scopes).values_list("scope", "value"))
    return {scope: rows.get(scope) for scope in scopes}


def current(scopes):
    """The versions of ``scopes``, as a tuple in their order. Within a request each scope is read
    once (the request then sees one state of each); the first read takes ``changes``, ``site`` and
    ``articles`` along."""
    memo = _request_versions.get()
    if memo is None:
        values = _read(scopes)
    else:
        missing = [scope for scope in scopes if scope not in memo]
        if not memo:  # what most requests read anyway, in the same round trip
            missing += [CHANGES, SITE, ARTICLES]
        if missing:
            memo.update(_read(dict.fromkeys(missing)))
        values = memo
    return tuple(values[scope] for scope in scopes)


def changes_before_reading():
    """The ``changes`` counter before this request (or, outside a request, this computation) read
    anything: what ``unchanged_since`` compares with when the result is stored."""
    return current([CHANGES])[0]


def unchanged_since(counter, scopes):
    """The present versions of ``scopes`` (a tuple), or None if anything was bumped since ``counter``
    was read: then what was made in between may hold rows older than these versions."""
    values = _read([CHANGES, *scopes])
    if values[CHANGES] != counter:
        return None
    return tuple(values[scope] for scope in scopes)


@contextmanager
def one_read_per_request():
    """Inside this block each scope's version is read at most once, unless content changes meanwhile."""
    token = _request_versions.set({})
    try:
        yield
    finally:
        _request_versions.reset(token)


def content_version():
    """The ``changes`` counter: it moves with every change readers can see."""
    return current([CHANGES])[0]


# --- recording what a page or value depends on ----------------------------------------------


class Recording:
    """The scopes something made read, and until when it stays true at most (a scheduled article
    appearing, or a value it used that expires)."""

    def __init__(self):
        self.scopes = set()
        self.until = None

    def valid_until(self, moment):
        if moment is not None and (self.until is None or moment < self.until):
            self.until = moment


_recording = ContextVar("newsroom_recording", default=None)


def depends_on(*scopes):
    """Declares that what is being made (a page, a kept value) shows these scopes."""
    recording = _recording.get()
    if recording is not None:
        recording.scopes.update(scopes)


def valid_until(moment):
    """Declares that what is being made stays true until ``moment`` (a time.time() value) at most."""
    recording = _recording.get()
    if recording is not None:
        recording.valid_until(moment)


@contextmanager
def recording():
    """Collects what the code inside declares; what it declares counts for an outer recording too."""
    outer = _recording.get()
    inner = Recording()
    token = _recording.set(inner)
    try:
        yield inner
    finally:
        _recording.reset(token)
        if outer is not None:
            outer.scopes |= inner.scopes
            outer.valid_until(inner.until)


# --- bumping ---------------------------------------------------------------------------------


def changed(scopes):
    """Call after a change readers could see, with the scopes it touches: their versions move when
    the change is committed (at once outside a transaction); a rolled-back change moves nothing."""
    scopes = frozenset(scopes)
    if scopes:
        transaction.on_commit(lambda: _bump(scopes))


def site_changed():
    """A change every page may show (settings, a notice, a section's name): everything is cold."""
    changed({SITE})


def _bump(scopes):
    # The request that made the change reads the versions again, so its own next page is fresh.
    memo = _request_versions.get()
    if memo:
        memo.clear()
    start = time.time_ns()
    if settings.SHARED_CACHE:
        # ``changes`` first: a reader that sees any scope moved sees ``changes`` moved too.
        with _redis().pipeline(transaction=True) as pipe:
            prefix = cache.make_key(KEY_PREFIX)
            for scope in [CHANGES, *sorted(scopes - {CHANGES})]:
                key = prefix + scope
                pipe.set(key, start, nx=True)
                pipe.incr(key)
            pipe.execute()
        return
    names = sorted(scopes | {CHANGES})  # rows locked in one order: concurrent bumps cannot deadlock
    with transaction.atomic():
        ContentVersion.objects.bulk_create(
            [ContentVersion(scope=scope, value=start) for scope in names], ignore_conflicts=True
        )
        rows = ContentVersion.objects.filter(scope__in=names)
        list(rows.select_for_update().order_by("scope").values_list("pk", flat=True))
        rows.update(value=F("value") + 1)


def content_position():
    """How far into the primary's write-ahead log (a PostgreSQL LSN) a read replica must have replayed
    to show everything the current ``changes`` counter stands for (see ``articles.routing``).

    The primary's position is asked after the counter was read, so it lies past every change made
    under this counter or before; it is asked once per counter value and kept in the cache (asked
    again if lost), never at the bump itself, so concurrent bumps cannot record positions out of order.
    """
    key = f"{CONTENT_POSITION_KEY}:{content_version()}"
    position = cache.get(key)
    if position is None:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            (position,) = cursor.fetchone()
        cache.add(key, position, timeout=24 * 60 * 60)
    return position
