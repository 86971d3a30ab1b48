"""Uploads through the article admin: bad files get a form error naming the problem, nothing stored."""

import struct
import zlib
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse, reverse_lazy
from PIL import Image

from articles import uploads
from articles.models import Article, ArticleImage

from .conftest import member
from .factories import ArticleFactory, ArticleImageFactory, SectionFactory
from .formdata import form_data
from .pagetext import page_text
from .test_admin import article_data, inline_management

pytestmark = pytest.mark.django_db


def image_bytes(fmt="PNG", size=(40, 30), **save):
    buffer = BytesIO()
    Image.new("RGB", size, "red").save(buffer, fmt, **save)
    return buffer.getvalue()


def noisy_bytes(fmt, size=(400, 300)):
    buffer = BytesIO()
    Image.effect_noise(size, 64).convert("RGB").save(buffer, fmt)
    return buffer.getvalue()


def cut(data):
    return data[: len(data) * 2 // 3]


def png_header(width, height):
    """A PNG that only claims its size: what a decompression bomb looks like before decoding."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="9"/></svg>'

# (file name, content, the error's code, words of the Chinese message that name the problem)
BAD_UPLOADS = [
    ("notes.jpg", b"this is text, not a photo", "not_image", "不是"),
    ("cut.jpg", cut(noisy_bytes("JPEG")), "damaged", "不完整"),
    ("cut.png", cut(noisy_bytes("PNG")), "damaged", "不完整"),
    ("cut.webp", cut(noisy_bytes("WEBP")), "damaged", "不完整"),
    ("bomb.png", png_header(30_000, 30_000), "bomb", "解压炸弹"),
    ("huge.png", png_header(8_000, 6_000), "too_many_pixels", "4000 万像素"),
    ("drawing.svg", SVG, "svg", "SVG"),
    ("disguised.png", SVG, "svg", "SVG"),
    ("photo.jpg", image_bytes("PNG"), "extension_mismatch", "实际是 PNG"),
    ("photo.png", image_bytes("GIF"), "extension_mismatch", "实际是 GIF"),
    ("photo.bmp", image_bytes("BMP"), "extension", ".bmp"),
    ("big.jpg", image_bytes("JPEG") + b"\0" * (20 * 1024 * 1024), "too_large", "20 MB"),
]


def post_with_upload(client, upload):
    data = article_data(
        SectionFactory(),
        **inline_management("images", total=1),
        **{
            "images-0-image": upload,
            "images-0-caption": "图注",
            "images-0-alt_text": "说明",
            "images-0-licence": "reserved",
            "images-0-order": "0",
            "images-0-position": "0",
        },
    )
    return client.post(reverse("admin:articles_article_add"), data)


def stored_files(media_root):
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


@pytest.mark.parametrize(("name", "content", "code", "words"), BAD_UPLOADS, ids=[b[0] for b in BAD_UPLOADS])
def test_bad_uploads_are_form_errors_naming_the_problem_and_nothing_is_stored(
    editor_client, media_root, name, content, code, words
):
    response = post_with_upload(editor_client, SimpleUploadedFile(name, content))
    assert response.status_code == 200
    [error] = response.context["inline_admin_formsets"][0].formset.errors[0]["image"].as_data()
    assert error.code == code
    message = error.messages[0]
    assert words in message and message in page_text(response)
    assert not Article.objects.exists() and not ArticleImage.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_real_images_of_each_format_are_stored(editor_client, fmt):
    extension = {"JPEG": "jpg"}.get(fmt, fmt.lower())
    response = post_with_upload(editor_client, SimpleUploadedFile(f"photo.{extension}", image_bytes(fmt)))
    assert response.status_code == 302, response.context and response.context["errors"]
    stored = ArticleImage.objects.get()
    assert stored.image.name.endswith(f".{extension}") and Image.open(stored.image.path).format == fmt


def test_exif_orientation_is_applied_and_location_removed(editor_client):
    exif = Image.Exif()
    exif[uploads.ORIENTATION] = 6  # the camera was turned: rotate 90° clockwise to view
    gps = exif.get_ifd(uploads.GPS_IFD)
    gps[1], gps[2] = "N", (30.0, 15.0, 0.0)
    exif[0x010F] = "Camera Co"
    response = post_with_upload(
        editor_client, SimpleUploadedFile("phone.jpg", image_bytes("JPEG", (40, 20), exif=exif.tobytes()))
    )
    assert response.status_code == 302
    with Image.open(ArticleImage.objects.get().image.path) as stored:
        assert stored.size == (20, 40)
        kept = stored.getexif()
        assert uploads.ORIENTATION not in kept and not kept.get_ifd(uploads.GPS_IFD)
        assert kept.get(0x010F) == "Camera Co"  # other EXIF data stays


def test_an_image_without_exif_is_stored_byte_for_byte(editor_client):
    content = image_bytes("JPEG", quality=70)
    post_with_upload(editor_client, SimpleUploadedFile("plain.jpg", content))
    with ArticleImage.objects.get().image.open("rb") as stored:
        assert stored.read() == content


# A photo chosen in the form survives a failed save; a row never loses its photo silently.


def rotated_photo(name="phone.jpg"):
    """A JPEG that ``clean_image`` changes (EXIF rotation applied), so kept bytes can be told from sent ones."""
    exif = Image.Exif()
    exif[uploads.ORIENTATION] = 6
    return SimpleUploadedFile(name, image_bytes("JPEG", (700, 400), exif=exif.tobytes()))


def cleaned_bytes(upload):
    return uploads.clean_image(SimpleUploadedFile(upload.name, upload.read())).read()


def new_image_row(upload=None, **extra):
    row = {
        **inline_management("images", total=1),
        "images-0-caption": "图注",
        "images-0-alt_text": "说明",
        "images-0-licence": "reserved",
        "images-0-order": "0",
        "images-0-position": "0",
        **extra,
    }
    if upload is not None:
        row["images-0-image"] = upload
    return row


def image_errors(response, row=0):
    return response.context["inline_admin_formsets"][0].formset.errors[row].get("image", [])


def pending_files(media_root):
    return stored_files(media_root / "pending")


ADD_URL = reverse_lazy("admin:articles_article_add")


def test_a_photo_chosen_before_a_failed_save_is_kept_and_the_next_save_uses_it(
    editor_client, media_root, django_capture_on_commit_callbacks
):
    upload = rotated_photo()
    expected = cleaned_bytes(upload)
    upload.seek(0)
    response = editor_client.post(ADD_URL, article_data(SectionFactory(), title="", **new_image_row(upload)))
    assert response.status_code == 200 and not Article.objects.exists()
    text = page_text(response)
    assert "这个字段是必填项" in text
    assert "已选择的图片 phone.jpg 已保留，保存时将使用它" in text
    assert len(pending_files(media_root)) == 1

    # Saved again, still without a title: the same kept photo, no second copy.
    again = form_data(response, "article_form")
    assert "images-0-image" not in again  # the browser sends no file
    response = editor_client.post(ADD_URL, again)
    assert response.status_code == 200 and "已选择的图片 phone.jpg 已保留" in page_text(response)
    kept = "images-0-image-kept"
    assert form_data(response, "article_form")[kept] == again[kept] and len(pending_files(media_root)) == 1

    # The editor fills in the title and saves.
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(ADD_URL, {**again, "title": "补上标题的文章"})
    assert response.status_code == 302, response.context and response.context["errors"]
    image = ArticleImage.objects.get(article__title="补上标题的文章")
    with image.image.open("rb") as stored:
        assert stored.read() == expected
    assert image.image.name.startswith("articles/") and image.image.name.endswith(".jpg")
    assert sorted(image.renditions.values_list("width", flat=True)) == [320, 320, 400, 400]  # upright: 400 wide
    assert pending_files(media_root) == []  # the kept copy is gone once the article is saved


def test_a_photo_with_a_name_longer_than_a_file_system_allows_is_kept_and_saved(editor_client, media_root):
    name = "浙江一建承建的杭州市临安区某某项目在建设过程中坚持党建引领" * 3 + "现场拍摄.jpg"  # 271 bytes
    response = editor_client.post(
        ADD_URL, article_data(SectionFactory(), title="", **new_image_row(rotated_photo(name)))
    )
    assert response.status_code == 200 and "已选择的图片 浙江一建承建的" in page_text(response)
    again = form_data(response, "article_form")
    assert editor_client.post(ADD_URL, {**again, "title": "长文件名"}).status_code == 302
    image = ArticleImage.objects.get(article__title="长文件名")
    assert image.image.name.endswith(".jpg") and image.image.storage.exists(image.image.name)


def test_a_photo_chosen_before_an_edit_conflict_is_kept(editor_client, django_user_model):
    article = ArticleFactory(title="原标题")
    url = reverse("admin:articles_article_change", args=[article.pk])
    opened = editor_client.get(url).context["adminform"].form["edit_token"].value()
    article.title = "别人改的标题"
    article.save()  # someone else saved after the editor opened the form
    data = article_data(article.section, title="我的标题", edit_token=opened, **new_image_row(rotated_photo()))
    response = editor_client.post(url, data)
    assert response.status_code == 200
    text = page_text(response)
    assert "没有保存" in text and "已选择的图片 phone.jpg 已保留" in text
    response = editor_client.post(url, form_data(response, "article_form"))  # saving again, knowingly
    assert response.status_code == 302, response.context and response.context["errors"]
    image = ArticleImage.objects.get(article=article)
    assert image.image and image.image.size > 0


def test_a_new_photo_for_an_existing_image_is_kept_and_replaces_it(editor_client):
    article = ArticleFactory()
    old = ArticleImageFactory(article=article, caption="旧图注")
    old_name = old.image.name
    url = reverse("admin:articles_article_change", args=[article.pk])
    form = form_data(editor_client.get(url), "article_form")
    response = editor_client.post(url, {**form, "title": "", "images-0-image": rotated_photo("new.jpg")})
    assert response.status_code == 200
    html = response.content.decode()
    assert "已选择的图片 new.jpg 已保留" in page_text(response)
    assert old.image.url in html  # what the row has now is still shown
    response = editor_client.post(url, {**form_data(response, "article_form"), "title": "新标题"})
    assert response.status_code == 302, response.context and response.context["errors"]
    old.refresh_from_db()
    assert old.image.name != old_name and old.image.name.endswith(".jpg")


def test_clearing_a_photo_survives_a_failed_save(editor_client):
    article = ArticleFactory()
    image = ArticleImageFactory(article=article)
    url = reverse("admin:articles_article_change", args=[article.pk])
    form = form_data(editor_client.get(url), "article_form")
    response = editor_client.post(url, {**form, "title": "", "images-0-image-clear": "on"})
    assert response.status_code == 200
    again = form_data(response, "article_form")
    assert again.get("images-0-image-clear") == "on"  # the box is still ticked
    assert editor_client.post(url, {**again, "title": "新标题"}).status_code == 302
    image.refresh_from_db()
    assert not image.image


def test_a_tampered_or_foreign_kept_photo_is_a_form_error(editor_client, django_user_model):
    response = editor_client.post(ADD_URL, article_data(SectionFactory(), title="", **new_image_row(rotated_photo())))
    again = {**form_data(response, "article_form"), "title": "标题"}
    [reference] = [name for name in again if name.startswith("images-0-") and name.endswith("kept")]

    tampered = editor_client.post(ADD_URL, {**again, reference: again[reference][:-2] + "xx"})
    assert tampered.status_code == 200 and not Article.objects.exists()
    [error] = image_errors(tampered)
    assert "重新选择" in error and error in page_text(tampered)

    # Another editor cannot use a reference made for someone else.
    other = Client()
    other.force_login(member(django_user_model, "other", "编辑"))
    foreign = other.post(ADD_URL, again)
    assert foreign.status_code == 200 and not Article.objects.exists()
    assert "重新选择" in image_errors(foreign)[0]

    assert editor_client.post(ADD_URL, again).status_code == 302  # its owner can


def test_a_new_image_row_without_a_photo_needs_the_editors_say(editor_client, media_root):
    data = article_data(SectionFactory(), **new_image_row())
    response = editor_client.post(ADD_URL, data)
    assert response.status_code == 200 and not Article.objects.exists()
    [error] = image_errors(response)
    assert "选择图片" in error and "无图片，先保留占位" in error and error in page_text(response)

    response = editor_client.post(ADD_URL, {**data, "images-0-placeholder": "on"})
    assert response.status_code == 302
    image = ArticleImage.objects.get()
    assert not image.image and image.caption == "图注"


def test_a_photo_that_could_not_be_kept_must_be_chosen_again(editor_client, media_root):
    bad = SimpleUploadedFile("cut.jpg", cut(noisy_bytes("JPEG")))
    response = editor_client.post(ADD_URL, article_data(SectionFactory(), title="", **new_image_row(bad)))
    assert "不完整" in image_errors(response)[0] and pending_files(media_root) == []
    # Saved again without choosing a photo: refused, never a placeholder by default.
    response = editor_client.post(ADD_URL, {**form_data(response, "article_form"), "title": "标题"})
    assert response.status_code == 200 and not Article.objects.exists()
    assert "无图片，先保留占位" in image_errors(response)[0]


def test_imported_image_slots_without_files_still_save(editor_client, seed_article):
    url = reverse("admin:articles_article_change", args=[seed_article.pk])
    slots = list(seed_article.images.values_list("pk", "name"))
    assert slots and not any(image.image for image in seed_article.images.all())
    response = editor_client.post(url, form_data(editor_client.get(url), "article_form"))
    assert response.status_code == 302, response.context and response.context["errors"]
    assert list(seed_article.images.values_list("pk", "name")) == slots
