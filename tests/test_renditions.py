"""Responsive images: renditions made once, at several widths, WebP and JPEG, sized without opening files."""

import os
import re
from io import BytesIO
from pathlib import PurePath

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image

from articles import renditions, workflow
from articles.models import Article, ArticleImage, ImageRendition

from .factories import ArticleFactory, ArticleImageFactory

pytestmark = pytest.mark.django_db


def image_file(width, height, mode="RGB", fmt="JPEG", name="photo.jpg"):
    buffer = BytesIO()
    Image.new(mode, (width, height), "red" if mode == "RGB" else (255, 0, 0, 128)).save(buffer, fmt)
    return ContentFile(buffer.getvalue(), name=name)


def test_widths_never_exceed_the_original():
    assert renditions.widths_for(40) == [40]
    assert renditions.widths_for(800) == [320, 640, 800]
    assert renditions.widths_for(1280) == [320, 640, 960, 1280]
    assert renditions.widths_for(4000) == [320, 640, 960, 1280]


def test_make_renditions_writes_webp_and_jpeg_at_each_width_with_their_size():
    image = ArticleImageFactory(image=image_file(1000, 750))
    made = renditions.make_renditions(image)
    rows = ImageRendition.objects.filter(image=image)
    sizes = [(320, 240), (640, 480), (960, 720), (1000, 750)]
    assert sorted((r.format, r.width, r.height) for r in rows) == [
        (fmt, w, h) for fmt in ("jpeg", "webp") for w, h in sizes
    ]
    assert len(made) == 8
    for rendition in rows:
        with Image.open(rendition.file.path) as stored:
            assert stored.size == (rendition.width, rendition.height)
            assert stored.format == {"jpeg": "JPEG", "webp": "WEBP"}[rendition.format]
        assert rendition.source == image.image.name


def test_transparent_png_gets_a_white_jpeg_and_a_transparent_webp():
    image = ArticleImageFactory(image=image_file(400, 200, mode="RGBA", fmt="PNG", name="logo.png"))
    renditions.make_renditions(image)
    jpeg = image.renditions.get(format="jpeg", width=400)
    webp = image.renditions.get(format="webp", width=400)
    with Image.open(jpeg.file.path) as flat, Image.open(webp.file.path) as clear:
        assert flat.mode == "RGB" and clear.mode == "RGBA"


def test_unreadable_file_gets_no_renditions_and_the_page_still_shows_it(client):
    article = ArticleFactory()
    image = ArticleImage.objects.create(article=article, alt_text="坏图", image=ContentFile(b"not an image", "bad.jpg"))
    assert renditions.make_renditions(image) == []
    workflow.article_saved(article)  # as the admin does
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'<img src="{image.image.url}" alt="坏图"' in html


def test_article_saved_makes_renditions_once_and_again_for_a_new_file():
    article = ArticleFactory()
    image = ArticleImageFactory(article=article, image=image_file(700, 350))
    workflow.article_saved(article)
    first = set(ImageRendition.objects.values_list("pk", flat=True))
    assert len(first) == 6  # 320, 640, 700 in two formats
    workflow.article_saved(article)
    assert set(ImageRendition.objects.values_list("pk", flat=True)) == first  # made once
    old_path = ImageRendition.objects.first().file.path
    image.image = image_file(330, 100, name="new.jpg")
    image.save()
    workflow.article_saved(article)
    assert sorted(ImageRendition.objects.values_list("width", flat=True)) == [320, 320, 330, 330]
    assert not ImageRendition.objects.filter(pk__in=first).exists()
    assert not os.path.exists(old_path)  # old files are removed with their rows


def test_a_save_rolled_back_leaves_the_renditions_readers_see():
    """The old files go when the new renditions are committed: a save that fails after making them
    (a refused publish, say) leaves the rows it restores with their files."""
    article = ArticleFactory()
    image = ArticleImageFactory(article=article, image=image_file(700, 350))
    renditions.make_renditions(image)
    before = {r.pk: r.file.path for r in ImageRendition.objects.all()}
    with pytest.raises(RuntimeError), transaction.atomic():
        image.image = image_file(330, 100, name="new.jpg")
        image.save()
        renditions.make_renditions(image)
        raise RuntimeError("the save failed after the renditions were made")
    assert {r.pk: r.file.path for r in ImageRendition.objects.all()} == before
    assert all(os.path.exists(path) for path in before.values())


def test_article_page_offers_picture_with_srcset_and_intrinsic_size(client):
    article = ArticleFactory(body="<p>一</p><p>二</p>")
    top = ArticleImageFactory(article=article, position=0, image=image_file(1000, 500), alt_text="上图")
    below = ArticleImageFactory(article=article, position=2, order=1, image=image_file(500, 250), alt_text="下图")
    workflow.article_saved(article)
    html = client.get(article.get_absolute_url()).content.decode()
    top_webp = [r.file.url for r in top.renditions.filter(format="webp").order_by("width")]
    srcset = ", ".join(f"{url} {width}w" for url, width in zip(top_webp, [320, 640, 960, 1000], strict=True))
    assert f'<source type="image/webp" srcset="{srcset}"' in html
    assert 'alt="上图" width="1000" height="500" fetchpriority="high">' in html  # first image: above the fold
    assert 'alt="下图" width="500" height="250" loading="lazy">' in html
    jpeg_640 = top.renditions.get(format="jpeg", width=640).file.url
    assert f'<img src="{jpeg_640}" srcset=' in html
    # The original is not sent as a picture when renditions exist (the press kit only links it for download).
    assert f'src="{below.image.url}"' not in html and f"{below.image.url} " not in html
    assert f'href="{below.image.url}" download=' in html


def test_list_thumbnails_use_small_renditions_lazily(client):
    article = ArticleFactory()
    ArticleImageFactory(article=article, image=image_file(800, 600))
    ArticleFactory(section=article.section)  # the newer one is the home page lead; look at the section page
    workflow.article_saved(article)
    html = client.get(article.section.get_absolute_url()).content.decode()
    assert '<picture class="thumb">' in html and 'sizes="160px"' in html and "320w" in html
    assert html.count('loading="lazy"') == 1


def test_importer_makes_renditions(tmp_path):
    from articles.importer import import_page

    (tmp_path / "a.txt").write_text(
        "《国企》杂志社官网-协会\n标题\n正文第一段。\nIMG_1 图注\n正文第二段。\n", encoding="utf-8"
    )
    Image.new("RGB", (400, 300), "blue").save(tmp_path / "IMG_1.jpg")
    article, _created = import_page(tmp_path / "a.txt")
    image = article.images.get()
    assert "IMG_1" not in image.image.name and RANDOM.search(image.image.name)  # the source's name is guessable
    assert sorted(image.renditions.values_list("format", "width")) == [
        ("jpeg", 320),
        ("jpeg", 400),
        ("webp", 320),
        ("webp", 400),
    ]


# Nothing of a draft is public: media files are served as they are (nginx from disk, or S3), so the
# files of a draft's images have addresses nobody can guess until a published page links them.

RANDOM = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")  # 128 random bits, in hex


def random_part(path):
    [token] = RANDOM.findall(PurePath(path).name)
    return token


def test_images_and_renditions_have_unguessable_addresses():
    draft = ArticleFactory(status=Article.Status.DRAFT, publish_at=None)
    images = [ArticleImageFactory(article=draft, image=image_file(1000, 750, name="IMG_256.jpg")) for _ in range(2)]
    workflow.article_saved(draft)
    tokens = []
    for image in images:
        paths = [image.image.name, *(rendition.file.name for rendition in image.renditions.all())]
        assert len(paths) == 9
        for path in paths:
            assert "IMG_256" not in path and PurePath(path).parts[0] in ("articles", "renditions")
            tokens.append(random_part(path))
    # Two uploads of the same file, and each rendition, have addresses of their own: none derives from another.
    assert len(set(tokens)) == len(tokens) == 18
    assert images[0].image.read() == images[1].image.read()


def test_files_stored_under_the_old_names_keep_working(client, media_root):
    """Files uploaded before addresses were random keep their names; their new renditions get random ones."""
    article = ArticleFactory()
    buffer = BytesIO()
    Image.new("RGB", (700, 350), "green").save(buffer, "JPEG")
    old_name = ArticleImage.image.field.storage.save("articles/2025/06/IMG_256.jpg", ContentFile(buffer.getvalue()))
    image = ArticleImage.objects.create(article=article, alt_text="旧图", image=old_name)
    workflow.article_saved(article)
    image.refresh_from_db()
    assert image.image.name == "articles/2025/06/IMG_256.jpg" and image.image.size == len(buffer.getvalue())
    html = client.get(article.get_absolute_url()).content.decode()
    for rendition in image.renditions.all():
        assert random_part(rendition.file.name) and rendition.file.url in html


def test_sizes_stay_within_what_each_format_can_encode():
    # WebP stops at 16,383 pixels a side, JPEG at 65,500: a width too tall for one gets the other only.
    assert renditions.sizes_for(800, 20_000) == [
        (320, 8000, ["webp", "jpeg"]),
        (640, 16000, ["webp", "jpeg"]),
        (800, 20000, ["jpeg"]),
    ]
    assert renditions.sizes_for(20_000, 800) == [
        (320, 13, ["webp", "jpeg"]),
        (640, 26, ["webp", "jpeg"]),
        (960, 38, ["webp", "jpeg"]),
        (1280, 51, ["webp", "jpeg"]),
    ]
    assert renditions.sizes_for(400, 70_000) == [(320, 56000, ["jpeg"])]  # 400 px wide: 70,000 tall, no format
    assert renditions.sizes_for(300, 100_000) == []


@pytest.mark.parametrize(("width", "height"), [(800, 20_000), (20_000, 800)])
def test_very_tall_and_very_wide_images_get_renditions(width, height):
    image = ArticleImageFactory(image=image_file(width, height, fmt="PNG", name="long.png"))
    made = renditions.make_renditions(image)
    expected = [(w, h, kind) for w, h, kinds in renditions.sizes_for(width, height) for kind in kinds]
    assert sorted((r.width, r.height, r.format) for r in made) == sorted(expected)
    for rendition in image.renditions.all():
        with Image.open(rendition.file.path) as stored:
            assert stored.size == (rendition.width, rendition.height)


def test_a_tall_infographic_uploaded_in_the_admin_is_saved_and_shown(editor_client, client):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from .test_admin import change_data, inline_management

    article = ArticleFactory()
    buffer = BytesIO()
    Image.new("RGB", (800, 20_000), "white").save(buffer, "PNG")
    data = change_data(
        article,
        **inline_management("images", total=1),
        **{
            "images-0-image": SimpleUploadedFile("infographic.png", buffer.getvalue(), content_type="image/png"),
            "images-0-caption": "信息长图",
            "images-0-alt_text": "一张很长的信息图",
            "images-0-licence": "reserved",
            "images-0-order": "0",
            "images-0-position": "0",
        },
    )
    response = editor_client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    image = ArticleImage.objects.get(article=article)
    assert (image.image.width, image.image.height) == (800, 20_000)
    html = client.get(article.get_absolute_url()).content.decode()
    jpeg = image.renditions.get(format="jpeg", width=800)
    assert jpeg.file.url in html and 'alt="一张很长的信息图" width="800" height="20000"' in html


def test_an_encoder_refusing_a_size_costs_that_rendition_only(monkeypatch, caplog):
    # Were the limits wrong, libwebp itself refuses the 20,000 px rendition: the others are still made.
    monkeypatch.setitem(renditions.MAX_SIDE, ImageRendition.Format.WEBP, 100_000)
    image = ArticleImageFactory(image=image_file(800, 20_000, fmt="PNG", name="long.png"))
    made = renditions.make_renditions(image)
    assert sorted((r.format, r.width) for r in made) == [
        ("jpeg", 320),
        ("jpeg", 640),
        ("jpeg", 800),
        ("webp", 320),
        ("webp", 640),
    ]
    assert "No webp rendition 800 px wide" in caplog.text
