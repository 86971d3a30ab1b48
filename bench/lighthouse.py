"""Lighthouse scores of the reader's pages: home, an article, a list, search, the press room's and
the subscriber's pages, in both editions.

    make lighthouse          # npm ci in tools/lighthouse/ (Lighthouse from the npm registry), then this

or, once tools/lighthouse/node_modules exists, ``.venv/bin/python bench/lighthouse.py``. It makes a
throwaway SQLite site in a temporary folder (the demo article, plus 60 generated ones so lists have
pages, with the search index), serves it with gunicorn as production does (debug off, static files
collected and compressed by WhiteNoise; plain HTTP on loopback, which browsers treat as secure), and
runs Lighthouse (Chromium at CHROME_PATH, /usr/bin/chromium by default) on each page, with the mobile
settings (a phone, throttled) and the desktop ones. It prints the four scores of each run and what
any audit below full marks says, writes the table into README.md (``<!-- bench:lighthouse -->``),
and exits 1 when accessibility, best practices or SEO is under 100 anywhere: those are
deterministic. Performance depends on the machine's load at the moment (Lighthouse simulates a slow
phone from timings taken here), so it is reported, not enforced.

Options: --only mobile|desktop, --pages home,article,… (default all), --no-readme (the table is
written for whatever was run).
"""

import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from common import PROJECT, PYTHON, gunicorn, readme_section, run

LIGHTHOUSE = PROJECT / "tools" / "lighthouse" / "node_modules" / "lighthouse" / "cli" / "index.js"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
ENFORCED = ["accessibility", "best-practices", "seo"]
PAGES = {
    "home": "/",
    "article": "/articles/1/",
    "list": "/sections/1/",
    "search": "/search/?q=党建",
    "corrections": "/corrections/",
    "image library": "/images/",
    "album": "/images/albums/1/",
    "author": "/authors/%E5%BC%A0%E4%B8%89/",  # 张三, an author of the generated articles
    "subscribe": "/subscribe/",
    "email alerts": "/alerts/",
    "alert sent": "/alerts/sent/",
    "preview link": None,  # made with the site (PRESS_ROOM)
    "home 繁": "/zh-hant/",
    "article 繁": "/zh-hant/articles/1/",
}


# What editors add: an album of the demo article's photos (the page at /images/albums/1/), and an
# embargoed release with a preview link for a journalist; prints the link's address.
PRESS_ROOM = """
import datetime
from django.utils import timezone
from articles import previews, workflow
from articles.models import Album, Article, ArticleImage, PreviewLink, Section
album = Album.objects.create(title="党建活动", description="共建与授旗的现场照片。", is_public=True)
album.images.set(ArticleImage.objects.exclude(image="").filter(article__import_key__isnull=False))
release = Article.objects.create(
    title="某集团发布年度社会责任报告", section=Section.objects.first(), author="张三",
    body="<p>某集团今日发布年度社会责任报告。</p><p>报告显示，全年公益投入同比增长。</p>",
    embargo_until=timezone.now() + datetime.timedelta(days=1),
)
workflow.article_saved(release)
workflow.publish(release)
print(previews.address(PreviewLink.objects.create(article=release, recipient="某报社 记者")))
"""
# Pages that tell search engines not to list them, on purpose (search results, a preview link, the
# message after a form): Lighthouse's "is not blocked from indexing" is the one SEO audit they are spared.
NOINDEX = {"search", "preview link", "alert sent"}


def make_site(folder):
    env = {
        "DATABASE_URL": f"sqlite:///{folder}/db.sqlite3",
        "MEDIA_ROOT": str(folder / "media"),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    }
    run(PYTHON, "manage.py", "migrate", "-v0", env=env)
    run(PYTHON, "manage.py", "import_articles", "demo/", env=env, stdout=subprocess.DEVNULL)
    run(PYTHON, "manage.py", "generate_articles", "--count=60", "--units=30", env=env, stdout=subprocess.DEVNULL)
    run(PYTHON, "manage.py", "rebuild_search_index", env=env, stdout=subprocess.DEVNULL)
    made = run(PYTHON, "manage.py", "shell", "-v0", "-c", PRESS_ROOM, env=env, capture_output=True, text=True)
    PAGES["preview link"] = made.stdout.strip().splitlines()[-1]
    return env


def lighthouse(url, form_factor, output):
    command = [
        "node",
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={output}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ]
    if form_factor == "desktop":
        command.append("--preset=desktop")
    environment = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    for attempt in range(3):
        # On a loaded machine Lighthouse now and then fails to record the trace (NO_NAVSTART): again.
        if subprocess.run(command, env=environment, timeout=300).returncode == 0:
            return json.loads(Path(output).read_text())
        print(f"    Lighthouse failed on {url} (attempt {attempt + 1} of 3)", flush=True)
    raise RuntimeError(f"Lighthouse failed three times on {url}")


def shortfalls(report):
    """Audits that cost a category points: (category, audit id, audit title, what it found)."""
    found = []
    for name in CATEGORIES:
        for ref in report["categories"][name]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                items = audit.get("details", {}).get("items", [])[:3]
                found.append((name, ref["id"], audit["title"], audit.get("displayValue", ""), items))
    return found


def enforced_failures(name, scores, missed):
    """The enforced categories under 100, but for a page kept out of search engines on purpose."""
    failing = [c for c in ENFORCED if scores[c] < 100]
    if name in NOINDEX and {audit for category, audit, *_ in missed if category == "seo"} == {"is-crawlable"}:
        failing.remove("seo")
    return failing


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=["mobile", "desktop"])
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--no-readme", action="store_true")
    options = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit("Lighthouse is not installed: make lighthouse (npm ci in tools/lighthouse/)")
    form_factors = [options.only] if options.only else ["mobile", "desktop"]
    pages = options.pages.split(",")
    rows, failures = [], []
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as folder:
        env = make_site(Path(folder))
        # Uploads served too (by nginx in production): the site's WSGI application wrapped in WhiteNoise.
        with gunicorn(env, port=8791, workers=2, app=("--pythonpath", "bench", "media_wsgi:application")) as (base, _):
            for form_factor in form_factors:
                for name in pages:
                    path = PAGES[name]
                    report = lighthouse(base + path, form_factor, Path(folder) / "report.json")
                    scores = {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}
                    metrics = {
                        key: report["audits"][key]["displayValue"]
                        for key in ("first-contentful-paint", "largest-contentful-paint", "cumulative-layout-shift")
                    }
                    shown = re.sub(r"/preview/[^/]+/", "/preview/…/", path)  # the link's key is the run's own
                    rows.append((name, shown, form_factor, scores, metrics))
                    print(f"{form_factor:8} {name:12} {path:24} " + " ".join(f"{c} {s}" for c, s in scores.items()))
                    missed = shortfalls(report)
                    for category, _audit, title, value, items in missed:
                        print(f"    {category}: {title} {value}")
                        for item in items:
                            print(f"        {json.dumps(item, ensure_ascii=False)[:300]}")
                    failures += [(name, form_factor, c) for c in enforced_failures(name, scores, missed)]
    table = [
        f"`bench/lighthouse.py`, {datetime.date.today()}, Lighthouse "
        f"{json.loads((LIGHTHOUSE.parent.parent / 'package.json').read_text())['version']}:",
        "",
        "| page | address | settings | performance | accessibility | best practices | SEO | FCP / LCP / CLS |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, path, form_factor, scores, metrics in rows:
        table.append(
            f"| {name} | `{path}` | {form_factor} | "
            + " | ".join(str(scores[c]) for c in CATEGORIES)
            + (" (noindex by design)" if name in NOINDEX and scores["seo"] < 100 else "")
            + f" | {' / '.join(metrics.values())} |"
        )
    if not options.no_readme:
        readme_section("lighthouse", "\n".join(table))
    if failures:
        print("under 100:", ", ".join(f"{n} ({f}): {c}" for n, f, c in failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
