from html.parser import HTMLParser

import pytest

from articles import bodies
from articles.models import ArticleImage

from .factories import ArticleFactory


def test_sanitize_removes_scripts_styles_and_unknown_tags():
    dirty = (
        '<p style="color:red" onclick="x()">正文<script>alert(1)</script></p>'
        '<a href="javascript:alert(1)">链接</a><iframe src="https://example.com"></iframe><font>字</font>'
    )
    clean = bodies.sanitize_html(dirty)
    for bad in ("script", "style", "onclick", "javascript", "iframe", "font"):
        assert bad not in clean
    assert "<p>正文</p>" in clean and "字" in clean


def test_sanitize_turns_plain_text_into_paragraphs():
    assert bodies.sanitize_html("第一段\n\n第二段 <不是标签") == "<p>第一段</p>\n\n<p>第二段 &lt;不是标签</p>"


def test_body_blocks_keep_nested_markup_together():
    html = "<p>一<strong>二</strong></p>\n<blockquote><p>引</p><p>文</p></blockquote><ul><li>甲</li></ul>"
    assert bodies.body_blocks(html) == [
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
    parts = bodies.body_parts(article, [first, second, beyond])
    assert parts == [
        ("image", first),
        ("lead", "甲"),
        ("html", "<p>乙</p>"),
        ("image", second),
        ("html", "<p>丙</p>"),
        ("image", beyond),
    ]


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
    clean = bodies.sanitize_html(payload)
    found = _Inspect()
    found.feed(clean)
    assert found.tags <= bodies.ALLOWED_TAGS, clean
    for tag, name, value in found.attributes:
        assert name in bodies.ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}, clean
        assert not name.startswith("on") and name != "style", clean
        if name == "href":
            assert value.split(":")[0] in {"http", "https", "mailto"}, clean
        if name == "data-image":
            assert value.isdigit(), clean
    assert "<script" not in clean.lower() and "javascript:" not in clean.lower()


def test_word_and_wechat_pastes_keep_their_text_without_styles():
    assert bodies.sanitize_html(XSS_PAYLOADS[-3]) == "<p>Word 段落</p>"
    assert bodies.sanitize_html(XSS_PAYLOADS[-2]) == "<p>微信段落</p>"


def test_figure_markers_keep_only_the_image_id():
    html = '<p>甲</p><figure data-image="7" class="x"><img src="a.png"><figcaption>旧图注</figcaption></figure>'
    assert bodies.sanitize_html(html) == '<p>甲</p><figure data-image="7"></figure>'
    assert bodies.sanitize_html("<figure><figcaption>说明</figcaption></figure><p>乙</p>") == ("<p>说明</p><p>乙</p>")


@pytest.mark.django_db
def test_markers_place_images_and_others_keep_their_position():
    article = ArticleFactory()
    placed = ArticleImage.objects.create(article=article, alt_text="放在标记处", position=0)
    positioned = ArticleImage.objects.create(article=article, alt_text="按位置", position=1)
    article.body = (
        f'<p>甲</p><p>乙</p><figure data-image="{placed.pk}"></figure><p>丙</p><figure data-image="999"></figure>'
    )
    parts = bodies.body_parts(article, [placed, positioned])
    assert parts == [
        ("lead", "甲"),
        ("image", positioned),
        ("html", "<p>乙</p>"),
        ("image", placed),
        ("html", "<p>丙</p>"),
    ]
