"""Uploads through the article admin: bad files get a form error naming the problem, nothing stored."""

import struct
import zlib
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from articles import uploads
from articles.models import Article, ArticleImage

from .factories import SectionFactory
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
