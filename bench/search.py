"""Benchmark: search at archive scale. Latency per query class (in the database and the whole page),
deep pages, throughput through gunicorn, index size and rebuild speed; writes its README block.

Run it against a PostgreSQL database of its own; the first run migrates it and fills it with
`generate_articles` (then reuses it); every run rebuilds the search index (timed):

    createdb -h 127.0.0.1 -U root search_bench
    DATABASE_URL=postgres://root@127.0.0.1:5432/search_bench .venv/bin/python bench/search.py

Options: --count (articles, default 100000), --real (the database holds the real articles
`bench/search_recall.py` loaded: nothing is generated), --rounds (passes over each class's queries, default 3),
--seconds (wrk duration, default 10), --no-rebuild, --no-readme. Latency is taken in process with
Django's test client (the whole stack but the network), page cache off; "in the database" is the
time spent in every statement of the page (CaptureQueriesContext), the search's and the others.
Throughput is wrk with 16 connections against gunicorn (gunicorn.conf.py, Redis cache) on a mixed
list of queries: with the page cache off (every request searches), then on (repeated queries are
served from the cache).
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import fill_database, gunicorn, in_process_environment, readme_section, static_root  # noqa: E402

in_process_environment()
os.environ["PAGE_CACHE_SECONDS"] = "0"  # every request runs the search

CLASSES = {
    "1 character": ["党", "建", "新", "会", "杭", "能", "绿", "村", "安", "企"],
    "2 characters": ["党建", "临安", "智能", "改革", "国企", "发展", "杭州", "项目", "支部", "工地"],
    "4 characters": ["智能建造", "国企改革", "乡村振兴", "绿色发展", "支部共建", "安全生产", "科技创新", "城市更新"],
    "two words": ["党建 临安", "智能建造 杭州", "国企改革 浙江", "绿色发展 宁波", "支部共建 党员", "5G 党建"],
    "quoted phrase": ['"党建引领"', '"上、下"', '"一带 一路"', "“智能建造”"],
    "numbers, Latin": ["2.4%", "2025年", "GDP", "5G", "COVID-19", "2020-2025"],
    "traditional": ["黨建", "國企改革", "發展", "吒"],
    "no match": ["量子纠缠", "火星探测", "xyzzy"],
}
DEEP = ["党", "建设", "发展"]  # page 1 and page 50 (results 981-1000)


def measure(client, url, params, connection):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.get(url, params)
        elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, (params, response.status_code)
    in_db = sum(float(q["time"]) for q in queries.captured_queries) * 1000
    return elapsed, in_db


def percentile(values, p):
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] if len(values) > 1 else values[0]


def latency(client, url, connection, rounds):
    """Per query class: p50 and p95 in the database and of the whole page. And the mean of every
    query's page and time in the database: what one request of the throughput mix costs."""
    rows, every_page, every_db = [], [], []
    for label, queries in CLASSES.items():
        page, db = [], []
        for _ in range(rounds):
            for q in queries:
                elapsed, in_db = measure(client, url, {"q": q}, connection)
                page.append(elapsed)
                db.append(in_db)
        rows.append((label, percentile(db, 50), percentile(db, 95), percentile(page, 50), percentile(page, 95)))
        every_page += page
        every_db += db
        _label, d50, d95, p50, p95 = rows[-1]
        print(f"  {label:16} db p50 {d50:6.1f} p95 {d95:6.1f}   page p50 {p50:6.1f} p95 {p95:6.1f}")
    form = [measure(client, url, {}, connection)[0] for _ in range(rounds * 10)]
    mix = (statistics.mean(every_page), statistics.mean(every_db), statistics.median(form))
    print(f"  mean of the mix: page {mix[0]:.1f} ms, in the database {mix[1]:.1f} ms; the form alone {mix[2]:.1f} ms")
    return rows, mix


def deep_pages(client, url, connection, rounds):
    rows = []
    for q in DEEP:
        first = [measure(client, url, {"q": q}, connection)[0] for _ in range(rounds)]
        deep = [measure(client, url, {"q": q, "page": 50}, connection)[0] for _ in range(rounds)]
        rows.append((q, statistics.median(first), statistics.median(deep)))
        print(f"  {q}: page 1 {rows[-1][1]:.1f} ms, page 50 {rows[-1][2]:.1f} ms")
    return rows


def throughput(seconds, connections=16):
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from load import wrk

    paths = [f"/search/?{urlencode({'q': q})}" for queries in CLASSES.values() for q in queries]
    env = {"DATABASE_URL": os.environ["DATABASE_URL"], "REDIS_URL": "redis://127.0.0.1:6379/13"}
    results = {}
    for mode, extra in [("page cache off", {"PAGE_CACHE_SECONDS": "0"}), ("page cache on", {})]:
        subprocess.run(["redis-cli", "-n", "13", "flushdb"], check=True, capture_output=True)
        with gunicorn({**env, **extra}, port=8771) as (address, _master):
            for path in paths:  # warm up every worker's connection and templates
                subprocess.run(["curl", "-s", "-o", "/dev/null", address + path], check=True)
            measured = {mode: wrk(address, seconds, connections, paths=paths)}
            if mode == "page cache off":
                # The most any results page can serve: the page without a query (the form and the site's
                # chrome, no search), which every results page renders and then some.
                measured[FORM_ONLY] = wrk(address + "/search/", seconds, connections)
        for name, figures in measured.items():
            rps, p50, p99, errors = (figures[key] for key in ("rps", "p50", "p99", "errors"))
            results[name] = (rps, p50, p99, errors)
            print(f"  {name}: {rps:.0f} req/s, p50 {p50}, p99 {p99}, errors: {errors or 'none'}")
    return results


FORM_ONLY = "the page without a query, page cache off (the form alone: no results page can serve more)"


def sizes(connection):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sum(octet_length(document)), pg_total_relation_size('articles_searchentry'),"
            " pg_relation_size('articles_searchentry_document_keys') FROM articles_searchentry"
        )
        return cursor.fetchone()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--no-rebuild", action="store_true")
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument(
        "--real", action="store_true", help="the database holds the real articles bench/search_recall.py loads"
    )
    args = parser.parse_args()

    os.environ["STATIC_ROOT"] = static_root()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from articles.models import Article, SearchEntry

    if not args.real:
        fill_database(args.count, batch=5000)
    articles = Article.objects.count()
    rebuild_ms = None
    if not args.no_rebuild or SearchEntry.objects.count() != articles:
        print("rebuilding the search index…", flush=True)
        start = time.perf_counter()
        call_command("rebuild_search_index", "--batch=500", stdout=open(os.devnull, "w"))  # noqa: SIM115
        rebuild_ms = (time.perf_counter() - start) * 1000 / articles
        print(f"  {rebuild_ms:.2f} ms per article", flush=True)
    text, total, document_gin = sizes(connection)
    print(
        f"{articles} articles; text {text / 2**20:.0f} MiB; index {total / 2**20:.0f} MiB in all ({total / text:.2f}×)"
    )

    client, url = Client(), reverse("articles:search")
    for queries in CLASSES.values():  # warm up
        for q in queries:
            measure(client, url, {"q": q}, connection)
    with open("/proc/loadavg") as f:
        load = f.read().split()[0]
    print(f"\nmilliseconds (load average {load})")
    rows, (mix_page, mix_db, form_page) = latency(client, url, connection, args.rounds)
    deep = deep_pages(client, url, connection, args.rounds)
    print("\nthroughput, 16 connections:")
    rates = throughput(args.seconds)

    lines = [
        f"Figures of `bench/search.py` (`{' '.join(sys.argv[1:])}`) on PostgreSQL 15 with "
        + (
            f"the {articles:,} real articles that `bench/search_recall.py` loads"
            if args.real
            else f"{articles:,} generated articles"
        )
        + ", on the shared",
        f"2-core machine (load average {load} when the latencies were taken).",
        "",
        "| query class | in the database (every statement of the page) p50 / p95 | whole page p50 / p95 |",
        "|---|---|---|",
        *[f"| {label} | {d50:.0f} / {d95:.0f} ms | {p50:.0f} / {p95:.0f} ms |" for label, d50, d95, p50, p95 in rows],
        "",
        "Deep pages (page 50, results 981–1,000, against page 1): "
        + "; ".join(f"{q} {first:.0f} → {deep_ms:.0f} ms" for q, first, deep_ms in deep)
        + ".",
        "",
        "Throughput, wrk with 16 connections through gunicorn on every query above at random: "
        + "; ".join(
            f"{mode}: {rps:,.0f} requests/s (p50 {p50}, p99 {p99})"
            for mode, (rps, p50, p99, _b) in rates.items()
            if mode != FORM_ONLY
        )
        + f"; {FORM_ONLY}: {rates[FORM_ONLY][0]:,.0f} requests/s.",
        "",
        f"What a request of that mix costs, in process (one at a time, page cache off): {mix_page:.1f} ms on average,"
        f" of which {mix_db:.1f} ms in the database; the page without a query {form_page:.1f} ms. Two cores serve at"
        f" most 2,000 / {mix_page:.1f} = {2000 / mix_page:,.0f} such requests a second, PostgreSQL's share alone"
        f" at most {2000 / mix_db:,.0f} (if Python cost nothing).",
        "",
        f"Index: {total / 2**20:,.0f} MiB in all for {text / 2**20:,.0f} MiB of normalised text: the rows"
        f" (text, titles and labels, primary key) {(total - document_gin) / 2**20:,.0f} MiB, the GIN index of the"
        f" documents {document_gin / 2**20:,.0f} MiB; {total / text:.2f}× the text."
        + (f" Rebuild: {rebuild_ms:.2f} ms per article." if rebuild_ms else ""),
    ]
    print("\n" + "\n".join(lines))
    if not args.no_readme:
        readme_section("search", "\n".join(lines))


if __name__ == "__main__":
    main()
