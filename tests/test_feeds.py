"""The feeds, read the way subscribers' readers read them: feedparser, strict XML and JSON."""

import datetime
import json
import re
import time
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser

import feedparser
import PIL.Image
import pytest
from django.db import connection
from django.db.models.fields.files import FieldFile
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles import renditions, workflow
from articles.models import Article, SiteSettings
from newsroom.settings import redis_caches

from .factories import (
    ArticleFactory,
    ArticleImageFactory,
    ArticleUnitFactory,
    ColumnFactory,
    SectionFactory,
    UnitFactory,
)
from .pagetext import page_text

pytestmark = pytest.mark.django_db

FORMATS = ["rss", "atom", "json"]
XML_FORMATS = ["rss", "atom"]
HOST = "http://testserver"
COPYRIGHT = "© 2026 《国企》杂志社 版权所有"
JSON_ITEM_FIELDS = {
    "id",
    "url",
    "title",
    "summary",
    "content_html",
    "image",
    "date_published",
    "date_modified",
    "authors",
    "tags",
    "attachments",
}
NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
}


def feed_url(format, scope=None):
    if scope is None:
        return reverse("articles:feed", kwargs={"format": format})
    name, key = {"Section": ("section_feed", "pk"), "Column": ("column_feed", "pk"), "Unit": ("unit_feed", "pk")}.get(
        type(scope).__name__, ("tag_feed", "slug")
    )
    return reverse(f"articles:{name}", kwargs={key: getattr(scope, key), "format": format})


def parse(response):
    """The feed as feedparser reads it, failing on any error it reports (bozo)."""
    parsed = feedparser.parse(response.content, response_headers={"content-type": response["Content-Type"]})
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def entry_titles(client, url):
    response = client.get(url)
    assert response.status_code == 200
    if url.endswith(".json"):
        return [item["title"] for item in json.loads(response.content)["items"]]
    return [entry.title for entry in parse(response).entries]


@pytest.fixture
def clock(monkeypatch):
    """Moves the time forward, as the hours pass, without touching the database."""
    real_now, offset = timezone.now, datetime.timedelta()

    def forward(**delta):
        nonlocal offset
        offset += datetime.timedelta(**delta)
        monkeypatch.setattr(timezone, "now", lambda: real_now() + offset)

    return forward


def settled(client, url, clock):
    """The feed as a reader gets it once it has been served for a while in its present state."""
    client.get(url)
    clock(minutes=1)
    return client.get(url)


def conditional(client, url, response):
    """Ask again as a reader does: once with the ETag, once with the Last-Modified time."""
    return (
        client.get(url, headers={"if-none-match": response["ETag"]}),
        client.get(url, headers={"if-modified-since": response["Last-Modified"]}),
    )


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    """The feeds' own conditional GET; test_feeds_through_the_page_cache turns the page cache on."""
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture
def site():
    settings = SiteSettings.load()
    settings.copyright_line = COPYRIGHT
    settings.description = "《国企》杂志社新闻中心的文章"
    settings.save()
    return settings


@pytest.fixture
def story(site):
    """An article like the reference page: column, subtitle, dateline, tags, captioned images."""
    article = ArticleFactory(
        title="党建引领聚合力 智能建造筑精品",
        subtitle="浙江一建六方支部共建暨党员突击队授旗仪式举行",
        section=SectionFactory(name="协会"),
        column=ColumnFactory(name="党建好故事"),
        source="《国企》杂志融媒浙江讯",
        author="江风",
        summary="六家单位党支部代表齐聚项目现场。",
        body="<p>近日，项目现场旌旗招展。</p><p>仪式现场，六家单位签署协议。</p><p>目前项目已全面进入施工阶段。</p>",
        publish_at=timezone.now() - datetime.timedelta(hours=3),
    )
    article.tags.add("党建", "智能建造")
    ArticleImageFactory(
        article=article, caption="六家共建单位共同签署《支部共建协议书》", credit="浙江一建", position=1
    )
    ArticleImageFactory(article=article, caption="领导给党员突击队授旗", order=1, position=2)
    workflow.article_saved(article)  # as the admin and the importer do
    return article


# What every reader sees of an item


@pytest.mark.parametrize("format", XML_FORMATS)
def test_feedparser_reads_every_field_of_an_item(client, story, format):
    response = client.get(feed_url(format))
    assert response.status_code == 200
    feed = parse(response)
    assert feed.feed.title == "《国企》杂志社官网"
    assert feed.feed.link == HOST + "/"
    assert feed.feed.get("rights") == COPYRIGHT
    [entry] = feed.entries
    url = HOST + story.get_absolute_url()
    assert entry.title == "【党建好故事】党建引领聚合力 智能建造筑精品"
    assert entry.link == url
    assert entry.id == url
    assert entry.author == "江风"
    assert entry.summary == "六家单位党支部代表齐聚项目现场。"
    assert [tag.term for tag in entry.tags] == ["协会", "党建好故事", "党建", "智能建造"]
    # Publish and update times carry the time zone (Asia/Shanghai) and read back exactly.
    assert ("+08:00" if format == "atom" else "+0800") in entry.published
    assert "+08:00" in entry.updated
    published = datetime.datetime(*entry.published_parsed[:6], tzinfo=datetime.UTC)
    assert published == story.publish_at.replace(microsecond=0)
    assert entry.updated_parsed >= entry.published_parsed
    # The full body, images in place with absolute URLs and their captions, and the copyright line.
    content = entry.content[0].value
    assert content.index("近日，项目现场旌旗招展。") < content.index("六家共建单位共同签署《支部共建协议书》")
    assert content.index("六家共建单位") < content.index("仪式现场") < content.index("领导给党员突击队授旗")
    assert "《国企》杂志融媒浙江讯（党建好故事 江风）" in content
    assert "——浙江一建六方支部共建暨党员突击队授旗仪式举行" in content
    assert "六家共建单位共同签署《支部共建协议书》 摄影：浙江一建" in re.sub(r"<[^>]+>", "", content)
    lead, second = story.images.order_by("order")
    # Each image as the page shows it (its renditions, made when saved), every address absolute.
    for image in (lead, second):
        assert f'src="{HOST}{renditions.picture(image).src}"' in content
    addresses = [url for found in re.findall(r'(?:src|srcset)="([^"]*)"', content) for url in found.split(", ")]
    assert len(addresses) >= 2 and all(url.startswith(HOST + "/media/") for url in addresses)
    assert content.rstrip().endswith(f"<p>{COPYRIGHT}</p>")
    # The lead image as the enclosure, with its true length and type.
    [enclosure] = entry.enclosures
    assert enclosure.href == HOST + lead.image.url
    assert int(enclosure.length) == lead.image.size
    assert enclosure.type == "image/jpeg"
    if format == "atom":
        assert entry.rights == COPYRIGHT


def test_json_feed_has_the_fields_of_version_1_1(client, story):
    response = client.get(feed_url("json"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/feed+json; charset=utf-8"
    assert "党建引领聚合力".encode() in response.content  # Chinese as is, not \u escapes
    feed = json.loads(response.content)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == "《国企》杂志社官网"
    assert feed["home_page_url"] == HOST + "/"
    assert feed["feed_url"] == HOST + feed_url("json")
    assert feed["description"] == "《国企》杂志社新闻中心的文章"
    assert feed["language"] == "zh-hans"
    assert feed["authors"] == [{"name": "《国企》杂志社官网", "url": HOST + "/"}]
    [item] = feed["items"]
    url = HOST + story.get_absolute_url()
    lead = story.images.order_by("order").first()
    assert item["id"] == url and item["url"] == url
    assert item["title"] == "【党建好故事】党建引领聚合力 智能建造筑精品"
    assert item["summary"] == "六家单位党支部代表齐聚项目现场。"
    assert "六家共建单位共同签署《支部共建协议书》" in item["content_html"]
    assert item["content_html"].rstrip().endswith(f"<p>{COPYRIGHT}</p>")
    assert datetime.datetime.fromisoformat(item["date_published"]) == story.publish_at.replace(microsecond=0)
    assert item["date_published"].endswith("+08:00")
    assert datetime.datetime.fromisoformat(item["date_modified"]) >= story.publish_at
    assert item["authors"] == [{"name": "江风"}]
    assert item["tags"] == ["协会", "党建好故事", "党建", "智能建造"]
    assert item["image"] == HOST + lead.image.url
    assert item["attachments"] == [
        {"url": HOST + lead.image.url, "mime_type": "image/jpeg", "size_in_bytes": lead.image.size}
    ]
    assert set(item) == JSON_ITEM_FIELDS


@pytest.mark.parametrize("format", XML_FORMATS)
def test_rss_and_atom_are_well_formed_xml_with_their_namespaces(client, story, format):
    response = client.get(feed_url(format))
    root = ET.fromstring(response.content)  # strict: raises on any XML error
    url = HOST + story.get_absolute_url()
    if format == "rss":
        assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
        assert root.tag == "rss" and root.get("version") == "2.0"
        item = root.find("channel/item")
        guid = item.find("guid")
        assert guid.text == url and guid.get("isPermaLink") == "true"
        assert "仪式现场" in item.find("content:encoded", NS).text
        assert item.find("atom:updated", NS).text.endswith("+08:00")
        assert item.find("dc:creator", NS).text == "江风"
        assert item.find("enclosure").get("type") == "image/jpeg"
        assert root.find("channel/copyright").text == COPYRIGHT
    else:
        assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
        assert root.tag == "{http://www.w3.org/2005/Atom}feed"
        entry = root.find("atom:entry", NS)
        assert entry.find("atom:id", NS).text == url
        content = entry.find("atom:content", NS)
        assert content.get("type") == "html" and "仪式现场" in content.text
        assert entry.find("atom:link[@rel='enclosure']", NS).get("type") == "image/jpeg"
        assert root.find("atom:author/atom:name", NS).text == "《国企》杂志社官网"


def test_item_without_summary_or_images_or_author(client, site):
    ArticleFactory(summary="", author="", body="<p>只有正文的文章，没有摘要。</p>")
    entry = parse(client.get(feed_url("rss"))).entries[0]
    assert entry.summary == "只有正文的文章，没有摘要。"
    assert "author" not in entry and not entry.enclosures
    item = json.loads(client.get(feed_url("json")).content)["items"][0]
    assert "authors" not in item and "image" not in item and "attachments" not in item


def test_placeholder_images_are_left_out_and_a_missing_file_gives_no_enclosure(client, site):
    article = ArticleFactory()
    ArticleImageFactory(article=article, image=None, caption="尚未上传的图片")
    lost = ArticleImageFactory(article=article, order=1, caption="文件丢失的图片")
    lost.image.storage.delete(lost.image.name)
    workflow.article_saved(article)  # the file's type and length are read when the article is saved
    entry = parse(client.get(feed_url("rss"))).entries[0]
    assert "尚未上传的图片" not in entry.content[0].value
    assert not entry.enclosures


def test_items_are_the_latest_first_and_limited(client):
    for days in range(55):
        ArticleFactory(title=f"第{days}天", publish_at=timezone.now() - datetime.timedelta(days=days + 1))
    titles = entry_titles(client, feed_url("atom"))
    assert titles == [f"第{days}天" for days in range(50)]


# Plain text, escaped for the reader who reads it

TRICKY_TITLES = ["<img src=x onerror=alert(1)> 测试", "AT&T <b>粗</b>"]
TRICKY_SUMMARY = "<script>alert(1)</script>摘要 1 < 2 & 3"
TRICKY_NAME = "R&D <i>研发</i>"


class _HtmlText(HTMLParser):
    """What an HTML-reading feed reader shows of a fragment: its text, and which elements it would make."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.tags, self.parts = [], []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.parts.append(data)


def shown_as_html(fragment):
    """The text a reader that treats ``fragment`` as HTML shows; fails if it would make any element."""
    parsed = _HtmlText(fragment)
    assert parsed.tags == [], fragment
    return "".join(parsed.parts)


def feedparser_text(detail):
    """What a feedparser-based reader shows of a text construct, honouring the type feedparser reports."""
    return shown_as_html(detail.value) if detail.type == "text/html" else detail.value


@pytest.fixture
def tricky(site):
    unit = UnitFactory(name=TRICKY_NAME)
    articles = []
    for i, title in enumerate(TRICKY_TITLES):
        article = ArticleFactory(
            title=title,
            summary=TRICKY_SUMMARY,
            author=TRICKY_NAME,
            publish_at=timezone.now() - datetime.timedelta(hours=i + 1),
        )
        article.tags.add(TRICKY_NAME)
        ArticleUnitFactory(article=article, unit=unit)
        articles.append(article)
    return unit


def test_rss_titles_and_descriptions_are_html_escaped_then_xml_escaped(client, tricky):
    response = client.get(feed_url("rss", tricky))
    assert b"<title>&amp;lt;img src=x onerror=alert(1)&amp;gt; \xe6\xb5\x8b\xe8\xaf\x95</title>" in response.content
    channel = ET.fromstring(response.content).find("channel")  # strict XML
    assert shown_as_html(channel.findtext("title")) == f"《国企》杂志社官网 - {TRICKY_NAME}"
    items = channel.findall("item")
    assert [shown_as_html(item.findtext("title")) for item in items] == TRICKY_TITLES
    for item in items:
        assert shown_as_html(item.findtext("description")) == TRICKY_SUMMARY
        # Categories and names are plain text in RSS, and feed readers take them as such (feedparser does).
        assert TRICKY_NAME in [category.text for category in item.findall("category")]
        assert item.find("dc:creator", NS).text == TRICKY_NAME
    parsed = parse(response)
    assert feedparser_text(parsed.feed.title_detail) == f"《国企》杂志社官网 - {TRICKY_NAME}"
    assert [feedparser_text(entry.title_detail) for entry in parsed.entries] == TRICKY_TITLES
    for entry in parsed.entries:
        assert feedparser_text(entry.summary_detail) == TRICKY_SUMMARY
        assert TRICKY_NAME in [tag.term for tag in entry.tags]
        assert entry.author == TRICKY_NAME


def test_atom_text_constructs_say_type_text(client, tricky):
    response = client.get(feed_url("atom", tricky))
    root = ET.fromstring(response.content)
    title = root.find("atom:title", NS)
    assert title.get("type") == "text" and title.text == f"《国企》杂志社官网 - {TRICKY_NAME}"
    entries = root.findall("atom:entry", NS)
    for entry, expected in zip(entries, TRICKY_TITLES, strict=True):
        title, summary = entry.find("atom:title", NS), entry.find("atom:summary", NS)
        assert (title.get("type"), title.text) == ("text", expected)
        assert (summary.get("type"), summary.text) == ("text", TRICKY_SUMMARY)
        assert entry.find("atom:author/atom:name", NS).text == TRICKY_NAME
        assert TRICKY_NAME in [category.get("term") for category in entry.findall("atom:category", NS)]
        assert entry.find("atom:content", NS).get("type") == "html"  # the sanitised body, as HTML
    parsed = parse(response)
    assert parsed.feed.title_detail.type == "text/plain"
    for entry, expected in zip(parsed.entries, TRICKY_TITLES, strict=True):
        assert (entry.title_detail.type, entry.title) == ("text/plain", expected)
        assert (entry.summary_detail.type, entry.summary) == ("text/plain", TRICKY_SUMMARY)
        assert entry.author == TRICKY_NAME


def test_json_feed_titles_and_summaries_are_plain_text(client, tricky):
    feed = json.loads(client.get(feed_url("json", tricky)).content)
    assert feed["title"] == f"《国企》杂志社官网 - {TRICKY_NAME}"
    assert [item["title"] for item in feed["items"]] == TRICKY_TITLES
    for item in feed["items"]:
        assert item["summary"] == TRICKY_SUMMARY
        assert item["authors"] == [{"name": TRICKY_NAME}] and TRICKY_NAME in item["tags"]


@pytest.mark.parametrize("format", FORMATS)
def test_a_summary_made_from_the_body_is_its_text(client, site, format):
    """Without a summary, the body's text stands in: as text, entities read, not markup."""
    ArticleFactory(summary="", body="<p>1 &lt; 2 &amp;&amp; 3 &gt; 2：<strong>粗</strong>体</p>")
    response = client.get(feed_url(format))
    if format == "json":
        summary = json.loads(response.content)["items"][0]["summary"]
    else:
        detail = parse(response).entries[0].summary_detail
        summary = feedparser_text(detail)
    assert summary == "1 < 2 && 3 > 2：粗体"


# Dates: whole seconds, in Asia/Shanghai with its offset

WHOLE_SECONDS = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00"


@pytest.mark.parametrize("cache_down", [False, True])
def test_feed_dates_have_whole_seconds_and_the_shanghai_offset(client, site, settings, cache_down):
    moment = timezone.now().replace(microsecond=123456) - datetime.timedelta(hours=2)
    article = ArticleFactory(publish_at=moment)
    Article.objects.filter(pk=article.pk).update(updated_at=moment + datetime.timedelta(minutes=30))  # an edit
    if cache_down:  # the feed's own date then comes from its items
        settings.CACHES = redis_caches("redis://127.0.0.1:1/0")
        settings.SHARED_CACHE = True
    rss = ET.fromstring(client.get(feed_url("rss")).content)
    item = rss.find("channel/item")
    assert parsedate_to_datetime(item.findtext("pubDate")) == moment.replace(microsecond=0)
    assert item.findtext("pubDate").endswith("+0800") and rss.findtext("channel/lastBuildDate").endswith("+0800")
    assert re.fullmatch(WHOLE_SECONDS, item.find("atom:updated", NS).text)
    atom = ET.fromstring(client.get(feed_url("atom")).content)
    entry = atom.find("atom:entry", NS)
    assert re.fullmatch(WHOLE_SECONDS, atom.find("atom:updated", NS).text)
    assert entry.find("atom:published", NS).text == f"{timezone.localtime(moment):%Y-%m-%dT%H:%M:%S}+08:00"
    assert re.fullmatch(WHOLE_SECONDS, entry.find("atom:updated", NS).text)
    item = json.loads(client.get(feed_url("json")).content)["items"][0]
    assert item["date_published"] == f"{timezone.localtime(moment):%Y-%m-%dT%H:%M:%S}+08:00"
    assert re.fullmatch(WHOLE_SECONDS, item["date_modified"])


@pytest.mark.parametrize("format", FORMATS)
def test_an_article_edited_before_its_scheduled_time_is_never_updated_before_it_was_published(client, site, format):
    """A scheduled article edited before its time: its feed update time is its publish time, not earlier."""
    article = ArticleFactory(publish_at=timezone.now() - datetime.timedelta(minutes=5))
    Article.objects.filter(pk=article.pk).update(updated_at=timezone.now() - datetime.timedelta(days=2))
    response = client.get(feed_url(format))
    if format == "json":
        item = json.loads(response.content)["items"][0]
        published, updated = item["date_published"], item["date_modified"]
        assert datetime.datetime.fromisoformat(updated) >= datetime.datetime.fromisoformat(published)
    else:
        entry = parse(response).entries[0]
        assert entry.updated_parsed >= entry.published_parsed


# Scopes


@pytest.fixture
def scopes():
    """One article in a section, column, unit and tag, and one outside all of them."""
    section, column, unit = SectionFactory(name="党建"), ColumnFactory(name="国企改革"), UnitFactory(name="浙江一建")
    inside = ArticleFactory(title="范围内的文章", section=section, column=column)
    ArticleUnitFactory(article=inside, unit=unit)
    inside.tags.add("智能建造")
    ArticleFactory(title="范围外的文章")
    return [section, column, unit, Tag.objects.get(name="智能建造")]


@pytest.mark.parametrize("format", FORMATS)
def test_scoped_feeds_hold_only_their_articles(client, scopes, format):
    for scope in scopes:
        assert entry_titles(client, feed_url(format, scope)) == ["【国企改革】范围内的文章"], scope
    assert len(entry_titles(client, feed_url(format))) == 2


def test_scoped_feed_titles_and_links(client, scopes):
    section, _column, _unit, tag = scopes
    feed = parse(client.get(feed_url("atom", section))).feed
    assert feed.title == "《国企》杂志社官网 - 党建" and feed.link == HOST + section.get_absolute_url()
    feed = parse(client.get(feed_url("rss", tag))).feed
    assert feed.title == "《国企》杂志社官网 - 智能建造"
    assert feed.link == HOST + reverse("articles:tag", args=[tag.slug])


@pytest.mark.parametrize(
    "url",
    [
        "/sections/999/rss.xml",
        "/columns/999/atom.xml",
        "/units/999/feed.json",
        "/tags/无此标签/rss.xml",
        "/feeds/rss.json",
        "/feeds/index.xml",
        "/sections/abc/rss.xml",
    ],
)
def test_unknown_scope_or_format_is_404(client, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("format", FORMATS)
def test_units_and_tags_that_only_unpublished_articles_have_have_no_feed(client, format):
    section = SectionFactory(name="频道")
    for i, fields in enumerate(
        [
            {"status": Article.Status.DRAFT, "publish_at": None},
            {"status": Article.Status.REVIEW, "publish_at": None},
            {"publish_at": timezone.now() + datetime.timedelta(hours=1)},
            {"status": Article.Status.UNPUBLISHED},
            {"deleted_at": timezone.now()},
        ]
    ):
        article = ArticleFactory(title=f"隐藏{i}", section=section, **fields)
        unit = UnitFactory(name=f"隐藏单位{i}")
        ArticleUnitFactory(article=article, unit=unit)
        article.tags.add(f"隐藏标签{i}")
        for scope in [unit, Tag.objects.get(name=f"隐藏标签{i}")]:
            assert client.get(feed_url(format, scope)).status_code == 404, scope
    assert client.get(feed_url(format, UnitFactory(name="没有文章的单位"))).status_code == 404
    # Sections are the editors' structure: their feed stays, empty of what is not published.
    assert entry_titles(client, feed_url(format, section)) == []


@pytest.mark.parametrize("format", FORMATS)
def test_a_scope_without_articles_is_a_valid_empty_feed(client, clock, format):
    section = SectionFactory(name="空频道")
    ArticleFactory(title="草稿", section=section, status=Article.Status.DRAFT, publish_at=None)
    response = settled(client, feed_url(format, section), clock)
    assert response.status_code == 200
    assert response.has_header("ETag") and response.has_header("Last-Modified")
    if format == "json":
        feed = json.loads(response.content)
        assert feed["items"] == [] and feed["title"] == "《国企》杂志社官网 - 空频道"
    else:
        ET.fromstring(response.content)
        parsed = parse(response)
        assert parsed.entries == [] and parsed.feed.title == "《国企》杂志社官网 - 空频道"


# Publication


@pytest.mark.parametrize("format", FORMATS)
def test_drafts_scheduled_and_unpublished_articles_never_appear(client, format):
    section, unit = SectionFactory(), UnitFactory()
    hidden = [
        ArticleFactory(title="草稿", section=section, status=Article.Status.DRAFT, publish_at=None),
        ArticleFactory(title="待审", section=section, status=Article.Status.REVIEW, publish_at=None),
        ArticleFactory(title="定时", section=section, publish_at=timezone.now() + datetime.timedelta(hours=1)),
        ArticleFactory(title="撤稿", section=section, status=Article.Status.UNPUBLISHED),
    ]
    visible = ArticleFactory(title="已发布", section=section)
    for article in [*hidden, visible]:
        ArticleUnitFactory(article=article, unit=unit)
        article.tags.add("党建")
    for scope in [None, section, unit, Tag.objects.get(name="党建")]:
        assert entry_titles(client, feed_url(format, scope)) == ["已发布"]


@pytest.mark.parametrize("format", FORMATS)
def test_readers_get_304_until_something_changes(client, story, clock, format):
    url = feed_url(format)
    first = settled(client, url, clock)
    assert first.status_code == 200
    assert "public" in first["Cache-Control"] and "max-age=600" in first["Cache-Control"]
    assert parsedate_to_datetime(first["Last-Modified"]) >= story.publish_at.replace(microsecond=0)
    for again in conditional(client, url, first):
        assert again.status_code == 304 and again.content == b""
        assert again["ETag"] == first["ETag"] and again["Last-Modified"] == first["Last-Modified"]
        assert "max-age=600" in again["Cache-Control"]
    # An edit anywhere changes both validators.
    story.title = "改过的标题"
    story.save()
    workflow.article_saved(story)
    for again in conditional(client, url, first):
        assert again.status_code == 200 and "改过的标题" in again.content.decode()


def test_a_304_does_not_build_the_feed(client, story, clock, django_assert_num_queries):
    first = settled(client, feed_url("rss"), clock)
    with django_assert_num_queries(2):  # the content version and the newest publish time, nothing else
        assert client.get(feed_url("rss"), headers={"if-none-match": first["ETag"]}).status_code == 304
    section_url = feed_url("rss", story.section)
    first = settled(client, section_url, clock)
    with django_assert_num_queries(3):  # the section, then as above
        assert client.get(section_url, headers={"if-modified-since": first["Last-Modified"]}).status_code == 304


@pytest.mark.parametrize("format", FORMATS)
def test_a_scheduled_article_changes_the_validators_when_its_time_comes(client, story, clock, format):
    scheduled = ArticleFactory(title="定时发布的文章", section=story.section)
    workflow.publish(scheduled, at=timezone.now() + datetime.timedelta(hours=1))
    clock(minutes=30)
    urls = [feed_url(format), feed_url(format, story.section)]
    before = [settled(client, url, clock) for url in urls]
    for url, response in zip(urls, before, strict=True):
        assert "定时发布的文章" not in response.content.decode()
        assert all(again.status_code == 304 for again in conditional(client, url, response))
    clock(hours=2)  # no save, no signal: only the time has come
    for url, response in zip(urls, before, strict=True):
        for again in conditional(client, url, response):
            assert again.status_code == 200
            assert "定时发布的文章" in again.content.decode()


@pytest.mark.parametrize("format", FORMATS)
def test_an_embargoed_article_changes_the_validators_when_its_embargo_ends(client, story, clock, format):
    """Its publish time is older than the newest article's: the end of its embargo moves the ETag."""
    embargoed = ArticleFactory(
        title="禁发的文章",
        section=story.section,
        publish_at=story.publish_at - datetime.timedelta(days=1),
        embargo_until=timezone.now() + datetime.timedelta(hours=1),
    )
    workflow.article_saved(embargoed)
    clock(minutes=30)
    urls = [feed_url(format), feed_url(format, story.section)]
    before = [settled(client, url, clock) for url in urls]
    for url, response in zip(urls, before, strict=True):
        assert "禁发的文章" not in response.content.decode()
        assert all(again.status_code == 304 for again in conditional(client, url, response))
    clock(hours=2)  # no save, no signal: only the time has come
    for url, response in zip(urls, before, strict=True):
        for again in conditional(client, url, response):
            assert again.status_code == 200
            assert "禁发的文章" in again.content.decode()


@pytest.mark.parametrize("format", FORMATS)
def test_an_unpublished_article_leaves_every_feed(client, story, clock, format):
    urls = [feed_url(format), feed_url(format, story.section), feed_url(format, story.column)]
    first = [settled(client, url, clock) for url in urls]
    assert all(story.title in response.content.decode() for response in first)
    workflow.unpublish(story)
    for url, response in zip(urls, first, strict=True):
        for again in conditional(client, url, response):
            assert again.status_code == 200 and story.title not in again.content.decode()


def newest_item_time(*articles):
    return max(Article.objects.get(pk=article.pk).modified_at for article in articles).replace(microsecond=0)


@pytest.mark.parametrize("format", FORMATS)
def test_last_modified_is_the_newest_items_time_not_when_the_feed_was_first_served(client, story, clock, format):
    older = ArticleFactory(title="较早的文章", publish_at=timezone.now() - datetime.timedelta(days=2))
    clock(minutes=10)  # nobody asked for the feed in the meantime
    response = client.get(feed_url(format))
    assert parsedate_to_datetime(response["Last-Modified"]) == newest_item_time(story, older)
    clock(minutes=5)
    newer = ArticleFactory(title="刚发布的文章", status=Article.Status.DRAFT, publish_at=None)
    workflow.publish(newer)
    clock(minutes=5)
    response = client.get(feed_url(format), headers={"if-modified-since": response["Last-Modified"]})
    assert response.status_code == 200 and "刚发布的文章" in response.content.decode()
    assert parsedate_to_datetime(response["Last-Modified"]) == newest_item_time(newer)


def test_a_removal_moves_last_modified_although_no_item_is_newer(client, story, clock):
    """Unpublishing leaves no newer item: Last-Modified is then when that state was first served, so a
    reader sending only If-Modified-Since still gets the feed without it."""
    ArticleFactory(title="较早的文章", publish_at=timezone.now() - datetime.timedelta(days=2))
    first = settled(client, feed_url("rss"), clock)
    workflow.unpublish(story)
    client.get(feed_url("rss"))
    clock(minutes=1)
    again = client.get(feed_url("rss"), headers={"if-modified-since": first["Last-Modified"]})
    assert again.status_code == 200 and story.title not in again.content.decode()
    assert parsedate_to_datetime(again["Last-Modified"]) > parsedate_to_datetime(first["Last-Modified"])


def test_last_modified_is_named_once_its_second_is_over(client, story, monkeypatch):
    """Last-Modified counts whole seconds: a change later in the same second must not look unchanged."""
    now = timezone.now().replace(microsecond=300_000) + datetime.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: now)
    story.title = "刚改过的标题"
    story.save()  # updated now, in this second
    workflow.article_saved(story)
    url = feed_url("atom")
    first = client.get(url)
    assert first["ETag"] and "Last-Modified" not in first
    now += datetime.timedelta(seconds=1)
    again = client.get(url)
    assert again["ETag"] == first["ETag"]
    assert parsedate_to_datetime(again["Last-Modified"]) == now.replace(microsecond=0) - datetime.timedelta(seconds=1)
    assert client.get(url, headers={"if-modified-since": again["Last-Modified"]}).status_code == 304


def test_a_feed_made_within_its_changes_second_is_not_kept_without_last_modified(client, story, settings, monkeypatch):
    """The page cache kept the copy made in the second of a change, without Last-Modified, and served
    it for PAGE_CACHE_SECONDS: readers sending only If-Modified-Since downloaded the whole feed."""
    settings.PAGE_CACHE_SECONDS = 300
    now = timezone.now().replace(microsecond=300_000) + datetime.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: now)
    withdrawn, url = ArticleFactory(title="撤回的文章"), feed_url("rss")
    client.get(url)
    now += datetime.timedelta(seconds=5)
    workflow.unpublish(withdrawn)  # no item newer: Last-Modified counts from when this state is first served
    first = client.get(url)
    assert "Last-Modified" not in first and "s-maxage=0" in first["Cache-Control"]
    now += datetime.timedelta(seconds=1)
    again = client.get(url)
    assert again["X-Cache"] == "miss" and again["ETag"] == first["ETag"] and again.has_header("Last-Modified")
    kept = client.get(url)
    assert kept["X-Cache"] == "hit" and kept["Last-Modified"] == again["Last-Modified"]
    assert client.get(url, headers={"if-modified-since": kept["Last-Modified"]}).status_code == 304


def test_without_the_cache_server_feeds_are_served_in_full(client, story, settings, caplog):
    settings.CACHES = redis_caches("redis://127.0.0.1:1/0")
    settings.SHARED_CACHE = True
    response = client.get(feed_url("rss"))
    assert response.status_code == 200 and "Last-Modified" not in response
    assert parse(response).entries[0].title == "【党建好故事】党建引领聚合力 智能建造筑精品"
    assert "feed served without validators" in caplog.text


def test_feeds_through_the_page_cache(client, story, settings, clock):
    url = feed_url("rss")
    client.get(url)
    clock(seconds=2)
    settings.PAGE_CACHE_SECONDS = 300
    first = client.get(url)
    again = client.get(url)
    assert (first["X-Cache"], again["X-Cache"]) == ("miss", "hit")
    for header in ["ETag", "Last-Modified", "Cache-Control"]:
        assert again[header] == first[header]
    assert "max-age=600" in again["Cache-Control"]
    assert all(response.status_code == 304 for response in conditional(client, url, first))
    # A scheduled article appears when its time comes, an unpublished one leaves at once.
    scheduled = ArticleFactory(title="定时发布的文章")
    workflow.publish(scheduled, at=timezone.now() + datetime.timedelta(seconds=1.5))
    assert "定时发布的文章" not in client.get(url).content.decode()
    time.sleep(2)
    assert "定时发布的文章" in client.get(url).content.decode()
    workflow.unpublish(story)
    for response in conditional(client, url, first):
        assert response.status_code == 200 and story.title not in response.content.decode()


def test_query_count_does_not_grow_with_the_number_of_items(client, site):
    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    section = SectionFactory()

    def add_articles(count):
        for _ in range(count):
            article = ArticleFactory(section=section, column=ColumnFactory())
            article.tags.add("党建", "改革")
            ArticleImageFactory(article=article)
            ArticleUnitFactory(article=article)

    add_articles(1)
    few = {format: (queries(feed_url(format)), queries(feed_url(format, section))) for format in FORMATS}
    add_articles(6)
    many = {format: (queries(feed_url(format)), queries(feed_url(format, section))) for format in FORMATS}
    assert many == few
    # Content version, newest publish time, site settings, articles (with section and column), images, tags.
    assert few["rss"] == (6, 7)


@pytest.mark.parametrize("format", FORMATS)
def test_building_a_feed_opens_no_image_file(client, site, monkeypatch, format):
    """Bodies, figures and the enclosure's type and length are made when articles are saved
    (``articles.rendering``): a feed of articles with images opens none of their files."""
    for _ in range(5):
        ArticleImageFactory(article=ArticleFactory(), caption="现场图片")
    opened = []
    real_open = PIL.Image.open

    def counting_open(*args, **kwargs):
        opened.append(args[0])
        return real_open(*args, **kwargs)

    monkeypatch.setattr(PIL.Image, "open", counting_open)
    response = client.get(feed_url(format))
    assert response.status_code == 200
    assert response.content.count("现场图片".encode()) == 5  # the figures are there, captions and all
    assert opened == []


# Autodiscovery and the subscribe page


class _AlternateLinks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        # Feeds, not the page's other editions (hreflang alternates, tests/test_hant.py).
        if tag == "link" and attrs.get("rel") == "alternate" and "hreflang" not in attrs:
            self.links.append((attrs["type"], attrs["href"], attrs["title"]))


def alternate_links(response):
    parser = _AlternateLinks()
    parser.feed(response.content.decode())
    return parser.links


SITE_LINKS = [
    ("application/rss+xml", "/feeds/rss.xml", "《国企》杂志社官网 (RSS)"),
    ("application/atom+xml", "/feeds/atom.xml", "《国企》杂志社官网 (Atom)"),
    ("application/feed+json", "/feeds/feed.json", "《国企》杂志社官网 (JSON Feed)"),
]


def test_every_page_offers_the_feeds_that_fit_it(client, scopes):
    section, column, unit, tag = scopes
    article = Article.objects.get(title="范围内的文章")
    assert alternate_links(client.get("/")) == SITE_LINKS
    assert alternate_links(client.get(reverse("articles:subscribe"))) == SITE_LINKS
    for page, scope, name in [
        (section.get_absolute_url(), section, "党建"),
        (column.get_absolute_url(), column, "国企改革"),
        (unit.get_absolute_url(), unit, "浙江一建"),
        (reverse("articles:tag", args=[tag.slug]), tag, "智能建造"),
        (article.get_absolute_url(), section, "党建"),
    ]:
        links = alternate_links(client.get(page))
        assert links[:3] == SITE_LINKS
        assert [(type_, title) for type_, _href, title in links[3:]] == [
            ("application/rss+xml", f"《国企》杂志社官网 - {name} (RSS)"),
            ("application/atom+xml", f"《国企》杂志社官网 - {name} (Atom)"),
            ("application/feed+json", f"《国企》杂志社官网 - {name} (JSON Feed)"),
        ]
        for (_type, href, _title), format in zip(links[3:], FORMATS, strict=True):
            assert href == feed_url(format, scope)
            assert entry_titles(client, href) == ["【国企改革】范围内的文章"]


def test_subscribe_page_lists_every_feed_with_its_address(client, scopes):
    section, column, unit, tag = scopes
    SectionFactory(name="空频道")
    UnitFactory(name="没有文章的单位")
    draft = ArticleFactory(title="草稿", status=Article.Status.DRAFT, publish_at=None)
    draft.tags.add("草稿标签")
    ArticleUnitFactory(article=draft, unit=UnitFactory(name="草稿里的单位"))
    response = client.get(reverse("articles:subscribe"))
    text = page_text(response)
    html = response.content.decode()
    for format in FORMATS:
        assert HOST + feed_url(format) in text  # shown in full, to copy by hand
        assert f'data-copy="{HOST + feed_url(format)}"' in html
        for scope in [section, column, unit, tag]:
            assert f'data-copy="{HOST + feed_url(format, scope)}"' in html
    assert "阅读器" in text and "复制" in text
    for name in ["党建", "国企改革", "浙江一建", "智能建造", "空频道"]:
        assert name in text
    # Units and tags without a published article have nothing to follow.
    assert "没有文章的单位" not in text and "草稿标签" not in text and "草稿里的单位" not in text


def test_print_subscription_details_are_edited_in_the_admin(client, staff_client):
    assert "0571—86915636" in page_text(client.get(reverse("articles:subscribe")))
    url = reverse("admin:articles_sitesettings_change", args=[1])
    form = staff_client.get(url).context["adminform"].form
    # What a browser posts: the values shown, no file chosen for the image fields (the WeChat QR code).
    data = {
        name: value for name, value in form.initial.items() if value is not None and not isinstance(value, FieldFile)
    }
    data["print_subscription"] = "《国企》杂志上下半月刊，全年定价360元。\n\n邮发代号：32-100"
    assert staff_client.post(url, data).status_code == 302
    text = page_text(client.get(reverse("articles:subscribe")))
    assert "订阅纸质杂志" in text
    assert "全年定价360元。" in text and "邮发代号：32-100" in text and "0571—86915636" not in text


@pytest.mark.parametrize("format", FORMATS)
def test_the_feed_of_a_merged_unit_or_tag_redirects_to_the_kept_ones(client, format):
    article = ArticleFactory(title="合并前的文章")
    kept, duplicate = UnitFactory(name="浙江省第一建筑工程集团"), UnitFactory(name="浙江一建")
    ArticleUnitFactory(article=article, unit=duplicate)
    article.tags.add("党建")
    old_unit_feed = reverse("articles:unit_feed", args=[duplicate.pk, format])
    workflow.merge_units(kept, [duplicate])
    workflow.merge_tags(Tag.objects.create(name="党的建设", slug="dang-de-jian-she"), [Tag.objects.get(name="党建")])
    for old, new in [
        (old_unit_feed, reverse("articles:unit_feed", args=[kept.pk, format])),
        (
            reverse("articles:tag_feed", args=["党建", format]),
            reverse("articles:tag_feed", args=["dang-de-jian-she", format]),
        ),
    ]:
        response = client.get(old)
        assert response.status_code == 301 and response["Location"] == new
        assert "合并前的文章" in client.get(new).content.decode()
