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
import statistics
import time

import django
from common import fill_database, in_process_environment

in_process_environment()


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
    from django.db import connection
    from django.test import Client, override_settings
    from django.urls import reverse

    from articles.models import Article

    fill_database(args.count)
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
