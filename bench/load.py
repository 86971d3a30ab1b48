"""Load benchmark: wrk against gunicorn on loopback, at 1,000 and 100,000 generated articles.

    .venv/bin/python bench/load.py [--sizes 1000 100000] [--seconds 10] [--connections 32]

First it serves bench/calibration.py (a WSGI application that does nothing) under the same gunicorn
settings: what the server and wrk cost on this machine, to compare figures taken on other machines.

For each size it generates the archive once (PostgreSQL database bench_<size>), then measures the
home page, an article, a section list, a tag list, the feed and search, with the page cache off and
on, both with Redis as in production; and "article, cold": articles picked at random among 2,000, so
that most requests find nothing kept and load and render the article afresh. It prints requests/s,
p50 and p99 latency, queries per page (with nothing kept) and worker memory.
"""

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import PROJECT, PYTHON, database, ensure_tool, gunicorn, run, static_root, worker_rss_mb  # noqa: E402

PAGES_SCRIPT = """
import json
from urllib.parse import quote
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from articles.models import Article, Section
published = Article.objects.published()
article = published.order_by("-publish_at")[500]
section = Section.objects.order_by("pk").first()
pages = {
    "home": "/",
    "article": article.get_absolute_url(),
    "section": section.get_absolute_url(),
    "tag": reverse("articles:tag", args=["党建"]),
    "feed": reverse("articles:feed"),
}
try:
    pages["search"] = reverse("articles:search") + "?q=" + quote("党建")
except NoReverseMatch:
    pass
client = Client()
queries = {}
for name, url in pages.items():
    with CaptureQueriesContext(connection) as captured:
        status = client.get(url, HTTP_HOST="127.0.0.1").status_code
    assert status == 200, (url, status)
    queries[name] = len(captured)
cold = [reverse("articles:article", args=[pk]) for pk in published.values_list("pk", flat=True)[:2000]]
print(json.dumps({"pages": pages, "queries": queries, "cold": cold}))
"""


def wrk(url, seconds, connections, paths=None):
    """requests/s, p50, p99, non-2xx responses and socket errors of ``url`` (or of ``paths`` on it, at random)."""
    script = ["-s", str(Path(__file__).parent / "mixed.lua")] if paths else []
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", *script, url],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PATHS": "\n".join(paths or [])},
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket = re.search(r"Socket errors: (.*)", out)
    return (
        rps,
        latency.get("50", "?"),
        latency.get("99", "?"),
        (int(errors[1]) if errors else 0),
        (socket[1] if socket else ""),
    )


def calibration(args):
    with gunicorn({}, port=8766, app=("--pythonpath", "bench", "calibration:app"), ready="/") as (url, _master):
        rps, p50, p99, _bad, _socket = wrk(url, args.seconds, args.connections)
    print(f"calibration (WSGI app that does nothing) {rps:>8.0f} req/s  p50 {p50:>8}  p99 {p99:>8}", flush=True)
    return (None, "", "calibration", rps, p50, p99, "", 0, "")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--media", default="/tmp/newsroom-bench-media")
    args = parser.parse_args()
    ensure_tool("wrk", "wrk")
    rows = [calibration(args)]
    for size in args.sizes:
        env = database(f"bench_{size}", size, Path(args.media) / str(size))
        info = json.loads(
            run(
                PYTHON,
                "manage.py",
                "shell",
                "-c",
                PAGES_SCRIPT,
                env={**env, "PAGE_CACHE_SECONDS": "0", "STATIC_ROOT": static_root()},
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        redis = {"REDIS_URL": "redis://127.0.0.1:6379/12"}
        for mode, extra in [("off", {**redis, "PAGE_CACHE_SECONDS": "0"}), ("on", redis)]:
            subprocess.run(["redis-cli", "-n", "12", "flushdb"], check=True, capture_output=True)
            with gunicorn({**env, **extra}) as (url, master):
                if mode == "off":
                    rps, p50, p99, bad, socket = wrk(url, args.seconds, args.connections, paths=info["cold"])
                    rows.append((size, mode, "article, cold", rps, p50, p99, info["queries"]["article"], bad, socket))
                    print(f"{size:>7} cache off cold     {rps:>8.0f} req/s  p50 {p50:>8}  p99 {p99:>8}", flush=True)
                for name, path in info["pages"].items():
                    subprocess.run(["curl", "-s", "-o", "/dev/null", url + path], check=True)  # warm up
                    rps, p50, p99, bad, socket = wrk(url + path, args.seconds, args.connections)
                    rows.append((size, mode, name, rps, p50, p99, info["queries"][name], bad, socket))
                    print(
                        f"{size:>7} cache {mode:<3} {name:<8} {rps:>8.0f} req/s  p50 {p50:>8}  p99 {p99:>8}", flush=True
                    )
                rss = worker_rss_mb(master)
                print(f"        worker RSS (MB): {', '.join(f'{r:.0f}' for r in rss)}", flush=True)
                rows.append((size, mode, "RSS MB", max(rss), "", "", "", 0, ""))
    print()
    print(
        f"| articles | cache | page | req/s | p50 | p99 | queries | non-2xx |  (wrk, {args.connections} connections, "
        f"{args.seconds} s, gunicorn {PROJECT.name})"
    )
    print("|---|---|---|---|---|---|---|---|")
    for size, mode, name, rps, p50, p99, queries, bad, socket in rows:
        if size is None:
            print(f"| | | calibration (a WSGI app that does nothing) | {rps:,.0f} | {p50} | {p99} | | |")
            continue
        if name == "RSS MB":
            print(f"| {size:,} | {mode} | max worker RSS | {rps:.0f} MB | | | | |")
        else:
            errors = f"{bad} {socket}".strip()
            print(f"| {size:,} | {mode} | {name} | {rps:,.0f} | {p50} | {p99} | {queries} | {errors} |")


if __name__ == "__main__":
    main()
