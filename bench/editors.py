"""What the editors' features cost: import with revisions (and --dry-run), the upload checks on a
large photo, and a revision compare. Prints its figures; uses a throw-away SQLite database.

    .venv/bin/python bench/editors.py [--pages 500]
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from io import BytesIO, StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=500)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-editors-"))
    os.environ.update(
        DATABASE_URL=f"sqlite:///{work / 'db.sqlite3'}",
        DJANGO_SECRET_KEY="bench-only",
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        MEDIA_ROOT=str(work / "media"),
    )
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from PIL import Image
    from reversion.models import Version

    from articles import history, uploads, workflow
    from articles.models import Article

    call_command("migrate", verbosity=0)
    pages = work / "pages"
    pages.mkdir()
    seed = (ROOT / "demo" / "000_b99ffb0ea46047b9.txt").read_text(encoding="utf-8")
    for i in range(args.pages):
        (pages / f"{i:05}.txt").write_text(seed.replace("党建引领聚合力", f"党建引领聚合力{i}"), encoding="utf-8")

    def timed(label, count, fn):
        started = time.perf_counter()
        fn()
        seconds = time.perf_counter() - started
        print(f"{label}: {seconds:.2f} s, {count / seconds:.0f} per second")

    quiet = {"stdout": StringIO(), "stderr": StringIO()}
    timed(
        f"import_articles --dry-run, {args.pages} pages",
        args.pages,
        lambda: call_command("import_articles", str(pages), "--dry-run", **quiet),
    )
    timed(
        f"import_articles, {args.pages} pages (one revision each)",
        args.pages,
        lambda: call_command("import_articles", str(pages), **quiet),
    )
    print(f"  revisions kept: {Version.objects.get_for_model(Article).count()}")
    timed(
        f"import_articles again, {args.pages} pages (each unchanged: compared, rolled back)",
        args.pages,
        lambda: call_command("import_articles", str(pages), **quiet),
    )

    photo = BytesIO()
    exif = Image.Exif()
    exif[uploads.ORIENTATION] = 6
    Image.effect_noise((6000, 4000), 40).convert("RGB").save(photo, "JPEG", quality=90, exif=exif.tobytes())
    data = photo.getvalue()
    print(f"upload check of a 24-megapixel JPEG ({len(data) / 1e6:.1f} MB, rotated by EXIF):", end=" ")
    started = time.perf_counter()
    uploads.clean_image(SimpleUploadedFile("photo.jpg", data))
    print(f"{time.perf_counter() - started:.2f} s")
    photo = BytesIO()
    Image.effect_noise((6000, 4000), 40).convert("RGB").save(photo, "JPEG", quality=90)
    started = time.perf_counter()
    uploads.clean_image(SimpleUploadedFile("photo.jpg", photo.getvalue()))
    print(f"  the same without EXIF (checked, stored as sent): {time.perf_counter() - started:.2f} s")

    article = Article.objects.first()
    workflow.unpublish(article)
    older, newer = Version.objects.get_for_object(article).order_by("pk")[:2]
    started = time.perf_counter()
    for _ in range(20):
        history.compare(older, newer)
    print(f"revision compare of the reference article: {(time.perf_counter() - started) / 20 * 1000:.0f} ms")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
