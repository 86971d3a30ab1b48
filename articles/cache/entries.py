"""Values kept with what they were made from: the scopes they read and the versions those had.

An entry is looked for under a key that names the thing (a page's address, a value's name), not a
version: it is served only while every scope it read still has the version it had (one MGET, or one
query, and most often none: within a request each scope is read once). A change elsewhere leaves it
alone. So a hit costs one round trip to Redis when this process has a copy of the entry, two when it
must fetch the entry too.

Nothing outlives the next scheduled article that will appear under one of its scopes: a scheduled
article appears with no save, so an entry that read its section, its tags, or the neighbour whose
"next" link will lead to it expires at its time (``articles.scopes.upcoming``); the others stay.
"""

import time
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from .. import scopes, versions
from . import localcopies


@dataclass(frozen=True)
class Entry:
    value: object
    scopes: tuple
    versions: tuple
    expires_at: float


def lookup(key):
    """The entry under ``key`` whose scopes still have its versions, or None; from this process's copy
    if that one is current. Its scopes and expiry count for whatever is being made with it."""
    entry = localcopies.get_copy(key)
    if entry is None or versions.current(entry.scopes) != entry.versions:
        entry = localcopies.get_shared(key)
        if entry is None or versions.current(entry.scopes) != entry.versions:
            return None
    versions.depends_on(*entry.scopes)
    versions.valid_until(entry.expires_at)
    return entry


def previous(key):
    """The entry last kept under ``key`` in the shared cache, whether or not its scopes moved since
    (None once it expired or was forgotten): what readers are given while another request makes it
    again (``pages``)."""
    return localcopies.get_shared(key)


def forget(key):
    """No entry under ``key`` any more, not even a previous one."""
    localcopies.delete_shared(key)


def store(key, value, recording, counter, longest):
    """Keep ``value``, made with what ``recording`` holds, for ``longest`` seconds at most: less if a
    scheduled article appears under one of its scopes first, and not at all if content changed since
    ``counter`` (``versions.changes_before_reading``) was read."""
    names = tuple(sorted(recording.scopes | {versions.SITE}))
    seen = versions.unchanged_since(counter, names)
    if seen is None:
        return None
    expires_at = min(time.time() + longest, next_appearance(names), recording.until or float("inf"))
    entry = Entry(value, names, seen, expires_at)
    localcopies.set_shared(key, entry)
    return entry


def next_appearance(names):
    """When the next scheduled article appears under one of ``names`` (a time.time() value; infinity
    if none will). Past the last one listed nothing is known: that time then."""
    names = set(names)
    listed = _upcoming()
    moments = [at for at, under in listed if under & names]
    if len(listed) == scopes.UPCOMING:
        moments.append(listed[-1][0])
    return min((_clock_time(at) for at in moments), default=float("inf"))


def _clock_time(moment):
    """A datetime as a time.time() value, measured from ``timezone.now()`` as publication is."""
    return time.time() + (moment - timezone.now()).total_seconds()


def _upcoming():
    """``scopes.upcoming()``, kept until the first one appears or articles change."""
    (version,) = versions.current([versions.ARTICLES])
    key = f"newsroom:upcoming:{settings.RELEASE}:{version}"
    entry = localcopies.get_copy(key) or localcopies.get_shared(key)
    if entry is None:
        listed = scopes.upcoming(timezone.now())
        first = _clock_time(listed[0][0]) if listed else float("inf")
        entry = Entry(listed, (), (), min(time.time() + UPCOMING_SECONDS, first))
        localcopies.set_shared(key, entry)
    return entry.value


# The list of upcoming articles above is kept at most this long.
UPCOMING_SECONDS = 300
