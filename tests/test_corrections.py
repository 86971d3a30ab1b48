"""Corrections (更正/说明) of published articles: recorded on the change form, shown to readers."""

import datetime
import json
import re

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles import workflow
from articles.models import Article, Correction

from .factories import ArticleFactory
from .pagetext import page_text
from .test_admin import change_data, inline_management

pytestmark = pytest.mark.django_db


def correction_rows(*rows):
    """The inline's POST data for new corrections: (kind, time, text) each."""
    data = inline_management("corrections", total=len(rows))
    for i, (kind, moment, text) in enumerate(rows):
        local = timezone.localtime(moment)
        data.update(
            {
                f"corrections-{i}-kind": kind,
                f"corrections-{i}-made_at_0": local.strftime("%Y-%m-%d"),
                f"corrections-{i}-made_at_1": local.strftime("%H:%M:%S"),
                f"corrections-{i}-text": text,
            }
        )
    return data


def json_ld(html):
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)[1])


@pytest.fixture
def published(editor):
    article = ArticleFactory(title="已发布的新闻稿", publish_at=timezone.now() - datetime.timedelta(days=2))
    workflow.article_saved(article, editor)
    Article.objects.filter(pk=article.pk).update(updated_at=timezone.now() - datetime.timedelta(days=2))
    article.refresh_from_db()
    return article


def test_an_editor_records_corrections_and_readers_see_them_under_the_body_in_order(editor_client, client, published):
    page = client.get(published.get_absolute_url())
    before_modified = json_ld(page.content.decode())["dateModified"]
    feed_before = feedparser.parse(client.get("/feeds/atom.xml").content).entries[0].updated
    url = reverse("admin:articles_article_change", args=[published.pk])
    form = editor_client.get(url)
    assert "corrections-TOTAL_FORMS" in form.content.decode() and "更正与说明" in page_text(form)
    first, second = timezone.now() - datetime.timedelta(hours=2), timezone.now() - datetime.timedelta(hours=1)
    rows = correction_rows(
        ("clarification", second, "文中“二期”指临安校区二期工程。"),
        ("correction", first, "原稿将项目名称误写为“临安一期”，已更正。"),
    )
    response = editor_client.post(url, {**change_data(published), **rows})
    assert response.status_code == 302, page_text(response)[:3000]
    assert Correction.objects.filter(article=published).count() == 2
    # One path: the save kept a revision holding the corrections, and the page is fresh.
    latest = Version.objects.get_for_object(published).first()
    assert {v.content_type.model for v in latest.revision.version_set.all()} >= {"article", "correction"}
    page = client.get(published.get_absolute_url())
    text = page_text(page)
    assert text.index("原稿将项目名称误写") < text.index("文中“二期”指") and "更正与说明" in text
    first_local = timezone.localtime(first).strftime("%Y-%m-%d %H:%M")
    assert f"更正（{first_local}）：原稿将项目名称误写为“临安一期”，已更正。".replace(" ", "") in text.replace(" ", "")
    # The body comes first, then the corrections.
    assert text.index("正文第二段") < text.index("更正与说明")
    data = json_ld(page.content.decode())
    assert data["dateModified"] > before_modified
    assert [c["text"] for c in data["correction"]] == [
        "原稿将项目名称误写为“临安一期”，已更正。",
        "文中“二期”指临安校区二期工程。",
    ]
    assert all(c["@type"] == "CorrectionComment" for c in data["correction"])
    assert feedparser.parse(client.get("/feeds/atom.xml").content).entries[0].updated > feed_before
    # The public 更正 page lists both, newest first, each with its article.
    listing = page_text(client.get(reverse("articles:corrections")))
    assert listing.index("文中“二期”指") < listing.index("原稿将项目名称误写") and "已发布的新闻稿" in listing


def test_a_save_adding_only_a_correction_is_a_change(editor_client, published):
    """The article's fields unchanged: the correction alone makes a revision and a fresh page."""
    url = reverse("admin:articles_article_change", args=[published.pk])
    revisions = Version.objects.get_for_object(published).count()
    rows = correction_rows(("correction", timezone.now(), "更正一处错字。"))
    assert editor_client.post(url, {**change_data(published), **rows}).status_code == 302
    assert Version.objects.get_for_object(published).count() == revisions + 1


def test_corrections_of_articles_not_public_are_not_listed(client):
    hidden = ArticleFactory(title="草稿", status=Article.Status.DRAFT, publish_at=None)
    embargoed = ArticleFactory(title="禁发稿", embargo_until=timezone.now() + datetime.timedelta(days=1))
    for article in (hidden, embargoed):
        Correction.objects.create(article=article, text=f"{article.title}的更正")
    response = client.get(reverse("articles:corrections"))
    assert response.status_code == 200 and "暂无更正" in page_text(response)


def test_the_corrections_page_is_paginated(client, settings):
    article = ArticleFactory(title="多次更正的文章")
    now = timezone.now()
    Correction.objects.bulk_create(
        [
            Correction(article=article, text=f"第{n}条更正", made_at=now - datetime.timedelta(minutes=n))
            for n in range(25)
        ]
    )
    first = page_text(client.get(reverse("articles:corrections")))
    assert "第0条更正" in first and "第24条更正" not in first
    second = client.get(reverse("articles:corrections") + "?page=2")
    assert second.status_code == 200 and "第24条更正" in page_text(second)
    assert client.get(reverse("articles:corrections") + "?page=9").status_code == 404


def test_only_roles_that_publish_record_corrections(client, contributor, published):
    """A contributor cannot change a published article at all; the inline is an editor's."""
    client.force_login(contributor)
    url = reverse("admin:articles_article_change", args=[published.pk])
    rows = correction_rows(("correction", timezone.now(), "撰稿人写的更正"))
    response = client.post(url, {**change_data(published), **rows})
    assert response.status_code == 403
    assert not Correction.objects.exists()
