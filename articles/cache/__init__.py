"""Caching what readers see, each module one job:

- ``localcopies``: this process's copies of what it read from the shared cache (Redis), within a byte budget;
- ``entries``: values kept with the versions of the scopes they were made from (``articles.versions``),
  served only while those still hold, and never past a scheduled article's time;
- ``derived``: values derived from content (counts, the site chrome, articles with their HTML);
- ``pages``: whole pages for anonymous readers (the middleware);
- ``handler``: the WSGI application, which sends again the bytes it sent for a kept page;
- ``queries``: the query parameters a page reads, written one way.

The shared cache is django-redis (``settings.CACHES``); without Redis, Django's local-memory cache.
"""

from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

# What a cache server that went away raises.
CACHE_ERRORS = (RedisError, OSError, ConnectionInterrupted)
