import datetime
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from reversion.models import Version

from articles import publishing
from articles.models import Article, ArticleImage, Unit

from .factories import ArticleFactory, ArticleUnitFactory, UnitFactory


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


# The editor's body: image markers, and whatever is pasted, sanitised on the server.

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    "<body onload=alert(1)>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<div style="width: expression(alert(1))">x</div>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><input type=submit></form>',
    "<details open ontoggle=alert(1)>x</details>",
    "<input autofocus onfocus=alert(1)>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<link rel=stylesheet href="javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    "<style>@import 'javascript:alert(1)';</style>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</script>",
    '<a href="https://example.com/" onmouseover="alert(1)">ok</a>',
    "<template><script>alert(1)</script></template>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<figure data-image="1" onclick="alert(1)"></figure>',
    '<figure data-image="javascript:alert(1)"></figure>',
    '<figure data-image="1"><img src=x onerror=alert(1)><figcaption>图</figcaption></figure>',
    '<p class="MsoNormal" style="mso-margin-top-alt:auto"><o:p></o:p><span lang="EN-US">Word 段落</span></p>',
    '<section style="color: rgb(62, 62, 62)"><span style="font-size: 15px">微信段落</span></section>',
    '<p><a href="https://example.com/" target="_blank">链接</a></p>',
]


class _Inspect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attributes = set(), []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes.extend((tag, name, value or "") for name, value in attrs)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_sanitize_defuses_known_xss_payloads(payload):
    clean = publishing.sanitize_html(payload)
    found = _Inspect()
    found.feed(clean)
    assert found.tags <= publishing.ALLOWED_TAGS, clean
    for tag, name, value in found.attributes:
        assert name in publishing.ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}, clean
        assert not name.startswith("on") and name != "style", clean
        if name == "href":
            assert value.split(":")[0] in {"http", "https", "mailto"}, clean
        if name == "data-image":
            assert value.isdigit(), clean
    assert "<script" not in clean.lower() and "javascript:" not in clean.lower()


def test_word_and_wechat_pastes_keep_their_text_without_styles():
    assert publishing.sanitize_html(XSS_PAYLOADS[-3]) == "<p>Word 段落</p>"
    assert publishing.sanitize_html(XSS_PAYLOADS[-2]) == "<p>微信段落</p>"


def test_figure_markers_keep_only_the_image_id():
    html = '<p>甲</p><figure data-image="7" class="x"><img src="a.png"><figcaption>旧图注</figcaption></figure>'
    assert publishing.sanitize_html(html) == '<p>甲</p><figure data-image="7"></figure>'
    assert publishing.sanitize_html("<figure><figcaption>说明</figcaption></figure><p>乙</p>") == (
        "<p>说明</p><p>乙</p>"
    )


@pytest.mark.django_db
def test_markers_place_images_and_others_keep_their_position():
    article = ArticleFactory()
    placed = ArticleImage.objects.create(article=article, alt_text="放在标记处", position=0)
    positioned = ArticleImage.objects.create(article=article, alt_text="按位置", position=1)
    article.body = (
        f'<p>甲</p><p>乙</p><figure data-image="{placed.pk}"></figure><p>丙</p><figure data-image="999"></figure>'
    )
    parts = publishing.body_parts(article, [placed, positioned])
    assert parts == [
        ("lead", "甲"),
        ("image", positioned),
        ("html", "<p>乙</p>"),
        ("image", placed),
        ("html", "<p>丙</p>"),
    ]


# The workflow: every transition, and what it refuses.


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "transition", "end"),
    [
        ("draft", publishing.submit_for_review, "review"),
        ("unpublished", publishing.submit_for_review, "review"),
        ("review", publishing.return_to_draft, "draft"),
        ("draft", publishing.publish, "published"),
        ("review", publishing.publish, "published"),
        ("unpublished", publishing.publish, "published"),
        ("published", publishing.unpublish, "unpublished"),
    ],
)
def test_workflow_transitions(start, transition, end):
    article = ArticleFactory(status=start, publish_at=None if start != "published" else timezone.now())
    version = publishing.content_version()
    transition(article)
    article.refresh_from_db()
    assert article.status == end and publishing.content_version() > version
    assert Version.objects.get_for_object(article).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "transition"),
    [
        ("review", publishing.submit_for_review),
        ("published", publishing.submit_for_review),
        ("draft", publishing.unpublish),
        ("unpublished", publishing.unpublish),
        ("draft", publishing.return_to_draft),
        ("published", publishing.return_to_draft),
    ],
)
def test_transitions_the_workflow_does_not_allow(start, transition):
    article = ArticleFactory(status=start, publish_at=timezone.now() if start == "published" else None)
    with pytest.raises(publishing.TransitionNotAllowed):
        transition(article)
    article.refresh_from_db()
    assert article.status == start


@pytest.mark.django_db
def test_publish_at_a_future_time_schedules_without_cron():
    article = ArticleFactory(status="review", publish_at=None)
    later = timezone.now() + datetime.timedelta(hours=2)
    publishing.publish(article, at=later)
    assert article.status == "published" and article.publish_at == later
    assert not Article.objects.published().filter(pk=article.pk).exists()
    Article.objects.filter(pk=article.pk).update(publish_at=timezone.now() - datetime.timedelta(seconds=1))
    assert Article.objects.published().filter(pk=article.pk).exists()
    assert Version.objects.get_for_object(article).get().revision.get_comment().startswith(("Scheduled", "定时"))


@pytest.mark.django_db
def test_trash_hides_everywhere_restore_brings_back_purge_deletes_after_30_days():
    article = ArticleFactory()
    publishing.trash(article)
    assert not Article.objects.published().filter(pk=article.pk).exists() and not article.is_published
    with pytest.raises(publishing.TransitionNotAllowed):
        publishing.publish(article)
    publishing.restore(article)
    assert Article.objects.published().filter(pk=article.pk).exists()

    old, recent = ArticleFactory(), ArticleFactory()
    publishing.trash(old)
    publishing.trash(recent)
    Article.objects.filter(pk=old.pk).update(deleted_at=timezone.now() - datetime.timedelta(days=31))
    Article.objects.filter(pk=recent.pk).update(deleted_at=timezone.now() - datetime.timedelta(days=29))
    out = StringIO()
    call_command("purge_trash", stdout=out)
    assert "1 article(s) purged" in out.getvalue()
    assert set(Article.objects.values_list("pk", flat=True)) == {article.pk, recent.pk}


@pytest.mark.django_db
def test_merge_units_moves_articles_without_duplicate_links():
    kept = UnitFactory(name="浙江省第一建筑工程集团")
    duplicate = UnitFactory(name="浙江一建", website="https://example.com/")
    both, only_duplicate = ArticleFactory(), ArticleFactory()
    ArticleUnitFactory(article=both, unit=kept, order=0)
    ArticleUnitFactory(article=both, unit=duplicate, order=1)
    ArticleUnitFactory(article=only_duplicate, unit=duplicate, order=3)
    moved = publishing.merge_units(kept, [duplicate])
    assert moved == 1
    assert not Unit.objects.filter(pk=duplicate.pk).exists()
    assert list(both.units.all()) == [kept] and list(only_duplicate.units.all()) == [kept]
    assert only_duplicate.unit_links.get().order == 3
    kept.refresh_from_db()
    assert kept.website == "https://example.com/"
