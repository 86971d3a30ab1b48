"""Load benchmark: wrk against gunicorn (2 workers) on loopback, at 100,000 generated articles.

    .venv/bin/python bench/load.py [--sizes 100000] [--seconds 10] [--connections 32] [--no-readme]

Each size is a PostgreSQL database of generated articles (bench_<size>, made once). In one run:

- calibration: a WSGI application that does nothing, and the minimal Django page (one view, one
  query; bench/calibration.py), under the same gunicorn settings;
- ceiling: the article page with the page cache off but its own HTML (head and main, ``article_page``)
  made once and kept: what a cold article could serve at most if making that HTML cost nothing;
- cold: the page cache off and nothing kept in the workers' memory (``PAGE_CACHE_SECONDS=0``,
  ``LOCAL_CACHE_MB=0``): every page is made from the database for each request. The article row asks
  for articles at random among 30,000, so each is loaded and its page rendered afresh; home, section,
  tag and unit lists, the feed and search (the site chrome and a list's count come from Redis, kept
  with the versions they were made from);
- cached: the page cache on (Redis, a server of the benchmark's own), the same pages, and worker memory;
- behind nginx: the shipped deploy/nginx.conf (its per-client rate limits lifted: wrk is one client)
  in front of the cached gunicorn, the article page against the same nginx serving the same bytes as
  a static file.

Prints the rows and the ratios the targets are stated in, and writes them into README.md between the
bench:load markers (unless --no-readme).
"""

import argparse
import datetime
import importlib.machinery
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402
    PROJECT,
    PYTHON,
    database,
    ensure_tool,
    gunicorn,
    readme_section,
    run,
    static_root,
    worker_rss_mb,
)
from mixed import redis_server  # noqa: E402

PAGES_SCRIPT = """
import json, random
from urllib.parse import quote
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from articles.models import Article, SearchEntry, Section, Unit, in_public_use
published = Article.objects.published()
article = published.order_by("-publish_at")[500]
section = Section.objects.order_by("pk").first()
unit = in_public_use(Unit.objects.order_by("pk"), "units").first()
pages = {
    "article": article.get_absolute_url(),
    "home": "/",
    "section": section.get_absolute_url(),
    "tag": reverse("articles:tag", args=["党建"]),
    "unit": unit.get_absolute_url(),
    "feed": reverse("articles:feed"),
}
if SearchEntry.objects.count() >= Article.objects.count():  # measured only on a whole index
    pages["search"] = reverse("articles:search") + "?q=" + quote("党建")
client = Client()
queries = {}
for name, url in pages.items():
    with CaptureQueriesContext(connection) as captured:
        status = client.get(url, HTTP_HOST="127.0.0.1").status_code
    assert status == 200, (url, status)
    queries[name] = len(captured)
ids = list(published.values_list("pk", flat=True))
random.seed(2)
cold = [reverse("articles:article", args=[pk]) for pk in random.sample(ids, min(len(ids), 30000))]
print(json.dumps({"pages": pages, "queries": queries, "cold": cold}))
"""

COLD = {"PAGE_CACHE_SECONDS": "0", "LOCAL_CACHE_MB": "0"}
TARGETS = {  # requests/s with nothing kept, at 32 connections on 2 workers (issue 13)
    "article": 400,
    "home": 300,
    "section": 300,
    "tag": 300,
    "unit": 300,
    "feed": 150,
}


def wrk(url, seconds, connections, paths=None, host=None):
    """requests/s, p50, p99 and errors ("" when none) of ``url`` (or of ``paths`` on it, at random)."""
    script = ["-s", str(Path(__file__).parent / "mixed.lua")] if paths else []
    headers = ["-H", f"Host: {host}"] if host else []
    with tempfile.NamedTemporaryFile("w", suffix=".paths") as listed:
        listed.write("\n".join(paths or []))
        listed.flush()
        out = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency", *headers, *script]
            + [url],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PATHS_FILE": listed.name},
        ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    latency = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+\w+)", out, re.M))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket = re.search(r"Socket errors: (.*)", out)
    errors = " ".join(filter(None, [f"{bad[1]} non-2xx" if bad else "", socket[1] if socket else ""]))
    return {"rps": rps, "p50": latency.get("50", "?"), "p99": latency.get("99", "?"), "errors": errors}


def fetch(url, host=None):
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    return urllib.request.urlopen(request, timeout=30, context=_insecure()).read()


def _insecure():
    import ssl

    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    return context


def deploy_check():
    """deploy/check as a module (it starts nginx with the shipped configuration)."""
    loader = importlib.machinery.SourceFileLoader("deploy_check", str(PROJECT / "deploy" / "check"))
    spec = importlib.util.spec_from_loader("deploy_check", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


@contextmanager
def nginx(upstream_port, static, media):
    """The shipped nginx.conf in front of ``upstream_port``, per-client rate limits lifted."""
    check = deploy_check()
    folder = Path(tempfile.mkdtemp(prefix="bench-nginx-"))
    site = folder / "site.conf"
    text = (PROJECT / "deploy" / "nginx.conf").read_text()
    # The bursts too: nginx counts a burst within one millisecond of its cached clock, and two of its
    # workers at 32 connections went past burst=50 now and then (429 answers counted as non-2xx).
    site.write_text(re.sub(r"burst=\d+", "burst=100000", re.sub(r"rate=\d+r/[sm]", "rate=100000r/s", text)))
    main, _http_port, https_port = check.nginx_configuration(folder, upstream_port, static, media, site)
    process = subprocess.Popen([check.NGINX, "-c", str(main)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        check.wait_for_port(https_port, process, "nginx", folder / "nginx-error.log")
        yield f"https://127.0.0.1:{https_port}"
    finally:
        process.terminate()
        process.wait(timeout=20)
        shutil.rmtree(folder, ignore_errors=True)


def measure(size, args, out):
    media = Path(args.media) / str(size)
    env = database(f"bench_{size}", size, media)
    info = json.loads(
        run(
            PYTHON,
            "manage.py",
            "shell",
            "-c",
            PAGES_SCRIPT,
            env={**env, **COLD, "STATIC_ROOT": static_root()},
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    seconds, connections = args.seconds, args.connections

    def row(mode, name, figures, queries=""):
        out.append({"size": size, "mode": mode, "name": name, "queries": queries, **figures})
        print(f"{size:>7} {mode:<12} {name:<22} {figures['rps']:>8.0f} req/s  p50 {figures['p50']:>8}  "
              f"p99 {figures['p99']:>8}  {figures['errors']}", flush=True)  # fmt: skip

    calibration_app = ("--pythonpath", "bench", "calibration:django_app")
    with gunicorn(env, port=8766, app=calibration_app, ready="/") as (url, _master):
        row("calibration", "minimal Django page", wrk(url, seconds, connections))
    with redis_server() as redis_url:
        with gunicorn({**env, **COLD, "REDIS_URL": redis_url}) as (url, master):
            row("cold", "article", wrk(url, seconds, connections, paths=info["cold"]), info["queries"]["article"])
            # What a cold article can be at most: the same page with its own HTML made once and kept
            # (Redis), so that each request costs only the rest (chrome, middleware, the article's row).
            row("ceiling", "article", wrk(url + info["pages"]["article"], seconds, connections))
            for name, path in info["pages"].items():
                if name != "article":
                    row("cold", name, wrk(url + path, seconds, connections), info["queries"][name])
        behind_nginx = {"DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,news.example.com", "DJANGO_PROXY_COUNT": "1"}
        with gunicorn({**env, "REDIS_URL": redis_url, **behind_nginx}) as (url, master):
            for name, path in info["pages"].items():
                fetch(url + path)  # made once: the rest are hits
                row("cached", name, wrk(url + path, seconds, connections))
            rss = worker_rss_mb(master)
            out.append({"size": size, "mode": "cached", "name": "worker RSS", "rss": max(rss)})
            print(f"        worker RSS (MB): {', '.join(f'{r:.0f}' for r in rss)}", flush=True)
            article = info["pages"]["article"]
            static = Path(static_root())
            (static / "bench-article.html").write_bytes(fetch(url + article))  # the same bytes, as a file
            with nginx(url.rsplit(":", 1)[1], static, media) as proxy:
                host = "news.example.com"
                row("nginx", "article, cached", wrk(proxy + article, seconds, connections, host=host))
                static_file = wrk(proxy + "/static/bench-article.html", seconds, connections, host=host)
                row("nginx", "static file, same bytes", static_file)


# The README's figures before issue 13's work (bench/load.py of 2026-12-02, 100,000 articles, cache
# off; calibration 6,449 req/s): what the closing table compares with.
BEFORE_CALIBRATION = 6449
BEFORE = {"article": 58, "home": 64, "section": 90, "tag": 67, "feed": 19, "search": 25}


def closing(rows, calibration):
    size = 100_000
    lines = [
        "| page, cache off, 100,000 articles | before (2026-12-02) | before / calibration | now | now / calibration "
        "| change, through the calibration |",
        "|---|---|---|---|---|---|",
    ]
    for name, before in BEFORE.items():
        now = by(rows, size, "cold", name)
        if now is None:
            continue
        then_ratio, now_ratio = before / BEFORE_CALIBRATION, now["rps"] / calibration["rps"]
        label = "article, cold" if name == "article" else name
        lines.append(
            f"| {label} | {before:,} req/s | {then_ratio:.3f} | {now['rps']:,.0f} req/s | {now_ratio:.3f} "
            f"| {now_ratio / then_ratio:.1f}× |"
        )
    lines.append(
        f"| calibration (WSGI app that does nothing) | {BEFORE_CALIBRATION:,} req/s | | {calibration['rps']:,.0f} "
        "req/s | | |"
    )
    return "\n".join(lines)


def by(rows, size, mode, name):
    return next((r for r in rows if r["size"] == size and r["mode"] == mode and r["name"] == name), None)


def table(rows, calibration, args):
    lines = [
        f"`bench/load.py` ({datetime.date.today()}; wrk, {args.connections} connections, {args.seconds} s per row; "
        "gunicorn with 2 sync workers; PostgreSQL 15, Redis, nginx and wrk on the same shared 2-core machine, "
        f"load average {os.getloadavg()[0]:.1f} at the end). Calibration, a WSGI app that does nothing: "
        f"{calibration['rps']:,.0f} req/s.",
        "",
        "| articles | page cache | page | req/s | p50 | p99 | queries | errors | target |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if "rss" in r:
            lines.append(f"| {r['size']:,} | {r['mode']} | max worker RSS | {r['rss']:.0f} MB | | | | | |")
            continue
        target = ""
        if r["mode"] == "cold" and r["name"] in TARGETS:
            wanted = TARGETS[r["name"]]
            target = f"≥ {wanted}: {'met' if r['rps'] >= wanted else 'not met'}"
        mode = {
            "cold": "off, nothing kept",
            "ceiling": "off, its own HTML kept",
            "cached": "on",
            "nginx": "on, behind nginx",
        }.get(r["mode"], "")
        lines.append(
            f"| {r['size']:,} | {mode} | {r['name']} | {r['rps']:,.0f} | {r['p50']} | {r['p99']} | {r['queries']} "
            f"| {r['errors']} | {target} |"
        )
    lines.append("")
    for size in sorted({r["size"] for r in rows}):
        minimal, cached = by(rows, size, "calibration", "minimal Django page"), by(rows, size, "cached", "article")
        proxied, static = by(rows, size, "nginx", "article, cached"), by(rows, size, "nginx", "static file, same bytes")
        if minimal and cached:
            ratio = cached["rps"] / minimal["rps"]
            lines.append(
                f"- {size:,} articles: cached article / minimal Django page = **{ratio:.2f}×** "
                f"(target ≥ 1.2×: {'met' if ratio >= 1.2 else 'not met'})"
            )
        if proxied and static:
            ratio = proxied["rps"] / static["rps"]
            lines.append(
                f"- {size:,} articles: article behind nginx / nginx serving the same bytes as a static file = "
                f"**{ratio:.2f}×** (target ≥ 0.9×: {'met' if ratio >= 0.9 else 'not met'})"
            )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--media", default="/tmp/newsroom-bench-media")
    parser.add_argument("--no-readme", action="store_true", help="print the table only")
    args = parser.parse_args()
    ensure_tool("wrk", "wrk")
    with gunicorn({}, port=8766, app=("--pythonpath", "bench", "calibration:app"), ready="/") as (url, _master):
        calibration = wrk(url, args.seconds, args.connections)
    print(f"calibration (WSGI app that does nothing) {calibration['rps']:>8.0f} req/s", flush=True)
    rows = []
    for size in args.sizes:
        measure(size, args, rows)
    text = table(rows, calibration, args)
    print(text)
    if not args.no_readme:
        readme_section("load", text)
        if by(rows, 100_000, "cold", "article"):
            readme_section("closing", closing(rows, calibration))


if __name__ == "__main__":
    main()
