"""Browse benchmark: server time and queries of every reader page type on a large archive, and the
cost of making image renditions.

    .venv/bin/python bench/browse.py [--count 100000] [--repeat 20]

Generates the archive once (PostgreSQL database browse_bench_<count>), then renders each page type
in-process with Django's test client, page cache off, and prints the median and 90th-percentile
time per page and its number of queries. Then times make_renditions on a 3000×2000 photo.
Figures are wall-clock on whatever else the machine is doing: read them as orders of magnitude.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import PROJECT, database, static_root  # noqa: E402


def pages():
    from django.urls import reverse
    from django.utils import timezone

    from articles.models import Article, Section, Unit

    article = Article.objects.published().order_by("-publish_at")[500]
    day = timezone.localtime(article.publish_at)
    section = Section.objects.order_by("pk").first()
    unit = Unit.objects.filter(articles__in=Article.objects.published()).order_by("pk").first()
    last_page = (Article.objects.published().filter(section=section).count() - 1) // 20 + 1
    return {
        "home": "/",
        "section": section.get_absolute_url(),
        f"section page {last_page}": f"{section.get_absolute_url()}?page={last_page}",
        "tag": reverse("articles:tag", args=["党建"]),
        "unit": unit.get_absolute_url(),
        "archive": reverse("articles:archive"),
        "year": reverse("articles:archive_year", args=[day.year]),
        "month": reverse("articles:archive_month", args=[day.year, day.month]),
        "day": reverse("articles:archive_day", args=[day.year, day.month, day.day]),
        "article (related, prev/next)": article.get_absolute_url(),
        "sitemap.xml": reverse("sitemap"),
        "sitemap-articles.xml": reverse("sitemap_section", args=["articles"]),
        "sitemap-tags.xml": reverse("sitemap_section", args=["tags"]),
        "sitemap-units.xml": reverse("sitemap_section", args=["units"]),
        "news-sitemap.xml": reverse("news_sitemap"),
    }


def time_pages(repeat):
    from django.db import connection
    from django.test import Client

    def count(execute, sql, params, many, context):
        counted.append(sql)
        return execute(sql, params, many, context)

    client = Client()
    print(f"{'page':32} {'median ms':>10} {'p90 ms':>8} {'queries':>8}")
    for name, url in pages().items():
        counted = []
        with connection.execute_wrapper(count):
            response = client.get(url, HTTP_HOST="127.0.0.1")
        assert response.status_code == 200, (url, response.status_code)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(url, HTTP_HOST="127.0.0.1")
            times.append((time.perf_counter() - started) * 1000)
        p90 = statistics.quantiles(times, n=10)[-1]
        print(f"{name:32} {statistics.median(times):10.1f} {p90:8.1f} {len(counted):8d}", flush=True)


def time_renditions():
    from django.core.files.base import ContentFile
    from PIL import Image, ImageDraw

    from articles import renditions
    from articles.models import Article, ArticleImage

    image = Image.new("RGB", (3000, 2000), "#a8071a")
    draw = ImageDraw.Draw(image)
    for x in range(0, 3000, 25):
        draw.line([(x, 0), (x + 1000, 2000)], fill="white", width=5)
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=90)
    row = ArticleImage.objects.create(
        article=Article.objects.first(), alt_text="bench", image=ContentFile(buffer.getvalue(), "bench.jpg")
    )
    try:
        started = time.perf_counter()
        made = renditions.make_renditions(row)
        seconds = time.perf_counter() - started
        size = sum(r.file.size for r in made)
        print(f"make_renditions, 3000×2000 JPEG: {len(made)} files in {seconds:.2f} s, {size / 1024:.0f} KiB in all")
    finally:
        renditions.delete_renditions(row)
        row.image.delete(save=False)
        row.delete()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    media = Path(tempfile.gettempdir()) / "browse-bench-media"
    env = database(f"browse_bench_{args.count}", args.count, media)
    os.environ.update(env, STATIC_ROOT=static_root(), PAGE_CACHE_SECONDS="0", DJANGO_HTTPS="0")
    os.environ["DJANGO_SECRET_KEY"] = "benchmark-only"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.chdir(PROJECT)
    sys.path.insert(0, str(PROJECT))
    import django

    django.setup()
    print(f"{args.count} generated articles, PostgreSQL, page cache off, {args.repeat} requests per page")
    time_pages(args.repeat)
    time_renditions()


if __name__ == "__main__":
    main()
