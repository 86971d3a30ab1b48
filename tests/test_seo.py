"""What search engines and social apps read: canonical URL, description, Open Graph, NewsArticle JSON-LD."""

import datetime
import json
import zoneinfo
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from articles import workflow
from articles.models import Article, SiteSettings

from .factories import ArticleFactory, ArticleImageFactory, SectionFactory

pytestmark = pytest.mark.django_db

PUBLISHED = datetime.datetime(2025, 6, 12, 10, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


class Head(HTMLParser):
    """The <link rel>, <meta> and JSON-LD blocks of a page."""

    def __init__(self, html):
        super().__init__()
        self.links, self.meta, self.json_ld, self._in_ld = {}, [], [], False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and "hreflang" not in attrs:  # the page's other editions: tests/test_hant.py
            self.links.setdefault(attrs.get("rel"), attrs.get("href"))
        elif tag == "meta" and ("property" in attrs or "name" in attrs):
            self.meta.append((attrs.get("property") or attrs.get("name"), attrs.get("content")))
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_ld = True

    def handle_endtag(self, tag):
        self._in_ld = False if tag == "script" else self._in_ld

    def handle_data(self, data):
        if self._in_ld:
            self.json_ld.append(json.loads(data))

    def first(self, name):
        return next((content for key, content in self.meta if key == name), None)

    def all(self, name):
        return [content for key, content in self.meta if key == name]


@pytest.fixture
def article():
    article = ArticleFactory(
        title="党建引领聚合力",
        summary="六家单位签署共建协议。",
        author="江风",
        section=SectionFactory(name="协会"),
        publish_at=PUBLISHED,
    )
    article.tags.add("党建", "智能建造")
    ArticleImageFactory(article=article)
    workflow.article_saved(article)
    return Article.objects.get(pk=article.pk)


def test_article_open_graph(client, article):
    head = Head(client.get(article.get_absolute_url()).content.decode())
    url = f"http://testserver/articles/{article.pk}/"
    image = article.images.get().renditions.get(format="jpeg").file.url
    assert head.links["canonical"] == url
    assert head.first("description") == "六家单位签署共建协议。"
    assert head.first("og:title") == "党建引领聚合力"
    assert head.first("og:type") == "article"
    assert head.first("og:url") == url
    assert head.first("og:image") == "http://testserver" + image
    assert head.first("og:site_name") == "《国企》杂志社官网"
    assert head.first("article:published_time") == "2025-06-12T10:30:00+08:00"
    assert head.first("article:section") == "协会"
    assert sorted(head.all("article:tag")) == ["党建", "智能建造"]
    assert head.first("robots") is None


def test_article_news_article_json_ld(client, article):
    head = Head(client.get(article.get_absolute_url()).content.decode())
    (data,) = head.json_ld
    assert data["@context"] == "https://schema.org" and data["@type"] == "NewsArticle"
    assert data["headline"] == "党建引领聚合力"
    assert data["datePublished"] == "2025-06-12T10:30:00+08:00"
    assert data["dateModified"].endswith("+08:00")
    assert data["author"] == {"@type": "Person", "name": "江风", "url": "http://testserver/authors/%E6%B1%9F%E9%A3%8E/"}
    assert data["publisher"]["@type"] == "Organization" and data["publisher"]["name"] == "《国企》杂志社官网"
    assert data["image"] == [head.first("og:image")]
    assert data["mainEntityOfPage"] == head.links["canonical"]
    assert data["articleSection"] == "协会" and sorted(data["keywords"]) == ["党建", "智能建造"]


def test_json_ld_cannot_be_closed_by_the_content(client):
    article = ArticleFactory(title="</script><script>alert(1)</script>", summary="a & b <c>")
    html = client.get(article.get_absolute_url()).content.decode()
    block = html[html.index('<script type="application/ld+json">') :]
    block = block[: block.index("</script>")]
    assert "<script>alert" not in block and "\\u003C/script\\u003E" in block
    assert Head(html).json_ld[0]["headline"] == "</script><script>alert(1)</script>"


def test_article_without_author_is_by_the_publisher(client):
    data = Head(client.get(ArticleFactory(author="").get_absolute_url()).content.decode()).json_ld[0]
    assert data["author"]["@type"] == "Organization" and data["author"]["name"] == "《国企》杂志社官网"
    assert data["author"] == data["publisher"]


def test_staff_preview_is_noindex_without_json_ld(staff_client):
    draft = ArticleFactory(status=Article.Status.DRAFT, publish_at=None)
    head = Head(staff_client.get(draft.get_absolute_url()).content.decode())
    assert head.first("robots") == "noindex" and head.json_ld == []


def test_list_pages_have_their_own_canonical_and_description(client, settings):
    section = SectionFactory(name="协会", description="协会动态与通知。")
    for _ in range(settings.ARTICLES_PER_PAGE + 1):
        ArticleFactory(section=section)
    url = section.get_absolute_url()
    first = Head(client.get(url, {"utm_source": "x"}).content.decode())
    assert first.links["canonical"] == f"http://testserver{url}"
    assert first.first("og:type") == "website" and first.first("og:url") == f"http://testserver{url}"
    assert first.first("description") == "协会动态与通知。"
    second = Head(client.get(url, {"page": 2}).content.decode())
    assert second.links["canonical"] == f"http://testserver{url}?page=2"


def test_home_description_is_the_site_description(client):
    SiteSettings.objects.filter(pk=1).update(description="《国企》杂志社的新闻发布平台。")
    head = Head(client.get(reverse("articles:home")).content.decode())
    assert head.first("description") == "《国企》杂志社的新闻发布平台。"
    assert head.links["canonical"] == "http://testserver/"
    assert head.links["alternate"] == reverse("articles:feed")


def test_an_article_edited_before_its_scheduled_time_was_not_modified_before_it_was_published(client):
    """Scheduled on Monday, last edited on Saturday before: it was modified when it was published."""
    article = ArticleFactory(publish_at=PUBLISHED)
    Article.objects.filter(pk=article.pk).update(updated_at=PUBLISHED - datetime.timedelta(days=2))
    head = Head(client.get(article.get_absolute_url()).content.decode())
    (data,) = head.json_ld
    assert data["datePublished"] == data["dateModified"] == "2025-06-12T10:30:00+08:00"
    assert head.first("article:published_time") == head.first("article:modified_time") == "2025-06-12T10:30:00+08:00"


def test_modified_time_follows_an_edit_after_publication(client):
    article = ArticleFactory(publish_at=PUBLISHED)
    edited = PUBLISHED + datetime.timedelta(days=1, microseconds=5)
    Article.objects.filter(pk=article.pk).update(updated_at=edited)
    head = Head(client.get(article.get_absolute_url()).content.decode())
    assert head.json_ld[0]["dateModified"] == head.first("article:modified_time") == "2025-06-13T10:30:00+08:00"
