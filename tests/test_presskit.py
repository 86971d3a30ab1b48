"""The press kit (articles/pressroom/kit.py): originals, the ZIP with the release as text, the PDF."""

import datetime
import io
import zipfile
from urllib.parse import quote

import pypdf
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from articles import uploads, workflow
from articles.models import Article, ArticleContact, ArticleImage, Licence, MediaContact, SiteSettings

from .factories import ArticleFactory, ArticleImageFactory, ArticleUnitFactory, CopyrightNoticeFactory, UnitFactory
from .formdata import form_data
from .pagetext import page_text
from .test_admin import article_data, inline_management

pytestmark = pytest.mark.django_db

TITLE = "党建引领聚合力 智能建造筑精品"
BODY_SENTENCE = "六家共建单位共同签署《支部共建协议书》，携手推进项目建设。"


def located_photo(name, size=(64, 48), colour="red", fmt="JPEG"):
    """A photo with GPS data in its EXIF, as a phone takes it, cleaned as every upload is."""
    exif = Image.Exif()
    gps = exif.get_ifd(uploads.GPS_IFD)
    gps[1], gps[2] = "N", (30.0, 15.0, 0.0)
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, fmt, exif=exif.tobytes())
    return uploads.clean_image(SimpleUploadedFile(name, buffer.getvalue()))


@pytest.fixture
def release():
    SiteSettings.objects.filter(pk=1).update(short_name="国企网")
    CopyrightNoticeFactory(
        title="国企网版权与免责声明", clauses="凡注明来源的稿件均为转载\n转载请注明出处", is_default=True
    )
    article = ArticleFactory(
        title=TITLE,
        subtitle="浙江一建杭州医学院临安二期项目举行签约仪式",
        source="《国企》杂志融媒浙江讯",
        author="江风",
        editor="李编辑",
        body=f"<p>{BODY_SENTENCE}</p><p>项目部党支部书记介绍了共建工作安排。</p>",
        publish_at=timezone.make_aware(datetime.datetime(2025, 6, 12, 10, 30)),
    )
    ArticleUnitFactory(article=article, unit=UnitFactory(name="杭州医学院"))
    ArticleImageFactory(
        article=article,
        image=located_photo("IMG_256.jpg"),
        caption="签约仪式现场：六家共建单位共同签署协议",
        alt_text="六位代表在协议书上签字",
        credit="王摄影",
        order=0,
    )
    ArticleImageFactory(
        article=article,
        image=located_photo("site.png", colour="blue", fmt="PNG"),
        caption="项目/工地 全景?",
        alt_text="工地全景",
        licence=Licence.CC_BY,
        copyright_holder="浙江一建",
        order=1,
    )
    ArticleImageFactory(article=article, image=None, caption="待补的图", alt_text="占位")  # no file: not in the kit
    workflow.article_saved(article)
    return article


def zip_url(article):
    return reverse("articles:press_kit_zip", args=[article.pk])


def pdf_url(article):
    return reverse("articles:press_kit_pdf", args=[article.pk])


def download(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, response.status_code
    assert response.streaming
    return response, b"".join(response.streaming_content)


def test_the_zip_holds_the_originals_with_chinese_names_and_the_release_as_text(client, release):
    response, data = download(client, zip_url(release))
    assert response["Content-Type"] == "application/zip"
    assert f"filename*=utf-8''{quote(TITLE + '.zip')}" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    first, second = "01-签约仪式现场：六家共建单位共同签署协议.jpg", "02-项目 工地 全景.png"
    assert archive.namelist() == [first, second, "新闻稿.txt"]
    assert all(info.flag_bits & 0x800 for info in archive.infolist())  # names marked UTF-8
    images = list(ArticleImage.objects.filter(article=release).exclude(image="").order_by("order"))
    for name, image in zip(archive.namelist(), images, strict=False):
        with image.image.open("rb") as stored:
            assert archive.read(name) == stored.read()  # the original, full resolution
        with Image.open(io.BytesIO(archive.read(name))) as member:
            assert member.size == (64, 48)
            assert not member.getexif().get_ifd(uploads.GPS_IFD)  # no location
    text = archive.read("新闻稿.txt").decode("utf-8")
    lines = [line.strip() for line in text.splitlines()]
    assert lines[0] == TITLE and lines[1] == "——浙江一建杭州医学院临安二期项目举行签约仪式"
    for expected in [
        "发布时间：2025-06-12 10:30",
        "来源：《国企》杂志融媒浙江讯",
        "作者：江风",
        f"原文链接：http://testserver/articles/{release.pk}/",
        BODY_SENTENCE,
        "项目部党支部书记介绍了共建工作安排。",
        "参与单位：杭州医学院",
        "责任编辑：李编辑",
        "01-签约仪式现场：六家共建单位共同签署协议.jpg",
        "图注：签约仪式现场：六家共建单位共同签署协议",
        "摄影：王摄影",
        "© 2025 国企网 · 版权所有，媒体使用请注明来源",
        "© 2025 浙江一建 · 知识共享署名 4.0 国际",
        "国企网版权与免责声明:",
        "① 凡注明来源的稿件均为转载",
    ]:
        assert expected in lines, expected
    assert "待补的图" not in text
    assert "\r\n" in text and "\n\n\n" not in text.replace("\r\n", "\n")


def pdf_fonts(reader):
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font)[
                "/FontDescriptor"
            ].get_object()
            fonts[str(font["/BaseFont"])] = {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor)
    return fonts


def test_the_pdf_has_the_chinese_text_and_its_fonts_embedded(client, release):
    response, data = download(client, pdf_url(release))
    assert response["Content-Type"] == "application/pdf"
    assert f"filename*=utf-8''{quote(TITLE + '.pdf')}" in response["Content-Disposition"]
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = "".join(text.split())
    caption = "签约仪式现场：六家共建单位共同签署协议"
    for expected in [TITLE, BODY_SENTENCE, caption, "摄影：王摄影", "杭州医学院", "责任编辑：李编辑"]:
        assert "".join(expected.split()) in flat, expected
    assert "《国企》杂志融媒浙江讯（江风）" in flat  # the dateline, as on the page
    fonts = pdf_fonts(reader)
    assert fonts and all(fonts.values()), fonts  # every font embedded
    assert any("CJK" in name for name in fonts)


@pytest.mark.parametrize(
    "state",
    [
        {"status": Article.Status.DRAFT, "publish_at": None},
        {"status": Article.Status.REVIEW, "publish_at": None},
        {"status": Article.Status.UNPUBLISHED},
        {"publish_at": timezone.now() + datetime.timedelta(hours=1)},
        {"deleted_at": timezone.now()},
    ],
    ids=["draft", "review", "withdrawn", "scheduled", "trash"],
)
def test_no_kit_unless_the_article_is_published(client, staff_client, state):
    article = ArticleFactory(**state)
    ArticleImageFactory(article=article)
    for url in (zip_url(article), pdf_url(article)):
        assert client.get(url).status_code == 404
        assert staff_client.get(url).status_code == 404
    assert not default_storage.exists("presskits")
    assert client.get(reverse("articles:press_kit_zip", args=[999999])).status_code == 404


def kept_kits(article):
    folder = f"presskits/{article.pk}"
    return sorted(default_storage.listdir(folder)[1]) if default_storage.exists(folder) else []


def test_a_kit_is_made_once_per_version_and_a_change_makes_a_new_one(client, release, cache_backend):
    first, data = download(client, zip_url(release))
    kept = kept_kits(release)
    assert len(kept) == 1
    again, same = download(client, zip_url(release))
    assert same == data and kept_kits(release) == kept and again["ETag"] == first["ETag"]
    assert client.get(zip_url(release), headers={"if-none-match": first["ETag"]}).status_code == 304
    release.title = "改过的标题"
    release.save()
    workflow.article_saved(release, comment="改标题")
    changed, new = download(client, zip_url(release))
    assert changed["ETag"] != first["ETag"]
    assert zipfile.ZipFile(io.BytesIO(new)).read("新闻稿.txt").decode().startswith("改过的标题")
    assert len(kept_kits(release)) == 1 and kept_kits(release) != kept  # the old one is gone
    workflow.unpublish(release)
    assert client.get(zip_url(release)).status_code == 404
    assert client.get(zip_url(release), headers={"if-none-match": changed["ETag"]}).status_code == 404


def test_the_article_page_has_a_downloads_section(client, release):
    text = page_text(client.get(release.get_absolute_url()))
    assert "下载" in text
    assert "新闻稿 PDF" in text
    html = client.get(release.get_absolute_url()).content.decode()
    assert f'href="{zip_url(release)}"' in html and f'href="{pdf_url(release)}"' in html
    image = ArticleImage.objects.get(article=release, caption__startswith="签约")
    assert f'href="{image.image.url}" download="01-签约仪式现场：六家共建单位共同签署协议.jpg"' in html
    assert "© 2025 国企网 · 版权所有，媒体使用请注明来源" in text
    assert "© 2025 浙江一建 · 知识共享署名 4.0 国际" in text


def test_the_caption_shows_credit_and_stated_licence(client, release):
    text = page_text(client.get(release.get_absolute_url()))
    assert "签约仪式现场：六家共建单位共同签署协议 摄影：王摄影" in text
    assert "项目/工地 全景? © 浙江一建 · 知识共享署名 4.0 国际" in text


def test_a_draft_preview_has_no_downloads_section(staff_client):
    draft = ArticleFactory(status=Article.Status.DRAFT, publish_at=None)
    ArticleImageFactory(article=draft)
    html = staff_client.get(draft.get_absolute_url()).content.decode()
    assert "press-kit" not in html


def test_credit_and_licence_are_edited_in_the_article_form(editor_client):
    photo = ContentFile(located_photo("photo.jpg").read(), name="photo.jpg")
    data = article_data(
        ArticleFactory().section,
        **inline_management("images", total=1),
        **{
            "images-0-image": SimpleUploadedFile("photo.jpg", photo.read(), "image/jpeg"),
            "images-0-caption": "图注",
            "images-0-alt_text": "说明",
            "images-0-credit": "李摄影",
            "images-0-licence": Licence.CC_BY_NC,
            "images-0-copyright_holder": "某某集团",
            "images-0-order": "0",
            "images-0-position": "0",
        },
    )
    response = editor_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 302
    image = ArticleImage.objects.get(caption="图注")
    assert (image.credit, image.licence, image.copyright_holder) == ("李摄影", Licence.CC_BY_NC, "某某集团")
    form = editor_client.get(reverse("admin:articles_article_change", args=[image.article_id]))
    fields = form_data(form, "article_form")
    assert fields["images-0-licence"] == Licence.CC_BY_NC and fields["images-0-credit"] == "李摄影"
    assert "许可" in page_text(form)


def test_purging_an_article_from_the_trash_deletes_its_kept_kits(client, release):
    download(client, zip_url(release))
    download(client, pdf_url(release))
    assert len(kept_kits(release)) == 2
    workflow.trash(release)
    workflow.purge_trash(now=timezone.now() + datetime.timedelta(days=365))
    assert not Article.objects.filter(pk=release.pk).exists()
    assert kept_kits(release) == []


def test_making_a_pdf_leaves_pillow_refusing_cut_off_images(client, release):
    """Importing WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES for the whole process: after the first
    PDF a worker accepted cut-off photos in the admin (tests/test_uploads.py failed after this file)."""
    from PIL import ImageFile

    response, data = download(client, pdf_url(release))
    assert response["Content-Type"] == "application/pdf" and data.startswith(b"%PDF")
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_the_kit_names_the_media_contacts_and_follows_their_changes(client, release, cache_backend):
    """Journalists keep the kit: its text and PDF give each contact in full (name, role, unit, phone,
    email); a change of a contact makes a new kit."""
    contact = MediaContact.objects.create(
        name="张三",
        role="宣传部 部长",
        unit=UnitFactory(name="浙江一建"),
        phone="0571-86915636",
        email="zhang@press.example.cn",
    )
    ArticleContact.objects.create(article=release, contact=contact)
    workflow.article_saved(release)
    _response, data = download(client, zip_url(release))
    text = zipfile.ZipFile(io.BytesIO(data)).read("新闻稿.txt").decode()
    assert (
        "新闻联系人\r\n张三 宣传部 部长 · 浙江一建\r\n  电话：0571-86915636\r\n  邮箱：zhang@press.example.cn\r\n"
        in text
    )
    _response, data = download(client, pdf_url(release))
    flat = "".join("".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages).split())
    assert "张三宣传部部长·浙江一建·电话：0571-86915636·邮箱：zhang@press.example.cn" in flat

    contact.phone = "0571-88888888"
    contact.save()
    workflow.contact_saved(contact)
    _response, data = download(client, zip_url(release))
    assert "电话：0571-88888888" in zipfile.ZipFile(io.BytesIO(data)).read("新闻稿.txt").decode()
