"""sitemap.xml, the Google News sitemap and robots.txt: published content only."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import versions
from articles.models import Article

from .factories import ArticleFactory, ArticleUnitFactory, ColumnFactory, SectionFactory, UnitFactory
from .test_views import warm_what_every_page_shares

pytestmark = pytest.mark.django_db

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "news": "http://www.google.com/schemas/sitemap-news/0.9"}


def parse(response):
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)


def all_locations(client):
    """Every <loc> of every sitemap the index names, with its lastmod."""
    index = parse(client.get(reverse("sitemap")))
    found = {}
    for loc in index.findall("sm:sitemap/sm:loc", NS):
        sitemap = parse(client.get(loc.text.removeprefix("http://testserver")))
        for url in sitemap.findall("sm:url", NS):
            found[url.find("sm:loc", NS).text] = url.findtext("sm:lastmod", namespaces=NS)
    return found


@pytest.fixture
def world():
    section, column, unit = SectionFactory(name="协会"), ColumnFactory(name="党建好故事"), UnitFactory(name="浙江一建")
    visible = ArticleFactory(title="已发布", section=section, column=column)
    ArticleUnitFactory(article=visible, unit=unit)
    visible.tags.add("党建")
    # Hidden articles, each the only one of its own section, column, unit and tag.
    hidden = []
    for i, fields in enumerate(
        [
            {"status": Article.Status.DRAFT, "publish_at": None},
            {"status": Article.Status.REVIEW, "publish_at": None},
            {"publish_at": timezone.now() + datetime.timedelta(hours=3)},
            {"status": Article.Status.UNPUBLISHED},
            {"deleted_at": timezone.now()},
        ]
    ):
        article = ArticleFactory(
            title=f"隐藏{i}",
            section=SectionFactory(name=f"隐藏频道{i}"),
            column=ColumnFactory(name=f"隐藏栏目{i}"),
            **fields,
        )
        ArticleUnitFactory(article=article, unit=UnitFactory(name=f"隐藏单位{i}"))
        article.tags.add(f"隐藏标签{i}")
        hidden.append(article)
    return visible, hidden


def test_sitemap_lists_published_articles_and_their_list_pages_only(client, world):
    visible, hidden = world
    found = all_locations(client)
    base = "http://testserver"
    expected = {
        base + "/",
        base + reverse("articles:archive"),
        base + visible.get_absolute_url(),
        base + visible.section.get_absolute_url(),
        base + visible.column.get_absolute_url(),
        base + visible.units.get().get_absolute_url(),
        base + reverse("articles:tag", args=["党建"]),
    }
    # Each page in both editions: simplified, and traditional under /zh-hant/.
    assert set(found) == expected | {base + "/zh-hant" + url.removeprefix(base) for url in expected}
    assert found[base + visible.get_absolute_url()] == timezone.localtime(visible.updated_at).strftime("%Y-%m-%d")
    assert found[base + visible.section.get_absolute_url()] == timezone.localtime(visible.publish_at).strftime(
        "%Y-%m-%d"
    )


def test_each_sitemap_entry_names_both_editions_and_the_simplified_one_as_default(client, world):
    visible, _hidden = world
    sitemap = parse(client.get(reverse("sitemap_section", args=["articles"])))
    xhtml = "{http://www.w3.org/1999/xhtml}link"
    simplified = "http://testserver" + visible.get_absolute_url()
    traditional = "http://testserver/zh-hant" + visible.get_absolute_url()
    entries = {url.findtext("sm:loc", namespaces=NS): url for url in sitemap.findall("sm:url", NS)}
    assert set(entries) == {simplified, traditional}
    # The language tags the pages name themselves with (<link rel="alternate" hreflang>), not the codes
    # of Django's LANGUAGES: search engines read the two as one set.
    head = client.get(visible.get_absolute_url()).content.decode()
    in_page = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)"', head))
    assert in_page == {"zh-Hans": simplified, "zh-Hant-TW": traditional, "x-default": simplified}
    for entry in entries.values():
        alternates = {link.get("hreflang"): link.get("href") for link in entry.iter(xhtml)}
        assert alternates == in_page


def make_listed_articles(count, start=0):
    for i in range(start, start + count):
        article = ArticleFactory(section=SectionFactory(name=f"频道{i}"), column=ColumnFactory(name=f"栏目{i}"))
        ArticleUnitFactory(article=article)
        article.tags.add(f"标签{i}")
    versions.site_changed()


@pytest.mark.parametrize("section", ["articles", "sections", "columns", "units", "tags"])
def test_sitemap_query_count_is_fixed(client, section):
    url = reverse("sitemap_section", args=[section])
    make_listed_articles(1)
    warm_what_every_page_shares()
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    make_listed_articles(30, start=1)
    warm_what_every_page_shares()
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode().count("<url>") == 2 * 31  # both editions
    assert len(many) == len(few)


def test_unknown_sitemap_section_is_404(client):
    assert client.get("/sitemap-nothing.xml").status_code == 404
    assert client.get("/sitemap-articles.xml", {"p": "99"}).status_code == 404
    assert client.get("/sitemap-articles.xml", {"p": "x"}).status_code == 404


def test_news_sitemap_has_the_last_48_hours_published_only(client, world):
    visible, hidden = world
    old = ArticleFactory(title="三天前", publish_at=timezone.now() - datetime.timedelta(hours=72))
    Article.objects.filter(pk=visible.pk).update(publish_at=timezone.now() - datetime.timedelta(hours=47))
    visible.refresh_from_db()
    root = parse(client.get(reverse("news_sitemap")))
    urls = root.findall("sm:url", NS)
    assert [url.findtext("sm:loc", namespaces=NS) for url in urls] == ["http://testserver" + visible.get_absolute_url()]
    news = urls[0].find("news:news", NS)
    assert news.findtext("news:publication/news:name", namespaces=NS) == "《国企》杂志社官网"
    assert news.findtext("news:publication/news:language", namespaces=NS) == "zh-cn"
    assert news.findtext("news:title", namespaces=NS) == "已发布"
    published = news.findtext("news:publication_date", namespaces=NS)
    assert published.endswith("+08:00") and datetime.datetime.fromisoformat(published) == visible.publish_at.replace(
        microsecond=0
    )
    assert old.title not in client.get(reverse("news_sitemap")).content.decode()


def test_robots_txt_points_at_both_sitemaps(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines and "Allow: /" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Sitemap: http://testserver/news-sitemap.xml" in lines


def test_lastmod_of_an_article_edited_before_its_scheduled_time_is_its_publish_time(client):
    published = timezone.now() - datetime.timedelta(hours=1)
    article = ArticleFactory(publish_at=published)
    Article.objects.filter(pk=article.pk).update(updated_at=published - datetime.timedelta(days=3))
    found = all_locations(client)
    assert found["http://testserver" + article.get_absolute_url()] == timezone.localtime(published).strftime("%Y-%m-%d")
    index = parse(client.get(reverse("sitemap")))
    [articles] = [entry for entry in index.findall("sm:sitemap", NS) if "articles" in entry.findtext("sm:loc", "", NS)]
    assert datetime.datetime.fromisoformat(articles.findtext("sm:lastmod", "", NS)) >= published.replace(microsecond=0)


def test_the_index_dates_its_sitemaps_to_the_second_in_shanghai_time(client, world):
    index = parse(client.get(reverse("sitemap")))
    lastmods = [entry.findtext("sm:lastmod", "", NS) for entry in index.findall("sm:sitemap", NS)]
    assert len(lastmods) == 6 and lastmods.count("") == 1  # the home page and archive have none
    for lastmod in filter(None, lastmods):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", lastmod), lastmod


def test_the_index_leaves_out_sitemaps_with_nothing_in_them(client):
    """An empty <urlset> fails the sitemap schema (a url is required): no tags, no tags sitemap."""
    ArticleFactory(title="没有标签的文章")
    index = parse(client.get(reverse("sitemap")))
    named = [loc.text for loc in index.findall("sm:sitemap/sm:loc", NS)]
    assert not any("sitemap-tags.xml" in url for url in named), named
    assert any("sitemap-articles.xml" in url for url in named)
    assert client.get("/sitemap-tags.xml").status_code == 404
