"""Django's own Redis cache backend against django-redis: the time of one GET and of one MGET of ten
keys, in process, against the Redis of REDIS_URL (default redis://127.0.0.1:6379/0; keys of its own).

    .venv/bin/python bench/redis_clients.py

Django's backend builds a ``redis.Redis`` for every call (redis-py 8 fills a table of response
callbacks in each); django-redis keeps one client per connection pool.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import in_process_environment  # noqa: E402

BACKENDS = {
    "django.core.cache.backends.redis.RedisCache": "Django's RedisCache",
    "django_redis.cache.RedisCache": "django-redis",
}


def best_microseconds(call, rounds=7, calls=2000):
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(calls):
            call()
        best = min(best, (time.perf_counter() - started) / calls * 1e6)
    return best


def main():
    in_process_environment()
    import django
    from django.core.cache import caches

    django.setup()
    location = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    from django.conf import settings

    settings.CACHES = {
        backend: {"BACKEND": backend, "LOCATION": location, "KEY_PREFIX": "bench-redis-clients"} for backend in BACKENDS
    }
    print("| backend | GET | MGET of 10 keys |\n|---|---|---|")
    keys = [f"scope{i}" for i in range(10)]
    for _round in range(2):  # alternate, as the machine's load comes and goes
        for name, label in BACKENDS.items():
            cache = caches[name]
            cache.set("page", b"x" * 200)
            get = best_microseconds(lambda cache=cache: cache.get("page"))
            mget = best_microseconds(lambda cache=cache: cache.get_many(keys))
            print(f"| {label} | {get:.0f} µs | {mget:.0f} µs |")


if __name__ == "__main__":
    main()
