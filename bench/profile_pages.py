"""Where a cold page spends its time: queries and a cProfile of each page type, nothing kept.

    DATABASE_URL=postgres://…/bench_100000 .venv/bin/python bench/profile_pages.py [--top 25] [--rounds 20]

Runs in process with the test client, the page cache off and no derived value kept
(``PAGE_CACHE_SECONDS=0``, ``DERIVED_CACHE_SECONDS=0``): a cold article (a different one each round),
home, a section, a tag, a unit and the feed. For each it prints the queries of one request with
their time, and the functions that took the most time over ``--rounds`` requests (cumulative).
"""

import argparse
import cProfile
import os
import pstats
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import in_process_environment  # noqa: E402

os.environ["PAGE_CACHE_SECONDS"] = "0"
os.environ["DERIVED_CACHE_SECONDS"] = "0"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--pages", nargs="*", default=None, help="only these page types")
    args = parser.parse_args()
    in_process_environment()
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from articles.models import Article, Section, Unit, in_public_use

    ids = list(Article.objects.published().values_list("pk", flat=True)[:50000])
    rng = random.Random(3)
    pages = {
        "article": lambda: reverse("articles:article", args=[rng.choice(ids)]),
        "home": lambda: "/",
        "section": lambda: Section.objects.order_by("pk").first().get_absolute_url(),
        "tag": lambda: reverse("articles:tag", args=["党建"]),
        "unit": lambda: in_public_use(Unit.objects.order_by("pk"), "units").first().get_absolute_url(),
        "feed": lambda: reverse("articles:feed"),
    }
    client = Client()
    for name, url in pages.items():
        if args.pages and name not in args.pages:
            continue
        client.get(url())  # templates compiled, connections open
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url())
            elapsed = time.perf_counter() - started
        assert response.status_code == 200, (name, response.status_code)
        print(f"\n=== {name}: {elapsed * 1000:.1f} ms, {len(captured)} queries, {len(response.content):,} bytes")
        for query in captured.captured_queries:
            print(f"  {float(query['time']) * 1000:6.1f} ms  {query['sql'][:150]}")
        urls = [url() for _ in range(args.rounds)]
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        for address in urls:
            client.get(address)
        profile.disable()
        print(f"  {args.rounds} requests: {(time.perf_counter() - started) / args.rounds * 1000:.1f} ms each")
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
