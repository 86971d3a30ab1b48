import pytest

from articles import publishing
from articles.models import ArticleImage

from .factories import ArticleFactory


def test_sanitize_removes_scripts_styles_and_unknown_tags():
    dirty = (
        '<p style="color:red" onclick="x()">正文<script>alert(1)</script></p>'
        '<a href="javascript:alert(1)">链接</a><iframe src="https://example.com"></iframe><font>字</font>'
    )
    clean = publishing.sanitize_html(dirty)
    for bad in ("script", "style", "onclick", "javascript", "iframe", "font"):
        assert bad not in clean
    assert "<p>正文</p>" in clean and "字" in clean


def test_sanitize_turns_plain_text_into_paragraphs():
    assert publishing.sanitize_html("第一段\n\n第二段 <不是标签") == "<p>第一段</p>\n\n<p>第二段 &lt;不是标签</p>"


def test_body_blocks_keep_nested_markup_together():
    html = "<p>一<strong>二</strong></p>\n<blockquote><p>引</p><p>文</p></blockquote><ul><li>甲</li></ul>"
    assert publishing.body_blocks(html) == [
        "<p>一<strong>二</strong></p>",
        "<blockquote><p>引</p><p>文</p></blockquote>",
        "<ul><li>甲</li></ul>",
    ]


@pytest.mark.django_db
def test_images_go_after_the_paragraphs_their_position_says():
    article = ArticleFactory(body="<p>甲</p><p>乙</p><p>丙</p>")
    first = ArticleImage(article=article, alt_text="图一", position=0)
    second = ArticleImage(article=article, alt_text="图二", position=2)
    beyond = ArticleImage(article=article, alt_text="图三", position=99)
    parts = publishing.body_parts(article, [first, second, beyond])
    assert parts == [
        ("image", first),
        ("lead", "甲"),
        ("html", "<p>乙</p>"),
        ("image", second),
        ("html", "<p>丙</p>"),
        ("image", beyond),
    ]


@pytest.mark.django_db
def test_publish_and_unpublish_change_the_content_version():
    article = ArticleFactory(status="draft", publish_at=None)
    version = publishing.content_version()
    publishing.publish(article)
    assert article.is_published and publishing.content_version() > version
    version = publishing.content_version()
    publishing.unpublish(article)
    assert not article.is_published and publishing.content_version() > version
