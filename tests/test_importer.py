import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone
from PIL import Image

from articles.importer import MalformedPage, parse_page
from articles.models import Article, ArticleImage, CopyrightNotice, PromoBlock, Unit

from .conftest import SEED

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


def test_reimport_updates_and_never_duplicates(seed_article):
    Article.objects.filter(pk=seed_article.pk).update(title="编辑改过的标题")
    out, _ = run_import(SEED)
    assert "updated" in out
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


def test_publish_time_from_page_then_option_then_now(tmp_path):
    dated = write(tmp_path, "dated.txt", HEADER + "标题\n\n2025-06-12 10:30\n\n正文。\n")
    undated = write(tmp_path, "undated.txt", HEADER + "另一标题\n\n正文。\n")
    run_import(dated, undated, published="2024-01-02T08:00")
    tz = timezone.get_current_timezone()
    assert Article.objects.get(import_key="dated.txt").publish_at == datetime.datetime(2025, 6, 12, 10, 30, tzinfo=tz)
    assert Article.objects.get(import_key="undated.txt").publish_at == datetime.datetime(2024, 1, 2, 8, 0, tzinfo=tz)
    before = timezone.now()
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
    assert "dry run, nothing stored: 1 created, 0 updated, 0 failed" in out.getvalue()
    assert not Article.objects.exists()


def test_large_batches_show_progress_and_end_with_a_summary(tmp_path):
    for i in range(5):
        write(tmp_path, f"{i}.txt", HEADER + f"标题{i}\n\n正文。\n")
    out = StringIO()
    call_command("import_articles", str(tmp_path), "--progress-every=2", stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split(" files")[0] for line in lines[:-1]] == ["2/5", "4/5", "5/5"]
    assert lines[-1].startswith("5 created, 0 updated, 0 failed (5 files in ")
    assert Article.objects.count() == 5


def test_images_beside_the_text_get_the_upload_checks(tmp_path):
    (tmp_path / "IMG_1.jpg").write_bytes(b"<svg onload=alert(1)></svg>")
    write(tmp_path, "a.txt", HEADER + "标题\n\n第一段。\n\nIMG_1 图一\n")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_articles", str(tmp_path / "a.txt"), stdout=StringIO(), stderr=err)
    assert "IMG_1.jpg: " in err.getvalue() and "SVG" in err.getvalue()
    assert not Article.objects.exists()
