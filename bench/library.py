"""Media library and press kit benchmark: the library's pages at 100,000 articles (about as many
images), and what making a press kit costs.

    .venv/bin/python bench/library.py [--count 100000] [--repeat 20] [--seconds 10] [--connections 16]

Generates the archive once (PostgreSQL database library_bench_<count>, images included), then:

1. renders the library's pages in-process with Django's test client, page cache off: the first page,
   a page 50,000 images deep (by key), searches by caption, by unit, by section and dates, and an
   album of 500 images (its page 10); prints the median and 90th-percentile time and the queries;
2. serves them with gunicorn on loopback and measures requests/s with wrk, page cache off and on
   (Redis, as in production);
3. times the press kit of one article with 10 photos of 3000×2000: the ZIP and the PDF, made once
   (then streamed from storage), with the peak memory of the process while making them.

Prints a Markdown table and writes it into README.md between the bench:library markers.
Figures are wall-clock on whatever else the machine is doing: read them as orders of magnitude.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import PROJECT, PYTHON, database, ensure_tool, gunicorn, readme_section, run, static_root  # noqa: E402
from load import wrk  # noqa: E402

PAGES_SCRIPT = """
import json
from urllib.parse import urlencode
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from articles.models import Album, AlbumImage, Section
from articles.pressroom import library

images = library.published_images().order_by(*library.ORDER)
deep_at = min(50_000, images.count() // 2)
deep = library.Cursor.after(images.select_related("article")[deep_at])
album, made = Album.objects.get_or_create(title="基准测试图集")
if made:
    first = images.values_list("pk", flat=True)[:500]
    AlbumImage.objects.bulk_create([AlbumImage(album=album, image_id=pk, order=i) for i, pk in enumerate(first)])
section = Section.objects.order_by("pk").first()
today = timezone.localdate()
start = today.replace(year=today.year - 1).isoformat()
url = reverse("articles:library")
pages = {
    "library, page 1": url,
    f"library, {deep_at:,} images deep": url + "?" + urlencode({"before": str(deep)}),
    "caption search": url + "?" + urlencode({"q": "党建"}),
    "unit search": url + "?" + urlencode({"unit": "集团"}),
    "section and dates": url + "?" + urlencode({"section": section.pk, "start": start, "end": today.isoformat()}),
    "album of 500, page 10": album.get_absolute_url() + "?page=10",
}
client = Client()
queries = {}
for name, path in pages.items():
    with CaptureQueriesContext(connection) as captured:
        status = client.get(path, HTTP_HOST="127.0.0.1").status_code
    assert status == 200, (path, status)
    queries[name] = len(captured)
print(json.dumps({"pages": pages, "queries": queries, "images": images.count()}))
"""


def in_process(pages, repeat):
    from django.test import Client

    client = Client()
    timings = {}
    for name, path in pages.items():
        client.get(path, HTTP_HOST="127.0.0.1")
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(path, HTTP_HOST="127.0.0.1")
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        timings[name] = (statistics.median(times), statistics.quantiles(times, n=10)[-1])
        print(f"{name:32} median {timings[name][0]:7.1f} ms  p90 {timings[name][1]:7.1f} ms", flush=True)
    return timings


def press_kit():
    """(seconds for the ZIP, its MB, seconds for the PDF, its KB, peak RSS MB) for 10 photos of 3000×2000."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.test import RequestFactory
    from PIL import Image, ImageDraw

    from articles import workflow
    from articles.models import Article, ArticleImage
    from articles.pressroom import kit

    article = Article.objects.published().order_by("-publish_at").first()
    rows = []
    for i in range(10):
        image = Image.effect_noise((3000, 2000), 40).convert("RGB")
        ImageDraw.Draw(image).ellipse([800, 400, 2200, 1600], fill="#a8071a")
        buffer = BytesIO()
        image.save(buffer, "JPEG", quality=92)
        rows.append(
            ArticleImage.objects.create(
                article=article,
                alt_text=f"基准图{i}",
                caption=f"基准测试图片{i}",
                order=100 + i,
                image=ContentFile(buffer.getvalue(), f"bench{i}.jpg"),
            )
        )
    try:
        workflow.images_saved(article)
        request = RequestFactory().get("/", HTTP_HOST="127.0.0.1")
        results = []
        for kind in (kit.ZIP, kit.PDF):
            fresh = Article.objects.get(pk=article.pk)
            started = time.perf_counter()
            name = kit.kept_file(fresh.pk, kind, f"bench-{time.time_ns()}", lambda row=fresh: kit.context(row, request))
            seconds = time.perf_counter() - started
            results += [seconds, default_storage.size(name)]
            default_storage.delete(name)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return results[0], results[1] / 1e6, results[2], results[3] / 1e3, peak
    finally:
        for row in rows:
            for rendition in row.renditions.all():
                rendition.file.delete(save=False)
            row.image.delete(save=False)
            row.delete()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    ensure_tool("wrk", "wrk")
    media = Path(tempfile.gettempdir()) / "library-bench-media"
    env = database(f"library_bench_{args.count}", args.count, media)
    info = json.loads(
        run(
            PYTHON, "manage.py", "shell", "-c", PAGES_SCRIPT,
            env={**env, "PAGE_CACHE_SECONDS": "0", "STATIC_ROOT": static_root()},
            capture_output=True, text=True,
        ).stdout.strip().splitlines()[-1]
    )  # fmt: skip
    os.environ.update(env, STATIC_ROOT=static_root(), PAGE_CACHE_SECONDS="0", DJANGO_HTTPS="0")
    os.environ["DJANGO_SECRET_KEY"] = "benchmark-only"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.chdir(PROJECT)
    sys.path.insert(0, str(PROJECT))
    import django

    django.setup()
    print(f"{args.count:,} generated articles, {info['images']:,} published images, PostgreSQL", flush=True)
    timings = in_process(info["pages"], args.repeat)
    served = {}
    redis = {"REDIS_URL": "redis://127.0.0.1:6379/13"}
    for mode, extra in [("off", {**redis, "PAGE_CACHE_SECONDS": "0"}), ("on", redis)]:
        subprocess.run(["redis-cli", "-n", "13", "flushdb"], check=True, capture_output=True)
        with gunicorn({**env, **extra}, port=8767) as (url, _master):
            for name, path in info["pages"].items():
                subprocess.run(["curl", "-s", "-o", "/dev/null", url + path], check=True)  # warm up
                rps, p50, p99, bad, socket = wrk(url + path, args.seconds, args.connections)
                served[name, mode] = (rps, p50, p99, f"{bad or ''} {socket}".strip())
                print(f"{name:32} cache {mode:<3} {rps:8.0f} req/s  p50 {p50:>8}  p99 {p99:>8}", flush=True)
    zip_s, zip_mb, pdf_s, pdf_kb, peak = press_kit()
    print(f"press kit: ZIP {zip_mb:.0f} MB in {zip_s:.1f} s, PDF {pdf_kb:.0f} KB in {pdf_s:.1f} s, peak {peak:.0f} MB")
    lines = [
        f"{args.count:,} generated articles, {info['images']:,} published images, PostgreSQL; in-process times with "
        f"the page cache off ({args.repeat} requests each), then wrk ({args.connections} connections, "
        f"{args.seconds} s) against gunicorn on loopback, page cache off and on (Redis). `bench/library.py`.",
        "",
        "| page | queries | median ms | p90 ms | req/s cache off | p99 off | req/s cache on | p99 on | non-2xx |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name in info["pages"]:
        off, on = served[name, "off"], served[name, "on"]
        errors = " ".join(filter(None, [off[3], on[3]])).strip() or "0"
        lines.append(
            f"| {name} | {info['queries'][name]} | {timings[name][0]:.1f} | {timings[name][1]:.1f} | "
            f"{off[0]:,.0f} | {off[2]} | {on[0]:,.0f} | {on[2]} | {errors} |"
        )
    lines += [
        "",
        f"Press kit of one article with 10 photos of 3000×2000 (JPEG, quality 92): the ZIP ({zip_mb:.0f} MB) made "
        f"in {zip_s:.1f} s, the PDF ({pdf_kb:.0f} KB, renditions 1280 px wide, fonts subset) in {pdf_s:.1f} s, "
        f"once per version; the benchmark process's peak memory, everything included, {peak:.0f} MB (the ZIP goes "
        f"through a temporary file a chunk at a time, never whole in memory).",
    ]
    text = "\n".join(lines)
    print()
    print(text)
    readme_section("library", text)


if __name__ == "__main__":
    main()
