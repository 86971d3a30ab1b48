import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article

from .factories import ArticleFactory, ArticleImageFactory, ArticleUnitFactory, ColumnFactory, UnitFactory
from .pagetext import assert_in_order, page_text

pytestmark = pytest.mark.django_db

LATER = timezone.now() + datetime.timedelta(days=2)


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


def test_lists_show_only_published_articles(client, hidden_articles):
    visible = ArticleFactory(title="已发布文章", section=hidden_articles[0].section)
    unit = UnitFactory()
    for article in [visible, *hidden_articles]:
        ArticleUnitFactory(article=article, unit=unit)
        article.tags.add("党建")
    for url in [
        reverse("articles:home"),
        visible.section.get_absolute_url(),
        unit.get_absolute_url(),
        reverse("articles:tag", args=["党建"]),
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
        with CaptureQueriesContext(connection) as queries:
            response = client.get(article.get_absolute_url())
        assert response.status_code == 200
        assert response.content.decode().count("<figure") == size
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
