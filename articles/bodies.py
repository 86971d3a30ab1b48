"""Article bodies: sanitising rich text from any source, splitting it into blocks, placing figures.

What is stored in ``Article.body`` is what ``sanitize_html`` returns; pages and feeds read it back
through ``body_parts``, so both show the same thing. Only markup goes: the words stay, escaped
characters (``&lt;``) included, wherever they stood; what is dropped with its content is code
(script, style sheets) and inert templates.
"""

import re
from html import escape
from html.parser import HTMLParser

import nh3
from django.utils.html import linebreaks

from . import pasted
from .models import is_id

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
    "figure": {"data-image", "data-pending"},
}
BLOCK_TAGS = {"p", "h2", "h3", "h4", "ul", "ol", "blockquote", "hr", "table", "pre", "figure"}
VOID_TAGS = {"br", "hr", "img", "wbr", "input", "col", "area", "source", "meta", "link"}

BLOCK_RE = re.compile(r"<(?:{})\b".format("|".join(sorted(BLOCK_TAGS))))


# An image marker, as the editor writes it: <figure data-image="42"></figure> names the ArticleImage
# whose file, caption and alt text are rendered there. Anything else inside it is dropped.
MARKER_RE = re.compile(r'^<figure data-image="(?P<id>\d{1,18})"></figure>$')
# The marker of an image uploaded from the editor before the article was saved: it names the upload
# kept by ``pending_uploads`` (its token); saving the article turns it into the image's own marker
# (``place_pending``). Pages never show one.
PENDING_RE = re.compile(r'<figure data-pending="(?P<token>[\w-]{8,64})"></figure>')
TOKEN_RE = re.compile(r"[\w-]{8,64}", re.ASCII)
# A figure's tags as nh3 writes them (only these attributes are allowed on them; "<" in attributes is escaped).
FIGURE_TAG_RE = re.compile(r'(<figure(?: data-image="\d+"| data-pending="[\w-]+")*>|</figure>)')
MARKER_ATTRIBUTE_RE = re.compile(r'data-image="\d+"|data-pending="[\w-]+"')


def _only_image_ids(element, attribute, value):
    """nh3 attribute filter: a figure's data-image must be an image id (digits), data-pending a token."""
    if attribute == "data-image" and not is_id(value):
        return None
    if attribute == "data-pending" and not TOKEN_RE.fullmatch(value):
        return None
    return value


def place_pending(html, images):
    """The body with each pending marker (an upload's token) made the marker of its saved image.

    ``images`` maps tokens to image ids; markers of uploads that were not saved are dropped.
    """
    return PENDING_RE.sub(
        lambda m: f'<figure data-image="{images[m["token"]]}"></figure>' if m["token"] in images else "", html
    )


def _place_figures(clean):
    """Each figure of sanitised HTML as an image marker or as its content.

    A figure that names an image becomes its marker, followed by the markers of figures nested in it;
    the rest of it (an old caption) goes, since the caption lives on the image's row. A figure pasted
    from elsewhere (Word, WeChat) names none: its content stays, as a paragraph if it is only text.
    """
    frames = [(None, [])]  # the figures being read, outermost first: (image id, content)

    def close():
        image_id, content = frames.pop()
        frames[-1][1].append(_figure(image_id, "".join(content)))

    for piece in FIGURE_TAG_RE.split(clean):
        if piece.startswith("<figure"):
            marker = MARKER_ATTRIBUTE_RE.search(piece)  # the first: data-image wins if both are there
            frames.append((marker and marker[0], []))
        elif piece == "</figure>" and len(frames) > 1:
            close()
        else:
            frames[-1][1].append(piece)
    while len(frames) > 1:  # nh3 closes every element; this only makes sure nothing is lost
        close()
    return "".join(frames[0][1])


def _figure(marker, content):
    if marker:
        nested = re.findall(r'<figure (?:data-image="\d+"|data-pending="[\w-]+")></figure>', content)
        return f"<figure {marker}></figure>" + "".join(nested)
    content = content.strip()
    return content if not content or BLOCK_RE.search(content) else f"<p>{content}</p>"


class _OffsetParser(HTMLParser):
    """An HTML tokenizer that knows where in the source each event starts."""

    def __init__(self, html):
        super().__init__(convert_charrefs=False)
        self.html = html
        self.line_starts = [0] + [i + 1 for i, ch in enumerate(html) if ch == "\n"]

    def _offset(self):
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def _end_of_tag(self):
        return self.html.index(">", self._offset()) + 1

    def run(self):
        self.feed(self.html)
        self.close()
        return self


# Start tags that leave MathML or SVG for HTML (the HTML standard's list for foreign content).
BREAKOUT_TAGS = set(
    "b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 h5 h6 head hr i img li listing "  # noqa: SIM905
    "menu meta nobr ol p pre ruby s small span strong strike sub sup table tt u ul var".split()
)


class _ForeignText(_OffsetParser):
    """MathML and SVG islands replaced by their text.

    nh3 (ammonia) drops such an island whole, words included, and after an unclosed ``<math><style>``
    every word up to the next HTML block. None of their markup is allowed here, so only their text is
    kept, except what SVG's style and any script hold (code). The result goes through nh3 like
    any input: nothing here needs to be safe, only to keep the words.
    """

    def __init__(self, html):
        super().__init__(html)
        self.islands = []  # (start, end, text) in the source
        self.open = []  # the island's open elements: (name, namespace, hidden)
        self.start, self.text = None, []

    def set_cdata_mode(self, *args, **kwargs):
        # In MathML and SVG, <style> and <script> hold markup and text like other elements.
        if not self.open:
            super().set_cdata_mode(*args, **kwargs)

    def _end_island(self, end):
        self.islands.append((self.start, end, "".join(self.text)))
        self.open, self.start, self.text = [], None, []

    def handle_starttag(self, tag, attrs):
        if not self.open:
            if tag in ("math", "svg"):
                self.start = self._offset()
                self.open.append((tag, tag, False))
            return
        if tag in BREAKOUT_TAGS or tag == "font" and {"color", "face", "size"} & {name for name, _value in attrs}:
            self._end_island(self._offset())  # the tag and what follows are HTML again
            return
        _parent, namespace, hidden = self.open[-1]
        namespace = tag if tag in ("math", "svg") else namespace
        hidden = hidden or tag == "script" or (tag == "style" and namespace == "svg")
        self.open.append((tag, namespace, hidden))

    def handle_endtag(self, tag):
        if not self.open:
            return
        names = [name for name, _namespace, _hidden in self.open]
        if tag not in names:
            self._end_island(self._offset())  # it closes an HTML element around the island
            return
        del self.open[len(names) - 1 - names[::-1].index(tag) :]
        if not self.open:
            self._end_island(self._end_of_tag())

    def _keep(self, text):
        if self.open and not self.open[-1][2]:
            self.text.append(text)

    def handle_data(self, data):
        self._keep(data)

    def handle_entityref(self, name):
        self._keep(f"&{name};")

    def handle_charref(self, name):
        self._keep(f"&#{name};")

    def unknown_decl(self, data):
        if data.startswith("CDATA["):  # text, in MathML and SVG
            self._keep(escape(data.removeprefix("CDATA["), quote=False))

    def close(self):
        super().close()
        if self.open:
            self._end_island(len(self.html))

    def result(self):
        pieces, position = [], 0
        for start, end, text in self.islands:
            pieces += [self.html[position:start], text]
            position = end
        return "".join(pieces) + self.html[position:]


FOREIGN_RE = re.compile(r"<(?:math|svg)\b", re.IGNORECASE)


def _foreign_text(html):
    return _ForeignText(html).run().result() if FOREIGN_RE.search(html) else html


def sanitize_html(html):
    """Clean HTML from any source (editor, paste from Word, WPS or WeChat, importer)."""
    html = html or ""
    if pasted.looks_pasted(html):
        html = pasted.normalize(html)
    clean = nh3.clean(
        _foreign_text(html),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        attribute_filter=_only_image_ids,
    ).strip()
    clean = _place_figures(clean)
    if not BLOCK_RE.search(clean):
        # Text typed in a textarea (or only inline markup): blank lines separate paragraphs.
        clean = linebreaks(clean)
    return clean


class _BlockSplitter(_OffsetParser):
    """Cuts sanitised HTML into its top-level blocks, keeping each block's source text.

    Text and inline elements between blocks, entities (``&lt;``) included, make one paragraph.
    """

    def __init__(self, html):
        super().__init__(html)
        self.depth = 0
        self.block_start = None  # where the top-level block being read began
        self.run_start = None  # where the loose text and inline elements being read began
        self.blocks = []

    def _loose(self):
        if self.depth == 0 and self.run_start is None:
            self.run_start = self._offset()

    def _end_run(self, end):
        if self.run_start is not None:
            run = self.html[self.run_start : end].strip()
            if not LINE_BREAKS_RE.fullmatch(run):
                self.blocks.append(f"<p>{run}</p>")
            self.run_start = None

    def handle_starttag(self, tag, attrs):
        if self.depth == 0:
            if tag in BLOCK_TAGS:
                self._end_run(self._offset())
                self.block_start = self._offset()
                if tag in VOID_TAGS:
                    self.blocks.append(self.html[self.block_start : self._end_of_tag()])
                    return
            else:
                self._loose()
        if tag not in VOID_TAGS:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in VOID_TAGS or self.depth == 0:
            return
        self.depth -= 1
        if self.depth == 0 and self.block_start is not None:
            self.blocks.append(self.html[self.block_start : self._end_of_tag()])
            self.block_start = None

    def handle_data(self, data):
        if data.strip():
            self._loose()

    def handle_entityref(self, name):
        self._loose()

    handle_charref = handle_entityref

    def close(self):
        super().close()
        self._end_run(len(self.html))


LINE_BREAKS_RE = re.compile(r"(?:<br\s*/?>|\s)*")


def body_blocks(html):
    return _BlockSplitter(html).run().blocks


def body_parts(article, images):
    """The body as a list of ("html", block) and ("image", ArticleImage) parts, in reading order.

    An image named by a marker in the body (``<figure data-image="id">``) stands there; markers of
    images that no longer exist are dropped. Every other image goes after the number of blocks
    its ``position`` says. The first paragraph with text is marked ("lead") so the page can print the
    dateline at its start, as newspapers do, even when a heading, an image or a quotation comes first.
    """
    by_id = {image.pk: image for image in images}
    blocks, placed = [], {}
    for block in body_blocks(article.body):
        marker = MARKER_RE.match(block)
        if PENDING_RE.fullmatch(block):
            continue  # an upload not saved with the article: nothing to show
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
        if kind == "html" and value.startswith("<p>") and value.endswith("</p>") and _has_text(value):
            parts[i] = ("lead", value[3:-4])
            break
    return parts


def _has_text(html):
    return bool(re.sub(r"<[^>]*>|&nbsp;|&#160;|\s", "", html))
