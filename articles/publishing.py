"""Everything that happens when content changes, as explicit functions.

The admin, the importer and management commands call these; nothing here runs from
``save()`` or a signal. Rendering helpers for the body live here too, so that pages
and feeds show the same thing.
"""

import re
import time
from html.parser import HTMLParser

import nh3
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.html import linebreaks

from .models import ContentVersion

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
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
BLOCK_TAGS = {"p", "h2", "h3", "h4", "ul", "ol", "blockquote", "hr", "table", "pre"}
VOID_TAGS = {"br", "hr", "img", "wbr", "input", "col", "area", "source", "meta", "link"}

BLOCK_RE = re.compile(r"<(?:{})\b".format("|".join(sorted(BLOCK_TAGS))))
CONTENT_VERSION_KEY = "newsroom:content-version"


def sanitize_html(html):
    """Clean HTML from any source (editor, paste from Word or WeChat, importer)."""
    clean = nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    ).strip()
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

    Each image goes after the number of blocks its ``position`` says. The first paragraph is
    marked ("lead") so the page can print the dateline at its start, as newspapers do.
    """
    blocks = body_blocks(article.body)
    by_position = {}
    for image in images:
        by_position.setdefault(min(image.position, len(blocks)), []).append(image)
    parts = []
    for index in range(len(blocks) + 1):
        parts.extend(("image", image) for image in by_position.get(index, []))
        if index < len(blocks):
            parts.append(("html", blocks[index]))
    for i, (kind, value) in enumerate(parts):
        if kind == "html":
            if value.startswith("<p>") and value.endswith("</p>"):
                parts[i] = ("lead", value[3:-4])
            break
    return parts


def content_version():
    """A number that changes whenever content readers see changes; part of every page cache key.

    It lives where every app server sees it: in the cache when the cache is shared (Redis), else
    in the database (a local-memory cache is private to one process).
    """
    if settings.SHARED_CACHE:
        # Start from the clock, so a version lost from the cache never repeats an old one.
        return cache.get_or_set(CONTENT_VERSION_KEY, time.time_ns, timeout=None)
    return ContentVersion.current()


def content_changed():
    """Call after any change readers could see: the next request on every server sees it."""
    if settings.SHARED_CACHE:
        try:
            cache.incr(CONTENT_VERSION_KEY)
        except ValueError:
            cache.set(CONTENT_VERSION_KEY, time.time_ns(), timeout=None)
    else:
        ContentVersion.bump()


def article_saved(article):
    """Everything that follows a save of an article, from the admin, the importer or a command."""
    content_changed()


def publish(article, at=None):
    """Publish now, or schedule for ``at`` (no cron job needed: visibility checks the time)."""
    article.status = article.Status.PUBLISHED
    article.publish_at = at or article.publish_at or timezone.now()
    article.save(update_fields=["status", "publish_at", "updated_at"])
    article_saved(article)


def unpublish(article):
    article.status = article.Status.UNPUBLISHED
    article.save(update_fields=["status", "updated_at"])
    article_saved(article)
