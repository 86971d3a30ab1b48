import datetime
import os
import random
import re
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from reversion.models import Version

from articles import workflow
from articles.importer import MalformedPage, _units, parse_page
from articles.models import Article, ArticleImage, CopyrightNotice, PromoBlock, Section, Unit

from .conftest import SEED
from .factories import ArticleFactory

pytestmark = pytest.mark.django_db

HEADER = "《国企》杂志社官网-协会\n\n协会\n\n订阅\n\n"
NOTICE = "国企网-《国企》杂志社官网版权与免责声明:\n  • ① 第一条。\n  • ② 第二条。\n"


def write(folder, name, text):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def run_import(*paths, **options):
    out, err = StringIO(), StringIO()
    args = [str(path) for path in paths] + [f"--{key}={value}" for key, value in options.items()]
    call_command("import_articles", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_seed_imports_with_all_its_parts(seed_article):
    article = seed_article
    assert article.section.name == "协会" and article.column.name == "党建好故事"
    assert article.title == "党建引领聚合力 智能建造筑精品"
    assert article.subtitle.startswith("浙江一建杭州医学院") and article.subtitle.endswith("授旗仪式举行")
    assert (article.source, article.author) == ("《国企》杂志融媒浙江讯", "江风")
    assert article.body.startswith("<p>近日,浙江一建")
    assert "关注分享" not in article.body and "免责声明" not in article.body and "IMG_256" not in article.body
    assert [link.unit.name for link in article.unit_links.all()] == [
        "杭州医学院",
        "临安区住建局",
        "锦南街道综合行政执法队",
        "蓝乐集团",
        "北京中联环",
        "浙江一建",
    ]
    images = list(article.images.all())
    assert [(i.name, i.caption, i.position) for i in images] == [
        ("IMG_256", "六家共建单位共同签署《支部共建协议书》", 3),
        ("IMG_257", "领导给党员突击队授旗", 4),
    ]
    assert not images[0].image  # no file beside the seed: a slot for the editor
    assert article.copyright_notice.is_default and len(article.copyright_notice.numbered_clauses()) == 3
    assert PromoBlock.objects.get().title == "关注分享" and article.show_promo
    assert article.is_published


def test_reimport_updates_and_never_duplicates(seed_article, tmp_path):
    text = SEED.read_text(encoding="utf-8").replace("党建引领聚合力", "党建引领聚合力（更正）")
    out, _ = run_import(write(tmp_path, SEED.name, text))
    assert "updated article" in out
    out, _ = run_import(SEED)
    assert "updated article" in out
    assert Article.objects.count() == 1 and Unit.objects.count() == 6 and ArticleImage.objects.count() == 2
    assert CopyrightNotice.objects.count() == 1 and PromoBlock.objects.count() == 1
    article = Article.objects.get()
    assert article.title == "党建引领聚合力 智能建造筑精品" and article.publish_at == seed_article.publish_at


def test_closed_dateline_without_images_units_or_promo(tmp_path):
    path = write(
        tmp_path,
        "closed.txt",
        HEADER + "国企改革新进展\n\n分享到:\n\n新华社北京电(记者 张三)今日召开会议。\n\n会议强调改革。\n",
    )
    run_import(path)
    article = Article.objects.get(import_key="closed.txt")
    assert (article.column, article.title, article.subtitle) == (None, "国企改革新进展", "")
    assert (article.source, article.author) == ("新华社北京电", "记者 张三")
    assert article.body == "<p>今日召开会议。</p>\n<p>会议强调改革。</p>"
    assert not article.images.exists() and not article.units.exists()
    assert not article.show_promo and article.copyright_notice is None


def test_several_images_with_files_beside_the_text(tmp_path):
    Image.new("RGB", (64, 48), "blue").save(tmp_path / "IMG_1.jpg")
    Image.new("RGB", (32, 32), "green").save(tmp_path / "IMG_3.png")
    path = write(
        tmp_path,
        "images.txt",
        HEADER + "【专题】标题 ——副标题\n\n本刊讯(专题  李 四第一段。\n\nIMG_1 图一\n\n第二段。\n\nIMG_2 图二\n\n"
        "IMG_3 图三\n\n第三段。\n\n" + NOTICE,
    )
    run_import(path)
    article = Article.objects.get()
    assert (article.source, article.author) == ("本刊讯", "李四")
    images = list(article.images.all())
    assert [(i.name, i.position, bool(i.image)) for i in images] == [
        ("IMG_1", 1, True),
        ("IMG_2", 2, False),
        ("IMG_3", 2, True),
    ]
    assert images[0].image.width == 64 and images[2].image.height == 32
    # A re-import keeps the attached files and does not store them twice.
    stored = images[0].image.name
    run_import(path)
    assert article.images.get(name="IMG_1").image.name == stored and ArticleImage.objects.count() == 3


def test_existing_units_are_matched_by_name_or_short_name(tmp_path):
    kept = Unit.objects.create(name="杭州医学院")
    short = Unit.objects.create(name="浙江省第一建筑工程集团", short_name="浙江一建")
    named = Unit.objects.create(name="国资委")
    path = write(
        tmp_path, "units.txt", HEADER + "标题\n\n杭州医学院、新单位及浙江一建等三家单位参加。国资委到场指导。\n"
    )
    run_import(path)
    units = [link.unit for link in Article.objects.get().unit_links.all()]
    assert units[:2] == [kept, Unit.objects.get(name="新单位")]
    assert units[2:] == [short, named]


def test_a_unit_named_by_its_name_and_its_short_name_is_linked_once(tmp_path):
    unit = Unit.objects.create(name="浙江省第一建筑工程集团", short_name="浙江一建")
    write(tmp_path, "a.txt", HEADER + "标题\n\n杭州医学院、浙江一建等单位参加。浙江省第一建筑工程集团承建。\n")
    write(tmp_path, "b.txt", HEADER + "另一篇\n\n正文。\n")
    run_import(tmp_path)
    assert [link.unit for link in Article.objects.get(import_key="a.txt").unit_links.all()] == [
        Unit.objects.get(name="杭州医学院"),
        unit,
    ]
    assert Article.objects.count() == 2


def test_publish_time_from_page_then_option_then_now(tmp_path):
    dated = write(tmp_path, "dated.txt", HEADER + "标题\n\n2025-06-12 10:30\n\n正文。\n")
    undated = write(tmp_path, "undated.txt", HEADER + "另一标题\n\n正文。\n")
    run_import(dated, undated, published="2024-01-02T08:00")
    tz = timezone.get_current_timezone()
    assert Article.objects.get(import_key="dated.txt").publish_at == datetime.datetime(2025, 6, 12, 10, 30, tzinfo=tz)
    assert Article.objects.get(import_key="undated.txt").publish_at == datetime.datetime(2024, 1, 2, 8, 0, tzinfo=tz)
    before = timezone.now().replace(second=0, microsecond=0)  # the time of import, to the minute
    write(tmp_path, "now.txt", HEADER + "第三标题\n\n正文。\n")
    run_import(tmp_path / "now.txt")
    assert Article.objects.get(import_key="now.txt").publish_at >= before


def test_malformed_files_are_reported_and_the_rest_import(tmp_path):
    write(tmp_path, "a_empty.txt", "   \n")
    write(tmp_path, "b_noheader.txt", "没有页眉的一行\n正文。\n")
    write(tmp_path, "c_nobody.txt", HEADER + "只有标题\n")
    (tmp_path / "d_binary.txt").write_bytes(b"\xff\xfe\x00\x81binary")
    write(tmp_path, "e_good.txt", HEADER + "好文章\n\n正文。\n")
    with pytest.raises(CommandError, match="4 file"):
        run_import(tmp_path)
    assert list(Article.objects.values_list("title", flat=True)) == ["好文章"]


def test_malformed_file_names_the_file_and_reason(tmp_path, capsys):
    write(tmp_path, "c_nobody.txt", HEADER + "只有标题\n")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_articles", str(tmp_path / "c_nobody.txt"), stdout=StringIO(), stderr=err)
    assert "c_nobody.txt: the page has no body paragraphs" in err.getvalue()


@pytest.mark.parametrize(
    ("text", "reason"),
    [("", "empty"), ("无页眉\n正文", "first line"), (HEADER, "no title"), (HEADER + "标题\n", "no body")],
)
def test_parse_page_reasons(text, reason):
    with pytest.raises(MalformedPage, match=reason):
        parse_page(text)


def test_bad_published_option_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="not a date"):
        run_import(SEED, published="昨天")


def test_dry_run_checks_everything_and_stores_nothing(tmp_path):
    Image.new("RGB", (8, 8), "blue").save(tmp_path / "IMG_1.jpg")
    write(tmp_path, "a.txt", HEADER + "标题甲\n\n本刊讯(李 四第一段。\n\nIMG_1 图一\n\n" + NOTICE)
    write(tmp_path, "b.txt", HEADER + "只有标题\n")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 file"):
        call_command("import_articles", str(tmp_path), "--dry-run", stdout=out, stderr=err)
    assert "b.txt: the page has no body paragraphs" in err.getvalue()
    assert "a.txt: created article" in out.getvalue()
    assert not Article.objects.exists() and not Unit.objects.exists() and not CopyrightNotice.objects.exists()
    assert not (Path(settings.MEDIA_ROOT).exists() and any(Path(settings.MEDIA_ROOT).rglob("*.jpg")))


def test_dry_run_summary_says_nothing_was_stored(tmp_path):
    write(tmp_path, "a.txt", HEADER + "标题甲\n\n正文。\n")
    out = StringIO()
    call_command("import_articles", str(tmp_path), "--dry-run", stdout=out)
    assert "dry run, nothing stored: 1 created, 0 updated, 0 skipped (edited in the admin), 0 failed" in out.getvalue()
    assert not Article.objects.exists()


def test_large_batches_show_progress_and_end_with_a_summary(tmp_path):
    for i in range(5):
        write(tmp_path, f"{i}.txt", HEADER + f"标题{i}\n\n正文。\n")
    out = StringIO()
    call_command("import_articles", str(tmp_path), "--progress-every=2", stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split(" files")[0] for line in lines[:-1]] == ["2/5", "4/5", "5/5"]
    assert lines[-1].startswith("5 created, 0 updated, 0 skipped (edited in the admin), 0 failed (5 files in ")
    assert Article.objects.count() == 5


def test_images_beside_the_text_get_the_upload_checks(tmp_path):
    (tmp_path / "IMG_1.jpg").write_bytes(b"<svg onload=alert(1)></svg>")
    write(tmp_path, "a.txt", HEADER + "标题\n\n第一段。\n\nIMG_1 图一\n")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_articles", str(tmp_path / "a.txt"), stdout=StringIO(), stderr=err)
    assert "IMG_1.jpg: " in err.getvalue() and "SVG" in err.getvalue()
    assert not Article.objects.exists()


# Re-imports never override an editor: an article edited or withdrawn in the admin is left as it is.


class _FormFields(HTMLParser):
    """The fields a browser would post from the admin's change form, as (name, value) pairs."""

    def __init__(self):
        super().__init__()
        self.fields, self.textarea, self.select, self.option = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in {"submit", "file", "button"}:
            if attrs.get("type") not in {"checkbox", "radio"} or "checked" in attrs:
                self.fields.append((name, attrs.get("value", "on" if attrs.get("type") == "checkbox" else "")))
        elif tag == "textarea" and name:
            self.textarea = [name, ""]
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in attrs:
            self.fields.append((self.select, attrs.get("value", "")))

    def handle_data(self, data):
        if self.textarea:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self.textarea:
            self.fields.append(tuple(self.textarea))
            self.textarea = None
        elif tag == "select":
            self.select = None


def save_in_admin(client, article, **changes):
    """Open the article's change form as an editor, change ``changes``, save: what an editor does."""
    url = reverse("admin:articles_article_change", args=[article.pk])
    page = client.get(url)
    assert page.status_code == 200
    parser = _FormFields()
    parser.feed(page.content.decode())
    data = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    data.update({name: value if isinstance(value, list) else [value] for name, value in changes.items()})
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    return response


def state(article):
    """What readers and editors see of an article, to compare before and after a re-import."""
    article = Article.objects.get(pk=article.pk)
    return {
        "row": {f.attname: getattr(article, f.attname) for f in Article._meta.concrete_fields},
        "images": list(article.images.values_list("pk", "name", "caption", "alt_text", "image", "order", "position")),
        "units": list(article.unit_links.values_list("unit__name", "order")),
        "tags": sorted(article.tags.names()),
    }


def edited_seed(tmp_path):
    """A copy of the reference page with a corrected title and one unit fewer: a re-import with news."""
    text = SEED.read_text(encoding="utf-8").replace("党建引领聚合力", "党建引领聚合力（更正）")
    return write(tmp_path, SEED.name, text.replace("北京中联环及", ""))


def merge_zhejiang(client, seed):
    kept = Unit.objects.create(name="浙江省第一建筑工程集团有限公司")
    workflow.merge_units(kept, [Unit.objects.get(name="浙江一建")])


def rename_unit(client, seed):
    unit = Unit.objects.get(name="蓝乐集团")
    client.post(
        reverse("admin:articles_unit_change", args=[unit.pk]),
        {"name": "蓝城乐居集团", "short_name": "", "kind": "enterprise", "website": "", "description": ""},
    )
    assert Unit.objects.filter(name="蓝城乐居集团").exists()


def rename_section(client, seed):
    client.post(reverse("admin:articles_section_change", args=[seed.section.pk]), {"name": "协会动态", "order": "0"})
    assert Section.objects.get().name == "协会动态"


ADMIN_EDITS = {
    "title": lambda client, seed: save_in_admin(client, seed, title="编辑改过的标题"),
    "tags only": lambda client, seed: save_in_admin(client, seed, tags=["党建"]),
    "image caption only": lambda client, seed: save_in_admin(client, seed, **{"images-0-caption": "编辑改过的图注"}),
    "a unit removed": lambda client, seed: save_in_admin(client, seed, **{"unit_links-5-DELETE": "on"}),
    "saved unchanged then unpublished": lambda client, seed: save_in_admin(client, seed, _unpublish="1"),
    "withdrawn": lambda client, seed: workflow.unpublish(seed),
    "moved to the trash": lambda client, seed: workflow.trash(seed),
    "units merged": merge_zhejiang,
    "a unit renamed": rename_unit,
    "its section renamed": rename_section,
}


@pytest.mark.parametrize("edit", ADMIN_EDITS, ids=list(ADMIN_EDITS))
def test_reimport_leaves_an_article_edited_in_the_admin_as_it_is(editor_client, seed_article, tmp_path, edit):
    ADMIN_EDITS[edit](editor_client, seed_article)
    before, units = state(seed_article), set(Unit.objects.values_list("name", flat=True))
    revisions = Version.objects.get_for_object(seed_article).count()
    out, _ = run_import(edited_seed(tmp_path))
    assert f"{SEED.name}: skipped: edited in the admin (article {seed_article.pk} " in out
    assert out.splitlines()[-1].startswith("0 created, 0 updated, 1 skipped (edited in the admin), 0 failed")
    assert state(seed_article) == before
    assert set(Unit.objects.values_list("name", flat=True)) == units  # no merged or renamed unit comes back
    assert Section.objects.count() == 1  # nor does a renamed section
    assert Version.objects.get_for_object(seed_article).count() == revisions


def test_reimport_of_a_withdrawn_article_never_republishes_it(seed_article, client, tmp_path):
    workflow.unpublish(seed_article)
    run_import(edited_seed(tmp_path))
    seed_article.refresh_from_db()
    assert seed_article.status == Article.Status.UNPUBLISHED
    assert client.get(seed_article.get_absolute_url()).status_code == 404


def test_reimport_updates_an_article_nobody_touched(seed_article, tmp_path):
    out, _ = run_import(edited_seed(tmp_path))
    assert f"{SEED.name}: updated article {seed_article.pk} " in out
    assert out.splitlines()[-1].startswith("0 created, 1 updated, 0 skipped (edited in the admin), 0 failed")
    article = Article.objects.get()
    assert article.title == "党建引领聚合力（更正） 智能建造筑精品" and article.status == Article.Status.PUBLISHED
    assert "北京中联环" not in [link.unit.name for link in article.unit_links.all()]
    # Updated by the importer, it is still the importer's: the next re-import updates it again.
    out, _ = run_import(SEED)
    assert "updated article" in out and Article.objects.get().title == "党建引领聚合力 智能建造筑精品"


def test_an_article_saved_in_the_admin_without_a_change_is_still_the_importers(editor_client, seed_article, tmp_path):
    save_in_admin(editor_client, seed_article)
    out, _ = run_import(edited_seed(tmp_path))
    assert "updated article" in out


def test_reimport_of_the_same_file_changes_nothing(seed_article):
    revisions = Version.objects.get_for_object(seed_article).count()
    updated_at = seed_article.updated_at
    out, _ = run_import(SEED)
    assert f"{SEED.name}: unchanged article {seed_article.pk} " in out
    assert out.splitlines()[-1].startswith("0 created, 0 updated, 1 unchanged, 0 skipped (edited in the admin)")
    assert Version.objects.get_for_object(seed_article).count() == revisions
    assert Article.objects.get().updated_at == updated_at


def test_an_edit_undone_by_restoring_the_imported_revision_lets_reimports_update(editor_client, seed_article, tmp_path):
    imported = Version.objects.get_for_object(seed_article).get()
    save_in_admin(editor_client, seed_article, title="编辑改过的标题")
    revert_url = reverse("admin:articles_article_revision", args=[seed_article.pk, imported.pk])
    save_in_admin_at(editor_client, revert_url)
    assert Article.objects.get().title == "党建引领聚合力 智能建造筑精品"
    out, _ = run_import(edited_seed(tmp_path))
    assert "updated article" in out


def save_in_admin_at(client, url):
    page = client.get(url)
    assert page.status_code == 200
    parser = _FormFields()
    parser.feed(page.content.decode())
    data = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    response = client.post(url, data)
    assert response.status_code == 302
    return response


def test_overwrite_replaces_edited_content_but_never_the_status(editor_client, seed_article, tmp_path):
    save_in_admin(editor_client, seed_article, title="编辑改过的标题", summary="编辑写的摘要", tags=["党建"])
    workflow.unpublish(Article.objects.get())
    out, _ = run_import(edited_seed(tmp_path), "--overwrite")
    assert f"{SEED.name}: overwritten article {seed_article.pk} " in out
    assert out.splitlines()[-1].startswith("0 created, 0 updated, 1 overwritten, 0 skipped (edited in the admin)")
    article = Article.objects.get()
    assert article.title == "党建引领聚合力（更正） 智能建造筑精品"
    assert article.status == Article.Status.UNPUBLISHED  # the editor's decision stands
    assert article.summary == "编辑写的摘要" and article.tags.names()[0] == "党建"  # the file says nothing of them
    # The history says who replaced the editor's changes.
    last = Version.objects.get_for_object(article).first().revision
    assert last.user is None and f"--overwrite {SEED.name}" in last.get_comment().replace("从 ", "")
    # Overwritten, it is the importer's again: the next re-import updates it.
    out, _ = run_import(SEED)
    assert "updated article" in out


def test_overwrite_keeps_an_article_in_the_trash(seed_article, tmp_path):
    workflow.trash(seed_article)
    run_import(edited_seed(tmp_path), "--overwrite")
    article = Article.objects.get()
    assert article.deleted_at is not None and article.title.startswith("党建引领聚合力（更正）")


def test_dry_run_reports_skips_and_changes_nothing(seed_article, tmp_path):
    workflow.unpublish(seed_article)
    other = write(tmp_path, "other.txt", HEADER + "另一篇\n\n正文。\n")
    before = state(seed_article)
    out, _ = run_import(edited_seed(tmp_path), other, "--dry-run")
    assert "skipped: edited in the admin" in out
    assert out.splitlines()[-1].startswith(
        "dry run, nothing stored: 1 created, 0 updated, 1 skipped (edited in the admin), 0 failed"
    )
    assert state(seed_article) == before and Article.objects.count() == 1
    out, _ = run_import(edited_seed(tmp_path), "--dry-run", "--overwrite")
    assert "overwritten article" in out and state(seed_article) == before


def test_articles_imported_before_digests_count_as_edited_once_a_person_saved_one(
    editor_client, seed_article, tmp_path
):
    Article.objects.update(import_digest="")  # as the migration leaves articles imported before it
    out, _ = run_import(edited_seed(tmp_path))
    assert "updated article" in out  # only the importer ever saved it
    Article.objects.update(import_digest="")
    workflow.unpublish(Article.objects.get(), user=User.objects.get(username="bianji"))
    out, _ = run_import(SEED)
    assert "skipped: edited in the admin" in out


# Hostile or odd input: a file that fails is reported and skipped, the others are imported.


def test_units_of_a_page_listing_8000_units_are_found_in_linear_time():
    def page(count, suffix):
        names = [f"第{i:04d}号建设单位" for i in range(count)]
        return names, HEADER + "标题\n\n" + "、".join(names) + suffix + "\n"

    # Without “等…单位” after it a list is no enumeration of units; with it, every unit is found.
    names, text = page(8000, "等8000家单位参加。")
    started = time.perf_counter()
    assert parse_page(text).units == names
    assert parse_page(page(8000, "参加。")[1]).units == []
    assert time.perf_counter() - started < 2  # 24 s (and 90 s without “等…单位”) with the quadratic regex


def test_a_page_naming_more_units_than_an_article_takes_fails_alone(tmp_path):
    names = "、".join(f"第{i:04d}号建设单位" for i in range(8000))
    write(tmp_path, "a_units.txt", HEADER + f"标题\n\n{names}等8000家单位参加。\n")
    write(tmp_path, "b_good.txt", HEADER + "好文章\n\n甲公司、乙公司等单位参加。\n")
    err = StringIO()
    started = time.perf_counter()
    with pytest.raises(CommandError, match="1 file"):
        call_command("import_articles", str(tmp_path), stdout=StringIO(), stderr=err)
    assert time.perf_counter() - started < 10
    assert "a_units.txt: the page names 8000 participating units; an article takes at most 500" in err.getvalue()
    assert list(Article.objects.values_list("title", flat=True)) == ["好文章"]
    assert sorted(Unit.objects.values_list("name", flat=True)) == ["乙公司", "甲公司"]


# The regex the importer used before: right, but quadratic (it tried again at every character).
OLD_UNIT_NAME = r"[^\s,，。、；;：:“”\"（）()《》]{2,30}?"
OLD_UNITS_RE = re.compile(
    rf"(?P<list>(?:{OLD_UNIT_NAME}、)+{OLD_UNIT_NAME}(?:(?:及|和|与|、){OLD_UNIT_NAME})?)等"
    r"(?:[一二三四五六七八九十两\d]+)?(?:家|个)?(?:单位|企业|部门|机构|高校)"
)


def old_units(text):
    names = []
    for match in OLD_UNITS_RE.finditer(text):
        for name in re.split(r"、|及|和|与", match["list"]):
            if len(name.strip()) >= 2 and name.strip() not in names:
                names.append(name.strip())
    return names


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("杭州医学院、新单位及浙江一建等三家单位参加。", ["杭州医学院", "新单位", "浙江一建"]),
        ("甲公司、乙公司和丙公司等企业，丁公司、戊公司等部门。", ["甲公司", "乙公司", "丙公司", "丁公司", "戊公司"]),
        ("今天杭州医学院、临安区住建局等单位到场。", ["今天杭州医学院", "临安区住建局"]),
        # A name is at most 30 characters: the enumeration starts 30 characters before the first “、”.
        ("这是一个" + "很长" * 14 + "的开头甲单位、乙单位等单位。", ["很长" * 12 + "的开头甲单位", "乙单位"]),
        ("甲、乙公司等单位。", []),  # a one-character name ends the enumeration
        ("只有甲公司等单位参加。", []),
        ("甲公司、乙公司参加。", []),
    ],
)
def test_units_are_the_enumeration_before_等_单位(text, units):
    assert parse_page(HEADER + "标题\n\n" + text).units == units == old_units(text)


def test_units_are_those_the_quadratic_regex_found():
    # Random texts of names, separators and enumeration ends (“等…单位” ending a sentence, as it does).
    pieces = [*"甲乙丙丁公司", "、", "、", "及", "和", "与", "等单位。", "等三家单位，", "。", " ", "企业", "单位"]
    generator = random.Random(12)
    for _ in range(20_000):
        text = "".join(generator.choice(pieces) for _ in range(generator.randint(1, 40)))
        assert _units(text) == old_units(text), text


class Hung(BaseException):
    """Raised by the alarm: not an OSError, so the importer cannot take it for a bad file."""


@pytest.fixture
def alarm():
    """Fails the test after a few seconds instead of hanging it (a FIFO blocks open() for ever)."""

    def ring(signum, frame):
        raise Hung("the importer blocked")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(10)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def test_fifos_and_devices_are_reported_never_read(tmp_path, alarm):
    os.mkfifo(tmp_path / "a_pipe.txt")
    write(tmp_path, "b_good.txt", HEADER + "好文章\n\n正文。\n")
    os.symlink("/dev/zero", tmp_path / "c_device.txt")
    err = StringIO()
    with pytest.raises(CommandError, match="2 file"):
        call_command("import_articles", str(tmp_path), stdout=StringIO(), stderr=err)
    assert "a_pipe.txt: not a regular file" in err.getvalue()
    assert "c_device.txt: " in err.getvalue()
    assert list(Article.objects.values_list("title", flat=True)) == ["好文章"]
    # Named on the command line, the pipe gets the same answer (not “no such file”).
    err = StringIO()
    with pytest.raises(CommandError, match="1 file"):
        call_command("import_articles", str(tmp_path / "a_pipe.txt"), stdout=StringIO(), stderr=err)
    assert "a_pipe.txt: not a regular file" in err.getvalue()
    err = StringIO()
    with pytest.raises(CommandError, match="1 file"):
        call_command("import_articles", "/dev/zero", stdout=StringIO(), stderr=err)
    assert "/dev/zero: not a regular file" in err.getvalue()


def test_an_image_slot_that_is_a_fifo_is_reported_never_read(tmp_path, alarm):
    os.mkfifo(tmp_path / "IMG_1.jpg")
    write(tmp_path, "a.txt", HEADER + "标题\n\n第一段。\n\nIMG_1 图一\n")
    err = StringIO()
    with pytest.raises(CommandError, match="1 file"):
        call_command("import_articles", str(tmp_path), stdout=StringIO(), stderr=err)
    assert "IMG_1.jpg: not a regular file" in err.getvalue()
    assert not Article.objects.exists()


def test_links_to_files_outside_the_folder_are_refused(tmp_path):
    outside, folder = tmp_path / "outside", tmp_path / "pages"
    outside.mkdir()
    folder.mkdir()
    secret = write(outside, "passwd.txt", "root:x:0:0-root\n\n秘密\n\n正文。\n")
    Image.new("RGB", (16, 16), "red").save(outside / "private.jpg")
    os.symlink(secret, folder / "a_secret.txt")
    write(folder, "b_image.txt", HEADER + "有图\n\n第一段。\n\nIMG_9 图\n")
    os.symlink(outside / "private.jpg", folder / "IMG_9.jpg")
    write(folder, "c_inside.txt", HEADER + "好文章\n\n正文。\n")
    os.symlink(folder / "c_inside.txt", folder / "d_link_inside.txt")
    err = StringIO()
    with pytest.raises(CommandError, match="2 file"):
        call_command("import_articles", str(folder), stdout=StringIO(), stderr=err)
    assert "a_secret.txt: a link to a file outside the folder" in err.getvalue()
    assert "IMG_9.jpg: a link to a file outside the folder" in err.getvalue()
    assert sorted(Article.objects.values_list("import_key", flat=True)) == ["c_inside.txt", "d_link_inside.txt"]
    assert not Article.objects.filter(title="秘密").exists()
    # A file named on the command line: its folder is the one it is in.
    with pytest.raises(CommandError, match="1 file"):
        call_command("import_articles", str(folder / "a_secret.txt"), stdout=StringIO(), stderr=StringIO())


@pytest.mark.parametrize("date", ["0001-01-01", "9999-12-31 23:59", "2025-02-30", "2025-06-12 25:00"])
def test_a_bad_date_fails_only_its_file(tmp_path, date):
    write(tmp_path, "a_bad.txt", HEADER + f"标题\n\n{date}\n\n正文。\n")
    write(tmp_path, "b_good.txt", HEADER + "好文章\n\n2025-06-12\n\n正文。\n")
    err = StringIO()
    with pytest.raises(CommandError, match="1 file"):
        call_command("import_articles", str(tmp_path), stdout=StringIO(), stderr=err)
    assert "a_bad.txt: " in err.getvalue() and "date" in err.getvalue()
    assert list(Article.objects.values_list("title", flat=True)) == ["好文章"]


@pytest.mark.parametrize("value", ["0001-01-01T00:00", "9999-12-31T00:00"])
def test_published_option_out_of_range_is_a_clear_error(value):
    with pytest.raises(CommandError, match="--published: the date .* is not between the years 1900 and 2100"):
        run_import(SEED, published=value)
    assert not Article.objects.exists()


@pytest.mark.parametrize("value", ["昨天", "0001-01-01T00:00"])
def test_bad_published_option_on_the_command_line_is_a_usage_error_not_a_traceback(value):
    manage = Path(__file__).resolve().parent.parent / "manage.py"
    done = subprocess.run(
        [sys.executable, str(manage), "import_articles", "--published", value, str(SEED)],
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SECRET_KEY": "tests-only"},
        timeout=60,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "argument --published: " in done.stderr


LONG = {
    "subtitle": HEADER + "标题 ——" + "副" * 301 + "\n\n正文。\n",
    "section": "《国企》杂志社官网-" + "频" * 51 + "\n\n标题\n\n正文。\n",
    "image name": HEADER + "标题\n\n正文。\n\nIMG_" + "9" * 120 + " 图注\n",
    "caption": HEADER + "标题\n\n正文。\n\nIMG_1 " + "图" * 301 + "\n",
}


@pytest.mark.parametrize("field", LONG, ids=list(LONG))
def test_an_over_long_field_fails_only_its_file(tmp_path, field):
    write(tmp_path, "a_long.txt", LONG[field])
    write(tmp_path, "b_good.txt", HEADER + "好文章\n\n正文。\n")
    err = StringIO()
    with pytest.raises(CommandError, match="1 file"):
        call_command("import_articles", str(tmp_path), stdout=StringIO(), stderr=err)
    assert "a_long.txt: " in err.getvalue() and "characters" in err.getvalue()
    assert list(Article.objects.values_list("title", flat=True)) == ["好文章"]


def test_an_over_long_file_name_fails_only_its_file(tmp_path):
    write(tmp_path, "a" * 120 + ".txt", HEADER + "标题\n\n正文。\n")
    write(tmp_path, "b_good.txt", HEADER + "好文章\n\n正文。\n")
    err = StringIO()
    with pytest.raises(CommandError, match="1 file"):
        call_command("import_articles", str(tmp_path), stdout=StringIO(), stderr=err)
    assert "characters" in err.getvalue()
    assert list(Article.objects.values_list("title", flat=True)) == ["好文章"]


def test_a_tall_image_beside_a_page_is_imported_with_renditions(tmp_path):
    Image.new("RGB", (800, 20_000), "white").save(tmp_path / "IMG_1.png")
    write(tmp_path, "a.txt", HEADER + "长图\n\n第一段。\n\nIMG_1 信息长图\n")
    out, _ = run_import(tmp_path)
    image = Article.objects.get().images.get()
    assert image.image.height == 20_000
    assert sorted(image.renditions.values_list("format", "width", "height")) == [
        ("jpeg", 320, 8000),
        ("jpeg", 640, 16000),
        ("jpeg", 800, 20000),
        ("webp", 320, 8000),
        ("webp", 640, 16000),
    ]


def test_control_characters_are_dropped_from_the_text(tmp_path):
    # PostgreSQL refuses NUL in text, and XML (feeds) any control character but tab and line ends.
    write(tmp_path, "a.txt", HEADER + "标\x00题\x07\n\n正文\x1b第一段。\x00\n")
    run_import(tmp_path)
    article = Article.objects.get()
    assert (article.title, article.body) == ("标题", "<p>正文第一段。</p>")


def test_a_huge_title_line_or_file_fails_alone_and_fast(tmp_path):
    # The title regex backtracks over runs of spaces: quadratic on a line of 100,000 of them.
    write(tmp_path, "a_title.txt", HEADER + "标" + " " * 100_000 + "题\n\n正文。\n")
    write(tmp_path, "b_huge.txt", HEADER + "标题\n\n" + "正文。" * 600_000 + "\n")  # 5.4 MB
    write(tmp_path, "c_good.txt", HEADER + "好文章\n\n正文。\n")
    err = StringIO()
    started = time.perf_counter()
    with pytest.raises(CommandError, match="2 file"):
        call_command("import_articles", str(tmp_path), stdout=StringIO(), stderr=err)
    assert time.perf_counter() - started < 5
    assert "a_title.txt: the title line is longer than 600 characters" in err.getvalue()
    assert "b_huge.txt: the file is larger than 5 MB" in err.getvalue()
    assert list(Article.objects.values_list("title", flat=True)) == ["好文章"]


def test_a_section_column_notice_or_promo_made_by_an_import_shows_at_once(client, tmp_path):
    """Every page lists the sections, the search form the columns, and articles show the default notice
    and the promo block, all kept with the site's version: what an import creates moves it, as the
    admin does."""
    search_page = reverse("articles:search")
    existing = ArticleFactory(title="早先的文章", show_promo=True, copyright_notice=None)
    workflow.article_saved(existing)
    before = [client.get(url).content.decode() for url in ("/", existing.get_absolute_url())]
    before.append(client.get(search_page, {"q": "改革"}).content.decode())
    assert not any(word in page for page in before for word in ("协会", "会员风采", "版权与免责声明", "关注分享"))
    path = write(
        tmp_path,
        "new_section.txt",
        "《国企》杂志社官网-协会\n\n协会\n\n订阅\n\n【会员风采】国企改革新进展\n\n分享到:\n\n"
        "新华社北京电(记者 张三)今日召开会议。\n\n【关注分享】欢迎订阅《国企》杂志。\n\n" + NOTICE,
    )
    run_import(path)
    article = Article.objects.get(import_key="new_section.txt")
    assert (article.section.name, article.column.name) == ("协会", "会员风采")
    nav = re.search(r'<nav class="site-nav".*?</nav>', client.get("/").content.decode(), re.DOTALL).group()
    assert "协会" in nav
    filters = client.get(search_page, {"q": "改革"}).content.decode()
    assert re.search(r'<select name="section".*?协会.*?</select>', filters, re.DOTALL)
    assert re.search(r'<select name="column".*?会员风采.*?</select>', filters, re.DOTALL)
    page = client.get(existing.get_absolute_url()).content.decode()
    assert "版权与免责声明" in page and "欢迎订阅《国企》杂志" in page
