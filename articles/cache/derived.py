"""Values derived from content (page counts, the site chrome, articles with their rendered HTML),
kept with the scopes they read (``entries``) for ``settings.DERIVED_CACHE_SECONDS`` at most (0: none kept)."""

import hashlib
import logging

from django.conf import settings

from .. import versions
from . import CACHE_ERRORS, entries

logger = logging.getLogger(__name__)


def derived_value(name, compute, depends_on=()):
    """``compute()``, kept under ``name`` until a scope it read changes. The scopes are those named in
    ``depends_on`` and those ``compute`` declares (``versions.depends_on``) as it runs; they count for
    the page being made too."""
    if settings.DERIVED_CACHE_SECONDS <= 0:
        versions.depends_on(*depends_on)
        return compute()
    key = f"newsroom:derived:{settings.RELEASE}:{hashlib.sha256(name.encode()).hexdigest()}"
    try:
        entry = entries.lookup(key)
        counter = None if entry else versions.changes_before_reading()
    except CACHE_ERRORS as exc:
        logger.warning("derived value not cached: %r", exc)
        return compute()
    if entry is not None:
        return entry.value
    with versions.recording() as recording:
        versions.depends_on(*depends_on)
        value = compute()
    try:
        entries.store(key, value, recording, counter, settings.DERIVED_CACHE_SECONDS)
    except CACHE_ERRORS as exc:
        logger.warning("derived value not cached: %r", exc)
    return value
