import datetime
import html
import json
import re

import pytest
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version
from taggit.models import Tag

from articles import workflow
from articles.forms import TagNamesField, edit_token
from articles.models import (
    Article,
    ArticleContact,
    Column,
    CopyrightNotice,
    MediaContact,
    PromoBlock,
    Section,
    SiteSettings,
    Unit,
)

from .factories import (
    ArticleFactory,
    ArticleImageFactory,
    ArticleUnitFactory,
    ColumnFactory,
    SectionFactory,
    UnitFactory,
)
from .formdata import form_data
from .pagetext import page_text

pytestmark = pytest.mark.django_db


def inline_management(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


SIMPLE_MODELS = [
    (Section, {"name": "新频道", "order": "3", "description": ""}),
    (Column, {"name": "新栏目", "description": ""}),
    (Unit, {"name": "新单位", "short_name": "新", "kind": "enterprise", "website": "", "description": ""}),
    (CopyrightNotice, {"title": "新声明", "clauses": "一\n二", "is_default": "on"}),
    (PromoBlock, {"title": "关注分享", "text": "推广文字", "section": ""}),
]


@pytest.mark.parametrize(("model", "data"), SIMPLE_MODELS, ids=lambda v: getattr(v, "__name__", ""))
def test_add_and_change_pages_load_and_save(staff_client, model, data):
    opts = model._meta
    add_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
    assert staff_client.get(add_url).status_code == 200
    response = staff_client.post(add_url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    obj = model.objects.get()
    change_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    assert staff_client.get(change_url).status_code == 200
    first_field = next(iter(data))
    changed = {**data, first_field: data[first_field] + "改"}
    assert staff_client.post(change_url, changed).status_code == 302
    obj.refresh_from_db()
    assert getattr(obj, first_field) == data[first_field] + "改"


def test_site_settings_change_page_saves(staff_client):
    url = reverse("admin:articles_sitesettings_change", args=[1])
    assert staff_client.get(url).status_code == 200
    data = {
        "site_name": "《国企》杂志社官网",
        "short_name": "国企网",
        "description": "",
        "icp_number": "浙ICP备00000000号",
        "police_number": "浙公网安备00000000000000号",
        "copyright_line": "",
        "review_levels": "1",
    }
    assert staff_client.post(url, data).status_code == 302
    assert SiteSettings.load().icp_number == "浙ICP备00000000号"
    text = page_text(staff_client.get("/"))
    assert "浙ICP备00000000号" in text and "浙公网安备00000000000000号" in text
    assert staff_client.get(reverse("admin:articles_sitesettings_add")).status_code == 403


def article_data(section, **extra):
    return {
        "section": str(section.pk),
        "column": "",
        "title": "编辑写的文章",
        "subtitle": "副标题",
        "source": "本刊讯",
        "author": "江风",
        "editor": "王编辑",
        "summary": "摘要",
        "body": "第一段<script>alert(1)</script>\n\n第二段",
        "tags": "党建, 智能建造",
        "status": "published",
        "publish_at_0": "2025-06-12",
        "publish_at_1": "10:30:00",
        "copyright_notice": "",
        "show_promo": "on",
        **inline_management("images"),
        **inline_management("unit_links"),
        **inline_management("corrections"),  # shown on a published article's form
        **inline_management("contact_links"),
        **extra,
    }


def test_article_add_with_units_then_change(staff_client):
    section = SectionFactory()
    first, second = UnitFactory(name="甲单位"), UnitFactory(name="乙单位")
    add_url = reverse("admin:articles_article_add")
    assert staff_client.get(add_url).status_code == 200
    data = article_data(
        section,
        **inline_management("unit_links", total=2),
        **{"unit_links-0-unit": str(second.pk), "unit_links-0-order": "0"},
        **{"unit_links-1-unit": str(first.pk), "unit_links-1-order": "1"},
    )
    response = staff_client.post(add_url, data)
    assert response.status_code == 302, response.context["errors"]
    article = Article.objects.get()
    assert "script" not in article.body and article.body.startswith("<p>第一段")
    assert sorted(article.tags.names()) == ["党建", "智能建造"]
    assert [link.unit for link in article.unit_links.all()] == [second, first]
    # The public page shows it, units in the editor's order.
    text = page_text(staff_client.get(article.get_absolute_url()))
    assert text.index("乙单位") < text.index("甲单位")

    change_url = reverse("admin:articles_article_change", args=[article.pk])
    page = staff_client.get(change_url)
    assert page.status_code == 200 and 'class="viewsitelink"' in page.content.decode()
    links = list(article.unit_links.all())
    data = article_data(
        section,
        title="改过的标题",
        **inline_management("unit_links", total=2, initial=2),
        **{"unit_links-0-id": str(links[0].pk), "unit_links-0-article": str(article.pk)},
        **{"unit_links-0-unit": str(second.pk), "unit_links-0-order": "0"},
        **{"unit_links-1-id": str(links[1].pk), "unit_links-1-article": str(article.pk)},
        **{"unit_links-1-unit": str(first.pk), "unit_links-1-order": "1", "unit_links-1-DELETE": "on"},
    )
    assert staff_client.post(change_url, data).status_code == 302
    article.refresh_from_db()
    assert article.title == "改过的标题" and list(article.units.all()) == [second]


def test_article_change_page_with_images_shows_previews_and_saves(staff_client):
    article = ArticleFactory()
    image = ArticleImageFactory(article=article, caption="旧图注")
    ArticleUnitFactory(article=article)
    url = reverse("admin:articles_article_change", args=[article.pk])
    html = staff_client.get(url).content.decode()
    assert image.image.url in html  # the thumbnail preview
    link = article.unit_links.get()
    data = article_data(
        article.section,
        **inline_management("images", total=1, initial=1),
        **{
            "images-0-id": str(image.pk),
            "images-0-article": str(article.pk),
            "images-0-name": "",
            "images-0-caption": "新图注",
            "images-0-alt_text": "图片说明",
            "images-0-credit": "",
            "images-0-licence": "reserved",
            "images-0-order": "0",
            "images-0-position": "1",
        },
        **inline_management("unit_links", total=1, initial=1),
        **{
            "unit_links-0-id": str(link.pk),
            "unit_links-0-article": str(article.pk),
            "unit_links-0-unit": str(link.unit_id),
            "unit_links-0-order": "0",
        },
    )
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    image.refresh_from_db()
    assert (image.caption, image.position) == ("新图注", 1)


def test_image_without_alt_text_is_a_form_error_not_a_500(staff_client):
    article = ArticleFactory()
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = article_data(
        article.section,
        **inline_management("images", total=1),
        **{
            "images-0-caption": "图注",
            "images-0-alt_text": "",
            "images-0-licence": "reserved",
            "images-0-order": "0",
            "images-0-position": "0",
        },
    )
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "alt_text" in str(response.context["inline_admin_formsets"][0].formset.errors)


def test_admin_lists_filter_and_search(staff_client):
    ArticleFactory(title="可搜索的标题")
    url = reverse("admin:articles_article_changelist")
    assert "可搜索的标题" in staff_client.get(url, {"q": "可搜索"}).content.decode()
    assert staff_client.get(url, {"status__exact": "draft"}).status_code == 200
    unit_search = staff_client.get(
        reverse("admin:autocomplete"),
        {"term": "单位", "app_label": "articles", "model_name": "articleunit", "field_name": "unit"},
    )
    assert unit_search.status_code == 200


def test_admin_is_in_chinese(staff_client):
    text = page_text(staff_client.get(reverse("admin:articles_article_add")))
    assert "副标题" in text and "参与单位" in text and "发布时间" in text


def test_a_unit_named_twice_is_refused_in_chinese(staff_client):
    unit = UnitFactory(name="甲单位")
    data = article_data(
        SectionFactory(),
        **inline_management("unit_links", total=2),
        **{"unit_links-0-unit": str(unit.pk), "unit_links-0-order": "0"},
        **{"unit_links-1-unit": str(unit.pk), "unit_links-1-order": "1"},
    )
    response = staff_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 200 and not Article.objects.exists()
    text = page_text(response)
    assert "请修改单位的重复数据。" in text and "请修正下面重复的数据。" in text
    assert not re.search(r"[A-Za-z]", text[text.index("请修") :][:40])  # no field name, no ASCII period


# Roles: 编辑 (editor) publishes; 撰稿 (contributor) writes drafts and submits them. Enforced on the server.


def change_data(article, **extra):
    """What the change form of ``article`` posts back, unchanged unless ``extra`` says."""
    unchanged = {"title": article.title, "body": article.body, "tags": "", "edit_token": edit_token(article)}
    return article_data(article.section, **{**unchanged, **extra})


def test_contributor_writes_a_draft_and_submits_it_but_cannot_publish(contributor_client):
    section = SectionFactory()
    add_url = reverse("admin:articles_article_add")
    page = contributor_client.get(add_url).content.decode()
    assert 'name="_submit_review"' in page and 'name="_publish"' not in page
    response = contributor_client.post(add_url, article_data(section, _submit_review="1"))
    assert response.status_code == 302
    article = Article.objects.get()
    # The posted status and publish time are ignored: only the workflow moves an article.
    assert article.status == "review" and article.publish_at is None
    change_url = reverse("admin:articles_article_change", args=[article.pk])
    assert contributor_client.post(change_url, change_data(article, _publish="1")).status_code == 403
    article.refresh_from_db()
    assert article.status == "review"


def test_contributor_cannot_change_published_articles_nor_use_publishing_actions(contributor_client):
    published = ArticleFactory(title="已发布")
    change_url = reverse("admin:articles_article_change", args=[published.pk])
    page = contributor_client.get(change_url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()  # read only
    assert contributor_client.post(change_url, change_data(published, title="偷改")).status_code == 403
    changelist = reverse("admin:articles_article_changelist")
    actions = [
        value for value, _label in contributor_client.get(changelist).context["action_form"].fields["action"].choices
    ]
    assert "publish_selected" not in actions and "delete_selected" not in actions
    response = contributor_client.post(
        changelist, {"action": "unpublish_selected", "_selected_action": [published.pk]}, follow=True
    )
    published.refresh_from_db()
    assert published.status == "published" and "未选择动作" in page_text(response)  # not an action offered
    assert contributor_client.post(reverse("admin:articles_article_delete", args=[published.pk])).status_code == 403


EDITORS_ONLY = [
    ("admin:articles_sitesettings_change", [1]),
    ("admin:articles_copyrightnotice_add", []),
    ("admin:articles_promoblock_add", []),
    ("admin:articles_trashedarticle_changelist", []),
]


@pytest.mark.parametrize(("url_name", "args"), EDITORS_ONLY)
def test_contributor_cannot_change_settings_notices_or_the_trash(contributor_client, url_name, args):
    SiteSettings.load()
    response = contributor_client.post(reverse(url_name, args=args), {"site_name": "改了", "title": "新声明"})
    assert response.status_code == 403
    assert SiteSettings.load().site_name != "改了" and not CopyrightNotice.objects.filter(title="新声明").exists()


def test_contributor_cannot_merge_units(contributor_client):
    first, second = UnitFactory(), UnitFactory()
    changelist = reverse("admin:articles_unit_changelist")
    response = contributor_client.post(
        changelist,
        {"action": "merge_selected", "_selected_action": [first.pk, second.pk], "post": "yes", "kept": first.pk},
    )
    # No action is offered to contributors there: the list is shown again, without one.
    assert response.status_code == 200 and response.context["action_form"] is None
    assert Unit.objects.count() == 2


def test_editor_merges_duplicate_units(editor_client):
    kept, duplicate = UnitFactory(name="浙江省第一建筑工程集团"), UnitFactory(name="浙江一建")
    article = ArticleFactory()
    ArticleUnitFactory(article=article, unit=duplicate)
    changelist = reverse("admin:articles_unit_changelist")
    selected = {"action": "merge_selected", "_selected_action": [kept.pk, duplicate.pk]}
    page = editor_client.post(changelist, selected)
    assert page.status_code == 200 and "浙江一建" in page_text(page)  # the confirmation page
    response = editor_client.post(changelist, {**selected, "post": "yes", "kept": kept.pk})
    assert response.status_code == 302
    assert list(Unit.objects.all()) == [kept] and list(article.units.all()) == [kept]


# The workflow from the change form and from the list.


def test_editor_publishes_now_or_schedules_from_the_form(editor_client):
    client = Client()  # a reader
    draft = ArticleFactory(status="draft", publish_at=None, title="马上发布")
    url = reverse("admin:articles_article_change", args=[draft.pk])
    data = change_data(draft, _publish="1", publish_at_0="", publish_at_1="")
    assert editor_client.post(url, data).status_code == 302
    draft.refresh_from_db()
    assert draft.is_published and client.get(draft.get_absolute_url()).status_code == 200

    later = ArticleFactory(status="review", publish_at=None, title="定时发布")
    url = reverse("admin:articles_article_change", args=[later.pk])
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    data = change_data(
        later, _publish="1", publish_at_0=tomorrow.strftime("%Y-%m-%d"), publish_at_1=tomorrow.strftime("%H:%M:%S")
    )
    assert editor_client.post(url, data).status_code == 302
    later.refresh_from_db()
    assert later.status == "published" and not later.is_published
    assert client.get(later.get_absolute_url()).status_code == 404


def test_editor_unpublishes_and_returns_to_draft_from_the_form(editor_client):
    published = ArticleFactory()
    url = reverse("admin:articles_article_change", args=[published.pk])
    assert 'name="_unpublish"' in editor_client.get(url).content.decode()
    assert editor_client.post(url, change_data(published, _unpublish="1")).status_code == 302
    published.refresh_from_db()
    assert published.status == "unpublished"
    review = ArticleFactory(status="review", publish_at=None)
    url = reverse("admin:articles_article_change", args=[review.pk])
    refused = editor_client.post(url, change_data(review, _return_draft="1"))  # no reason given
    assert refused.status_code == 200 and "撰稿人会看到" in page_text(refused)
    data = change_data(review, _return_draft="1", return_reason="第二段的数字请核实。")
    assert editor_client.post(url, data).status_code == 302
    review.refresh_from_db()
    assert review.status == "draft" and review.return_reason == "第二段的数字请核实。"


def test_bulk_publish_and_unpublish(editor_client):
    client = Client()
    drafts = [ArticleFactory(status="draft", publish_at=None, title=f"批量{i}") for i in range(3)]
    changelist = reverse("admin:articles_article_changelist")
    ids = [a.pk for a in drafts]
    response = editor_client.post(changelist, {"action": "publish_selected", "_selected_action": ids}, follow=True)
    assert "3" in page_text(response)
    assert Article.objects.published().count() == 3
    assert all(title in client.get(reverse("articles:home")).content.decode() for title in ["批量0", "批量2"])
    editor_client.post(changelist, {"action": "unpublish_selected", "_selected_action": ids})
    assert not Article.objects.published().exists()
    # A transition the workflow does not allow is reported, not applied.
    response = editor_client.post(changelist, {"action": "unpublish_selected", "_selected_action": ids}, follow=True)
    assert set(Article.objects.values_list("status", flat=True)) == {"unpublished"}
    warnings = [m for m in response.context["messages"] if m.level == messages.WARNING]
    assert len(warnings) == 3


def test_bulk_submit_for_review_by_a_contributor(contributor_client, contributor):
    drafts = [ArticleFactory(status="draft", publish_at=None, created_by=contributor) for _ in range(2)]
    changelist = reverse("admin:articles_article_changelist")
    contributor_client.post(changelist, {"action": "submit_selected", "_selected_action": [a.pk for a in drafts]})
    assert set(Article.objects.values_list("status", flat=True)) == {"review"}


def test_preview_of_a_draft_is_the_reader_page_with_a_banner(editor_client):
    draft = ArticleFactory(status="draft", publish_at=None, title="草稿预览")
    form = editor_client.get(reverse("admin:articles_article_change", args=[draft.pk])).content.decode()
    assert f'href="{draft.get_absolute_url()}" class="previewlink"' in form
    text = page_text(editor_client.get(draft.get_absolute_url()))
    assert "草稿预览" in text and "预览" in text


# Deleting: confirmation, trash, restore.


def test_delete_asks_then_moves_to_the_trash_and_restore_brings_it_back(editor_client):
    client = Client()
    article = ArticleFactory(title="误删的文章")
    ArticleImageFactory(article=article)
    article.tags.add("党建")
    delete_url = reverse("admin:articles_article_delete", args=[article.pk])
    confirm = editor_client.get(delete_url)
    assert confirm.status_code == 200 and "回收站" in page_text(confirm)
    assert editor_client.post(delete_url, {"post": "yes"}).status_code == 302
    assert client.get(article.get_absolute_url()).status_code == 404
    assert "误删的文章" not in client.get(reverse("articles:home")).content.decode()
    assert "误删的文章" not in client.get(reverse("articles:feed")).content.decode()
    assert article not in editor_client.get(reverse("admin:articles_article_changelist")).context["cl"].result_list
    trash = reverse("admin:articles_trashedarticle_changelist")
    assert "误删的文章" in page_text(editor_client.get(trash))
    editor_client.post(trash, {"action": "restore_selected", "_selected_action": [article.pk]})
    assert client.get(article.get_absolute_url()).status_code == 200
    assert article.images.count() == 1 and list(article.tags.names()) == ["党建"]


def test_bulk_delete_moves_to_the_trash(editor_client):
    articles = [ArticleFactory() for _ in range(2)]
    changelist = reverse("admin:articles_article_changelist")
    ids = [a.pk for a in articles]
    confirm = editor_client.post(changelist, {"action": "delete_selected", "_selected_action": ids})
    assert "回收站" in page_text(confirm)
    editor_client.post(changelist, {"action": "delete_selected", "_selected_action": ids, "post": "yes"})
    assert Article.objects.in_trash().count() == 2 and Article.objects.count() == 2


# Two editors on one article.


def test_a_save_based_on_a_stale_version_is_refused_and_keeps_the_input(editor_client, django_user_model):
    client = Client()
    article = ArticleFactory(title="原标题")
    url = reverse("admin:articles_article_change", args=[article.pk])
    opened = editor_client.get(url).context["adminform"].form["edit_token"].value()
    # Someone else saves first.
    other = django_user_model.objects.create_superuser("other", "o@example.com", "pw")
    client.force_login(other)
    assert client.post(url, change_data(article, title="别人的标题", edit_token=opened)).status_code == 302
    # The first editor's save, based on what they opened, is refused; their input is still in the form.
    response = editor_client.post(url, change_data(article, title="我的标题", edit_token=opened))
    assert response.status_code == 200
    text = page_text(response)
    assert "other" in text and "没有保存" in text
    assert response.context["adminform"].form["title"].value() == "我的标题"
    article.refresh_from_db()
    assert article.title == "别人的标题"
    # Having seen the message, saving again (the form now carries the current version) is their choice.
    token = response.context["adminform"].form["edit_token"].value()
    assert token != opened
    assert editor_client.post(url, change_data(article, title="我的标题", edit_token=token)).status_code == 302
    article.refresh_from_db()
    assert article.title == "我的标题"


def rename(thing, name, saved, user):
    thing.name = name
    thing.save()
    saved(thing, user, renamed=True)


# What another editor does in the tag or unit admin while the article's form is open: the article's
# tags or units change without the article being saved.
CHANGES_ELSEWHERE = {
    "tags merged": lambda tags, units, user: workflow.merge_tags(tags[1], [tags[0]], user),
    "tag renamed": lambda tags, units, user: rename(tags[0], "改名标签", workflow.tag_saved, user),
    "tag deleted": lambda tags, units, user: workflow.delete_tags([tags[0]], user),
    "units merged": lambda tags, units, user: workflow.merge_units(units[1], [units[0]], user),
    "contact deleted": lambda tags, units, user: workflow.delete_contacts(MediaContact.objects.all(), user),
}


@pytest.mark.parametrize("change", CHANGES_ELSEWHERE)
def test_a_form_opened_before_its_tags_or_units_changed_elsewhere_cannot_undo_that(
    editor_client, django_user_model, change
):
    article = ArticleFactory(title="原标题")
    tags = [Tag.objects.create(name="旧标签", slug="jiu"), Tag.objects.create(name="新标签", slug="xin")]
    units = [UnitFactory(name="旧单位"), UnitFactory(name="新单位")]
    article.tags.add(tags[0])
    ArticleUnitFactory(article=article, unit=units[0])
    ArticleContact.objects.create(article=article, contact=MediaContact.objects.create(name="王五", phone="0571-1"))
    url = reverse("admin:articles_article_change", args=[article.pk])
    shown = form_data(editor_client.get(url), "article_form")
    other = django_user_model.objects.create_superuser("other", "o@example.com", "pw")
    CHANGES_ELSEWHERE[change](tags, units, other)
    article.refresh_from_db()
    before = (sorted(article.tags.names()), [unit.name for unit in article.units.all()])
    response = editor_client.post(url, {**shown, "title": "我的标题"})
    assert response.status_code == 200 and "没有保存" in page_text(response) and "other" in page_text(response)
    article.refresh_from_db()
    assert article.title == "原标题"
    assert (sorted(article.tags.names()), [unit.name for unit in article.units.all()]) == before
    if change.startswith("tag"):
        assert not Tag.objects.filter(name="旧标签").exists()  # not made again by the form's tag names


@pytest.mark.parametrize("renamed", ["unit", "section"])
def test_a_unit_or_section_renamed_while_the_form_is_open_does_not_stop_its_save(editor_client, editor, renamed):
    """The form posts their ids: its save undoes nothing of the rename, so it is not refused."""
    article = ArticleFactory(title="原标题")
    unit = UnitFactory(name="旧单位")
    ArticleUnitFactory(article=article, unit=unit)
    url = reverse("admin:articles_article_change", args=[article.pk])
    shown = form_data(editor_client.get(url), "article_form")
    if renamed == "unit":
        rename(unit, "改名单位", workflow.unit_saved, editor)
    else:
        Section.objects.filter(pk=article.section_id).update(name="改名频道")
    assert editor_client.post(url, {**shown, "title": "我的标题"}).status_code == 302
    article.refresh_from_db()
    assert article.title == "我的标题" and [u.name for u in article.units.all()] == [Unit.objects.get().name]


# Revisions: every save keeps one; compare two; restore one.


def test_every_save_keeps_a_revision_with_images_units_and_tags_then_compare_and_restore(editor_client):
    section = SectionFactory()
    unit = UnitFactory(name="甲单位")
    add_url = reverse("admin:articles_article_add")
    first = article_data(
        section,
        title="第一版",
        body="<p>第一段</p>",
        tags="党建",
        **inline_management("unit_links", total=1),
        **{"unit_links-0-unit": str(unit.pk), "unit_links-0-order": "0"},
    )
    assert editor_client.post(add_url, first).status_code == 302
    article = Article.objects.get()
    link = article.unit_links.get()
    url = reverse("admin:articles_article_change", args=[article.pk])
    second = article_data(
        section,
        title="第二版",
        body="<p>第一段</p><p>新的一段</p>",
        tags="智能建造",
        edit_token=edit_token(article),
        **inline_management("unit_links", total=2, initial=1),
        **{"unit_links-0-id": str(link.pk), "unit_links-0-article": str(article.pk)},
        **{"unit_links-0-unit": str(unit.pk), "unit_links-0-order": "0", "unit_links-0-DELETE": "on"},
        **{"unit_links-1-unit": "new:乙单位", "unit_links-1-order": "1"},
    )
    assert editor_client.post(url, second).status_code == 302
    versions = list(Version.objects.get_for_object(article).order_by("pk"))
    assert len(versions) == 2 and versions[1].revision.user.username == "bianji"

    history = editor_client.get(reverse("admin:articles_article_history", args=[article.pk]))
    assert history.status_code == 200 and "bianji" in page_text(history)
    compare_url = reverse("admin:articles_article_compare", args=[article.pk])
    compare = editor_client.get(compare_url, {"from": versions[0].pk, "to": versions[1].pk})
    assert compare.status_code == 200
    html = compare.content.decode()
    for fragment in [
        "第<del>一</del><ins>二</ins>版",  # the title: the changed character alone
        "<ins>新的一段</ins>",
        "<del>甲单位</del>",
        "<ins>乙单位</ins>",
    ]:
        assert fragment in html
    assert "<del>党建</del>" in html and "<ins>智能建造</ins>" in html
    assert editor_client.get(compare_url, {"from": versions[0].pk, "to": "x"}).status_code == 400

    # Restore the first revision: the form shows it; saving brings back text, units and tags.
    revision_url = reverse("admin:articles_article_revision", args=[article.pk, versions[0].pk])
    form = editor_client.get(revision_url)
    assert form.status_code == 200 and form.context["adminform"].form["title"].value() == "第一版"
    article.refresh_from_db()
    assert article.title == "第二版"  # looking at a revision changes nothing
    token = form.context["adminform"].form["edit_token"].value()
    restored = article_data(
        section,
        title="第一版",
        body="<p>第一段</p>",
        tags="党建",
        edit_token=token,
        **inline_management("unit_links", total=1, initial=1),
        **{"unit_links-0-id": str(link.pk), "unit_links-0-article": str(article.pk)},
        **{"unit_links-0-unit": str(unit.pk), "unit_links-0-order": "0"},
    )
    assert editor_client.post(revision_url, restored).status_code == 302
    article.refresh_from_db()
    assert article.title == "第一版" and article.body == "<p>第一段</p>"
    assert [u.name for u in article.units.all()] == ["甲单位"] and list(article.tags.names()) == ["党建"]
    assert Version.objects.get_for_object(article).count() == 3


def test_restoring_a_revision_keeps_the_current_workflow_state(editor_client):
    article = ArticleFactory(status="draft", publish_at=None, title="草稿时")
    workflow.article_saved(article)
    workflow.publish(article)
    draft_version = Version.objects.get_for_object(article).order_by("pk").first()
    url = reverse("admin:articles_article_revision", args=[article.pk, draft_version.pk])
    form = editor_client.get(url).context["adminform"].form
    data = change_data(article, title="草稿时", edit_token=form["edit_token"].value())
    assert editor_client.post(url, data).status_code == 302
    article.refresh_from_db()
    assert article.status == "published" and article.is_published


# Units and tags: autocomplete, created on the fly.


def test_new_units_and_tags_are_created_on_the_fly(editor_client):
    existing = UnitFactory(name="浙江一建")
    data = article_data(
        SectionFactory(),
        tags=["党建", "new:全新标签"],
        **inline_management("unit_links", total=3),
        **{"unit_links-0-unit": "new:新成立的单位", "unit_links-0-order": "0"},
        **{"unit_links-1-unit": "new:浙江一建", "unit_links-1-order": "1"},
        **{"unit_links-2-unit": str(existing.pk), "unit_links-2-order": "2", "unit_links-2-DELETE": "on"},
    )
    response = editor_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    article = Article.objects.get()
    assert [u.name for u in article.units.all()] == ["新成立的单位", "浙江一建"]
    assert Unit.objects.filter(name="浙江一建").count() == 1
    assert sorted(article.tags.names()) == ["党建", "全新标签"]


def test_units_and_tags_typed_as_new_survive_a_failed_save(editor_client):
    data = article_data(
        SectionFactory(),
        title="",
        tags=["党建", "new:全新标签"],
        **inline_management("unit_links", total=1),
        **{"unit_links-0-unit": "new:新成立的单位", "unit_links-0-order": "0"},
    )
    add_url = reverse("admin:articles_article_add")
    response = editor_client.post(add_url, data)
    assert response.status_code == 200 and not Article.objects.exists()
    again = form_data(response, "article_form")  # what the browser sends back, as shown
    assert again["unit_links-0-unit"] == "new:新成立的单位" and again["tags"] == ["党建", "全新标签"]
    response = editor_client.post(add_url, {**again, "title": "补上标题"})
    assert response.status_code == 302, response.context and response.context["errors"]
    article = Article.objects.get()
    assert [u.name for u in article.units.all()] == ["新成立的单位"]
    assert sorted(article.tags.names()) == ["党建", "全新标签"]


@pytest.mark.parametrize(
    "name, error", [("..", "没有文字或数字"), ("——", "没有文字或数字"), ("🔥", "没有文字或数字"), ("㍿" * 30, "太长")]
)
def test_a_new_tag_without_a_usable_slug_is_refused_and_nothing_else_is_lost(editor_client, name, error):
    """A name of punctuation or emoji alone has no slug (taggit's slugify leaves nothing): saved, its
    link could not be made and the article's page was a 500 for every reader. One that grows when
    normalised (㍿ is 株式会社) would not fit the slug's column. The form says so and keeps what was typed."""
    data = article_data(SectionFactory(), title="有标签的文章", tags=["党建", f"new:{name}"])
    response = editor_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 200 and not Article.objects.exists()
    assert f"标签“{name}”{error}" in page_text(response)
    again = form_data(response, "article_form")
    assert again["title"] == "有标签的文章" and again["tags"] == ["党建", name]
    assert not Tag.objects.filter(name=name).exists()
    response = editor_client.post(reverse("admin:articles_article_add"), {**again, "tags": ["党建"]})
    assert response.status_code == 302, response.context and response.context["errors"]
    assert list(Article.objects.get().tags.names()) == ["党建"]


def test_a_tag_typed_in_other_capitals_is_the_same_tag_not_a_new_one():
    """taggit finds tags whatever their capitals (TAGGIT_CASE_INSENSITIVE): one who may not create tags
    may still pick GDP by typing gdp, and nothing is checked as new."""
    Tag.objects.create(name="GDP", slug="gdp")
    assert TagNamesField(can_create=False).clean(["gdp", "GDP"]) == ["gdp", "GDP"]
    assert TagNamesField.new_names(["gdp", "新标签"]) == ["新标签"]
    with pytest.raises(ValidationError):
        TagNamesField(can_create=False).clean(["新标签"])


def test_tag_and_unit_autocomplete(editor_client):
    Tag.objects.create(name="智能建造", slug="zhi-neng")
    UnitFactory(name="杭州医学院")
    tags = editor_client.get(reverse("admin:articles_article_tag_autocomplete"), {"term": "智能"}).json()
    assert tags["results"] == [{"id": "智能建造", "text": "智能建造"}]
    units = editor_client.get(
        reverse("admin:autocomplete"),
        {"term": "医学", "app_label": "articles", "model_name": "articleunit", "field_name": "unit"},
    ).json()
    assert [r["text"] for r in units["results"]] == ["杭州医学院"]
    page = editor_client.get(reverse("admin:articles_article_add")).content.decode()
    assert "admin-autocomplete-create" in page and "js/admin/autocomplete-create.js" in page


def test_the_body_editor_and_its_image_button_are_served_by_the_project(editor_client):
    article = ArticleFactory()
    image = ArticleImageFactory(article=article, caption="签约仪式")
    page = editor_client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert "/static/django_prose_editor/editor.js" in page
    config = json.loads(html.unescape(re.search(r'data-django-prose-editor-configurable="([^"]*)"', page)[1]))
    assert config["extensions"]["ArticleFigure"]["images"] == [
        {"id": image.pk, "label": "1. 签约仪式", "url": image.image.url}
    ]
    assert config["js_modules"] == [
        "/static/js/admin/article-figure.js",
        "/static/js/admin/paste-cleaner.js",
        "/static/js/admin/prose-editor-zh.js",
    ]
    assert config["extensions"]["PasteCleaner"] == {"url": reverse("admin:articles_article_paste")}
    assert config["extensions"]["ArticleFigure"]["uploadUrl"] == reverse("admin:articles_article_upload")
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing from another host


@pytest.mark.parametrize(("url_name", "args"), [*EDITORS_ONLY, ("admin:articles_unit_add", [])])
def test_editor_may_change_settings_notices_units_and_see_the_trash(editor_client, url_name, args):
    SiteSettings.load()
    assert editor_client.get(reverse(url_name, args=args)).status_code == 200


@pytest.mark.parametrize("url_name", ["admin:articles_article_changelist", "admin:articles_trashedarticle_changelist"])
def test_admin_lists_query_count_does_not_grow_with_articles(editor_client, url_name):
    counts = []
    for extra in (1, 15):
        for _ in range(extra):
            article = ArticleFactory(column=ColumnFactory())
            if "trashed" in url_name:
                workflow.trash(article)
        editor_client.get(reverse(url_name))  # values kept per content version are read once
        with CaptureQueriesContext(connection) as queries:
            assert editor_client.get(reverse(url_name)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_image_uploaded_in_the_admin_gets_its_renditions(staff_client):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from articles.models import ImageRendition

    article = ArticleFactory()
    buffer = BytesIO()
    Image.new("RGB", (700, 400), "green").save(buffer, "JPEG")
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = article_data(
        article.section,
        **inline_management("images", total=1),
        **{
            "images-0-image": SimpleUploadedFile("upload.jpg", buffer.getvalue(), content_type="image/jpeg"),
            "images-0-caption": "图注",
            "images-0-alt_text": "绿色的图",
            "images-0-licence": "reserved",
            "images-0-order": "0",
            "images-0-position": "0",
        },
    )
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    widths = sorted(ImageRendition.objects.filter(image__article=article).values_list("format", "width"))
    assert widths == [("jpeg", 320), ("jpeg", 640), ("jpeg", 700), ("webp", 320), ("webp", 640), ("webp", 700)]


def test_about_and_contact_are_sanitised_when_saved(staff_client):
    url = reverse("admin:articles_sitesettings_change", args=[1])
    data = {
        "site_name": "《国企》杂志社官网",
        "short_name": "国企网",
        "description": "",
        "icp_number": "",
        "police_number": "",
        "copyright_line": "",
        "about": '<p onclick="x()">杂志社简介<script>alert(1)</script></p>',
        "contact": "电话：010-00000000\n\n地址：北京",
        "review_levels": "1",
    }
    assert staff_client.post(url, data).status_code == 302
    site = SiteSettings.load()
    assert site.about == "<p>杂志社简介</p>"
    assert site.contact == "<p>电话：010-00000000</p>\n\n<p>地址：北京</p>"
    assert "杂志社简介" in page_text(staff_client.get(reverse("articles:about")))


def test_a_failed_site_settings_save_keeps_what_was_typed(editor_client):
    url = reverse("admin:articles_sitesettings_change", args=[SiteSettings.load().pk])
    typed = {"site_name": "", "icp_number": "浙ICP备12345678号", "about": "<p>杂志社简介</p>", "contact": "电话：010-1"}
    response = editor_client.post(url, {**form_data(editor_client.get(url), "sitesettings_form"), **typed})
    assert response.status_code == 200
    again = form_data(response, "sitesettings_form")
    assert {name: again[name] for name in typed} == typed
    assert editor_client.post(url, {**again, "site_name": "新站名"}).status_code == 302
    site = SiteSettings.load()
    assert (site.site_name, site.icp_number, site.about) == ("新站名", "浙ICP备12345678号", "<p>杂志社简介</p>")


# Saving: no revision for nothing, the publish time whole, unchanged tags unnamed.


def opened_and_saved(client, article, **changes):
    """Open the article's change form and post it back as the browser would, with ``changes``."""
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = {**form_data(client.get(url), "article_form"), "_save": "保存", **changes}
    return client.post(url, data)


@pytest.fixture
def saved_article(editor):
    when = timezone.make_aware(datetime.datetime(2025, 6, 12, 10, 30, 45))
    article = ArticleFactory(title="有标签的文章", publish_at=when, created_by=editor)
    article.tags.add("党建", "智能建造")
    ArticleUnitFactory(article=article)
    ArticleImageFactory(article=article, caption="图注")
    workflow.article_saved(article, editor)
    return article


def test_saving_without_changes_adds_no_revision(editor_client, saved_article):
    updated = saved_article.updated_at
    assert opened_and_saved(editor_client, saved_article).status_code == 302
    assert Version.objects.get_for_object(saved_article).count() == 1
    saved_article.refresh_from_db()
    assert saved_article.updated_at == updated  # nothing changed, so nothing was written


def test_saving_keeps_the_seconds_of_every_time_on_the_form(editor_client, saved_article):
    """The Chinese time format has no seconds: a form shown with it would move the times it shows."""
    embargo = timezone.make_aware(datetime.datetime(2030, 1, 2, 1, 26, 23))
    Article.objects.filter(pk=saved_article.pk).update(embargo_until=embargo)
    saved_article.corrections.create(kind="correction", text="更正", made_at=embargo)
    assert opened_and_saved(editor_client, saved_article, title="改了标题").status_code == 302
    saved_article.refresh_from_db()
    assert saved_article.title == "改了标题"
    assert timezone.localtime(saved_article.publish_at).strftime("%H:%M:%S") == "10:30:45"
    assert saved_article.embargo_until == embargo and saved_article.corrections.get().made_at == embargo
    comment = Version.objects.get_for_object(saved_article).first().revision.get_comment()
    assert "禁发" not in comment  # the history says what the editor changed, nothing else


def test_the_history_does_not_name_unchanged_tags(editor_client, saved_article):
    assert opened_and_saved(editor_client, saved_article, title="改了标题").status_code == 302
    comment = Version.objects.get_for_object(saved_article).first().revision.get_comment()
    assert comment.startswith("已修改") and "标签" not in comment  # (field labels: the translations' work)
    assert opened_and_saved(editor_client, saved_article, tags=["党建"]).status_code == 302
    assert "标签" in Version.objects.get_for_object(saved_article).first().revision.get_comment()


# The workflow, visible: states, who wrote and who edited, filters, the count waiting for review.


@pytest.fixture
def three_levels():
    SiteSettings.objects.update_or_create(pk=1, defaults={"review_levels": 3})


@pytest.fixture
def reviewers(django_user_model):
    from .conftest import member

    return member(django_user_model, "shenhe_a", "审核"), member(django_user_model, "shenhe_b", "审核")


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def list_rows(response):
    """Each row of the article list as its text."""
    table = response.content.decode().split('id="result_list"')[1].split("</table>")[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in rows[1:]]


def test_the_list_shows_each_articles_real_state_writer_and_last_editor(
    three_levels, editor, contributor, reviewers, editor_client
):
    reviewer_a, _b = reviewers
    scheduled_at = timezone.localtime().replace(hour=8, minute=0, second=0, microsecond=0) + datetime.timedelta(days=30)
    ArticleFactory(title="草稿甲", status="draft", publish_at=None, created_by=contributor, last_edited_by=contributor)
    returned = ArticleFactory(title="退回乙", status="draft", publish_at=None, created_by=contributor)
    returned.return_reason = "第二段数据需核实。"
    returned.save()
    ArticleFactory(title="待初审丙", status="review", publish_at=None, created_by=contributor)
    ArticleFactory(title="待复审丁", status="review", review_stage=1, publish_at=None, last_edited_by=reviewer_a)
    ArticleFactory(title="待终审戊", status="review", review_stage=2, publish_at=None)
    ArticleFactory(title="定时己", publish_at=scheduled_at, created_by=editor, last_edited_by=editor)
    ArticleFactory(title="已发布庚")
    ArticleFactory(title="撤回辛", status="unpublished")
    rows = list_rows(editor_client.get(reverse("admin:articles_article_changelist")))
    state_of = {title: next(row for row in rows if title in row) for title in ["草稿甲", "退回乙", "待初审丙"]}
    assert "草稿 " in state_of["草稿甲"] and "zhuangao zhuangao" in state_of["草稿甲"]  # writer, last editor
    assert "退回修改 第二段数据需核实。" in state_of["退回乙"]
    expected = {
        "待初审丙": "待初审",
        "待复审丁": "待复审",
        "待终审戊": "待终审",
        "定时己": f"定时 {scheduled_at:%Y-%m-%d} 08:00",
        "已发布庚": "已发布",
        "撤回辛": "已撤回",
    }
    for title, state in expected.items():
        row = next(row for row in rows if title in row)
        assert row.startswith(f"{title} {state}"), row
    assert "shenhe_a" in next(row for row in rows if "待复审丁" in row)
    assert "bianji bianji" in next(row for row in rows if "定时己" in row)


def test_filters_my_articles_and_waiting_for_my_review(three_levels, contributor, reviewers):
    reviewer_a, reviewer_b = reviewers
    mine = ArticleFactory(title="我写的", status="draft", publish_at=None, created_by=contributor)
    first = ArticleFactory(title="等初审的", status="draft", publish_at=None, created_by=contributor)
    workflow.submit_for_review(first, contributor)
    second = ArticleFactory(title="等复审的", status="draft", publish_at=None, created_by=contributor)
    workflow.submit_for_review(second, contributor)
    workflow.pass_review(second, reviewer_a)
    ArticleFactory(title="已发布的")
    url = reverse("admin:articles_article_changelist")

    def titles(user, **params):
        return sorted(a.title for a in logged_in(user).get(url, params).context["cl"].result_list)

    assert titles(contributor, **{"for": "mine"}) == sorted([mine.title, first.title, second.title])
    assert titles(reviewer_a, **{"for": "review"}) == ["等初审的"]  # not the one whose first review was theirs
    assert titles(reviewer_b, **{"for": "review"}) == ["等初审的", "等复审的"]
    assert titles(contributor, **{"for": "review"}) == []
    assert titles(reviewer_b, state="review") == ["等初审的", "等复审的"]


def review_count_queries(queries):
    return [q["sql"] for q in queries.captured_queries if "review_stage" in q["sql"] and "COUNT" in q["sql"].upper()]


@pytest.mark.parametrize("waiting", [1, 4])
def test_the_count_waiting_for_my_review_is_on_the_index_and_in_the_sidebar(three_levels, reviewers, waiting):
    reviewer_a, _b = reviewers
    for i in range(waiting):
        ArticleFactory(title=f"待审{i}", status="review", publish_at=None)
    ArticleFactory(title="待终审的", status="review", review_stage=2, publish_at=None)  # not a reviewer's
    client = logged_in(reviewer_a)
    for url in (
        reverse("admin:index"),
        reverse("admin:articles_unit_changelist"),
    ):  # the index; a page with the sidebar
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert f"{waiting} 篇待审核" in page_text(response)
        assert len(review_count_queries(queries)) == 1, url
    assert 'href="/admin/articles/article/?for=review"' in response.content.decode()


def test_nothing_to_review_no_badge_and_no_query(contributor_client):
    ArticleFactory(status="review", publish_at=None)
    with CaptureQueriesContext(connection) as queries:
        response = contributor_client.get(reverse("admin:index"))
    assert "待审核" not in page_text(response) and not review_count_queries(queries)


def test_the_badge_costs_one_query_whatever_is_waiting(editor_client, django_assert_num_queries):
    url = reverse("admin:index")
    ArticleFactory(status="review", publish_at=None)
    editor_client.get(url)
    with CaptureQueriesContext(connection) as first:
        editor_client.get(url)
    for _ in range(5):
        ArticleFactory(status="review", publish_at=None)
    with django_assert_num_queries(len(first)):
        assert "6 篇待审核" in page_text(editor_client.get(url))


def test_the_form_offers_the_step_each_person_may_do(three_levels, contributor, reviewers, editor):
    reviewer_a, reviewer_b = reviewers
    article = ArticleFactory(title="三审稿", status="draft", publish_at=None, created_by=contributor)
    url = reverse("admin:articles_article_change", args=[article.pk])

    def buttons(user):
        page = logged_in(user).get(url).content.decode()
        return re.findall(r'<input type="submit" name="(_\w+)" value="([^"]*)"', page)

    assert buttons(contributor) == [("_submit_review", "保存并提交审核")]  # no publishing with three levels
    assert ("_publish", "保存并发布（或定时发布）") not in buttons(editor)
    workflow.submit_for_review(article, contributor)
    assert buttons(contributor) == []  # read only now
    assert buttons(reviewer_a) == [("_pass_review", "保存并通过初审"), ("_return_draft", "退回修改")]
    assert ("_pass_review", "保存并通过初审") in buttons(editor)  # editors may do it too
    workflow.pass_review(article, reviewer_a)
    assert buttons(reviewer_a) == []
    assert buttons(reviewer_b)[0] == ("_pass_review", "保存并通过复审")
    workflow.pass_review(article, reviewer_b)
    assert buttons(reviewer_b) == []
    assert buttons(editor) == [("_publish", "保存，终审通过并发布（或定时发布）"), ("_return_draft", "退回修改")]


def test_a_reviewer_may_correct_the_text_while_it_is_their_turn(three_levels, contributor, reviewers):
    reviewer_a, _b = reviewers
    article = ArticleFactory(title="有错字的稿", status="draft", publish_at=None, created_by=contributor)
    workflow.submit_for_review(article, contributor)
    client = logged_in(reviewer_a)
    response = opened_and_saved(client, article, title="改正后的稿", _pass_review="保存并通过初审")
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.title, article.review_stage, article.last_edited_by) == ("改正后的稿", 1, reviewer_a)
    messages_shown = [str(m) for m in messages.get_messages(response.wsgi_request)]
    assert "“改正后的稿”：初审通过，等待复审。" in messages_shown
    assert opened_and_saved(client, article, title="再改").status_code == 403  # not their turn any more


def test_returned_for_changes_the_writer_sees_why(three_levels, contributor, contributor_client, reviewers):
    reviewer_a, _b = reviewers
    article = ArticleFactory(title="要退回的稿", status="draft", publish_at=None, created_by=contributor)
    workflow.submit_for_review(article, contributor)
    client = logged_in(reviewer_a)
    refused = opened_and_saved(client, article, _return_draft="退回修改")
    assert refused.status_code == 200 and "请写明退回原因" in page_text(refused)
    article.refresh_from_db()
    assert article.status == "review"
    response = opened_and_saved(client, article, _return_draft="退回修改", return_reason="请补充项目投资额。")
    assert response.status_code == 302
    form = contributor_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert "退回修改 请补充项目投资额。" in page_text(form)
    assert 'name="_submit_review"' in form.content.decode()  # theirs again
    rows = list_rows(contributor_client.get(reverse("admin:articles_article_changelist")))
    assert "退回修改 请补充项目投资额。" in rows[0]
    history = page_text(contributor_client.get(reverse("admin:articles_article_history", args=[article.pk])))
    assert "shenhe_a 退回修改：请补充项目投资额。" in history


def test_returning_from_the_list_asks_for_the_reason(editor_client):
    articles = [ArticleFactory(title=f"批量退回{i}", status="review", publish_at=None) for i in range(2)]
    changelist = reverse("admin:articles_article_changelist")
    selected = {"action": "return_selected_to_draft", "_selected_action": [a.pk for a in articles]}
    asked = editor_client.post(changelist, selected)
    assert asked.status_code == 200 and "退回原因" in page_text(asked)
    again = form_data(asked)
    assert again["action"] == "return_selected_to_draft"
    assert sorted(again["_selected_action"]) == sorted(str(a.pk) for a in articles)
    assert editor_client.post(changelist, {**again, "return_reason": ""}).status_code == 200  # still asks
    assert editor_client.post(changelist, {**again, "return_reason": "标题太长。"}).status_code == 302
    assert set(Article.objects.values_list("status", "return_reason")) == {("draft", "标题太长。")}


# Flagged words: marked before submitting or publishing, confirmed, never changed.


@pytest.fixture
def flagged_words():
    from articles.models import FlaggedWord

    FlaggedWord.objects.create(word="既使", kind="misspelling", note="即使")
    FlaggedWord.objects.create(word="敏感词甲", kind="sensitive", note="须经总编辑同意")


def test_submitting_text_with_flagged_words_asks_first_and_changes_nothing(flagged_words, contributor_client):
    add_url = reverse("admin:articles_article_add")
    body = "<p>既使下雨，工程也按期完成。</p>"
    data = article_data(SectionFactory(), title="既使困难也要上", body=body, _submit_review="保存并提交审核")
    shown = contributor_client.post(add_url, data)
    assert shown.status_code == 200 and not Article.objects.exists()  # nothing saved yet
    page = shown.content.decode()
    assert page.count("<mark>既使</mark>") == 2 and "即使" in page and "错别字" in page
    assert 'name="_submit_review" value="confirmed"' in page and "仍然提交" in page
    again = form_data(shown, "article_form")
    assert again["title"] == "既使困难也要上"  # the input is all there
    confirmed = contributor_client.post(add_url, {**again, "_submit_review": "confirmed"})
    assert confirmed.status_code == 302
    article = Article.objects.get()
    assert (article.status, article.title, article.body) == ("review", "既使困难也要上", body)  # never changed
    assert contributor_client.post(add_url, article_data(SectionFactory(), title="干净的稿")).status_code == 302


def test_publishing_with_flagged_words_asks_in_the_form_and_from_the_list(flagged_words, editor_client):
    article = ArticleFactory(title="含敏感词甲的稿", status="draft", publish_at=None)
    shown = opened_and_saved(editor_client, article, _publish="保存并发布（或定时发布）")
    assert shown.status_code == 200 and "仍然发布" in shown.content.decode()
    article.refresh_from_db()
    assert article.status == "draft"
    changelist = reverse("admin:articles_article_changelist")
    selected = {"action": "publish_selected", "_selected_action": [article.pk]}
    asked = editor_client.post(changelist, selected)
    assert asked.status_code == 200 and "<mark>敏感词甲</mark>" in asked.content.decode()
    assert editor_client.post(changelist, form_data(asked)).status_code == 302
    article.refresh_from_db()
    assert article.is_published and article.title == "含敏感词甲的稿"


def test_editors_keep_the_list_of_flagged_words_others_read_it(editor, contributor_client):
    editor_client = logged_in(editor)
    add = reverse("admin:articles_flaggedword_add")
    assert contributor_client.post(add, {"word": "撰稿人加的", "kind": "misspelling"}).status_code == 403
    assert editor_client.post(add, {"word": "即便", "kind": "misspelling", "note": ""}).status_code == 302
    assert contributor_client.get(reverse("admin:articles_flaggedword_changelist")).status_code == 200


def test_clearing_the_publish_time_of_a_published_article_is_a_form_error_not_a_500(editor_client):
    article = ArticleFactory(title="已发布的文章")
    url = reverse("admin:articles_article_change", args=[article.pk])
    response = editor_client.post(url, change_data(article, publish_at_0="", publish_at_1=""))
    assert response.status_code == 200
    assert "publish_at" in response.context["adminform"].form.errors
    article.refresh_from_db()
    assert article.publish_at is not None and article.status == "published"


def test_a_contributor_sees_a_published_body_as_text_not_as_html_source(contributor_client):
    article = ArticleFactory(title="已发布的文章", body="<p>第一段<strong>加粗</strong></p><p>第二段</p>")
    response = contributor_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert response.status_code == 200
    text = page_text(response)
    assert "第一段 加粗" in text or "第一段加粗" in text, text
    assert "&lt;p&gt;" not in response.content.decode() and "<p>" not in text
    assert '<div class="article-body-readonly"><p>第一段<strong>加粗</strong></p><p>第二段</p></div>' in (
        response.content.decode()
    )


@pytest.mark.parametrize("value", ["abc", "1,x", "99999999999999999999999", "-1"])
def test_every_add_form_opens_whatever_its_query_string_fills_in(admin_client, value):
    """A query string fills an add form (?article=42 from the article's form, links editors keep). A
    value that is not one of the field's is left out: it made the autocomplete widgets fail (a 500)."""
    from django.contrib import admin

    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
        names = [field.name for field in model._meta.get_fields() if field.concrete or field.many_to_many]
        response = admin_client.get(url, {name: value for name in names})
        assert response.status_code < 500, (url, response.status_code)


# Odd input in the admin (a hand-made request, a value pasted from elsewhere): an answer, never a 500.
SUPERSCRIPT_TWO = "²"  # a digit to str.isdigit(), not to int()
ODD_IDS = [SUPERSCRIPT_TWO, "9" * 20, "9" * 5000]  # and more than the database's integers or int() reads


@pytest.mark.parametrize("odd", ODD_IDS, ids=["superscript", "20 digits", "5000 digits"])
def test_odd_revision_ids_in_the_comparison_are_a_bad_request(editor_client, saved_article, odd):
    url = reverse("admin:articles_article_compare", args=[saved_article.pk])
    assert editor_client.get(url, {"from": odd, "to": "1"}).status_code == 400  # two revisions asked for


@pytest.mark.parametrize(
    "row",
    [
        *({**inline_management("unit_links", total=1), "unit_links-0-unit": odd} for odd in ODD_IDS),
        *({**inline_management("images", total=1), "images-0-id": odd, "images-0-caption": "图注"} for odd in ODD_IDS),
    ],
)
def test_odd_row_values_in_the_preview_and_the_form_are_an_answer(editor_client, saved_article, row):
    data = article_data(saved_article.section, **row)
    preview = editor_client.post(reverse("admin:articles_article_preview", args=[saved_article.pk]), data)
    assert preview.status_code == 200
    add = editor_client.post(reverse("admin:articles_article_add"), {**data, "title": ""})  # shown again
    assert add.status_code == 200 and "这个字段是必填项" in page_text(add)


@pytest.mark.parametrize("day", ["0001-01-01", "1000-01-01", "9999-12-31"])
def test_a_publish_time_outside_the_archive_s_years_is_a_form_error(editor_client, day):
    data = article_data(SectionFactory(), title="古代的文章", publish_at_0=day, _publish="1")
    response = editor_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 200 and not Article.objects.exists()
    assert "1900" in page_text(response)


def test_an_impossible_year_in_the_list_s_date_filter_is_an_answer(editor_client):
    url = reverse("admin:articles_article_changelist")
    response = editor_client.get(url, {"publish_at__year": "9" * 20})
    assert response.status_code in (200, 302)


def test_a_new_unit_s_name_too_long_is_a_form_error_not_cut(editor_client):
    data = article_data(
        SectionFactory(),
        **inline_management("unit_links", total=1),
        **{"unit_links-0-unit": "new:" + "长" * 300, "unit_links-0-order": "0"},
    )
    response = editor_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 200 and not Unit.objects.exists() and not Article.objects.exists()
    assert "100" in page_text(response)


def test_a_unit_typed_in_other_capitals_is_the_known_unit(editor_client):
    known = UnitFactory(name="中建ABC公司")
    data = article_data(
        SectionFactory(),
        **inline_management("unit_links", total=1),
        **{"unit_links-0-unit": "new:中建abc公司", "unit_links-0-order": "0"},
    )
    assert editor_client.post(reverse("admin:articles_article_add"), data).status_code == 302
    assert list(Unit.objects.all()) == [known] and list(Article.objects.get().units.all()) == [known]


def test_latin_letters_typed_full_width_are_the_known_tag_and_unit(editor_client):
    known_unit = UnitFactory(name="中建ABC公司")
    Tag.objects.create(name="GDP", slug="gdp")
    data = article_data(
        SectionFactory(),
        tags="ＧＤＰ, ５Ｇ（试点）",
        **inline_management("unit_links", total=1),
        **{"unit_links-0-unit": "new:中建ＡＢＣ公司", "unit_links-0-order": "0"},
    )
    assert editor_client.post(reverse("admin:articles_article_add"), data).status_code == 302
    article = Article.objects.get()
    assert sorted(article.tags.names()) == ["5G（试点）", "GDP"]  # Chinese brackets stay full-width
    assert list(article.units.all()) == [known_unit] and Unit.objects.count() == 1


def date_filters():
    """(list address, query) of every admin list's date hierarchy and date filters, at the calendar's ends."""
    from django.contrib import admin
    from django.db import models as db_models

    for model, model_admin in admin.site._registry.items():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        if model_admin.date_hierarchy:
            yield url, {f"{model_admin.date_hierarchy}__year": "9" * 20}
            yield url, {f"{model_admin.date_hierarchy}__year": "9999", f"{model_admin.date_hierarchy}__month": "12"}
        for entry in model_admin.list_filter:
            name = entry if isinstance(entry, str) else None
            if name and isinstance(model._meta.get_field(name), db_models.DateField):
                yield url, {f"{name}__gte": "0001-01-01 00:00:00", f"{name}__lt": "0001-01-02 00:00:00"}


def test_every_admin_list_answers_dates_at_the_ends_of_the_calendar(staff_client):
    cases = list(date_filters())
    assert len(cases) >= 6  # articles, error reports, login attempts, preview links…
    for url, query in cases:
        assert staff_client.get(url, query).status_code in (200, 302), (url, query)
