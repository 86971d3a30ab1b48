"""Whole-page cache for anonymous readers.

A page is stored under a key that includes ``publishing.content_version()``, so a publish or an edit
(which bumps the version) is seen on the very next request on every app server, with nothing to
purge. A scheduled article appears without any change being made, so an entry never outlives the
next scheduled publish time. Anyone with a session cookie (editors) bypasses the cache entirely, and
their pages are marked private so no shared cache keeps them.
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.db.models import Min
from django.utils import timezone
from django.utils.cache import patch_cache_control, set_response_etag
from django.utils.http import http_date
from redis.exceptions import RedisError

from . import publishing
from .models import Article

logger = logging.getLogger(__name__)
# What a cache server that went away raises.
CACHE_ERRORS = (RedisError, OSError)


def _next_scheduled_publish(version):
    """When the next scheduled article appears (None if none is scheduled), cached per version."""
    key = f"newsroom:next-scheduled:{version}"
    value = cache.get(key)
    if value is None:
        value = (
            Article.objects.filter(status=Article.Status.PUBLISHED, publish_at__gt=timezone.now()).aggregate(
                first=Min("publish_at")
            )["first"]
            or "none"
        )
        cache.set(key, value, settings.PAGE_CACHE_SECONDS)
    return None if value == "none" else value


def _timeout(version):
    seconds = settings.PAGE_CACHE_SECONDS
    upcoming = _next_scheduled_publish(version)
    if upcoming is not None:
        seconds = min(seconds, int((upcoming - timezone.now()).total_seconds()))
    return seconds


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/" + settings.ADMIN_PATH

    def _cacheable(self, request):
        return (
            settings.PAGE_CACHE_SECONDS > 0
            and request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not request.path.startswith(self.admin_prefix)
        )

    def __call__(self, request):
        if not self._cacheable(request):
            response = self.get_response(request)
            if settings.SESSION_COOKIE_NAME in request.COOKIES or request.path.startswith(self.admin_prefix):
                patch_cache_control(response, private=True, no_cache=True)
            return response
        try:
            version = publishing.content_version()
            url = request.build_absolute_uri()
            key = f"newsroom:page:{version}:{hashlib.sha256(url.encode()).hexdigest()}"
            response = cache.get(key)
        except (DatabaseError, *CACHE_ERRORS) as exc:
            # The database or the cache is down: serve without the cache (the view answers 503 if it must).
            logger.warning("page cache bypassed: %r", exc)
            return self.get_response(request)
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
                timeout = _timeout(version)
                if timeout > 0:
                    cache.set(key, response, timeout)
            except CACHE_ERRORS as exc:
                logger.warning("page not cached: %r", exc)
            response["X-Cache"] = "miss"
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
