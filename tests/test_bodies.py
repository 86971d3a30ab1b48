from html.parser import HTMLParser

import pytest

from articles import bodies
from articles.models import Article, ArticleImage

from .factories import ArticleFactory
from .pagetext import assert_in_order


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
# Payloads that hide markup in MathML and SVG (mutation XSS), now that their words are kept.
XSS_PAYLOADS += [
    "<math><style><img src=x onerror=alert(1)>后面的字",
    "<math><mi><style><img src=x onerror=alert(1)></style></mi></math>",
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
    '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    '<math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;img src=1 onerror=alert(1)&gt;">',
    '<math><mi><mglyph><svg><mtext><textarea><path id="</textarea><img onerror=alert(1) src=1>">',
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    "<math><![CDATA[<img src=x onerror=alert(1)>]]></math>",
    "<math><![CDATA[</math><img src=x onerror=alert(1)>]]></math>",
    '<svg><foreignObject><p onclick="alert(1)">字</p></foreignObject></svg>',
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a><script>alert(1)</script></svg>',
    "<svg><style>&lt;/style&gt;&lt;img src=x onerror=alert(1)&gt;</style></svg>",
    "<math><style>&lt;img src=x onerror=alert(1)&gt;</style></math>",
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
    word, wechat = (next(p for p in XSS_PAYLOADS if marker in p) for marker in ("MsoNormal", "rgb(62"))
    assert bodies.sanitize_html(word) == "<p>Word 段落</p>"
    assert bodies.sanitize_html(wechat) == "<p>微信段落</p>"


def test_figure_markers_keep_only_the_image_id():
    html = '<p>甲</p><figure data-image="7" class="x"><img src="a.png"><figcaption>旧图注</figcaption></figure>'
    assert bodies.sanitize_html(html) == '<p>甲</p><figure data-image="7"></figure>'
    assert bodies.sanitize_html("<figure><figcaption>说明</figcaption></figure><p>乙</p>") == ("<p>说明</p><p>乙</p>")


def test_figures_pasted_from_elsewhere_keep_their_content_and_the_markers_in_them():
    assert bodies.sanitize_html("<figure><p>甲</p><p>1 &lt; 2</p></figure>") == "<p>甲</p><p>1 &lt; 2</p>"
    nested = '<figure><figure data-image="1"></figure>说明 &lt;图&gt;</figure><p>乙</p>'
    clean = bodies.sanitize_html(nested)
    assert clean == '<figure data-image="1"></figure>说明 &lt;图&gt;<p>乙</p>'
    assert bodies.body_blocks(clean) == ['<figure data-image="1"></figure>', "<p>说明 &lt;图&gt;</p>", "<p>乙</p>"]
    marked = '<figure data-image="2"><figure data-image="3"></figure><figcaption>旧图注</figcaption></figure>'
    assert bodies.sanitize_html(marked) == '<figure data-image="2"></figure><figure data-image="3"></figure>'


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


# Only markup goes: the words stay, escaped characters included, whatever the markup around them.

WORDS_KEPT = [
    ("<p>a &lt;b&gt; c</p>", ["a <b> c"]),
    ("1 &lt; 2 &gt; 0", ["1 < 2 > 0"]),
    ("text with literal < and > and &amp; and &#60;tag&#62;", ["text with literal < and > and & and <tag>"]),
    ("<p>甲</p>1 &lt; 2 &gt; 0 &amp; 3<p>乙</p>", ["甲", "1 < 2 > 0 & 3", "乙"]),
    ("<p>甲</p>松散的 <b>粗</b> 文字 &lt;b&gt;<p>乙</p>", ["甲", "松散的 粗 文字 <b>", "乙"]),
    ("<math><style>后面的文字", ["后面的文字"]),
    ("第一段\n\n<math><style>第二段\n\n第三段 &lt;x&gt;", ["第一段", "第二段", "第三段 <x>"]),
    ("<p>前<math><style>后面的文字</p><p>下一段</p>", ["前后面的文字", "下一段"]),
    ("<math><style>甲<b>乙</b>丙</style></math>丁", ["甲", "乙", "丙丁"]),
    ("<p>公式<math><mi>x</mi><mo>&lt;</mo><mn>1</mn></math>成立</p>", ["公式x<1成立"]),
    ("<svg><style>.a{fill:red}</style><text>矢量图里的字</text></svg><p>后</p>", ["矢量图里的字", "后"]),
    ("<figure>图 &lt;注&gt;</figure><p>x</p>", ["图 <注>", "x"]),
    ('<p>写 &lt;figure data-image="1"&gt;&lt;/figure&gt; 的标记</p>', ['写 <figure data-image="1"></figure> 的标记']),
    ("<p>一</p><style>p { color: red }</style><script>alert(1)</script><p>二</p>", ["一", "二"]),
]


class _Shown(HTMLParser):
    """The text a browser shows of rendered body HTML, and the elements it would make."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.parts, self.tags = [], []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.parts.append(data)


def rendered(body):
    """The body as the page renders it (bodies.body_parts, as templates/includes/article_main.html)."""
    parts = bodies.body_parts(Article(body=body), [])
    return "".join(f"<p>{part}</p>" if kind == "lead" else part for kind, part in parts)


@pytest.mark.parametrize(("dirty", "words"), WORDS_KEPT)
def test_only_markup_goes_the_words_stay(dirty, words):
    shown = _Shown(rendered(bodies.sanitize_html(dirty)))
    text = "".join(shown.parts)
    assert_in_order(text, words)
    assert set(shown.tags) <= bodies.ALLOWED_TAGS
    for code in ("fill:red", "color: red", "alert"):
        assert code not in text


def test_loose_text_between_blocks_is_one_paragraph():
    html = bodies.sanitize_html("<p>甲</p>松散的 <b>粗</b> 文字 1 &lt; 2<p>乙</p>")
    assert bodies.body_blocks(html) == ["<p>甲</p>", "<p>松散的 <b>粗</b> 文字 1 &lt; 2</p>", "<p>乙</p>"]
