"""Article bodies: sanitising rich text from any source, splitting it into blocks, placing figures.

What is stored in ``Article.body`` is what ``sanitize_html`` returns; pages and feeds read it back
through ``body_parts``, so both show the same thing.
"""

import re
from html.parser import HTMLParser

import nh3
from django.utils.html import linebreaks

# What the body may contain after sanitising: text structure, links, no styles or scripts.
ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "blockquote",
    "a",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "pre",
    "code",
    "figure",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "figure": {"data-image"},
}
BLOCK_TAGS = {"p", "h2", "h3", "h4", "ul", "ol", "blockquote", "hr", "table", "pre", "figure"}
VOID_TAGS = {"br", "hr", "img", "wbr", "input", "col", "area", "source", "meta", "link"}

BLOCK_RE = re.compile(r"<(?:{})\b".format("|".join(sorted(BLOCK_TAGS))))


# An image marker, as the editor writes it: <figure data-image="42"></figure> names the ArticleImage
# whose file, caption and alt text are rendered there. Anything else inside a figure is dropped.
FIGURE_RE = re.compile(r"<figure(?P<attrs>[^>]*)>(?P<inner>.*?)</figure>", re.DOTALL)
MARKER_RE = re.compile(r'^<figure data-image="(?P<id>\d{1,18})"></figure>$')


def _only_image_ids(element, attribute, value):
    """nh3 attribute filter: a figure's data-image must be an image id (digits)."""
    if attribute == "data-image" and not value.isdigit():
        return None
    return value


def _figure_marker(match):
    image_id = re.search(r'data-image="(\d+)"', match["attrs"])
    if image_id:
        return f'<figure data-image="{image_id[1]}"></figure>'
    # A figure pasted from elsewhere (Word, WeChat): keep its text as a paragraph.
    text = nh3.clean(match["inner"], tags=set()).strip()
    return f"<p>{text}</p>" if text else ""


def sanitize_html(html):
    """Clean HTML from any source (editor, paste from Word or WeChat, importer)."""
    clean = nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        attribute_filter=_only_image_ids,
    ).strip()
    clean = FIGURE_RE.sub(_figure_marker, clean)
    if not BLOCK_RE.search(clean):
        # Text typed in a textarea (or only inline markup): blank lines separate paragraphs.
        clean = linebreaks(clean)
    return clean


class _BlockSplitter(HTMLParser):
    """Cuts sanitised HTML into its top-level blocks, keeping each block's source text."""

    def __init__(self, html):
        super().__init__(convert_charrefs=False)
        self.html = html
        self.line_starts = [0] + [i + 1 for i, ch in enumerate(html) if ch == "\n"]
        self.depth = 0
        self.block_start = None
        self.blocks = []

    def _offset(self):
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag, attrs):
        if self.depth == 0:
            self.block_start = self._offset()
        if tag in VOID_TAGS:
            if self.depth == 0:
                end = self.html.index(">", self.block_start) + 1
                self.blocks.append(self.html[self.block_start : end])
            return
        self.depth += 1

    def handle_endtag(self, tag):
        if tag in VOID_TAGS or self.depth == 0:
            return
        self.depth -= 1
        if self.depth == 0:
            end = self.html.index(">", self._offset()) + 1
            self.blocks.append(self.html[self.block_start : end])

    def handle_data(self, data):
        if self.depth == 0 and data.strip():
            self.blocks.append(f"<p>{data.strip()}</p>")

    handle_entityref = handle_charref = lambda self, name: None


def body_blocks(html):
    splitter = _BlockSplitter(html)
    splitter.feed(html)
    splitter.close()
    return [block for block in splitter.blocks if not block.startswith("<br")]


def body_parts(article, images):
    """The body as a list of ("html", block) and ("image", ArticleImage) parts, in reading order.

    An image named by a marker in the body (``<figure data-image="id">``) stands there; markers of
    images that no longer exist are dropped. Every other image goes after the number of blocks
    its ``position`` says. The first paragraph is marked ("lead") so the page can print the
    dateline at its start, as newspapers do.
    """
    by_id = {image.pk: image for image in images}
    blocks, placed = [], {}
    for block in body_blocks(article.body):
        marker = MARKER_RE.match(block)
        if marker is None:
            blocks.append(("html", block))
        elif int(marker["id"]) in by_id and int(marker["id"]) not in placed:
            placed[int(marker["id"])] = True
            blocks.append(("image", by_id[int(marker["id"])]))
    text_blocks = [i for i, (kind, _value) in enumerate(blocks) if kind == "html"]
    by_position = {}
    for image in images:
        if image.pk not in placed:
            # After `position` text blocks: just before the block that follows them.
            index = text_blocks[image.position] if image.position < len(text_blocks) else len(blocks)
            by_position.setdefault(index, []).append(image)
    parts = []
    for index in range(len(blocks) + 1):
        parts.extend(("image", image) for image in by_position.get(index, []))
        if index < len(blocks):
            parts.append(blocks[index])
    for i, (kind, value) in enumerate(parts):
        if kind == "html":
            if value.startswith("<p>") and value.endswith("</p>"):
                parts[i] = ("lead", value[3:-4])
            break
    return parts
