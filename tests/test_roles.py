"""Roles hold on every route: only a role allowed to publish changes what the public sees.

A contributor (撰稿) changes only their own drafts, until they submit them; editors (编辑) change
anything. Each test acts as a user would, through the admin's URLs, and checks what readers see.
"""

import json
import os
import subprocess
import sys

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse
from reversion.models import Version
from taggit.models import Tag, TaggedItem

from articles import versions, workflow
from articles.models import (
    Album,
    AlbumImage,
    Article,
    ArticleContact,
    ArticleImage,
    ArticleUnit,
    Column,
    CopyrightNotice,
    Correction,
    FlaggedWord,
    MediaContact,
    PreviewLink,
    PromoBlock,
    ReviewStep,
    Section,
    SiteSettings,
    TagRedirect,
    Unit,
    UnitRedirect,
)

from .conftest import make_roles, member
from .factories import ArticleFactory, ArticleImageFactory, ArticleUnitFactory, SectionFactory, UnitFactory
from .pagetext import page_text
from .servers import PROJECT
from .test_admin import article_data, change_data, inline_management

pytestmark = pytest.mark.django_db

reader = Client


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def written_then_published(title="原标题", body="<p>原来的正文。</p>"):
    """A published article whose history starts with its draft, the way articles are made."""
    article = ArticleFactory(status="draft", publish_at=None, title=title, body=body)
    workflow.article_saved(article)
    workflow.publish(article)
    return article


def assert_public(article, text):
    response = reader().get(article.get_absolute_url())
    assert response.status_code == 200 and text in page_text(response)


# django-reversion's routes.


def test_recover_cannot_put_a_published_article_back_to_draft(contributor_client):
    article = written_then_published()
    draft_version = Version.objects.get_for_object(article).order_by("pk").first()
    url = f"{reverse('admin:articles_article_changelist')}recover/{draft_version.pk}/"
    opened = contributor_client.get(url)
    token = opened.context["adminform"].form["edit_token"].value() if opened.status_code == 200 else ""
    response = contributor_client.post(url, change_data(article, title="撰稿人改的", edit_token=token))
    assert response.status_code != 200
    article.refresh_from_db()
    assert article.status == "published" and article.title == "原标题"
    assert_public(article, "原标题")


def test_recover_routes_are_gone(editor_client):
    article = written_then_published()
    version = Version.objects.get_for_object(article).first()
    base = reverse("admin:articles_article_changelist")
    for url in [f"{base}recover/", f"{base}recover/{version.pk}/"]:
        # The admin takes "recover" for the id of an article, finds none and says so on its index page.
        response = editor_client.get(url, follow=True)
        assert response.redirect_chain[-1][0] == reverse("admin:index") and "不存在" in page_text(response)
    editor_client.post(f"{base}recover/{version.pk}/", change_data(article, title="改了"))
    article.refresh_from_db()
    assert article.title == "原标题"


def test_reverting_to_the_revision_made_at_deletion_cannot_trash_a_published_article(contributor_client):
    """The revision recorded when an article went to the trash says "in the trash"; restoring it
    brings back text, never the workflow state, and a contributor may not revert a published article."""
    article = written_then_published()
    workflow.trash(article)
    workflow.restore(article)
    trashed = Version.objects.get_for_object(article).order_by("pk")[2]
    assert trashed.field_dict["deleted_at"] is not None
    url = reverse("admin:articles_article_revision", args=[article.pk, trashed.pk])
    response = contributor_client.post(url, change_data(article, title="撰稿人改的"))
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.deleted_at is None and article.title == "原标题"
    assert_public(article, "原标题")


def test_an_editor_reverting_to_the_revision_made_at_deletion_keeps_the_article_public(editor_client):
    article = written_then_published()
    workflow.trash(article)
    workflow.restore(article)
    trashed = Version.objects.get_for_object(article).order_by("pk")[2]
    url = reverse("admin:articles_article_revision", args=[article.pk, trashed.pk])
    form = editor_client.get(url)
    assert form.status_code == 200
    data = change_data(article, title="编辑改的", edit_token=form.context["adminform"].form["edit_token"].value())
    assert editor_client.post(url, data).status_code == 302
    article.refresh_from_db()
    assert article.deleted_at is None and article.status == "published"
    assert_public(article, "编辑改的")


def test_a_revision_route_reverts_only_that_articles_revision(contributor_client, contributor):
    """A version of another model whose id is the contributor's draft's id (ids of different tables
    coincide) belongs to another article's revision: reverting it must not touch that article."""
    draft = ArticleFactory(status="draft", publish_at=None, title="我的草稿", created_by=contributor)
    published = ArticleFactory(status="draft", publish_at=None, title="原标题")
    ArticleUnitFactory(id=draft.pk, article=published)
    workflow.article_saved(published)  # its draft-time revision holds the unit link
    workflow.publish(published)
    link_version = Version.objects.get_for_model(ArticleUnit).filter(object_id=str(draft.pk)).order_by("pk").first()
    url = reverse("admin:articles_article_revision", args=[draft.pk, link_version.pk])
    assert contributor_client.get(url).status_code == 404
    assert contributor_client.post(url, change_data(draft, title="我的草稿")).status_code == 404
    published.refresh_from_db()
    assert published.status == "published"
    assert_public(published, "原标题")


def test_looking_at_a_revision_leaves_nothing_behind(editor_client, contributor_client):
    article = written_then_published()
    ArticleImageFactory(article=article)  # added after the first revision: a revert would delete it
    workflow.article_saved(article)
    first = Version.objects.get_for_object(article).order_by("pk").first()
    url = reverse("admin:articles_article_revision", args=[article.pk, first.pk])
    before = versions.content_version()
    for client in (editor_client, contributor_client):  # a contributor may look (read only)
        response = client.get(url)
        assert response.status_code == 200
    article.refresh_from_db()
    assert article.images.count() == 1 and article.status == "published"
    assert versions.content_version() == before
    assert Version.objects.get_for_object(article).count() == 3


def test_a_revert_keeps_who_wrote_the_article(editor, contributor):
    """A revision made before the article knew its writer must not make it nobody's."""
    article = ArticleFactory(status="draft", publish_at=None, title="旧稿")
    workflow.article_saved(article)  # a revision from before created_by was set
    Article.objects.filter(pk=article.pk).update(created_by=contributor)
    article.refresh_from_db()
    workflow.article_saved(article, contributor)
    client = logged_in(contributor)
    first = Version.objects.get_for_object(article).order_by("pk").first()
    url = reverse("admin:articles_article_revision", args=[article.pk, first.pk])
    token = client.get(url).context["adminform"].form["edit_token"].value()
    assert client.post(url, change_data(article, title="旧稿", edit_token=token)).status_code == 302
    article.refresh_from_db()
    assert article.created_by == contributor
    change_url = reverse("admin:articles_article_change", args=[article.pk])
    assert 'name="_save"' in client.get(change_url).content.decode()


def test_restoring_a_revision_a_bulk_action_made_touches_that_article_alone(editor_client):
    first, second = (written_then_published(title=f"第{n}篇") for n in "一二")
    changelist = reverse("admin:articles_article_changelist")
    editor_client.post(changelist, {"action": "unpublish_selected", "_selected_action": [first.pk, second.pk]})
    shared = Version.objects.get_for_object(first).order_by("-pk").first()
    assert Version.objects.get_for_object(second).filter(revision=shared.revision).exists()  # one for both
    Article.objects.filter(pk=second.pk).update(title="第二篇改过")
    workflow.publish(Article.objects.get(pk=second.pk))
    url = reverse("admin:articles_article_revision", args=[first.pk, shared.pk])
    token = editor_client.get(url).context["adminform"].form["edit_token"].value()
    assert editor_client.post(url, change_data(first, title="第一篇", edit_token=token)).status_code == 302
    second.refresh_from_db()
    assert second.title == "第二篇改过" and second.status == "published"
    assert_public(second, "第二篇改过")


def test_restoring_a_revision_whose_unit_was_merged_away_leaves_it_out(editor_client):
    article = ArticleFactory(title="有两个单位")
    kept, duplicate = UnitFactory(name="浙江省第一建筑工程集团"), UnitFactory(name="浙江一建")
    ArticleUnitFactory(article=article, unit=duplicate)
    article.tags.add("旧标签")
    workflow.article_saved(article)
    old = Version.objects.get_for_object(article).first()
    workflow.merge_units(kept, [duplicate])
    Tag.objects.filter(name="旧标签").delete()
    url = reverse("admin:articles_article_revision", args=[article.pk, old.pk])
    form = editor_client.get(url)
    assert form.status_code == 200 and "已删除或合并" in page_text(form)
    token = form.context["adminform"].form["edit_token"].value()
    links = list(article.unit_links.all())
    data = change_data(
        article,
        edit_token=token,
        **inline_management("unit_links", total=1, initial=1),
        **{"unit_links-0-id": str(links[0].pk), "unit_links-0-article": str(article.pk)},
        **{"unit_links-0-unit": str(kept.pk), "unit_links-0-order": "0"},
    )
    assert editor_client.post(url, data).status_code == 302
    assert [u.name for u in article.units.all()] == ["浙江省第一建筑工程集团"]
    assert_public(article, "浙江省第一建筑工程集团")


def test_created_by_is_read_from_the_revisions_of_older_articles(editor, contributor):
    from importlib import import_module

    from django.apps import apps

    written = ArticleFactory(status="draft", publish_at=None, created_by=contributor)
    workflow.article_saved(written, contributor)
    workflow.publish(written, user=editor)
    imported = ArticleFactory()
    workflow.article_saved(imported)
    Article.objects.update(created_by=None, last_edited_by=None)
    import_module("articles.migrations.0010_article_created_by").from_revisions(apps, None)
    written.refresh_from_db()
    imported.refresh_from_db()
    assert (written.created_by, written.last_edited_by) == (contributor, editor)
    assert (imported.created_by, imported.last_edited_by) == (None, None)


# Whose drafts a contributor may change.


@pytest.fixture
def other_contributor(db, django_user_model):
    return member(django_user_model, "lingyige", "撰稿")


def test_a_contributor_edits_only_their_own_drafts(contributor, other_contributor):
    section = SectionFactory()
    mine, theirs = logged_in(contributor), logged_in(other_contributor)
    assert (
        theirs.post(reverse("admin:articles_article_add"), article_data(section, title="别人的草稿")).status_code == 302
    )
    draft = Article.objects.get()
    assert draft.created_by == other_contributor and draft.status == "draft"
    url = reverse("admin:articles_article_change", args=[draft.pk])
    page = mine.get(url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()  # read only
    assert mine.post(url, change_data(draft, title="我改的")).status_code == 403
    assert mine.post(url, change_data(draft, title="我改的", _submit_review="1")).status_code == 403
    changelist = reverse("admin:articles_article_changelist")
    response = mine.post(changelist, {"action": "submit_selected", "_selected_action": [draft.pk]}, follow=True)
    assert "别人的草稿" in page_text(response)  # the refusal names it
    draft.refresh_from_db()
    assert draft.title == "别人的草稿" and draft.status == "draft"
    # Its writer still may.
    assert theirs.post(url, change_data(draft, title="自己改的", _submit_review="1")).status_code == 302
    draft.refresh_from_db()
    assert draft.title == "自己改的" and draft.status == "review"


def test_a_contributor_cannot_change_what_they_submitted_until_it_is_returned(contributor_client, contributor, editor):
    draft = ArticleFactory(status="draft", publish_at=None, title="我的稿", created_by=contributor)
    url = reverse("admin:articles_article_change", args=[draft.pk])
    assert contributor_client.post(url, change_data(draft, _submit_review="1")).status_code == 302
    draft.refresh_from_db()
    assert draft.status == "review"
    assert contributor_client.post(url, change_data(draft, title="提交后又改")).status_code == 403
    draft.refresh_from_db()
    assert draft.title == "我的稿"
    workflow.return_to_draft(draft, user=editor)
    draft.refresh_from_db()
    assert contributor_client.post(url, change_data(draft, title="退回后改")).status_code == 302
    draft.refresh_from_db()
    assert draft.title == "退回后改" and draft.status == "draft"


def test_the_admin_records_who_created_an_article(editor_client, editor):
    response = editor_client.post(reverse("admin:articles_article_add"), article_data(SectionFactory()))
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.created_by == editor and article.last_edited_by == editor


# The workflow itself refuses, so no route can forget.


@pytest.mark.parametrize(
    ("status", "transition"),
    [
        ("published", workflow.unpublish),
        ("draft", workflow.publish),
        ("review", workflow.publish),
        ("review", workflow.return_to_draft),
        ("unpublished", workflow.submit_for_review),
        ("published", workflow.trash),
    ],
)
def test_workflow_refuses_a_contributor(contributor, status, transition):
    article = ArticleFactory(status=status, created_by=contributor)
    before = versions.content_version()
    with pytest.raises(PermissionDenied):
        transition(article, user=contributor)
    article.refresh_from_db()
    assert article.status == status and article.deleted_at is None
    assert versions.content_version() == before and not Version.objects.get_for_object(article).exists()


def test_workflow_refuses_a_contributor_someone_elses_draft(contributor, other_contributor):
    draft = ArticleFactory(status="draft", publish_at=None, created_by=other_contributor)
    for step in (workflow.submit_for_review, workflow.article_saved):
        with pytest.raises(PermissionDenied):
            step(draft, user=contributor)
    draft.refresh_from_db()
    assert draft.status == "draft"
    workflow.submit_for_review(draft, user=other_contributor)
    assert draft.status == "review"


@pytest.fixture
def writer_who_deletes(db, django_user_model):
    """A contributor whose role was also given delete_article: the rule still limits it."""
    user = member(django_user_model, "shanchu", "撰稿")
    user.user_permissions.add(Permission.objects.get(codename="delete_article"))
    return user


def test_deleting_obeys_the_rule(writer_who_deletes, other_contributor):
    client = logged_in(writer_who_deletes)
    published = ArticleFactory(title="已发布的文章", created_by=writer_who_deletes)
    theirs = ArticleFactory(status="draft", publish_at=None, created_by=other_contributor)
    mine = ArticleFactory(status="draft", publish_at=None, created_by=writer_who_deletes)
    for article in (published, theirs):
        url = reverse("admin:articles_article_delete", args=[article.pk])
        assert client.post(url, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:articles_article_changelist")
    selected = {"action": "delete_selected", "_selected_action": [published.pk, theirs.pk], "post": "yes"}
    assert client.post(changelist, selected).status_code == 403
    assert not Article.objects.in_trash().exists()
    assert_public(published, "已发布的文章")
    assert client.post(reverse("admin:articles_article_delete", args=[mine.pk]), {"post": "yes"}).status_code == 302
    assert list(Article.objects.in_trash()) == [mine]


def test_restoring_from_the_trash_obeys_the_rule(writer_who_deletes, editor):
    article = ArticleFactory(title="编辑删掉的文章")
    workflow.trash(article, user=editor)
    client = logged_in(writer_who_deletes)
    trash = reverse("admin:articles_trashedarticle_changelist")
    response = client.post(trash, {"action": "restore_selected", "_selected_action": [article.pk]}, follow=True)
    assert "编辑删掉的文章" in page_text(response)  # named in the refusal
    article.refresh_from_db()
    assert article.deleted_at is not None
    assert reader().get(article.get_absolute_url()).status_code == 404


# Units typed into the form are created only when the article is saved.


def test_a_form_that_fails_leaves_no_new_units(contributor_client):
    data = article_data(
        SectionFactory(),
        title="",  # required: the form fails
        **inline_management("unit_links", total=1),
        **{"unit_links-0-unit": "new:不该留下的单位", "unit_links-0-order": "0"},
    )
    response = contributor_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 200 and response.context["errors"]
    assert not Unit.objects.filter(name="不该留下的单位").exists()
    assert "不该留下的单位" in response.content.decode()  # still in the form, to save again
    data["title"] = "补上标题"
    assert contributor_client.post(reverse("admin:articles_article_add"), data).status_code == 302
    assert [u.name for u in Article.objects.get().units.all()] == ["不该留下的单位"]


def test_a_refused_change_leaves_no_new_units(contributor_client):
    published = ArticleFactory()
    url = reverse("admin:articles_article_change", args=[published.pk])
    data = change_data(
        published,
        **inline_management("unit_links", total=1),
        **{"unit_links-0-unit": "new:偷偷加的单位", "unit_links-0-order": "0"},
    )
    assert contributor_client.post(url, data).status_code == 403
    assert not Unit.objects.filter(name="偷偷加的单位").exists()


# Tags: the project's own tag admin goes through the workflow.


def test_taggit_own_tag_admin_is_replaced(contributor_client):
    article = ArticleFactory(title="带标签的文章")
    article.tags.add("党建")
    tag = Tag.objects.get()
    assert type(admin.site._registry[Tag]).__module__ == "articles.admin"
    base = reverse("admin:taggit_tag_changelist")
    contributor_client.post(base, {"action": "render_tag_form", "_selected_action": [tag.pk]})
    contributor_client.post(f"{base}merge-tags/", {"new_tag_name": "改掉的标签"})
    response = contributor_client.post(
        reverse("admin:taggit_tag_change", args=[tag.pk]), {"name": "改掉的标签", "slug": "x"}
    )
    assert response.status_code == 403
    assert list(article.tags.names()) == ["党建"] and list(Tag.objects.values_list("name", flat=True)) == ["党建"]


def test_an_editor_renames_a_tag_and_readers_see_it_at_once(editor_client, editor):
    article = ArticleFactory(title="带标签的文章")
    article.tags.add("党建")
    workflow.article_saved(article)
    tag = Tag.objects.get()
    assert "党建" in page_text(reader().get(article.get_absolute_url()))  # now in the page cache
    revisions = Version.objects.get_for_object(article).count()
    url = reverse("admin:taggit_tag_change", args=[tag.pk])
    assert editor_client.get(url).status_code == 200
    assert editor_client.post(url, {"name": "党的建设", "slug": tag.slug}).status_code == 302
    text = page_text(reader().get(article.get_absolute_url()))
    assert "党的建设" in text
    found = page_text(reader().get(reverse("articles:search"), {"q": "党的建设"}))
    assert "带标签的文章" in found
    latest = Version.objects.get_for_object(article)
    assert latest.count() == revisions + 1 and latest.first().revision.user == editor


def test_an_editor_merges_tags_through_the_workflow(editor_client):
    both, only_old = ArticleFactory(title="两个都有"), ArticleFactory(title="只有旧的")
    both.tags.add("党建", "党的建设")
    only_old.tags.add("党建")
    kept, duplicate = Tag.objects.get(name="党的建设"), Tag.objects.get(name="党建")
    changelist = reverse("admin:taggit_tag_changelist")
    selected = {"action": "merge_selected", "_selected_action": [kept.pk, duplicate.pk]}
    page = editor_client.post(changelist, selected)
    assert page.status_code == 200 and "党建" in page_text(page)  # asks which to keep
    response = editor_client.post(changelist, {**selected, "post": "yes", "kept": kept.pk})
    assert response.status_code == 302
    assert list(Tag.objects.values_list("name", flat=True)) == ["党的建设"]
    assert list(both.tags.names()) == ["党的建设"] and list(only_old.tags.names()) == ["党的建设"]
    assert "党的建设" in page_text(reader().get(only_old.get_absolute_url()))
    assert "只有旧的" in page_text(reader().get(reverse("articles:search"), {"q": "党的建设"}))
    assert Version.objects.get_for_object(only_old).exists()


def test_an_editor_deletes_a_tag_and_pages_follow(editor_client):
    article = ArticleFactory(title="带标签的文章")
    article.tags.add("过时标签")
    tag = Tag.objects.get()
    assert "过时标签" in page_text(reader().get(article.get_absolute_url()))
    url = reverse("admin:taggit_tag_delete", args=[tag.pk])
    assert editor_client.post(url, {"post": "yes"}).status_code == 302
    assert "过时标签" not in page_text(reader().get(article.get_absolute_url()))
    assert Version.objects.get_for_object(article).exists()


def test_units_merged_or_deleted_leave_a_revision_on_their_articles(editor_client, editor, contributor):
    article = ArticleFactory(title="有单位的文章")
    kept, duplicate, gone = UnitFactory(name="甲"), UnitFactory(name="甲单位"), UnitFactory(name="乙单位")
    ArticleUnitFactory(article=article, unit=duplicate)
    ArticleUnitFactory(article=article, unit=gone)
    with pytest.raises(PermissionDenied):
        workflow.merge_units(kept, [duplicate], user=contributor)
    with pytest.raises(PermissionDenied):
        workflow.unit_saved(gone, user=contributor, renamed=True)
    assert Unit.objects.count() == 3 and not Version.objects.get_for_object(article).exists()
    workflow.merge_units(kept, [duplicate], user=editor)
    assert editor_client.post(reverse("admin:articles_unit_delete", args=[gone.pk]), {"post": "yes"}).status_code == 302
    comments = [v.revision.comment for v in Version.objects.get_for_object(article).order_by("pk")]
    assert comments == ["单位已合并到“甲”。", "已删除单位：乙单位。"]
    assert "乙单位" not in page_text(reader().get(article.get_absolute_url()))


def test_a_contributor_cannot_delete_or_merge_tags(contributor_client):
    article = ArticleFactory()
    article.tags.add("党建", "党的建设")
    first, second = Tag.objects.order_by("pk")
    assert (
        contributor_client.post(reverse("admin:taggit_tag_delete", args=[first.pk]), {"post": "yes"}).status_code == 403
    )
    changelist = reverse("admin:taggit_tag_changelist")
    selected = {"action": "merge_selected", "_selected_action": [first.pk, second.pk], "post": "yes", "kept": first.pk}
    contributor_client.post(changelist, selected)
    assert Tag.objects.count() == 2 and sorted(article.tags.names()) == ["党建", "党的建设"]
    # Adding a tag (no article carries it yet) is theirs, as in the article form.
    assert (
        contributor_client.post(reverse("admin:taggit_tag_add"), {"name": "新标签", "slug": "xin"}).status_code == 302
    )


# Everything else a contributor may only look at.


def test_a_contributor_cannot_reorder_sections_from_the_list(contributor_client):
    section = SectionFactory(order=1)
    data = {
        **inline_management("form", total=1, initial=1),
        "form-0-id": str(section.pk),
        "form-0-order": "9",
        "_save": "保存",
    }
    response = contributor_client.post(reverse("admin:articles_section_changelist"), data)
    assert response.status_code == 403
    section.refresh_from_db()
    assert section.order == 1


def test_every_registered_admin_is_one_the_project_knows():
    """A dependency that registers its own admin must be looked at (and unregistered if it changes
    content without the workflow) before it ships."""
    registered = {
        f"{m._meta.app_label}.{m._meta.model_name}": type(a).__module__ for m, a in admin.site._registry.items()
    }
    assert registered == {
        # Django's and axes' own admins, with Chinese names for permissions and records.
        "auth.group": "articles.admin_people",
        "auth.user": "articles.admin_people",
        "axes.accessattempt": "articles.admin_people",
        "axes.accesslog": "articles.admin_people",  # axes' own, its date filters checked
        "axes.accessfailurelog": "articles.admin_people",
        "taggit.tag": "articles.admin",
        # E-mail subscribers: read-only, exported or erased; nothing readers see changes there.
        "alerts.subscription": "alerts.admin",
        **{
            f"articles.{name}": "articles.admin"
            for name in [
                "article",
                "trashedarticle",
                "unit",
                "section",
                "column",
                "copyrightnotice",
                "promoblock",
                "sitesettings",
                "flaggedword",
                "errorreport",  # readers' reports (纠错): handling one changes nothing readers see
            ]
        },
        "articles.previewlink": "articles.admin_press",
        "articles.mediacontact": "articles.admin_press",
        # The media library: images (read-only, to pick for albums) and albums.
        "articles.articleimage": "articles.admin_library",
        "articles.album": "articles.admin_library",
    }


# Every admin route, as a contributor: nothing readers see, nor anyone else's draft, changes.

CONTENT = [Article, ArticleImage, ArticleUnit, Unit, Section, Column, CopyrightNotice, PromoBlock, SiteSettings]
CONTENT += [FlaggedWord, ReviewStep, UnitRedirect, TagRedirect, Album, AlbumImage]
CONTENT += [Tag, TaggedItem, Group, Permission]
CONTENT += [PreviewLink, Correction, MediaContact, ArticleContact]  # the press room: roles that publish


def snapshot():
    model_rows = {}
    for model in CONTENT:
        for obj in serializers.serialize("python", model.objects.order_by("pk")):
            model_rows[(obj["model"], obj["pk"])] = obj["fields"]
    return model_rows


def admin_routes():
    """Every URL pattern of the admin site, with the prefix of the model admin it belongs to."""

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                assert isinstance(pattern, URLPattern)
                yield prefix + str(pattern.pattern)

    return list(walk(admin.site.get_urls(), ""))


def concrete(route, pk, version_id):
    """The route with its parameters filled in; None for routes that take no POST of content."""
    if route in ("", "logout/", "(?P<url>.*)$") or route.startswith("^(?P<app_label>"):
        return None
    text = route.replace("<path:object_id>", str(pk)).replace("<id>", str(pk))
    text = text.replace("<path:content_type_id>", "1")
    head, regex, tail = text.partition("^")  # django-reversion's routes are regular expressions
    if regex:
        text = head + tail.removesuffix("$").replace("([^/]+)", str(pk)).replace(r"(\d+)", str(version_id))
    assert "<" not in text and "(" not in text, f"a new kind of admin route: {route}; teach this test its parameters"
    return reverse("admin:index") + text


def action_names():
    names = {name for name, _action in admin.site.actions}
    for model_admin in admin.site._registry.values():
        names.update(a if isinstance(a, str) else a.__name__ for a in model_admin.actions or ())
    return sorted(names)


def payloads(route, article, selected):
    """A change form's fields for every admin at once; on the article's own pages each workflow
    button too, and on lists each bulk action. No edit token: each post is judged on its own."""
    form = {
        **change_data(article, title="撰稿人改的", body="<p>撰稿人改的</p>", tags="撰稿人的标签", edit_token=""),
        **{"name": "撰稿人改的", "slug": "zhuan-gao", "site_name": "撰稿人改的", "order": "9", "text": "改"},
        **{"clauses": "改", "new_tag_name": "撰稿人的标签", "post": "yes", "kept": str(selected[0])},
        **{"return_reason": "撰稿人退回", "confirm_flagged": "yes", "word": "撰稿人的词", "kind": "misspelling"},
        **inline_management("form", total=1, initial=1),
        **{"form-0-id": str(selected[0]), "form-0-order": "9", "_save": "1"},
    }
    yield form
    if route.startswith("articles/article/") and ("(" in route or "<" in route):
        for button in ["_submit_review", "_pass_review", "_publish", "_unpublish", "_return_draft"]:
            yield {**form, "_save": "", button: "confirmed"}
    if route.count("/") == 2 and route.endswith("/"):  # a model's list: app/model/
        for name in action_names():
            yield {**form, "action": name, "_selected_action": [str(pk) for pk in selected], "index": "0"}


def belongs_to(key, fields, article):
    """Whether a row (``key``, its ``fields``) of the snapshot is ``article`` or one of its parts."""
    model, pk = key
    if model == "articles.article":
        return pk == article.pk
    return fields.get("article") == article.pk or fields.get("object_id") == article.pk


@pytest.mark.parametrize(("role", "levels"), [("撰稿", 1), ("审核", 3)])
def test_no_admin_route_lets_a_contributor_or_reviewer_change_what_readers_see(
    role, levels, contributor, other_contributor, editor, django_user_model
):
    """A contributor changes nothing but their drafts; a reviewer (with three levels) nothing but the
    article waiting for their review, which stays unpublished."""
    user = contributor if role == "撰稿" else member(django_user_model, "shenhe", role)
    published = written_then_published(title="已发布的文章")
    published.tags.add("党建")
    ArticleUnitFactory(article=published, unit=UnitFactory(name="浙江一建"))
    workflow.article_saved(published, editor)
    theirs = ArticleFactory(status="draft", publish_at=None, title="别人的草稿", created_by=other_contributor)
    workflow.article_saved(theirs, other_contributor)
    submitted = ArticleFactory(status="draft", publish_at=None, title="已提交的稿", created_by=contributor)
    workflow.submit_for_review(submitted, contributor)
    trashed = written_then_published(title="回收站里的文章")
    workflow.trash(trashed, editor)
    targets = [published, theirs, submitted, trashed]
    selected = [a.pk for a in targets] + [Tag.objects.get().pk, Unit.objects.get().pk, published.section_id]
    SiteSettings.objects.update_or_create(pk=1, defaults={"review_levels": levels})
    before = snapshot()

    client = logged_in(user)
    routes = admin_routes()
    assert "articles/article/<path:object_id>/change/" in routes and len(routes) > 80
    # Action pages first, so that a later page reading what an action chose (taggit's merge) finds it.
    routes.sort(key=lambda route: not route.endswith(("article/", "tag/", "unit/", "section/")))
    posts = 0
    for route in routes:
        for article in targets if "(" in route or "<" in route else targets[:1]:
            version = Version.objects.get_for_object(article).order_by("pk").first()
            url = concrete(route, article.pk, version.pk)
            if url:  # looking changes nothing either
                assert client.get(url, {"from": version.pk, "to": version.pk, "term": "党"}).status_code < 500, url
            for data in payloads(route, article, selected) if url else ():
                response = client.post(url, data)
                assert response.status_code < 500, (url, data.get("action"))
                posts += 1
    assert posts > 300

    after = snapshot()
    changed = {key for key in before if before[key] != after.get(key)}
    if role == "审核":  # the article waiting for their first review, and its parts, are theirs to change
        changed = {key for key in changed if not belongs_to(key, before[key], submitted)}
        submitted.refresh_from_db()
        assert (submitted.status, submitted.review_stage, submitted.title) == ("review", 1, "撰稿人改的")
    assert not changed, sorted(changed)
    new = {key for key in after if key not in before}
    new_articles = Article.objects.filter(pk__in=[pk for model, pk in new if model == "articles.article"])
    assert all(a.status == "draft" and a.created_by == contributor for a in new_articles)
    assert_public(published, "已发布的文章")
    assert reader().get(trashed.get_absolute_url()).status_code == 404
    assert reader().get(submitted.get_absolute_url()).status_code == 404


# --- the roles as the migrations make them ----------------------------------------------------------


def role_permissions():
    return {
        group.name: sorted(group.permissions.values_list("content_type__app_label", "codename"))
        for group in Group.objects.order_by("name")
    }


@pytest.mark.django_db(transaction=True)
def test_roles_made_again_after_a_flush_are_the_roles_migrate_makes(tmp_path):
    """Transactional tests empty the database, roles included; the suite makes them again with the
    migrations' own functions (conftest.make_roles). They must be what a new site's `migrate`
    makes, every grant of every later migration included."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    show = "import json; from tests.test_roles import role_permissions; print(json.dumps(role_permissions()))"
    for args in (["migrate", "-v0"], ["shell", "-v0", "-c", show]):
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=PROJECT, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
    migrated = {name: sorted(map(tuple, grants)) for name, grants in json.loads(result.stdout).items()}
    assert set(migrated) == {"编辑", "审核", "撰稿"}

    call_command("flush", "--noinput")
    make_roles()
    assert role_permissions() == migrated


@pytest.mark.django_db(transaction=True)
def test_making_the_roles_again_leaves_the_site_able_to_make_its_content_types():
    """The role functions mark every app as having models while they make permissions; on the
    project's own app registry they must put it back, or no later `flush` or `migrate` makes the
    content types again (a restore after them failed: "ContentType matching query does not exist")."""
    make_roles()
    call_command("flush", "--noinput")
    assert ContentType.objects.filter(app_label="articles", model="article").exists()
    assert Permission.objects.filter(content_type__app_label="articles", codename="publish_article").exists()
