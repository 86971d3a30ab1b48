"""Benchmark: serving the site-wide feeds of an archive of 100,000 articles, in full and as a 304.

Run it against a database of its own (it migrates it and fills it with `generate_articles` the first
time; later runs reuse the articles):

    createdb -h 127.0.0.1 newsroom_bench
    DATABASE_URL=postgres://root@127.0.0.1:5432/newsroom_bench .venv/bin/python bench/feeds.py

Options: --count (articles, default 100000), --repeat (requests timed per case, default 30).
Each request goes through Django's whole stack (middleware, URL routing, the view) with the test
client; the network is left out. Set REDIS_URL to keep the content version in Redis, as production does.
"""

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

import django

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DJANGO_HTTPS", "0")  # plain HTTP from the test client, as behind the TLS proxy
warnings.filterwarnings("ignore", "No directory at")  # WhiteNoise: no collectstatic needed here


def timed(client, url, repeat, expect, **headers):
    """Milliseconds per request (all runs), with the size and query count of the last response."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == expect, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url, headers=headers)
    return times, len(response.content), len(queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client, override_settings
    from django.urls import reverse

    from articles.models import Article

    if "sqlite" in settings.DATABASES["default"]["ENGINE"]:
        sys.exit("Set DATABASE_URL to a PostgreSQL database of its own (see the docstring).")
    call_command("migrate", verbosity=0)
    missing = args.count - Article.objects.count()
    if missing > 0:
        print(f"generating {missing} articles…", flush=True)
        start = time.perf_counter()
        call_command("generate_articles", count=missing, stdout=open(os.devnull, "w"))  # noqa: SIM115
        print(f"  done in {time.perf_counter() - start:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics, as autovacuum would give a live site
    published = Article.objects.published().count()
    print(f"{Article.objects.count()} articles, {published} published; database {connection_name(settings)}")
    print(f"{args.repeat} requests per case, milliseconds (median / 90th percentile / fastest)")

    client = Client()
    for heading, page_cache in [("built by the feed view (page cache off)", 0), ("through the page cache", 300)]:
        print(heading)
        with override_settings(PAGE_CACHE_SECONDS=page_cache):
            for name in ["rss", "atom", "json"]:
                url = reverse("articles:feed", kwargs={"format": name})
                client.get(url)  # warm up: connections, templates, caches
                times, size, queries = timed(client, url, args.repeat, 200)
                report(f"{url} full response", times, f"{size / 1024:.0f} KiB, {queries} queries")
            url = reverse("articles:feed")
            first = client.get(url)
            for header in ["ETag", "Last-Modified"]:
                condition = {"ETag": "if-none-match", "Last-Modified": "if-modified-since"}[header]
                times, _size, queries = timed(client, url, args.repeat, 304, **{condition: first[header]})
                report(f"{url} 304 ({condition})", times, f"{queries} queries")


def connection_name(settings):
    database = settings.DATABASES["default"]
    return f"{database['NAME']} ({database['ENGINE'].rsplit('.', 1)[-1]})"


def report(label, times, extra):
    p90 = statistics.quantiles(times, n=10)[-1]
    print(f"  {label:42} {statistics.median(times):8.1f} {p90:8.1f} {min(times):8.1f}   {extra}")


if __name__ == "__main__":
    main()
