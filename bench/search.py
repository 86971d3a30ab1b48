"""Benchmark: search latency at archive scale (1-, 2-, 4-character and two-word queries).

Run it against a PostgreSQL database of its own; the first run migrates it, fills it with
`generate_articles`, builds the search index (`rebuild_search_index`, several minutes for 100,000
articles) and analyses it; later runs reuse all of that:

    createdb -h 127.0.0.1 -U root search_bench
    DATABASE_URL=postgres://root@127.0.0.1:5432/search_bench .venv/bin/python bench/search.py

Options: --count (articles, default 100000), --rounds (passes over each kind's ten queries,
default 5), --plans (print whole query plans). Each request goes through Django's whole stack
(middleware, URL routing, the view, the template) with the test client, the page cache off so that
every request searches; the network is left out. Then, for one query of each kind, EXPLAIN ANALYZE
of the SQL the page ran (which index each statement used), and the cost of the alternative this
design avoids: ranking every match with ts_rank.
"""

import argparse
import os
import re
import statistics
import time
from contextlib import nullcontext

import django
from common import fill_database, in_process_environment, static_root

in_process_environment()
os.environ["PAGE_CACHE_SECONDS"] = "0"  # every request runs the search

TARGET = {
    "1 character": ["党", "建", "新", "会", "杭", "能", "绿", "村", "安", "企"],
    "2 characters": ["党建", "临安", "智能", "改革", "国企", "发展", "杭州", "项目", "支部", "工地"],
    "4 characters": [
        "智能建造",
        "国企改革",
        "乡村振兴",
        "绿色发展",
        "支部共建",
        "安全生产",
        "科技创新",
        "城市更新",
        "民生工程",
        "杭州医学",
    ],
    "two words": [
        "党建 临安",
        "智能建造 杭州",
        "国企改革 浙江",
        "绿色发展 宁波",
        "支部共建 党员",
        "安全生产 集团",
        "科技创新 上海",
        "乡村振兴 温州",
        "5G 党建",
        "AI 发展",
    ],
}
# A query of each kind whose terms are in nearly every generated article, and one whose are not.
EXPLAINED = ["党", "绿", "党建", "绿色", "智能建造", "乡村振兴", "党建 临安", "5G 党建"]
COUNT_RE = re.compile(r'class="result-count"[^>]*>([^<]*)<')
SCAN_RE = re.compile(r"(Bitmap Index Scan on|Index Scan( Backward)? using|Seq Scan on) \w+")


def cases(units):
    """(kind, [(query string parameters), ...]): the target kinds, then a few for context."""
    target = [(kind, [{"q": q} for q in queries]) for kind, queries in TARGET.items()]
    context = [
        ("4 characters, newest first", [{"q": q, "sort": "date"} for q in TARGET["4 characters"]]),
        ("1 character, page 10", [{"q": q, "page": 10} for q in TARGET["1 character"]]),
        ("2 characters, one section", [{"q": q, "section": 1} for q in TARGET["2 characters"]]),
        ("a unit's name (few hits)", [{"q": name} for name in units]),
        ("no match", [{"q": q} for q in ["量子纠缠", "火星探测", "冰川", "熊猫", "xyzzy"]]),
    ]
    return target, context


def timed(client, url, params, expect=200):
    start = time.perf_counter()
    response = client.get(url, params)
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == expect, (params, response.status_code)
    return elapsed, response


def run_kind(client, url, label, params_list, rounds):
    times = []
    for _ in range(rounds):
        for params in params_list:
            elapsed, response = timed(client, url, params)
            times.append(elapsed)
    counts = COUNT_RE.search(response.content.decode())
    p95 = statistics.quantiles(times, n=20, method="inclusive")[-1]
    print(
        f"  {label:28} {statistics.median(times):7.1f} {p95:7.1f} {max(times):7.1f}   "
        f"n={len(times)}, last: {params_list[-1]} → {counts.group(1) if counts else '?'}"
    )
    return statistics.median(times), p95


def explain(client, url, params, full):
    """EXPLAIN ANALYZE of each search statement the page ran (with the planner settings it ran
    with), and the indexes it used."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from articles import search

    with CaptureQueriesContext(connection) as queries:
        client.get(url, params)
    print(f"  {params}")
    settings_on = False
    for query in queries.captured_queries:
        sql = query["sql"]
        if sql.startswith("SET LOCAL"):
            settings_on = True
        elif sql in ("COMMIT", "ROLLBACK") or sql.startswith("RELEASE"):
            settings_on = False
        if "articles_searchentry" not in sql:
            continue
        with search.through_gin_indexes() if settings_on else nullcontext(), connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql)
            plan = [row[0] for row in cursor.fetchall()]
        what = "lookup" if "@@" in sql else "walk"
        scans = sorted({m.group(0).strip() for line in plan for m in SCAN_RE.finditer(line)})
        total = next(line for line in plan if line.startswith("Execution Time"))
        print(f"    {what:7} {total.replace('Execution Time: ', ''):>10}  {'; '.join(scans)}")
        if full:
            print("\n".join("      " + line for line in plan))


def ts_rank_cost(queries):
    """Milliseconds to rank every match with ts_rank and keep 20: what Results avoids."""
    from django.db import connection

    from articles import search

    sql = (
        "SELECT e.article_id FROM articles_searchentry e JOIN articles_article a ON a.id = e.article_id"
        " WHERE a.status = 'published' AND a.publish_at <= now() AND e.document @@ %s::tsquery"
        " ORDER BY ts_rank(e.document, %s::tsquery) DESC, a.publish_at DESC LIMIT 20"
    )
    for q in queries:
        tsquery = search.parse(q).tsquery()
        times = []
        with connection.cursor() as cursor:
            for _ in range(3):
                start = time.perf_counter()
                cursor.execute(sql, [tsquery, tsquery])
                cursor.fetchall()
                times.append((time.perf_counter() - start) * 1000)
        print(f"  ts_rank over every match of {q!r}: {statistics.median(times):.0f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--plans", action="store_true", help="print whole query plans")
    args = parser.parse_args()

    os.environ["STATIC_ROOT"] = static_root()  # pages name their CSS through the static manifest
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from articles.models import Article, SearchEntry, Unit

    fill_database(args.count, batch=5000)
    if SearchEntry.objects.count() != Article.objects.count():
        print("indexing every article…", flush=True)
        start = time.perf_counter()
        call_command("rebuild_search_index", stdout=open(os.devnull, "w"))  # noqa: SIM115
        print(f"  done in {time.perf_counter() - start:.0f} s", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE articles_searchentry")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics, as autovacuum would give a live site
        cursor.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('articles_searchentry')),"
            " pg_size_pretty(pg_relation_size('articles_searchentry_document_gin')),"
            " pg_size_pretty(pg_relation_size('articles_searchentry_head_gin')"
            " + pg_relation_size('articles_searchentry_labels_gin'))"
        )
        sizes = cursor.fetchone()
    database = settings.DATABASES["default"]["NAME"]
    published = Article.objects.published().count()
    print(f"{Article.objects.count()} articles, {published} published; database {database}")
    print(f"search index: {sizes[0]} in all; GIN indexes {sizes[1]} (document), {sizes[2]} (head and labels)")

    client = Client()
    url = reverse("articles:search")
    units = list(Unit.objects.order_by("pk").values_list("name", flat=True)[:10])
    target, context = cases(units)
    for _label, params_list in target + context:  # warm up: connections, templates, caches
        for params in params_list:
            timed(client, url, params)
    print("\nmilliseconds per search page   median     p95     max")
    results = {label: run_kind(client, url, label, params_list, args.rounds) for label, params_list in target}
    print("for context:")
    for label, params_list in context:
        run_kind(client, url, label, params_list, args.rounds)
    worst = max(p95 for _median, p95 in results.values())
    print(f"\nworst p95 of the four kinds: {worst:.1f} ms (target < 100 ms)")

    print("\nEXPLAIN ANALYZE of the search statements of a page (time; scans):")
    for q in EXPLAINED:
        explain(client, url, {"q": q}, args.plans)
    explain(client, url, context[3][1][0], args.plans)
    print("\nfor comparison, ranking every match instead:")
    ts_rank_cost(["党", "智能建造"])


if __name__ == "__main__":
    main()
