import datetime
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone
from reversion.models import Version
from taggit.models import Tag

from articles import review, versions, workflow
from articles.models import Article, SiteSettings, TagRedirect, Unit, UnitRedirect

from .factories import ArticleFactory, ArticleUnitFactory, UnitFactory


@pytest.mark.django_db
def test_publish_and_unpublish_move_the_versions_of_where_the_article_is_shown():
    article = ArticleFactory(status="draft", publish_at=None)
    shown = [versions.ARTICLES, versions.article(article.pk), versions.section(article.section_id)]
    version = versions.current(shown)
    workflow.publish(article)
    assert article.is_published and all(a != b for a, b in zip(versions.current(shown), version, strict=True))
    version = versions.current(shown)
    workflow.unpublish(article)
    assert not article.is_published and all(a != b for a, b in zip(versions.current(shown), version, strict=True))


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
    version = versions.current([versions.ARTICLES])
    transition(article)
    article.refresh_from_db()
    # Only a change readers see makes pages cold: a draft going to review is shown nowhere.
    shown = "published" in (start, end)
    assert article.status == end and (versions.current([versions.ARTICLES]) != version) == shown
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


# Review levels: 初审, 复审, 终审, each by a different person.


def set_review_levels(levels):
    SiteSettings.objects.update_or_create(pk=1, defaults={"review_levels": levels})


@pytest.fixture
def newsroom(django_user_model):
    """A contributor, two reviewers and two editors, each in their role."""
    from .conftest import member

    return {
        "writer": member(django_user_model, "xiezhe", "撰稿"),
        "reviewer_a": member(django_user_model, "shenhe_a", "审核"),
        "reviewer_b": member(django_user_model, "shenhe_b", "审核"),
        "editor": member(django_user_model, "bianji", "编辑"),
        "editor_2": member(django_user_model, "bianji_2", "编辑"),
    }


def comments(article):
    return [
        (v.revision.user.username, v.revision.get_comment())
        for v in Version.objects.get_for_object(article).order_by("pk")
    ]


@pytest.mark.django_db
def test_three_levels_each_by_a_different_person(newsroom):
    set_review_levels(3)
    p = newsroom
    article = ArticleFactory(status="draft", publish_at=None, created_by=p["writer"], title="三审的稿件")
    workflow.submit_for_review(article, p["writer"])
    assert review.pending_step(article, 3) == review.FIRST
    with pytest.raises(PermissionDenied):  # a writer reviews nothing
        workflow.pass_review(article, p["writer"])
    with pytest.raises(workflow.TransitionNotAllowed):  # not before the first and second reviews
        workflow.publish(article, user=p["editor"])
    workflow.pass_review(article, p["reviewer_a"])
    assert (article.status, article.review_stage, review.pending_step(article, 3)) == ("review", 1, review.SECOND)
    with pytest.raises(PermissionDenied, match="不同的人"):  # A did the first review
        workflow.pass_review(article, p["reviewer_a"])
    with pytest.raises(workflow.TransitionNotAllowed, match="正等待复审"):
        workflow.publish(article, user=p["editor"])
    workflow.pass_review(article, p["reviewer_b"])
    assert review.pending_step(article, 3) == review.FINAL
    with pytest.raises(PermissionDenied):  # a reviewer does not publish
        workflow.publish(article, user=p["reviewer_b"])
    with pytest.raises(workflow.TransitionNotAllowed):  # the final review is publishing
        workflow.pass_review(article, p["editor"])
    assert not Article.objects.published().filter(pk=article.pk).exists()
    workflow.publish(article, user=p["editor"])
    assert article.is_published and article.review_stage == 0 and not article.review_steps.exists()
    assert comments(article) == [
        ("xiezhe", "已提交审核，等待初审。"),
        ("shenhe_a", "初审通过，等待复审。"),
        ("shenhe_b", "复审通过，等待终审。"),
        ("bianji", "终审通过，已发布。"),
    ]


@pytest.mark.django_db
def test_nobody_does_the_final_review_of_a_round_they_took_part_in(newsroom):
    set_review_levels(2)
    p = newsroom
    article = ArticleFactory(status="draft", publish_at=None, created_by=p["editor"])
    workflow.submit_for_review(article, p["editor"])  # an editor who writes does not review it
    with pytest.raises(PermissionDenied):
        workflow.pass_review(article, p["editor"])
    workflow.pass_review(article, p["editor_2"])  # editors may do the first review too
    for who in ("editor", "editor_2"):
        with pytest.raises(PermissionDenied):
            workflow.publish(article, user=p[who])
    assert article.status == "review"
    third = newsroom["reviewer_a"]
    third.groups.add(Group.objects.get(name="编辑"))
    third = type(third).objects.get(pk=third.pk)  # permissions are cached per user object
    workflow.publish(article, user=third)
    assert article.is_published


@pytest.mark.django_db
def test_returned_for_changes_with_a_reason_then_a_new_round(newsroom):
    set_review_levels(3)
    p = newsroom
    article = ArticleFactory(status="draft", publish_at=None, created_by=p["writer"])
    workflow.submit_for_review(article, p["writer"])
    workflow.pass_review(article, p["reviewer_a"])
    with pytest.raises(PermissionDenied):  # A passed the first review; the second is B's to return or pass
        workflow.return_to_draft(article, p["reviewer_a"], reason="再改改")
    workflow.return_to_draft(article, p["reviewer_b"], reason="第二段数据需核实。")
    assert (article.status, article.review_stage, article.return_reason) == ("draft", 0, "第二段数据需核实。")
    assert comments(article)[-1] == ("shenhe_b", "退回修改：第二段数据需核实。")
    workflow.article_saved(article, p["writer"])  # the writer may change it again
    workflow.submit_for_review(article, p["writer"])
    assert article.return_reason == ""
    workflow.pass_review(article, p["reviewer_b"])  # a new round: B may do the first review now
    workflow.pass_review(article, p["reviewer_a"])
    workflow.publish(article, user=p["editor"])
    assert article.is_published


@pytest.mark.django_db
def test_with_one_level_an_editor_publishes_what_they_submitted(newsroom):
    p = newsroom
    article = ArticleFactory(status="draft", publish_at=None, created_by=p["editor"])
    workflow.submit_for_review(article, p["editor"])
    with pytest.raises(workflow.TransitionNotAllowed):
        workflow.pass_review(article, p["reviewer_a"])
    workflow.publish(article, user=p["editor"])
    assert article.is_published and comments(article)[-1] == ("bianji", "已发布。")


@pytest.mark.django_db
def test_lowering_the_levels_during_a_round_leaves_the_final_review(newsroom):
    set_review_levels(3)
    p = newsroom
    article = ArticleFactory(status="draft", publish_at=None, created_by=p["writer"])
    workflow.submit_for_review(article, p["writer"])
    workflow.pass_review(article, p["reviewer_a"])
    set_review_levels(2)
    assert review.pending_step(article, 2) == review.FINAL
    workflow.publish(article, user=p["editor"])
    assert article.is_published


@pytest.mark.django_db
def test_a_scheduled_article_can_be_rescheduled_and_withdrawn_whatever_the_levels(newsroom):
    set_review_levels(3)
    article = ArticleFactory(publish_at=timezone.now() + datetime.timedelta(days=1))
    later = timezone.now() + datetime.timedelta(days=2)
    assert workflow.publish(article, at=later, user=newsroom["editor"]).startswith("定时发布于")
    assert workflow.unpublish(article, user=newsroom["editor"]) == "已撤回。"
    with pytest.raises(workflow.TransitionNotAllowed):  # back to readers only through the reviews
        workflow.publish(article, user=newsroom["editor"])


@pytest.mark.django_db
def test_a_save_that_changes_nothing_keeps_no_revision():
    article = ArticleFactory(title="原标题")
    article.tags.add("党建")
    ArticleUnitFactory(article=article)
    assert workflow.article_saved(article) is True
    version = versions.content_version()
    article.save()
    assert workflow.article_saved(article) is False
    assert Version.objects.get_for_object(article).count() == 1 and versions.content_version() == version
    for change in (lambda: article.tags.add("新标签"), lambda: article.unit_links.get().delete()):
        change()
        assert workflow.article_saved(article) is True
    Article.objects.filter(pk=article.pk).update(title="改了")
    article.refresh_from_db()
    assert workflow.article_saved(article) is True
    assert Version.objects.get_for_object(article).count() == 4


@pytest.mark.django_db
def test_merged_units_and_tags_leave_their_addresses_to_the_kept_one():
    kept, middle, first = UnitFactory(name="甲"), UnitFactory(name="乙"), UnitFactory(name="丙")
    gone = {first.pk: kept.pk, middle.pk: kept.pk}
    ArticleUnitFactory(unit=first)
    workflow.merge_units(middle, [first])
    workflow.merge_units(kept, [middle])  # what was merged into the middle one follows it
    assert dict(UnitRedirect.objects.values_list("old_id", "unit")) == gone
    article = ArticleFactory()
    article.tags.add("党建", "党的建设")
    workflow.merge_tags(Tag.objects.get(name="党的建设"), [Tag.objects.get(name="党建")])
    assert TagRedirect.objects.get().tag.name == "党的建设"
