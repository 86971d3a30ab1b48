"""Benchmark: the cost of the traditional edition (/zh-hant/, articles.hant).

    createdb -h 127.0.0.1 -U root hant_bench
    DATABASE_URL=postgres://root@127.0.0.1:5432/hant_bench .venv/bin/python bench/hant.py

For the home page, an article, a section list and a search page of a database of generated articles
(--count, default 1000; made the first time): the size of the page, the time ``convert_html`` takes
on it alone, and the whole request (Django's stack, the test client, no network) in each edition
with the page cache off; then a page cache hit of the traditional page, which costs no conversion.
Medians of --rounds (default 30). Writes the table into README.md (``<!-- bench:hant -->``).
"""

import argparse
import datetime
import os
import statistics
import time

import django
from common import fill_database, in_process_environment, readme_section, static_root

in_process_environment()


def median_ms(function, rounds):
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=30)
    options = parser.parse_args()
    os.environ["PAGE_CACHE_SECONDS"] = "0"
    os.environ["STATIC_ROOT"] = static_root()  # pages name their CSS through the static manifest
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from articles.hant import convert_html
    from articles.models import Article

    fill_database(options.count)
    if not Article.objects.filter(search_entry__isnull=False).exists():
        call_command("rebuild_search_index", verbosity=0)
    article = Article.objects.published().order_by("-publish_at").first()
    pages = {
        "home": "/",
        "article": article.get_absolute_url(),
        "section list": article.section.get_absolute_url(),
        "search 党建": "/search/?q=党建",
    }
    client = Client()
    rows = []
    for name, path in pages.items():
        html = client.get(path).content.decode()
        convert = median_ms(lambda html=html: convert_html(html), options.rounds)
        simplified = median_ms(lambda path=path: client.get(path), options.rounds)
        traditional = median_ms(lambda path=path: client.get("/zh-hant" + path), options.rounds)
        settings.PAGE_CACHE_SECONDS = 300
        client.get("/zh-hant" + path)  # kept
        hit = median_ms(lambda path=path: client.get("/zh-hant" + path), options.rounds)
        settings.PAGE_CACHE_SECONDS = 0
        rows.append((name, path, len(html.encode()) / 1024, convert, simplified, traditional, hit))
        print(
            f"{name:14} {len(html.encode()) / 1024:6.1f} KiB  convert {convert:6.2f} ms  "
            f"request 简 {simplified:6.1f} ms  繁 {traditional:6.1f} ms  繁 cached {hit:5.2f} ms",
            flush=True,
        )
    table = [
        f"`bench/hant.py`, {datetime.date.today()}, {options.count} generated articles on PostgreSQL, "
        f"medians of {options.rounds}:",
        "",
        "| page | HTML | `convert_html` alone | request, simplified | request, traditional "
        "| traditional, page cache hit |",
        "|---|---|---|---|---|---|",
    ]
    table += [
        f"| {name} (`{path}`) | {size:.1f} KiB | {convert:.2f} ms | {simplified:.1f} ms | {traditional:.1f} ms "
        f"| {hit:.2f} ms |"
        for name, path, size, convert, simplified, traditional, hit in rows
    ]
    readme_section("hant", "\n".join(table))


if __name__ == "__main__":
    main()
