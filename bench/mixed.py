"""Mixed traffic while editors publish: 64 connections over home, articles, lists, tags, units, feed and
search, against gunicorn with the page cache on (Redis), publishing one article through the workflow
every 10 s. Reports the page cache's hit rate (X-Cache, counted by bench/mixed.lua) and the latency in
the 5 s before and the 5 s after each publish, after a warm-up from an empty cache; non-2xx responses
must be none, and socket errors none while publishing. Writes its table into README.md between the bench:mixed markers.

    .venv/bin/python bench/mixed.py [--sizes 1000 100000] [--publishes 6] [--connections 64]
        [--db-prefix bench] [--port 8765] [--no-readme]

The machine is shared and noisy: the table opens with bench/calibration.py (a WSGI application that
does nothing) under the same gunicorn and wrk, to compare figures taken at different times.
"""

import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BASE_ENV, PROJECT, PYTHON, database, ensure_tool, gunicorn, run, static_root, worker_rss_mb  # noqa: E402

README = PROJECT / "README.md"
MARKERS = ("<!-- bench:mixed -->", "<!-- /bench:mixed -->")

PATHS_SCRIPT = """
import json, random
from urllib.parse import quote
from django.urls import NoReverseMatch, reverse
from taggit.models import Tag
from articles.models import Article, Column, Section, Unit, in_public_use
random.seed(1)
ids = list(Article.objects.published().values_list("pk", flat=True)[:5000])
paths = ["/"] * 20 + [reverse("articles:article", args=[pk]) for pk in random.sample(ids, min(400, len(ids)))]
paths += [s.get_absolute_url() for s in Section.objects.all()] * 5
paths += [c.get_absolute_url() for c in Column.objects.all()] * 2
paths += [u.get_absolute_url() for u in in_public_use(Unit.objects.order_by("pk"), "units")[:100]]
paths += [reverse("articles:tag", args=[t.slug]) for t in in_public_use(Tag.objects.all(), "tags")]
paths += [reverse("articles:feed")] * 10
try:
    search = reverse("articles:search")
    paths += [search + "?q=" + quote(q) for q in ["党建", "党", "智能建造", "杭州 党建", "国企改革", "5G"]] * 5
except NoReverseMatch:
    pass
print(json.dumps(paths))
"""

# An editor at work: reads a line, publishes one new article through the workflow (revision, search
# index, the versions of where it is shown), answers with its id.
PUBLISH_SCRIPT = """
import random, sys
from taggit.models import Tag
from articles import workflow
from articles.models import Article, Column, Section, Unit
rng = random.Random(7)
sections, columns = list(Section.objects.all()), list(Column.objects.all())
units, tags = list(Unit.objects.all()[:200]), list(Tag.objects.all())
body = Article.objects.published().order_by("-pk").values_list("body", flat=True).first()
print("ready", flush=True)
for number, _line in enumerate(sys.stdin, start=1):
    article = Article.objects.create(
        title=f"压测中发布的文章{number}", section=rng.choice(sections), column=rng.choice(columns),
        body=body, summary="压测中发布的文章。", status=Article.Status.DRAFT,
    )
    for order, unit in enumerate(rng.sample(units, 2)):
        article.unit_links.create(unit=unit, order=order)
    article.tags.add(*rng.sample(tags, 2))
    workflow.article_saved(article)
    workflow.publish(article)
    print("published", article.pk, flush=True)
"""


class Window:
    """What wrk and bench/mixed.lua report for one stretch of traffic."""

    def __init__(self, name, seconds, output):
        self.name, self.seconds = name, seconds
        self.rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])
        self.p50, self.p99 = (float(value) for value in re.search(r"p50 ([\d.]+) ms, p99 ([\d.]+) ms", output).groups())
        counts = re.search(r"x-cache hit (\d+) stale (\d+) miss (\d+) none (\d+) non-2xx (\d+)", output)
        self.hits, self.stale, self.misses, self.uncached, self.non2xx = (int(value) for value in counts.groups())
        socket = re.search(r"Socket errors: (.*)", output)
        self.socket_errors = socket[1] if socket else ""

    @property
    def requests(self):
        return self.hits + self.stale + self.misses + self.uncached

    @property
    def hit_rate(self):
        return self.hits / self.requests if self.requests else 0.0


def wrk(url, seconds, connections, paths):
    return subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(Path(__file__).parent / "mixed.lua"), url],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PATHS": "\n".join(paths)},
    ).stdout


@contextmanager
def redis_server():
    """A Redis of the benchmark's own, so that no other run's flush empties its cache."""
    folder = tempfile.mkdtemp(prefix="bench-redis-")
    port = 6390 + os.getpid() % 500
    process = subprocess.Popen(
        ["redis-server", str(PROJECT / "deploy" / "redis.conf"), "--port", str(port), "--dir", folder]
        + ["--save", "", "--appendonly", "no", "--daemonize", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            if subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).returncode == 0:
                break
            subprocess.run(["sleep", "0.1"])
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=20)


def calibration(args):
    with gunicorn({}, port=args.port + 1, app=("--pythonpath", "bench", "calibration:app"), ready="/") as (url, _):
        output = wrk(url, 5, args.connections, ["/"])
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])


def measure(size, args):
    env = database(f"{args.db_prefix}_{size}", size, Path(args.media) / str(size))
    with redis_server() as redis_url:
        env = {**env, "REDIS_URL": redis_url, "STATIC_ROOT": static_root()}
        output = run(PYTHON, "manage.py", "shell", "-c", PATHS_SCRIPT, env=env, capture_output=True, text=True)
        paths = json.loads(output.stdout.strip().splitlines()[-1])
        editor = subprocess.Popen(
            [PYTHON, "manage.py", "shell", "-c", PUBLISH_SCRIPT],
            cwd=PROJECT,
            env={**BASE_ENV, **env},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            while editor.stdout.readline().strip() != "ready":
                pass
            with gunicorn(env, port=args.port) as (url, master):
                half = args.every // 2
                warm_up = wrk(url, args.warm_up, args.connections, paths)
                windows = [Window("warm-up from an empty cache", args.warm_up, warm_up)]
                print(f"{size:,} articles, {len(paths)} paths", flush=True)
                for number in range(1, args.publishes + 1):
                    windows.append(Window(f"{number}: before", half, wrk(url, half, args.connections, paths)))
                    editor.stdin.write("publish\n")
                    editor.stdin.flush()  # published while the next window's traffic runs
                    windows.append(Window(f"{number}: after", half, wrk(url, half, args.connections, paths)))
                    published = editor.stdout.readline().split()
                    before, after = windows[-2:]
                    print(
                        f"  publish {number} (article {published[-1]}): hit rate {before.hit_rate:.1%} before, "
                        f"{after.hit_rate:.1%} after; p99 {before.p99:.1f} ms before, {after.p99:.1f} ms after",
                        flush=True,
                    )
                rss = worker_rss_mb(master)  # after the run: what the per-process copies grew to
        finally:
            editor.stdin.close()
            editor.wait(timeout=30)
    return len(paths), windows, rss


def table(results, calibration_rps, args):
    lines = [
        f"`bench/mixed.py` ({datetime.date.today()}, this 2-core machine shared with other work; gunicorn, "
        f"PostgreSQL, Redis and wrk on it; {args.connections} connections; calibration, a WSGI app that does "
        f"nothing: {calibration_rps:,.0f} req/s). One article published through the workflow every "
        f"{args.every} s; each row is the {args.every // 2} s before or after a publish.",
        "",
        "| articles | window | requests | req/s | cache hits | stale | p50 | p99 | non-2xx, socket errors |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for size, (_path_count, windows, rss) in results.items():
        for window in windows:
            errors = f"{window.non2xx} {window.socket_errors}".strip()
            lines.append(
                f"| {size:,} | {window.name} | {window.requests:,} | {window.rps:,.0f} | {window.hit_rate:.1%} "
                f"| {window.stale:,} | {window.p50:.1f} ms | {window.p99:.1f} ms | {errors} |"
            )
        measured = windows[1:]
        hits, requests = sum(w.hits for w in measured), sum(w.requests for w in measured)
        seconds = sum(w.seconds for w in measured)
        worst = max(w.p99 for w in measured)
        errors = sum(w.non2xx for w in measured)
        lines.append(
            f"| {size:,} | **all {len(measured)} windows while publishing** | {requests:,} | {requests / seconds:,.0f} "
            f"| **{hits / requests:.1%}** | {sum(w.stale for w in measured):,} | | worst {worst:.1f} ms | {errors} |"
        )
        lines.append(
            f"| {size:,} | worker RSS after the run (`LOCAL_CACHE_MB` {os.environ.get('LOCAL_CACHE_MB', '32')}) "
            f"| {', '.join(f'{r:.0f} MB' for r in rss)} | | | | | | (target < 150 MB: "
            f"{'met' if max(rss) < 150 else 'not met'}) |"
        )
    return "\n".join(lines)


def write_readme(text):
    readme = README.read_text(encoding="utf-8")
    start, end = readme.index(MARKERS[0]) + len(MARKERS[0]), readme.index(MARKERS[1])
    README.write_text(readme[:start] + "\n" + text + "\n" + readme[end:], encoding="utf-8")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000])
    parser.add_argument("--publishes", type=int, default=6)
    parser.add_argument("--every", type=int, default=10, help="seconds between publishes")
    parser.add_argument("--warm-up", type=int, default=20, help="seconds of traffic before the first publish")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--db-prefix", default="bench", help="databases are named PREFIX_SIZE")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--media", default="/tmp/newsroom-bench-media")
    parser.add_argument("--no-readme", action="store_true", help="print the table only")
    args = parser.parse_args()
    ensure_tool("wrk", "wrk")
    calibration_rps = calibration(args)
    results = {size: measure(size, args) for size in args.sizes}
    text = table(results, calibration_rps, args)
    print(text)
    if not args.no_readme:
        write_readme(text)
    # The warm-up renders every page from nothing, at 64 connections: wrk's 2 s timeout may strike there.
    failed = any(
        window.non2xx or (window.socket_errors and number)
        for _paths, windows, _rss in results.values()
        for number, window in enumerate(windows)
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
