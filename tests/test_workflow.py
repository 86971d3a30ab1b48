import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from reversion.models import Version

from articles import versions, workflow
from articles.models import Article, Unit

from .factories import ArticleFactory, ArticleUnitFactory, UnitFactory


@pytest.mark.django_db
def test_publish_and_unpublish_change_the_content_version():
    article = ArticleFactory(status="draft", publish_at=None)
    version = versions.content_version()
    workflow.publish(article)
    assert article.is_published and versions.content_version() > version
    version = versions.content_version()
    workflow.unpublish(article)
    assert not article.is_published and versions.content_version() > version


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "transition", "end"),
    [
        ("draft", workflow.submit_for_review, "review"),
        ("unpublished", workflow.submit_for_review, "review"),
        ("review", workflow.return_to_draft, "draft"),
        ("draft", workflow.publish, "published"),
        ("review", workflow.publish, "published"),
        ("unpublished", workflow.publish, "published"),
        ("published", workflow.unpublish, "unpublished"),
    ],
)
def test_workflow_transitions(start, transition, end):
    article = ArticleFactory(status=start, publish_at=None if start != "published" else timezone.now())
    version = versions.content_version()
    transition(article)
    article.refresh_from_db()
    assert article.status == end and versions.content_version() > version
    assert Version.objects.get_for_object(article).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "transition"),
    [
        ("review", workflow.submit_for_review),
        ("published", workflow.submit_for_review),
        ("draft", workflow.unpublish),
        ("unpublished", workflow.unpublish),
        ("draft", workflow.return_to_draft),
        ("published", workflow.return_to_draft),
    ],
)
def test_transitions_the_workflow_does_not_allow(start, transition):
    article = ArticleFactory(status=start, publish_at=timezone.now() if start == "published" else None)
    with pytest.raises(workflow.TransitionNotAllowed):
        transition(article)
    article.refresh_from_db()
    assert article.status == start


@pytest.mark.django_db
def test_publish_at_a_future_time_schedules_without_cron():
    article = ArticleFactory(status="review", publish_at=None)
    later = timezone.now() + datetime.timedelta(hours=2)
    workflow.publish(article, at=later)
    assert article.status == "published" and article.publish_at == later
    assert not Article.objects.published().filter(pk=article.pk).exists()
    Article.objects.filter(pk=article.pk).update(publish_at=timezone.now() - datetime.timedelta(seconds=1))
    assert Article.objects.published().filter(pk=article.pk).exists()
    assert Version.objects.get_for_object(article).get().revision.get_comment().startswith(("Scheduled", "定时"))


@pytest.mark.django_db
def test_trash_hides_everywhere_restore_brings_back_purge_deletes_after_30_days():
    article = ArticleFactory()
    workflow.trash(article)
    assert not Article.objects.published().filter(pk=article.pk).exists() and not article.is_published
    with pytest.raises(workflow.TransitionNotAllowed):
        workflow.publish(article)
    workflow.restore(article)
    assert Article.objects.published().filter(pk=article.pk).exists()

    old, recent = ArticleFactory(), ArticleFactory()
    workflow.trash(old)
    workflow.trash(recent)
    Article.objects.filter(pk=old.pk).update(deleted_at=timezone.now() - datetime.timedelta(days=31))
    Article.objects.filter(pk=recent.pk).update(deleted_at=timezone.now() - datetime.timedelta(days=29))
    out = StringIO()
    call_command("purge_trash", stdout=out)
    assert "1 article(s) purged" in out.getvalue()
    assert set(Article.objects.values_list("pk", flat=True)) == {article.pk, recent.pk}


@pytest.mark.django_db
def test_merge_units_moves_articles_without_duplicate_links():
    kept = UnitFactory(name="浙江省第一建筑工程集团")
    duplicate = UnitFactory(name="浙江一建", website="https://example.com/")
    both, only_duplicate = ArticleFactory(), ArticleFactory()
    ArticleUnitFactory(article=both, unit=kept, order=0)
    ArticleUnitFactory(article=both, unit=duplicate, order=1)
    ArticleUnitFactory(article=only_duplicate, unit=duplicate, order=3)
    moved = workflow.merge_units(kept, [duplicate])
    assert moved == 1
    assert not Unit.objects.filter(pk=duplicate.pk).exists()
    assert list(both.units.all()) == [kept] and list(only_duplicate.units.all()) == [kept]
    assert only_duplicate.unit_links.get().order == 3
    kept.refresh_from_db()
    assert kept.website == "https://example.com/"
