"""Read replicas: public reads go to PostgreSQL streaming replicas, everything else to the primary.

Settings: ``DATABASE_REPLICA_URLS`` gives aliases ``replica1``, ``replica2``, … (``DATABASE_REPLICAS``).
Without them this module changes nothing.

**Which requests read from a replica.** ``ReplicaReadsMiddleware`` decides per request, from the
request alone: GET and HEAD requests without a session cookie, outside the admin, from a client that
has not just written. Everything else uses the primary: every write, the admin, anyone with a session
(editors; the session itself is then read where it was written), and everything outside a request
(management commands, migrations, tests). A request reads from one replica throughout, chosen at its
first read, at random among those that are up to date (below); a replica that does not answer is
skipped.

**Read-your-writes.** An editor carries a session, so reads from the primary and sees a save at once.
Any request that may write (POST, PUT, PATCH, DELETE: a login, a logout) also sets a short cookie,
``newsroom_primary`` (``REPLICA_PIN_SECONDS``), under which that client reads from the primary: a
cookie rather than the session, because readers have no session and making one would take them out
of the page cache.

**Lag and the cache.** Pages and derived values are cached under the content version
(``articles.versions``), bumped after a commit on the primary. A request that read the new version but
took its rows from a lagging replica would keep the old page under the new key, for every reader, until
the next change. So a request uses a replica only if it has replayed the primary's write-ahead log up
to ``versions.content_position()`` (the primary's position, recorded after the version was first read);
otherwise it reads from the primary. Guarding the choice, rather than only declining to store pages,
keeps derived values right as well and shows every reader a change as soon as the version says so:
right after a change the primary serves readers until a replica has caught up (normally milliseconds).
The content version itself is always read from the primary. Replayed positions only grow, so each
process remembers how far each replica got and asks again only when a newer version needs more.
"""

import logging
import random
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

PIN_COOKIE = "newsroom_primary"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")

# Per request: None (read from the primary) or a _ReplicaChoice (read from a replica if one is up to date).
_request_reads = ContextVar("newsroom_replica_reads", default=None)
# How far each replica has been seen to replay (an LSN as a number), per process.
_replayed = {}


def lsn(text):
    """A PostgreSQL log position ('16/B374D848') as a number, for comparing."""
    high, low = text.split("/")
    return int(high, 16) << 32 | int(low, 16)


def _replay_position(alias):
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_last_wal_replay_lsn()::text")
        (position,) = cursor.fetchone()
    return -1 if position is None else lsn(position)  # None: not a replica at all


def up_to_date_replica():
    """A replica that shows the current content version, or the primary if none does (or answers)."""
    from . import versions

    try:
        needed = lsn(versions.content_position())
    except (DatabaseError, RedisError, OSError) as exc:
        logger.warning("reading from the primary: %r", exc)
        return DEFAULT_DB_ALIAS
    for alias in random.sample(settings.DATABASE_REPLICAS, len(settings.DATABASE_REPLICAS)):
        if _replayed.get(alias, -1) < needed:
            try:
                _replayed[alias] = max(_replayed.get(alias, -1), _replay_position(alias))
            except DatabaseError as exc:
                logger.warning("replica %s skipped: %r", alias, exc)
                continue
        if _replayed[alias] >= needed:
            return alias
    return DEFAULT_DB_ALIAS


class _ReplicaChoice:
    alias = None


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        choice = _request_reads.get()
        if choice is None or model._meta.label == "articles.ContentVersion":
            return DEFAULT_DB_ALIAS
        if choice.alias is None:
            choice.alias = up_to_date_replica()
        return choice.alias

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        same_data = {DEFAULT_DB_ALIAS, *settings.DATABASE_REPLICAS}
        return True if {obj1._state.db, obj2._state.db} <= same_data else None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class ReplicaReadsMiddleware:
    """Lets a public read request read from a replica, and pins a client that writes to the primary."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/" + settings.ADMIN_PATH

    def _public_read(self, request):
        return (
            request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and PIN_COOKIE not in request.COOKIES
            and not request.path.startswith(self.admin_prefix)
        )

    def __call__(self, request):
        if not settings.DATABASE_REPLICAS:
            return self.get_response(request)
        token = _request_reads.set(_ReplicaChoice() if self._public_read(request) else None)
        try:
            response = self.get_response(request)
        finally:
            _request_reads.reset(token)
        if request.method not in SAFE_METHODS:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
