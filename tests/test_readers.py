"""What readers see around the articles: nothing unfinished in public, the site's icons and logo, what
social apps read on every page, Chinese typography, the meta line, author pages, navigation, the footer."""

import datetime
import json
import re
import zoneinfo
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from django.utils import timezone

from articles import versions, workflow
from articles.models import Article, SiteSettings

from .factories import ArticleFactory, ArticleImageFactory, ArticleUnitFactory, ColumnFactory, SectionFactory
from .test_seo import Head

pytestmark = pytest.mark.django_db

PUBLISHED = datetime.datetime(2025, 12, 31, 10, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
CSS = (Path(__file__).resolve().parent.parent / "static" / "css" / "site.css").read_text(encoding="utf-8")
LOGO_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="#a8071a"/></svg>'
)


def text_of(response):
    from .pagetext import page_text

    return page_text(response)


# Nothing unfinished in public


@pytest.fixture
def missing_image():
    article = ArticleFactory(title="缺图的文章", body="<p>第一段。</p><p>第二段。</p>")
    ArticleImageFactory(article=article, image=None, name="IMG_256", caption="六家单位签署协议", position=1)
    workflow.article_saved(article)
    return article


def test_a_missing_image_is_not_shown_to_readers(client, missing_image):
    html = client.get(missing_image.get_absolute_url()).content.decode()
    assert "图片待补" not in html and "IMG_256" not in html
    assert "image-placeholder" not in html and "<figure" not in html
    assert "第二段。" in html


def test_editors_see_the_placeholder_of_a_missing_image(staff_client, missing_image):
    html = staff_client.get(missing_image.get_absolute_url()).content.decode()
    assert "图片待补 · IMG_256" in html


def test_the_admin_lists_articles_with_missing_images(editor_client, missing_image):
    complete = ArticleFactory(title="图片齐全的文章")
    ArticleImageFactory(article=complete)
    url = reverse("admin:articles_article_changelist")
    listed = editor_client.get(url, {"images": "missing"}).content.decode()
    assert "缺图的文章" in listed and "图片齐全的文章" not in listed
    assert "缺图" in editor_client.get(url).content.decode()  # the filter is offered


# The site's icons, logo and manifest


def a_static_file(url):
    """Whether ``url`` names one of the static files (tests serve none: collectstatic is not run)."""
    from django.conf import settings
    from django.contrib.staticfiles import finders

    return url.startswith(settings.STATIC_URL) and finders.find(url.removeprefix(settings.STATIC_URL)) is not None


def test_favicon_apple_touch_icon_and_manifest(client):
    favicon = client.get("/favicon.ico")
    assert favicon.status_code == 302 and a_static_file(favicon["Location"])
    head = Head(client.get("/").content.decode())
    assert head.links["icon"] and head.links["apple-touch-icon"].endswith(".png")
    manifest = client.get(head.links["manifest"])
    assert manifest.status_code == 200 and manifest["Content-Type"].startswith("application/manifest+json")
    data = json.loads(manifest.content)
    assert data["name"] == "《国企》杂志社官网" and data["short_name"] == "国企网" and data["lang"] == "zh-Hans"
    assert {icon["sizes"] for icon in data["icons"]} >= {"180x180", "512x512"}
    assert all(a_static_file(icon["src"]) for icon in data["icons"])
    assert a_static_file(head.links["apple-touch-icon"]) and a_static_file(head.links["icon"])


def test_the_logo_is_in_the_masthead_json_ld_and_the_og_image_fallback(client):
    article = ArticleFactory(title="无图文章", author="江风")
    html = client.get(article.get_absolute_url()).content.decode()
    head = Head(html)
    logo = "http://testserver/static/images/logo.svg"
    assert head.first("og:image") == logo
    assert head.json_ld[0]["publisher"]["logo"] == {"@type": "ImageObject", "url": logo}
    masthead = html[html.index('class="masthead"') :]
    assert '<img src="/static/images/logo.svg"' in masthead[: masthead.index("</p>")]


def upload_logo(staff_client, svg, name):
    """Posts the site settings form as it stands, with ``svg`` chosen as the logo."""
    settings_url = reverse("admin:articles_sitesettings_change", args=[1])
    SiteSettings.load()
    form = staff_client.get(settings_url).context["adminform"].form
    # What a browser posts: the values shown, no file chosen for the other image fields (the WeChat QR code).
    data = {
        name: value for name, value in form.initial.items() if value is not None and not isinstance(value, FieldFile)
    }
    return staff_client.post(settings_url, {**data, "logo": ContentFile(svg, name=name)})


@pytest.mark.parametrize("name", ["标志.svg", "标志" * 43 + ".svg"], ids=["short", "over 255 bytes"])
def test_an_editor_sets_the_logo_in_the_site_settings(client, staff_client, name):
    response = upload_logo(staff_client, LOGO_SVG, name)
    assert response.status_code == 302, response.context["adminform"].form.errors
    logo = SiteSettings.load().logo
    assert logo.name.endswith(".svg")
    client.logout()
    head = Head(client.get("/").content.decode())
    assert head.first("og:image") == "http://testserver" + logo.url


@pytest.mark.parametrize(
    "svg",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b'<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><image href="https://example.com/a.png"/></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
        b'<use x:href="javascript:alert(1)"/></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><rect/></a></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(https://example.com/x)"/></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(https://example.com/x#g)"/></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://example.com/x.css);</style></svg>',
        b"\x89PNG not an svg",
    ],
)
def test_a_logo_with_scripts_or_outside_references_is_refused(staff_client, svg):
    response = upload_logo(staff_client, svg, "logo.svg")
    assert response.status_code == 200 and response.context["adminform"].form.errors["logo"]
    assert not SiteSettings.load().logo


# Open Graph and Twitter cards on every page


@pytest.fixture
def lists():
    section, column = SectionFactory(name="协会", description="协会动态。"), ColumnFactory(name="党建好故事")
    article = ArticleFactory(section=section, column=column, author="江风", editor="李编", publish_at=PUBLISHED)
    ArticleUnitFactory(article=article)
    article.tags.add("党建")
    workflow.article_saved(article)
    SiteSettings.objects.filter(pk=1).update(about="<p>简介</p>", description="国企改革发展的新闻。")
    return article


def every_public_page(article):
    day = timezone.localtime(article.publish_at)
    return {
        "home": "/",
        "article": article.get_absolute_url(),
        "section": article.section.get_absolute_url(),
        "column": article.column.get_absolute_url(),
        "unit": article.units.first().get_absolute_url(),
        "tag": reverse("articles:tag", args=["党建"]),
        "author": reverse("articles:author", args=["江风"]),
        "archive": reverse("articles:archive"),
        "month": reverse("articles:archive_month", args=[day.year, day.month]),
        "search": reverse("articles:search") + "?q=标题",
        "subscribe": reverse("articles:subscribe"),
        "about": reverse("articles:about"),
    }


def test_every_page_has_open_graph_and_twitter_cards(client, lists):
    for name, url in every_public_page(lists).items():
        response = client.get(url)
        assert response.status_code == 200, name
        head = Head(response.content.decode())
        # Twitter's cards read og:title, og:description and og:image where there is no twitter: tag of them.
        for key in ["og:title", "og:description", "og:image", "og:url", "og:type", "twitter:card"]:
            assert head.first(key), (name, key)
        assert head.first("og:description") == head.first("description"), name
    section = Head(client.get(lists.section.get_absolute_url()).content.decode())
    assert section.first("og:description") == "协会动态。" and section.first("og:title") == "协会"


def test_json_ld_names_the_author_and_the_publisher(client, lists):
    data = Head(client.get(lists.get_absolute_url()).content.decode()).json_ld[0]
    assert data["author"] == {
        "@type": "Person",
        "name": "江风",
        "url": "http://testserver" + reverse("articles:author", args=["江风"]),
    }
    assert data["editor"]["name"] == "李编"
    assert data["publisher"]["name"] == "《国企》杂志社官网" and data["publisher"]["logo"]["url"].endswith(".svg")


# Chinese typography and text


def test_dates_never_break_and_the_body_is_justified_with_cjk_line_breaking():
    assert re.search(r"time\s*\{[^}]*white-space:\s*nowrap", CSS)
    body = re.search(r"\.article-body\s*\{([^}]*)\}", CSS).group(1)
    assert "text-align: justify" in body and "line-break: strict" in body
    assert "text-spacing-trim" in CSS and "text-autospace" in CSS and "@supports" in CSS
    fonts = re.search(r"body\s*\{[^}]*font-family:([^;]*);", CSS).group(1)
    assert fonts.index("PingFang SC") < fonts.index("Noto Sans CJK SC") and "system-ui" in fonts


def test_chinese_text_has_full_width_punctuation(client, lists):
    article = text_of(client.get(lists.get_absolute_url()))
    assert "分享到：" in article and "分享到:" not in article
    search = client.get(reverse("articles:search"), {"q": "标题"}).content.decode()
    assert ">搜索：</label>" in search and "搜索:" not in search
    html = client.get(lists.get_absolute_url()).content.decode()
    masthead = html[html.index('class="masthead"') :]
    masthead = masthead[: masthead.index("</p>")]
    assert "-<a" not in masthead and "—" in masthead


def test_long_lists_elide_pages_with_a_chinese_ellipsis(client, settings):
    section = SectionFactory()
    for _ in range(settings.ARTICLES_PER_PAGE * 8):
        ArticleFactory(section=section)
    html = client.get(section.get_absolute_url()).content.decode()
    assert "<span>……</span>" in html and "<span>…</span>" not in html


# The meta line


def test_the_meta_line_names_source_author_editor_times_and_reading_time(client):
    body = "<p>" + "字" * 1000 + "</p>"
    article = ArticleFactory(
        source="《国企》杂志融媒浙江讯", author="江风", editor="李编", body=body, publish_at=PUBLISHED
    )
    html = client.get(article.get_absolute_url()).content.decode()
    meta = html[html.index('<p class="meta">') :]
    meta = text_of_html(meta[: meta.index("</p>")])
    for part in [
        "来源：《国企》杂志融媒浙江讯",
        "作者：江风",
        "责任编辑：李编",
        "发布时间：2025-12-31 10:30",
        "阅读约 3 分钟",
    ]:
        assert part in meta, meta
    assert "更新时间" not in meta


def test_the_meta_line_says_when_an_article_was_corrected(client, editor):
    article = ArticleFactory(publish_at=PUBLISHED)
    article.title = "更正后的标题"
    article.save()
    workflow.article_saved(article, editor)
    meta = client.get(article.get_absolute_url()).content.decode()
    meta = text_of_html(meta[meta.index('<p class="meta">') :].split("</p>")[0])
    local = timezone.localtime(Article.objects.get(pk=article.pk).updated_at)
    assert f"更新时间：{local:%Y-%m-%d %H:%M}" in meta


def text_of_html(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


# Author pages


def test_authors_and_editors_link_to_a_page_of_their_articles_with_a_feed(client, lists):
    other = ArticleFactory(title="李编写的文章", author="李编")
    ArticleFactory(title="李编的草稿", author="李编", status=Article.Status.DRAFT, publish_at=None)
    html = client.get(lists.get_absolute_url()).content.decode()
    author_url, editor_url = reverse("articles:author", args=["江风"]), reverse("articles:author", args=["李编"])
    assert f'href="{author_url}"' in html and f'href="{editor_url}"' in html
    page = client.get(editor_url)
    assert page.status_code == 200
    text = text_of(page)
    assert lists.title in text and other.title in text and "李编的草稿" not in text
    feed_url = reverse("articles:author_feed", args=["李编", "rss"])
    title = "《国企》杂志社官网 - 李编 (RSS)"
    assert f'rel="alternate" type="application/rss+xml" title="{title}" href="{feed_url}"' in page.content.decode()
    import feedparser

    feed = feedparser.parse(client.get(reverse("articles:author_feed", args=["李编", "atom"])).content)
    assert sorted(entry.title for entry in feed.entries) == sorted([lists.display_title(), other.title])


def test_an_author_without_published_articles_has_no_page_or_feed(client):
    ArticleFactory(author="草稿作者", status=Article.Status.DRAFT, publish_at=None)
    for url in [
        reverse("articles:author", args=["草稿作者"]),
        reverse("articles:author_feed", args=["草稿作者", "rss"]),
        reverse("articles:author", args=["无此人"]),
    ]:
        assert client.get(url).status_code == 404, url


def test_an_author_page_follows_a_publish_through_the_page_cache(client, settings, lists):
    settings.PAGE_CACHE_SECONDS = 300
    url = reverse("articles:author", args=["江风"])
    assert client.get(url)["X-Cache"] == "miss" and client.get(url)["X-Cache"] == "hit"
    new = ArticleFactory(title="江风的新文章", author="江风", status=Article.Status.DRAFT, publish_at=None)
    workflow.publish(new)
    assert "江风的新文章" in text_of(client.get(url))


def test_authors_are_in_the_sitemap(client, lists):
    from .test_sitemaps import all_locations

    assert "http://testserver" + reverse("articles:author", args=["江风"]) in all_locations(client)


# Navigation and the footer


def test_the_current_section_is_marked_in_the_navigation(client, lists):
    for url in [lists.section.get_absolute_url(), lists.get_absolute_url()]:
        html = client.get(url).content.decode()
        nav = html[html.index('class="site-nav"') :]
        nav = nav[: nav.index("</nav>")]
        assert f'<a href="{lists.section.get_absolute_url()}" aria-current="page">协会</a>' in nav or (
            f'<a href="{lists.section.get_absolute_url()}" aria-current="true">协会</a>' in nav
        ), nav
    home = client.get("/").content.decode()
    assert "aria-current" not in home[home.index('class="site-nav"') :].split("</nav>")[0]


def test_every_list_page_links_to_its_feed_and_long_pages_back_to_the_top(client, lists):
    for name, url in every_public_page(lists).items():
        html = client.get(url).content.decode()
        if name in {"home", "section", "column", "unit", "tag", "author", "archive", "month"}:
            main = html[html.index("<main") : html.index("</main>")]
            assert re.search(r'<a class="feed-link" href="[^"]*rss\.xml"', main), name
        assert 'href="#top"' in html and 'id="top"' in html, name


def test_the_footer_links_the_filing_numbers_and_phone_numbers_call(client):
    SiteSettings.objects.filter(pk=1).update(
        icp_number="京ICP备00000000号-1",
        police_number="京公网安备11010502000001号",
        print_subscription="征订电话：0571—86915636，手机 13800138000",
    )
    versions.site_changed()
    footer = client.get("/").content.decode().split("<footer")[1]
    assert '<a href="https://beian.miit.gov.cn/" rel="noopener">京ICP备00000000号-1</a>' in footer
    police = "http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=11010502000001"
    assert f'<a href="{police}" rel="noopener">京公网安备11010502000001号</a>' in footer
    subscribe = client.get(reverse("articles:subscribe")).content.decode()
    assert '<a href="tel:+86-571-86915636">0571—86915636</a>' in subscribe
    assert '<a href="tel:+86-13800138000">13800138000</a>' in subscribe


def test_a_name_with_a_slash_or_a_question_mark_has_its_page_and_feed(client):
    article = ArticleFactory(title="合写的文章", author="张三/李四", editor="王五?")
    html = client.get(article.get_absolute_url()).content.decode()
    for name in ["张三/李四", "王五?"]:
        url = reverse("articles:author", args=[name])
        assert f'href="{url}"' in html
        assert "合写的文章" in text_of(client.get(url)), name
        assert (
            client.get(reverse("articles:author_feed", args=[name, "json"])).json()["items"][0]["title"] == "合写的文章"
        )


def test_an_author_page_runs_a_fixed_number_of_queries(client, settings):
    from .test_views import count_queries

    settings.PAGE_CACHE_SECONDS = 0
    url = reverse("articles:author", args=["江风"])
    first = ArticleFactory(author="江风")
    ArticleImageFactory(article=first)
    workflow.article_saved(first)
    few = count_queries(client, url)
    for _ in range(settings.ARTICLES_PER_PAGE):
        article = ArticleFactory(author="江风", editor="李编")
        ArticleImageFactory(article=article)
        workflow.article_saved(article)
    assert count_queries(client, url) == few
