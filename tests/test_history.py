"""Comparing revisions: what changed inside a paragraph, not whole lines."""

import re

import pytest
from reversion.models import Version

from articles import history


def test_a_changed_word_inside_a_chinese_paragraph_is_marked_alone():
    old = ["浙江一建召开季度安全生产会议，部署下一阶段重点工作。", "第二段没有改。"]
    new = ["浙江一建召开半年安全生产会议，部署下一阶段重点工作。", "第二段没有改。"]
    assert history._diff(old, new) == (
        "<div>浙江一建召开<del>季度</del><ins>半年</ins>安全生产会议，部署下一阶段重点工作。</div>"
        "<div>第二段没有改。</div>"
    )


def test_latin_words_and_numbers_change_whole():
    assert history._diff(["建成5G基站1200座"], ["建成6G基站1500座"]) == (
        "<div>建成<del>5G</del><ins>6G</ins>基站<del>1200</del><ins>1500</ins>座</div>"
    )


def test_changes_are_escaped():
    assert history._diff(["a <b> 旧"], ["a <i> 旧"]) == "<div>a &lt;<del>b</del><ins>i</ins>&gt; 旧</div>"


def test_a_paragraph_rewritten_whole_is_one_deletion_and_one_insertion():
    assert history._diff(["完全不同的一段话"], ["另外写的内容"]) == (
        "<div><del>完全不同的一段话</del></div><div><ins>另外写的内容</ins></div>"
    )


def test_paragraphs_added_and_removed_stay_whole():
    assert history._diff(["第一段", "删掉的段落"], ["第一段", "新加的段落", "再加一段"]) == (
        "<div>第一段</div><div><del>删掉的段落</del></div><div><ins>新加的段落</ins></div><div><ins>再加一段</ins></div>"
    )


@pytest.mark.django_db
def test_restoring_a_revision_keeps_the_review_round(django_user_model):
    from articles import workflow
    from articles.models import SiteSettings

    from .conftest import member
    from .factories import ArticleFactory

    SiteSettings.objects.update_or_create(pk=1, defaults={"review_levels": 3})
    writer, reviewer = member(django_user_model, "xiezhe", "撰稿"), member(django_user_model, "shenhe", "审核")
    article = ArticleFactory(status="draft", publish_at=None, title="初稿", created_by=writer)
    workflow.article_saved(article, writer)
    draft_time = Version.objects.get_for_object(article).get()
    workflow.submit_for_review(article, writer)
    workflow.return_to_draft(article, reviewer, reason="请改标题。")
    workflow.submit_for_review(article, writer)
    workflow.pass_review(article, reviewer)
    history.revert(draft_time)
    article.refresh_from_db()
    assert (article.status, article.review_stage, article.return_reason) == ("review", 1, "")
    assert list(article.review_steps.values_list("step", "user__username")) == [(0, "xiezhe"), (1, "shenhe")]


def test_compare_shows_the_publish_time_in_shanghai_time(editor_client):
    import datetime

    from django.urls import reverse

    from articles import workflow

    from .factories import ArticleFactory

    article = ArticleFactory(publish_at=datetime.datetime(2026, 12, 4, 2, 0, 5, tzinfo=datetime.UTC))
    workflow.article_saved(article)
    article.publish_at = datetime.datetime(2026, 12, 4, 3, 30, tzinfo=datetime.UTC)
    article.save()
    workflow.article_saved(article)
    older, newer = Version.objects.get_for_object(article).order_by("pk")
    url = reverse("admin:articles_article_compare", args=[article.pk])
    page = editor_client.get(url, {"from": older.pk, "to": newer.pk}).content.decode()
    row = re.search(r"<th scope=\"row\">发布时间</th><td[^>]*>(.*?)</td>", page, re.DOTALL)[1]
    shown_before = re.sub(r"<[^>]+>", "", re.sub(r"<ins>.*?</ins>", "", row))
    shown_after = re.sub(r"<[^>]+>", "", re.sub(r"<del>.*?</del>", "", row))
    assert (shown_before.strip(), shown_after.strip()) == ("2026-12-04 10:00:05", "2026-12-04 11:30:00"), row
