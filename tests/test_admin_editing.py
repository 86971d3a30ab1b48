"""The article form's helpers that save nothing: the preview of the form, the upload, the paste."""

import re
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image
from reversion.models import Version

from articles import pending_uploads, workflow
from articles.models import Article, ArticleImage

from .factories import ArticleFactory, SectionFactory, UnitFactory
from .pagetext import page_text
from .test_admin import article_data, inline_management

pytestmark = pytest.mark.django_db


def jpeg(name="签约.jpg", size=(640, 400)):
    buffer = BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def test_the_preview_shows_the_form_as_it_is_and_saves_nothing(editor_client, editor):
    article = ArticleFactory(title="已保存的标题", body="<p>已保存的正文</p>")
    workflow.article_saved(article, editor)
    before = (Article.objects.count(), Version.objects.count(), article.updated_at)
    unit = UnitFactory(name="浙江一建")
    data = article_data(
        article.section,
        title="表单里的新标题<b>",
        body="<p>表单里的正文</p><script>alert(1)</script><p onclick='x()'>第二段</p>",
        tags="党建",
        edit_token="",
        **inline_management("unit_links", total=2),
        **{"unit_links-0-unit": str(unit.pk), "unit_links-0-order": "0"},
        **{"unit_links-1-unit": "new:还没有的单位", "unit_links-1-order": "1"},
    )
    response = editor_client.post(reverse("admin:articles_article_preview", args=[article.pk]), data)
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "SAMEORIGIN"  # shown in a frame beside the form
    html = response.content.decode()
    text = page_text(response)
    assert "表单里的新标题&lt;b&gt;" in html and "表单里的正文" in text and "已保存的正文" not in text
    assert "<script>alert(1)" not in html and "onclick" not in html
    assert "浙江一建" in text and "还没有的单位" in text and "党建" in text
    assert "预览" in text
    article.refresh_from_db()
    assert (Article.objects.count(), Version.objects.count(), article.updated_at) == before
    assert article.title == "已保存的标题" and not article.units.exists()
    assert not ArticleFactory._meta.model.objects.filter(title__startswith="表单里").exists()
    from articles.models import Unit

    assert not Unit.objects.filter(name="还没有的单位").exists()


def test_a_new_article_is_previewed_before_its_first_save(editor_client):
    data = article_data(SectionFactory(name="协会"), title="第一次预览", body="<p>还没保存过。</p>")
    response = editor_client.post(reverse("admin:articles_article_preview_new"), data)
    assert response.status_code == 200
    assert "第一次预览" in page_text(response) and "还没保存过。" in page_text(response)
    assert Article.objects.count() == 0
    half_done = editor_client.post(reverse("admin:articles_article_preview_new"), {"title": "只有标题"})
    assert half_done.status_code == 200 and "只有标题" in page_text(half_done)  # a form with errors previews too


def test_the_preview_asks_the_form_s_permission(contributor_client, contributor, django_user_model):
    published = ArticleFactory(title="别人已发布的文章")
    own = ArticleFactory(title="自己的草稿", status="draft", publish_at=None, created_by=contributor)
    data = article_data(published.section, title="改过的标题")
    assert (
        contributor_client.post(reverse("admin:articles_article_preview", args=[published.pk]), data).status_code == 403
    )
    assert contributor_client.post(reverse("admin:articles_article_preview", args=[own.pk]), data).status_code == 200
    assert contributor_client.get(reverse("admin:articles_article_preview", args=[own.pk])).status_code == 405
    assert contributor_client.post(reverse("admin:articles_article_preview", args=[999999]), data).status_code == 404
    assert Client().post(reverse("admin:articles_article_preview_new"), data).status_code == 302  # to log in
    staff = Client()
    staff.force_login(django_user_model.objects.create_user("nobody", is_staff=True))
    assert staff.post(reverse("admin:articles_article_preview_new"), data).status_code == 403


def test_an_upload_is_kept_for_its_writer_and_refuses_what_is_no_image(editor_client, editor):
    url = reverse("admin:articles_article_upload")
    answer = editor_client.post(url, {"image": jpeg()})
    assert answer.status_code == 200
    kept = answer.json()
    assert re.fullmatch(r"[\w-]{8,64}", kept["token"]) and kept["thumbnail"].startswith("data:image/jpeg;base64,")
    assert pending_uploads.retrieve(kept["reference"], editor).token == kept["token"]
    refused = editor_client.post(url, {"image": SimpleUploadedFile("x.jpg", b"not an image")})
    assert refused.status_code == 400 and "JPEG" in refused.json()["error"]
    assert editor_client.post(url, {}).status_code == 400
    assert Client().post(url, {"image": jpeg()}).status_code == 302


def test_an_image_placed_before_the_save_is_attached_and_named_in_the_body(editor_client, editor):
    kept = editor_client.post(reverse("admin:articles_article_upload"), {"image": jpeg()}).json()
    data = article_data(
        SectionFactory(),
        title="一步插图",
        body=(
            f'<p>第一段</p><figure data-pending="{kept["token"]}"></figure>'
            '<figure data-pending="gone-gone-gone"></figure>'  # an upload the form does not hold
        ),
        **inline_management("images", total=1),
        **{
            "images-0-image-kept": kept["reference"],
            "images-0-caption": "签约现场",
            "images-0-alt_text": "两位代表签字",
            "images-0-name": "",
            "images-0-credit": "",
            "images-0-licence": "reserved",
            "images-0-order": "0",
            "images-0-position": "0",
        },
    )
    preview = editor_client.post(reverse("admin:articles_article_preview_new"), data)
    assert re.search(r'<figure class="article-image">\s*<img src="data:image/jpeg;base64,', preview.content.decode())
    assert "签约现场" in page_text(preview)
    response = editor_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 302
    article = Article.objects.get()
    image = ArticleImage.objects.get(article=article)
    assert article.body == f'<p>第一段</p><figure data-image="{image.pk}"></figure>'  # the unknown upload is dropped
    page = editor_client.get(article.get_absolute_url())
    assert "签约现场" in page_text(page) and "data-pending" not in page.content.decode()
