"""This process's copies of what it read from the shared cache, within a byte budget.

With a shared cache (Redis) each process keeps its own copy of the entries it read, so a page or a
value costs no round trip for the entry itself (only one for the versions it depends on, see
``entries``). A copy may fall behind the shared entry (another process stored a newer one): whoever
reads it checks its versions and then reads the shared one. Copies carry their expiry time, so a copy
expires with its original. Without a shared cache the cache itself is this process's memory.
"""

import pickle
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache


class LocalCopies:
    """Copies of values: least recently used first out, within a byte budget.

    Values are pickled (as Django's local-memory cache does, so each reader gets its own copy), which
    gives their size: the copies never take more than ``max_bytes`` in all, and a value larger than
    ``max_bytes // 16`` (a 400 KB feed on a small budget) is not copied at all: it is read from the
    shared cache each time. Entries expire with their original. With ``pickled=False`` values are
    kept as they are, for values nobody changes (bytes and tuples), whose size the caller gives.
    """

    def __init__(self, max_bytes, pickled=True):
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_bytes // 16
        self.pickled = pickled
        self.bytes = 0
        self._entries = OrderedDict()  # key -> (expires at, pickled value or value, size)
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
        return pickle.loads(entry[1]) if self.pickled else entry[1]

    def set(self, key, value, expires_at, size=None):
        data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL) if self.pickled else value
        size = len(data) if self.pickled else size
        with self._lock:
            self._drop(key)
            if size > self.max_entry_bytes:
                return
            while self.bytes + size > self.max_bytes:
                self._drop(next(iter(self._entries)))
            self._entries[key] = (expires_at, data, size)
            self.bytes += size

    def delete(self, key):
        with self._lock:
            self._drop(key)

    def _drop(self, key):
        entry = self._entries.pop(key, None)
        if entry is not None:
            self.bytes -= entry[2]

    def clear(self):
        with self._lock:
            self._entries.clear()
            self.bytes = 0


copies = LocalCopies(settings.LOCAL_CACHE_BYTES)


def get_copy(key):
    """This process's copy of the value under ``key`` (None if it has none): no round trip."""
    return copies.get(key) if settings.SHARED_CACHE else None


def get_shared(key):
    """The value under ``key`` in the shared cache (None if there is none), copied for next time.
    The value must have an ``expires_at`` (a time.time() value)."""
    value = cache.get(key)
    if settings.SHARED_CACHE and value is not None and value.expires_at > time.time():
        copies.set(key, value, value.expires_at)
    return value


def set_shared(key, value):
    """Stores ``value`` (which has an ``expires_at``) in the shared cache and in this process's copies."""
    timeout = value.expires_at - time.time()
    if timeout <= 0:
        return
    cache.set(key, value, timeout)
    if settings.SHARED_CACHE:
        copies.set(key, value, value.expires_at)


def delete_shared(key):
    """Deletes the value under ``key`` from the shared cache and from this process's copies (other
    processes' copies stay: they are checked against their versions before use)."""
    cache.delete(key)
    copies.delete(key)


def forget_copies():
    copies.clear()
