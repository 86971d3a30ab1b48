import datetime
import re
import zoneinfo
from pathlib import PurePath

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles import versions, views, workflow
from articles.models import Article, SiteSettings

from .factories import (
    ArticleFactory,
    ArticleImageFactory,
    ArticleUnitFactory,
    ColumnFactory,
    SectionFactory,
    UnitFactory,
)
from .pagetext import assert_in_order, page_text, squeeze

pytestmark = pytest.mark.django_db

LATER = timezone.now() + datetime.timedelta(days=2)


@pytest.fixture
def staff(django_user_model):
    """A member of staff with a browser of their own, beside the public's ``client``."""
    browser = Client()
    browser.force_login(django_user_model.objects.create_superuser("staff", "staff@example.com", "pw-for-tests-only"))
    return browser


@pytest.fixture
def hidden_articles():
    return [
        ArticleFactory(title="草稿文章", status=Article.Status.DRAFT, publish_at=None),
        ArticleFactory(title="待审文章", status=Article.Status.REVIEW, publish_at=None),
        ArticleFactory(title="定时文章", publish_at=LATER),
        ArticleFactory(title="撤稿文章", status=Article.Status.UNPUBLISHED),
    ]


def test_unpublished_articles_are_404_for_the_public(client, hidden_articles):
    for article in hidden_articles:
        assert client.get(article.get_absolute_url()).status_code == 404


def test_staff_preview_unpublished_articles_with_a_banner(staff_client, hidden_articles):
    for article in hidden_articles:
        response = staff_client.get(article.get_absolute_url())
        assert response.status_code == 200
        text = page_text(response)
        assert article.title in text
        assert "预览" in text


def test_articles_in_the_trash_are_404_for_staff_too(client, staff, hidden_articles):
    """The trash is seen in the admin (its own page), not at the article's public address: not even as
    a preview, whose banner would call a published article in the trash merely "not published yet"."""
    trashed = [ArticleFactory(title="已删除的文章"), *hidden_articles]
    for article in trashed:
        workflow.trash(article)
    for article in trashed:
        for url in (article.get_absolute_url(), reverse("articles:article_qr", args=[article.pk])):
            assert staff.get(url).status_code == 404, url
            assert client.get(url).status_code == 404, url
    # The trash's admin page does not link to it either ("view on site").
    page = staff.get(reverse("admin:articles_trashedarticle_change", args=[trashed[0].pk])).content.decode()
    assert "已删除的文章" in page and "viewsitelink" not in page


def test_lists_show_only_published_articles(client, hidden_articles):
    visible = ArticleFactory(title="已发布文章", section=hidden_articles[0].section)
    unit, column = UnitFactory(), ColumnFactory()
    for article in [visible, *hidden_articles]:
        ArticleUnitFactory(article=article, unit=unit)
        article.tags.add("党建")
        Article.objects.filter(pk=article.pk).update(column=column, section=visible.section)
    day = timezone.localtime(visible.publish_at)
    for url in [
        reverse("articles:home"),
        visible.section.get_absolute_url(),
        column.get_absolute_url(),
        unit.get_absolute_url(),
        reverse("articles:tag", args=["党建"]),
        reverse("articles:archive"),
        reverse("articles:archive_year", args=[day.year]),
        reverse("articles:archive_month", args=[day.year, day.month]),
        reverse("articles:archive_day", args=[day.year, day.month, day.day]),
        reverse("articles:feed"),
    ]:
        body = client.get(url).content.decode()
        assert "已发布文章" in body, url
        for article in hidden_articles:
            assert article.title not in body, url


def test_scheduled_article_appears_when_its_time_comes(client):
    article = ArticleFactory(publish_at=timezone.now() + datetime.timedelta(seconds=1))
    assert client.get(article.get_absolute_url()).status_code == 404
    Article.objects.filter(pk=article.pk).update(publish_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get(article.get_absolute_url()).status_code == 200


def test_title_edit_keeps_the_url_and_chinese_titles_work(client):
    article = ArticleFactory(title="党建")
    url = article.get_absolute_url()
    assert url == f"/articles/{article.pk}/"
    article.title = "全新的标题"
    article.save()
    assert article.get_absolute_url() == url
    assert "全新的标题" in page_text(client.get(url))


def test_previous_and_next_follow_publish_time(client):
    older = ArticleFactory(title="较早", publish_at=timezone.now() - datetime.timedelta(days=3))
    middle = ArticleFactory(title="中间", publish_at=timezone.now() - datetime.timedelta(days=2))
    ArticleFactory(title="草稿", status=Article.Status.DRAFT, publish_at=timezone.now() - datetime.timedelta(days=1))
    newer = ArticleFactory(title="较新", publish_at=timezone.now() - datetime.timedelta(hours=1))
    text = page_text(client.get(middle.get_absolute_url()))
    assert_in_order(text, ["上一篇", older.title, "下一篇", newer.title])
    assert "草稿" not in text


def test_unit_page_lists_its_articles_and_details(client):
    unit = UnitFactory(name="浙江一建", short_name="一建", website="https://example.com/")
    ArticleUnitFactory(unit=unit, article=ArticleFactory(title="一建的文章"))
    ArticleFactory(title="别的文章")
    text = page_text(client.get(unit.get_absolute_url()))
    assert "浙江一建" in text and "一建的文章" in text and "https://example.com/" in text
    assert "别的文章" not in text


def test_column_page(client):
    column = ColumnFactory(name="党建好故事")
    ArticleFactory(title="栏目文章", column=column)
    text = page_text(client.get(column.get_absolute_url()))
    assert "【党建好故事】栏目文章" in text


HIDDEN = {
    "draft": {"status": Article.Status.DRAFT, "publish_at": None},
    "review": {"status": Article.Status.REVIEW, "publish_at": None},
    "scheduled": {"publish_at": LATER},
    # Published, its publish time past, under an embargo (禁发时间) that has not ended: as a draft.
    "embargoed": {"publish_at": timezone.now() - datetime.timedelta(hours=2), "embargo_until": LATER},
    "unpublished": {"status": Article.Status.UNPUBLISHED},
    "trashed": {"deleted_at": timezone.now()},
}


@pytest.mark.parametrize("state", HIDDEN)
def test_units_and_tags_that_only_hidden_articles_have_are_not_public(client, staff, state):
    """Their names are news too (a unit named in a draft): no page until an article naming them is published."""
    article = ArticleFactory(title="未公开的文章", **HIDDEN[state])
    unit = UnitFactory(name="未公开的单位")
    ArticleUnitFactory(article=article, unit=unit)
    article.tags.add("未公开的标签")
    urls = [unit.get_absolute_url(), reverse("articles:tag", args=[Tag.objects.get(name="未公开的标签").slug])]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert staff.get(url).status_code == 404, url  # a public page is the same for everyone
    Article.objects.filter(pk=article.pk).update(
        status=Article.Status.PUBLISHED, publish_at=timezone.now(), deleted_at=None, embargo_until=None
    )
    versions.site_changed()
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200 and "未公开的文章" in page_text(response)


def test_a_unit_without_articles_has_no_page(client):
    assert client.get(UnitFactory(name="没有文章的单位").get_absolute_url()).status_code == 404


@pytest.mark.parametrize("url", ["/articles/999/", "/sections/999/", "/columns/999/", "/units/999/", "/tags/无此标签/"])
def test_unknown_objects_are_404(client, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("page", ["999", "abc", "-1", "0"])
def test_bad_page_numbers_are_404(client, page):
    ArticleFactory()
    assert client.get(reverse("articles:home"), {"page": page}).status_code == 404


def test_wechat_qr_code_is_an_svg_of_the_article(client):
    article = ArticleFactory()
    response = client.get(reverse("articles:article_qr", args=[article.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content


def test_the_qr_code_of_an_unpublished_article_is_404_for_the_public(client, staff, hidden_articles):
    for article in hidden_articles:
        url = reverse("articles:article_qr", args=[article.pk])
        assert client.get(url).status_code == 404
        assert staff.get(url).status_code == 200  # the preview shows the share bar


def _article_with(count):
    article = ArticleFactory()
    for i in range(count):
        ArticleImageFactory(article=article, position=i)
        ArticleUnitFactory(article=article, order=i)
        article.tags.add(f"标签{article.pk}-{i}")
    return article


def test_article_page_query_count_does_not_grow_with_its_parts(client, settings):
    settings.PAGE_CACHE_SECONDS = 0  # count the page's own queries, not the page cache's
    counts = []
    for size in (1, 20):
        article = _article_with(size)
        # Site settings, sections, the default notice and promo blocks are kept per version: read once.
        client.get(ArticleFactory().get_absolute_url())
        with CaptureQueriesContext(connection) as queries:
            response = client.get(article.get_absolute_url())
        assert response.status_code == 200
        assert response.content.decode().count("<figure") == size
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# Lists: the right articles on each page type, pages of a stable size, fixed query counts.

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DAY = datetime.datetime(2025, 6, 12, 20, 0, tzinfo=SHANGHAI)


def make_articles(count, **fields):
    """``count`` published articles on DAY, newest first by index, each with an image and its renditions."""
    articles = []
    for i in range(count):
        article = ArticleFactory(publish_at=DAY - datetime.timedelta(minutes=i), **fields)
        ArticleImageFactory(article=article)
        workflow.article_saved(article)
        articles.append(article)
    return articles


@pytest.fixture
def scopes():
    """One of each scope, and a way to fill it with articles."""
    section, column, unit = SectionFactory(name="协会"), ColumnFactory(name="党建好故事"), UnitFactory(name="浙江一建")

    def fill(count):
        articles = make_articles(count, section=section, column=column)
        for article in articles:
            ArticleUnitFactory(article=article, unit=unit)
            article.tags.add("党建")
        workflow.articles_changed([article.pk for article in articles])  # as the admin does after a save
        return articles

    urls = {
        "home": reverse("articles:home"),
        "section": section.get_absolute_url(),
        "column": column.get_absolute_url(),
        "unit": unit.get_absolute_url(),
        "tag": reverse("articles:tag", args=["党建"]),
        "archive": reverse("articles:archive"),
        "year": reverse("articles:archive_year", args=[2025]),
        "month": reverse("articles:archive_month", args=[2025, 6]),
        "day": reverse("articles:archive_day", args=[2025, 6, 12]),
    }
    return fill, urls


PAGE_TYPES = ["home", "section", "column", "unit", "tag", "archive", "year", "month", "day"]


@pytest.mark.parametrize("page_type", PAGE_TYPES)
def test_each_list_pages_its_articles_newest_first(client, scopes, page_type, settings):
    fill, urls = scopes
    articles = fill(settings.ARTICLES_PER_PAGE + 3)
    ArticleFactory(title="别处的文章", publish_at=DAY - datetime.timedelta(days=400))
    first = client.get(urls[page_type])
    second = client.get(urls[page_type], {"page": 2})
    assert first.status_code == second.status_code == 200
    shown = list(first.context["page_obj"]) + list(second.context["page_obj"])
    if page_type in ("home", "archive"):
        shown = [article for article in shown if article.title != "别处的文章"]
    assert shown == articles
    assert len(first.context["page_obj"]) == settings.ARTICLES_PER_PAGE
    text = page_text(second)
    assert "第 2 页，共 2 页" in text and articles[-1].title in text and articles[0].title not in text
    html = first.content.decode()
    assert '<a href="?page=2" rel="next">' in html and 'aria-label="第 2 页"' in html
    assert 'rel="prev"' in second.content.decode()
    assert f"【党建好故事】{articles[1].title}" in page_text(first)


@pytest.mark.parametrize("page_type", PAGE_TYPES)
@pytest.mark.parametrize("page", ["3", "999", "abc", "-1", "0", "1.5", ""])
def test_bad_page_numbers_are_404_on_every_list(client, scopes, page_type, page, settings):
    fill, urls = scopes
    fill(settings.ARTICLES_PER_PAGE + 1)
    assert client.get(urls[page_type], {"page": page}).status_code == (200 if page == "" else 404)


@pytest.mark.parametrize("page_type", PAGE_TYPES)
def test_last_page_is_reachable_by_number_and_by_name(client, scopes, page_type, settings):
    fill, urls = scopes
    articles = fill(settings.ARTICLES_PER_PAGE + 1)
    for page in ("2", "last"):
        response = client.get(urls[page_type], {"page": page})
        assert response.status_code == 200
        assert [a for a in response.context["page_obj"] if a in articles] == articles[-1:]


def count_queries(client, url):
    """The queries of the page, made anew; what every page shares (the site chrome, the schedule of
    articles to come), which a change of articles may leave kept, is made first."""
    warm_what_every_page_shares()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def warm_what_every_page_shares():
    from articles.article_page import shared_furniture
    from articles.cache.entries import next_appearance
    from articles.context_processors import site

    site(None)
    shared_furniture()
    next_appearance([])


@pytest.mark.parametrize("page_type", PAGE_TYPES)
def test_list_query_count_does_not_grow_with_what_the_page_holds(client, scopes, page_type, settings):
    fill, urls = scopes
    fill(1)
    small = count_queries(client, urls[page_type])
    fill(settings.ARTICLES_PER_PAGE)  # a full page, each with its image, unit and tag
    # Home may need one query fewer: a section with fewer than its block among the site's newest
    # articles is read on its own (views.section_blocks).
    assert count_queries(client, urls[page_type]) <= small, page_type


def test_home_query_count_does_not_grow_with_sections(client):
    make_articles(2)
    before = count_queries(client, reverse("articles:home"))
    for i in range(6):
        make_articles(3, section=SectionFactory(name=f"频道{i}"))
    # The navigation lists the sections in one query, the section blocks in two or three.
    assert count_queries(client, reverse("articles:home")) == before


def test_a_section_block_beyond_the_newest_articles_is_read_on_its_own():
    """Blocks come from the site's newest ``window`` articles where they can; a section whose latest
    are older than those, or that has fewer, still shows its latest, newest first, and a draft none."""
    busy, quiet, empty = SectionFactory(name="要闻", order=1), SectionFactory(name="专题", order=2), SectionFactory()
    old = [ArticleFactory(section=quiet, publish_at=DAY - datetime.timedelta(days=10 + i)) for i in range(3)]
    new = [ArticleFactory(section=busy, publish_at=DAY - datetime.timedelta(hours=i)) for i in range(4)]
    ArticleFactory(section=empty, status=Article.Status.DRAFT, publish_at=None)
    blocks = views.section_blocks(per_section=2, window=3)
    assert blocks == [(busy, new[:2]), (quiet, old[:2])]
    assert views.section_blocks(per_section=5, window=3) == [(busy, new), (quiet, old)]


def test_home_opens_with_the_lead_story_then_latest_and_a_block_per_section(client):
    association, industry = SectionFactory(name="协会", order=1), SectionFactory(name="行业", order=2)
    lead, *older = make_articles(3, section=association)
    industry_articles = [
        ArticleFactory(section=industry, title=f"行业文章{i}", publish_at=DAY - datetime.timedelta(days=1, minutes=i))
        for i in range(7)
    ]
    ArticleFactory(section=industry, title="行业草稿", status=Article.Status.DRAFT, publish_at=None)
    response = client.get(reverse("articles:home"))
    assert response.context["lead"] == lead
    html = response.content.decode()
    lead_html = html[html.index('class="lead-story"') : html.index('class="latest"')]
    assert (
        lead.title in lead_html and '<picture class="lead-image">' in lead_html and 'fetchpriority="high"' in lead_html
    )
    text = page_text(response)
    assert_in_order(text, [lead.title, "最新文章", older[0].title, older[1].title, "行业文章0", "协会", "行业"])
    blocks = dict(response.context["sections"])
    assert blocks[association] == [lead, *older]
    assert blocks[industry] == industry_articles[:5]  # the five newest of the section
    assert "行业草稿" not in text and "更多行业文章" in text


def test_home_page_two_is_a_plain_list(client, settings):
    articles = make_articles(settings.ARTICLES_PER_PAGE + 1)
    response = client.get(reverse("articles:home"), {"page": 2})
    assert "lead" not in response.context and list(response.context["page_obj"]) == articles[-1:]


def test_empty_site_pages_are_not_errors(client):
    for url in [reverse("articles:home"), reverse("articles:archive"), SectionFactory().get_absolute_url()]:
        response = client.get(url)
        assert response.status_code == 200
        assert "暂无文章" in page_text(response)


def test_date_archives_follow_shanghai_time_and_skip_the_future(client):
    # 2025-06-12 23:30 in Shanghai is still the 12th there (15:30 UTC).
    late = ArticleFactory(title="深夜文章", publish_at=datetime.datetime(2025, 6, 12, 23, 30, tzinfo=SHANGHAI))
    ArticleFactory(title="五月文章", publish_at=datetime.datetime(2025, 5, 2, 9, 0, tzinfo=SHANGHAI))
    ArticleFactory(title="未来文章", publish_at=timezone.now() + datetime.timedelta(days=40))
    day = client.get(reverse("articles:archive_day", args=[2025, 6, 12]))
    assert list(day.context["page_obj"]) == [late]
    month = page_text(client.get(reverse("articles:archive_month", args=[2025, 6])))
    assert "2025年6月的文章" in month and "深夜文章" in month and "五月文章" not in month
    assert "2025年5月" in month  # link to the previous month with articles
    year = client.get(reverse("articles:archive_year", args=[2025]))
    assert [str(d.month) for d in year.context["date_list"]] == ["5", "6"]
    archive = page_text(client.get(reverse("articles:archive")))
    assert "未来文章" not in archive
    future = timezone.localtime(timezone.now() + datetime.timedelta(days=40))
    assert client.get(reverse("articles:archive_day", args=[future.year, future.month, future.day])).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/archive/2024/",  # no articles that year
        "/archive/2025/13/",
        "/archive/2025/02/30/",
        "/archive/2025/6/",  # one address per date: two digits
        "/archive/25/",
        "/archive/abcd/",
        # Dates at the ends of the calendar: the day after 9999-12-31 and the hours before 0001-01-01
        # in UTC do not exist.
        "/archive/9999/12/31/",
        "/archive/9999/12/",
        "/archive/9999/",
        "/archive/0000/01/01/",
        "/archive/0000/",
        "/archive/0001/01/01/",
        "/archive/0001/01/",
        "/archive/0001/",
        "/archive/2025/13/01/",
        "/archive/2025/00/",
        "/archive/2025/12/00/",
    ],
)
def test_bad_or_empty_dates_are_404(client, url):
    ArticleFactory(publish_at=DAY)
    assert client.get(url).status_code == 404


def test_previous_and_next_dates_near_the_ends_of_the_calendar(client):
    """Articles dated at the start of the calendar (a bad import): every date page and every
    previous/next link from them answers, none with a 500. (Years before 1000 are a 404: Django reads
    a year with four digits.)"""
    dates = [
        datetime.datetime(1, 1, 1, 12, tzinfo=datetime.UTC),
        datetime.datetime(999, 12, 31, 20, tzinfo=datetime.UTC),  # 1000-01-01 in Shanghai
        datetime.datetime(1000, 1, 2, 12, tzinfo=datetime.UTC),
        DAY,
    ]
    todo = [reverse("articles:archive")]
    for moment in dates:
        ArticleFactory(publish_at=moment)
        day = timezone.localtime(moment)
        todo += [
            reverse("articles:archive_year", args=[day.year]),
            reverse("articles:archive_month", args=[day.year, day.month]),
            reverse("articles:archive_day", args=[day.year, day.month, day.day]),
        ]
    seen = set()
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        # Every page the archive links to has articles; only the dates before the year 1000 are none.
        year = url.split("/")[2]  # "" for the archive index
        expected = 404 if year and int(year) < 1000 else 200
        assert response.status_code == expected, (url, response.status_code)
        todo += re.findall(r'href="(/archive/[0-9/]+)"', response.content.decode())
    assert {"/archive/1000/01/01/", "/archive/1000/01/02/", "/archive/2025/06/12/"} <= seen
    assert client.get("/archive/1000/01/01/").status_code == 200


def test_archive_links_have_one_form(client):
    ArticleFactory(publish_at=DAY)
    assert reverse("articles:archive_day", args=[2025, 6, 2]) == "/archive/2025/06/02/"
    html = client.get(reverse("articles:archive_year", args=[2025])).content.decode()
    assert 'href="/archive/2025/06/"' in html


# The article page: related articles, previous/next, reading tools, sharing.


def test_related_articles_rank_shared_units_then_tags_then_column(client):
    column, unit, other_unit = ColumnFactory(), UnitFactory(), UnitFactory()
    article = ArticleFactory(column=column)
    ArticleUnitFactory(article=article, unit=unit)
    ArticleUnitFactory(article=article, unit=other_unit)
    article.tags.add("党建", "基建")
    both_units = ArticleFactory(title="两个共同单位")
    ArticleUnitFactory(article=both_units, unit=unit)
    ArticleUnitFactory(article=both_units, unit=other_unit)
    one_unit_and_tag = ArticleFactory(title="一个单位一个标签")
    ArticleUnitFactory(article=one_unit_and_tag, unit=unit)
    one_unit_and_tag.tags.add("党建")
    two_tags = ArticleFactory(title="两个共同标签")
    two_tags.tags.add("党建", "基建")
    same_column = ArticleFactory(title="同一栏目", column=column)
    ArticleFactory(title="毫无关系")
    draft = ArticleFactory(title="相关草稿", status=Article.Status.DRAFT, publish_at=None, column=column)
    draft.tags.add("党建")
    response = client.get(article.get_absolute_url())
    assert list(response.context["related"]) == [both_units, one_unit_and_tag, two_tags, same_column]
    text = page_text(response)
    assert_in_order(text, ["相关阅读", "两个共同单位", "一个单位一个标签", "两个共同标签", "同一栏目"])
    assert "毫无关系" not in text and "相关草稿" not in text


def test_article_without_units_tags_or_column_has_no_related_section(client):
    ArticleFactory(title="另一篇")
    assert "相关阅读" not in page_text(client.get(ArticleFactory().get_absolute_url()))


def test_previous_and_next_do_not_skip_articles_published_at_the_same_time(client):
    at = timezone.now() - datetime.timedelta(hours=2)
    first, second, third = (ArticleFactory(publish_at=at, title=f"同时{i}") for i in range(3))
    response = client.get(second.get_absolute_url())
    assert response.context["previous_article"] == first and response.context["next_article"] == third


def test_share_bar_links_to_weibo_qq_wechat_qr_and_copy(client):
    article = ArticleFactory(title="分享测试")
    html = client.get(article.get_absolute_url()).content.decode()
    encoded = "http%3A%2F%2Ftestserver%2Farticles%2F" + str(article.pk) + "%2F"
    assert f"https://service.weibo.com/share/share.php?url={encoded}&amp;title=%E5%88%86" in html
    assert f"https://connect.qq.com/widget/shareqq/index.html?url={encoded}" in html
    assert f'src="{reverse("articles:article_qr", args=[article.pk])}"' in html
    assert f'data-url="http://testserver/articles/{article.pk}/"' in html and 'class="copy-link"' in html


def test_reading_tools_offer_three_font_sizes_and_print(client):
    text = page_text(client.get(ArticleFactory().get_absolute_url()))
    assert_in_order(text, ["字号：", "大", "中", "小", "打印"])


def test_article_page_query_count_with_related_and_renditions_is_fixed(client):
    counts = []
    for size in (1, 12):
        article = _article_with(size)
        workflow.article_saved(article)
        for i in range(size):
            related = ArticleFactory()
            related.tags.add(f"标签{article.pk}-{i}")
        counts.append(count_queries(client, article.get_absolute_url()))
    assert counts[0] == counts[1], counts


# About, contact, errors, footer.


def test_about_and_contact_pages_come_from_site_settings(client):
    assert client.get(reverse("articles:about")).status_code == 404
    assert "关于我们" not in page_text(client.get("/"))
    SiteSettings.objects.filter(pk=1).update(about="<p>《国企》杂志社简介。</p>", contact="<p>电话：010-00000000</p>")
    versions.site_changed()  # as the admin does after a save
    about = client.get(reverse("articles:about"))
    assert about.status_code == 200 and "《国企》杂志社简介。" in page_text(about)
    assert "电话：010-00000000" in page_text(client.get(reverse("articles:contact")))
    footer = page_text(client.get("/"))
    assert "关于我们" in footer and "联系我们" in footer


def test_404_page_is_in_the_site_style(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    text = page_text(response)
    assert "页面不存在" in text and "返回首页" in text and "《国企》杂志社官网" in text
    assert 'name="robots" content="noindex"' in response.content.decode()


def test_500_page_renders_without_the_database(rf, django_assert_num_queries):
    from django.views.defaults import server_error

    with django_assert_num_queries(0):
        response = server_error(rf.get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "服务器错误" in html and "/static/css/site.css" in html and 'href="/"' in html


def test_footer_shows_the_filing_numbers_from_settings(client):
    SiteSettings.objects.filter(pk=1).update(
        icp_number="京ICP备00000000号",
        police_number="京公网安备11000000000000号",
        copyright_line="© 2026 《国企》杂志社",
    )
    html = client.get("/").content.decode()
    footer = html[html.index("<footer") :]
    assert '<a href="https://beian.miit.gov.cn/" rel="noopener">京ICP备00000000号</a>' in footer
    assert "京公网安备11000000000000号" in footer and "© 2026 《国企》杂志社" in footer


def test_asset_addresses_follow_the_static_settings(client, settings):
    """Static addresses are worked out once per process, and again when the settings change."""
    settings.PAGE_CACHE_SECONDS = 0
    article = ArticleFactory()
    assert 'href="/static/css/site.css"' in client.get(article.get_absolute_url()).text
    settings.STATIC_URL = "/assets/"
    assert 'href="/assets/css/site.css"' in client.get(article.get_absolute_url()).text


# Nothing of a draft is public


def public_addresses(published):
    """Every public page, feed and sitemap that could name ``published`` or anything near it: those that
    show the article, then the others."""
    day = timezone.localtime(published.publish_at)
    section, column = published.section, published.column
    unit, tag = published.units.get(), published.tags.get()
    showing = [
        reverse("articles:home"),
        section.get_absolute_url(),
        column.get_absolute_url(),
        unit.get_absolute_url(),
        reverse("articles:tag", args=[tag.slug]),
        published.get_absolute_url(),
        reverse("articles:archive"),
        reverse("articles:archive_year", args=[day.year]),
        reverse("articles:archive_month", args=[day.year, day.month]),
        reverse("articles:archive_day", args=[day.year, day.month, day.day]),
        reverse("articles:search") + "?q=共同",
        reverse("news_sitemap"),
    ] + [
        reverse(name, kwargs={**kwargs, "format": format})
        for name, kwargs in [
            ("articles:feed", {}),
            ("articles:section_feed", {"pk": section.pk}),
            ("articles:column_feed", {"pk": column.pk}),
            ("articles:unit_feed", {"pk": unit.pk}),
            ("articles:tag_feed", {"slug": tag.slug}),
        ]
        for format in ("rss", "atom", "json")
    ]
    others = [
        reverse("sitemap"),
        "/robots.txt",
        *(
            reverse("sitemap_section", args=[name])
            for name in ("pages", "articles", "sections", "columns", "tags", "units")
        ),
        reverse("articles:article_qr", args=[published.pk]),
        reverse("articles:subscribe"),
        reverse("articles:search") + "?q=草稿",
        reverse("articles:search") + "?unit=草稿",
    ]
    return showing, others


@pytest.mark.parametrize("state", HIDDEN)
def test_no_public_page_feed_or_sitemap_names_anything_of_an_unpublished_article(client, state):
    section, column, unit = (
        SectionFactory(name="共同频道"),
        ColumnFactory(name="共同栏目"),
        UnitFactory(name="共同单位"),
    )
    published = ArticleFactory(
        title="共同的已发布文章",
        section=section,
        column=column,
        publish_at=timezone.now() - datetime.timedelta(hours=1),
    )  # within the news sitemap's 48 hours
    hidden = ArticleFactory(title="草稿的标题", section=section, column=column, **HIDDEN[state])
    for article in (published, hidden):
        ArticleUnitFactory(article=article, unit=unit)
        article.tags.add("共同标签")
        ArticleImageFactory(article=article, caption=f"{article.title}的图注")
        workflow.article_saved(article)
    ArticleUnitFactory(article=hidden, unit=UnitFactory(name="草稿的单位"))
    hidden.tags.add("草稿的标签")

    def media(article):
        image = article.images.get()
        return [PurePath(file.name).stem for file in [image.image, *(r.file for r in image.renditions.all())]]

    secrets = ["草稿的", *media(hidden)]  # its title, caption, unit and tag, its image and renditions
    seen_media = set()
    showing, others = public_addresses(published)
    for url in showing + others:
        response = client.get(url)
        assert response.status_code == 200, url
        content = response.content.decode()
        assert (published.title in squeeze(page_text(response))) == (url in showing), url  # search marks words
        seen_media.update(stem for stem in media(published) if stem in content)
        for secret in secrets:
            assert secret not in content, (url, secret)
    # The published article's image and its renditions are linked somewhere: the check can see media.
    assert seen_media == set(media(published)) and len(seen_media) == 3


# The dateline (source, column, author) opens the first paragraph, whatever comes before it.


def article_html(client, article):
    return client.get(article.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    "opening",
    [
        "<h2>小标题</h2>",
        "<p></p><h3>一、基本情况</h3>",
        "<blockquote><p>引言一段。</p></blockquote>",
        '<figure data-image="IMAGE"></figure>',
    ],
)
def test_the_dateline_opens_the_first_paragraph_after_a_heading_or_an_image(client, opening):
    article = ArticleFactory(source="《国企》杂志融媒浙江讯", author="江风", column=ColumnFactory(name="党建好故事"))
    image = ArticleImageFactory(article=article, caption="签约仪式")
    article.body = opening.replace("IMAGE", str(image.pk)) + "<p>第一段正文。</p><p>第二段。</p>"
    article.save()
    workflow.article_saved(article)  # as the admin does
    html = article_html(client, article)
    assert '<p><span class="dateline">《国企》杂志融媒浙江讯（党建好故事 江风）</span>第一段正文。</p>' in html
    assert html.count('class="dateline"') == 1


def test_an_empty_source_prints_no_empty_brackets(client):
    article = ArticleFactory(source="", author="王编辑", body="<p>第一段正文。</p>")
    html = article_html(client, article)
    text = page_text(client.get(article.get_absolute_url()))
    assert "（王编辑）" not in text and "（" not in html.split('class="article-body"')[1].split("</p>")[0]
    assert "王编辑" in text  # the author is still named, in the line under the title
    column_only = ArticleFactory(source="", author="", column=ColumnFactory(name="党建好故事"), body="<p>正文。</p>")
    assert "（党建好故事）" not in page_text(client.get(column_only.get_absolute_url()))


# Units and tags merged into others: their old addresses lead to the kept one.


def test_a_merged_units_page_redirects_to_the_unit_kept(client):
    kept, duplicate = UnitFactory(name="浙江省第一建筑工程集团"), UnitFactory(name="浙江一建")
    ArticleUnitFactory(unit=duplicate, article=ArticleFactory(title="浙江一建的文章"))
    old = reverse("articles:unit", args=[duplicate.pk])
    assert client.get(old).status_code == 200
    workflow.merge_units(kept, [duplicate])
    # Page 1 is written without a parameter, and a parameter no page reads is dropped (see cache.py).
    response = client.get(old, {"page": "1", "utm_source": "wechat"})
    assert response.status_code == 301 and response["Location"] == kept.get_absolute_url()
    assert "浙江一建的文章" in page_text(client.get(response["Location"]))
    assert client.get(reverse("articles:unit", args=[kept.pk + 100])).status_code == 404  # never a unit


def test_a_merged_tags_page_redirects_to_the_tag_kept(client):
    article = ArticleFactory(title="有标签的文章")
    article.tags.add("党建")
    workflow.merge_tags(Tag.objects.create(name="党的建设", slug="dang-de-jian-she"), [Tag.objects.get(name="党建")])
    response = client.get(reverse("articles:tag", args=["党建"]))
    assert response.status_code == 301 and response["Location"] == reverse("articles:tag", args=["dang-de-jian-she"])
    assert "有标签的文章" in page_text(client.get(response["Location"]))


def test_a_merged_address_never_names_a_unit_readers_cannot_see(client):
    kept, duplicate = UnitFactory(name="只有草稿的单位"), UnitFactory(name="重复的单位")
    old = reverse("articles:unit", args=[duplicate.pk])
    ArticleUnitFactory(unit=kept, article=ArticleFactory(status="draft", publish_at=None))
    workflow.merge_units(kept, [duplicate])
    assert client.get(old).status_code == 404


def test_a_new_tag_with_a_merged_tags_address_takes_it_back(client):
    for name in ("党建", "党的建设"):
        ArticleFactory().tags.add(name)
    workflow.merge_tags(Tag.objects.get(name="党的建设"), [Tag.objects.get(name="党建")])
    ArticleFactory(title="新标签的文章").tags.add("党建")
    response = client.get(reverse("articles:tag", args=["党建"]))
    assert response.status_code == 200 and "新标签的文章" in page_text(response)


def test_lists_leave_the_article_bodies_in_the_database(client, settings):
    """A list shows titles, dates and summaries: the body and its HTML (the longest columns) are not read."""
    settings.PAGE_CACHE_SECONDS = 0
    section = SectionFactory()
    ArticleFactory.create_batch(3, section=section, body="<p>" + "正文" * 2000 + "</p>")
    article = ArticleFactory(section=section, title="第四篇")
    article.tags.add("党建")
    for path in ("/", section.get_absolute_url(), reverse("articles:tag", args=["党建"])):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        reads = [query["sql"] for query in queries if 'FROM "articles_article"' in query["sql"]]
        assert reads and not any('"articles_article"."body' in sql for sql in reads), path
    # Search results show passages of the body: it is read there, once for the page.
    workflow.article_saved(article)  # indexed
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("articles:search"), {"q": "第四篇"})
    assert "正文第一段" in page_text(response)  # the result's excerpt, from its body
    reads = [query["sql"] for query in queries if '"articles_article"."body"' in query["sql"]]
    assert len(reads) == 1


def test_a_tag_saved_without_a_slug_gets_one_and_its_pages_work_again(client):
    """Before the article form refused such names, "——" was saved with an empty slug and its
    article's page and the tag sitemap answered 500: migration 0027 gives it tag-<id>."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("articles.migrations.0027_tags_without_slug")
    article = ArticleFactory()
    tag = Tag.objects.create(name="——", slug="")
    article.tags.add(tag)
    migration.give_slugs(apps, None)
    tag.refresh_from_db()
    assert tag.slug == f"tag-{tag.pk}"
    workflow.article_saved(article)
    assert client.get(article.get_absolute_url()).status_code == 200
    assert client.get(reverse("articles:tag", args=[tag.slug])).status_code == 200
    assert tag.slug in client.get("/sitemap-tags.xml").content.decode()
