"""Mixed-traffic load test: 60 s at 64 connections over home, articles, lists, tags, units, feed and
search, against gunicorn with the page cache on. Counts errors and 5xx (there must be none).

    .venv/bin/python bench/mixed.py [--size 1000] [--seconds 60] [--connections 64]
"""

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import PYTHON, database, ensure_tool, gunicorn, run, static_root  # noqa: E402

PATHS_SCRIPT = """
import json, random
from urllib.parse import quote
from django.urls import NoReverseMatch, reverse
from taggit.models import Tag
from articles.models import Article, Column, Section, Unit
random.seed(1)
ids = list(Article.objects.published().values_list("pk", flat=True)[:5000])
paths = ["/"] * 20 + [reverse("articles:article", args=[pk]) for pk in random.sample(ids, min(400, len(ids)))]
paths += [s.get_absolute_url() for s in Section.objects.all()] * 5
paths += [c.get_absolute_url() for c in Column.objects.all()] * 2
paths += [u.get_absolute_url() for u in Unit.objects.all()[:100]]
paths += [reverse("articles:tag", args=[t.slug]) for t in Tag.objects.all()]
paths += [reverse("articles:feed")] * 10
try:
    search = reverse("articles:search")
    paths += [search + "?q=" + quote(q) for q in ["党建", "党", "智能建造", "杭州 党建", "国企改革", "5G"]] * 5
except NoReverseMatch:
    pass
print(json.dumps(paths))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--media", default="/tmp/newsroom-bench-media")
    args = parser.parse_args()
    ensure_tool("wrk", "wrk")
    env = database(f"bench_{args.size}", args.size, Path(args.media) / str(args.size))
    paths = json.loads(
        run(
            PYTHON,
            "manage.py",
            "shell",
            "-c",
            PATHS_SCRIPT,
            env={**env, "STATIC_ROOT": static_root()},
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    subprocess.run(["redis-cli", "-n", "11", "flushdb"], check=True, capture_output=True)
    with gunicorn({**env, "REDIS_URL": "redis://127.0.0.1:6379/11"}) as (url, _master):
        result = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{args.connections}",
                f"-d{args.seconds}s",
                "-s",
                str(Path(__file__).parent / "mixed.lua"),
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PATHS": "\n".join(paths)},
        ).stdout
    print(result)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", result)
    socket = re.search(r"Socket errors: (.*)", result)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", result)[1])
    print(
        f"mixed traffic, {len(paths)} paths, {args.connections} connections, {args.seconds} s: {rps:,.0f} req/s, "
        f"non-2xx {non_2xx[1] if non_2xx else 0}, socket errors {socket[1] if socket else 'none'}"
    )
    sys.exit(1 if non_2xx or socket else 0)


if __name__ == "__main__":
    main()
