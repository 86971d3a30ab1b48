"""Everything that happens when content changes, as explicit functions.

The admin, the importer and management commands call these; nothing here runs from
``save()`` or a signal. Rendering helpers for the body live here too, so that pages
and feeds show the same thing.
"""

import datetime
import re
import time
from contextlib import contextmanager
from contextvars import ContextVar
from html.parser import HTMLParser

import nh3
import reversion
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.html import linebreaks
from django.utils.translation import gettext as _

from . import renditions, search
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
CONTENT_VERSION_KEY = "newsroom:content-version"


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


# The version a request has read, so that it reads it once (see ContentVersionMiddleware).
_request_version = ContextVar("newsroom_request_version", default=None)


def _read_content_version():
    if settings.SHARED_CACHE:
        # Start from the clock, so a version lost from the cache never repeats an old one.
        return cache.get_or_set(CONTENT_VERSION_KEY, time.time_ns, timeout=None)
    return ContentVersion.current()


def content_version():
    """A number that changes whenever content readers see changes; part of every page cache key.

    It lives where every app server sees it: in the cache when the cache is shared (Redis), else
    in the database (a local-memory cache is private to one process). Within a request it is read
    once.
    """
    memo = _request_version.get()
    if memo is None:
        return _read_content_version()
    if not memo:
        memo.append(_read_content_version())
    return memo[0]


@contextmanager
def one_content_version_per_request():
    """Inside this block content_version() is read at most once, unless content changes meanwhile."""
    token = _request_version.set([])
    try:
        yield
    finally:
        _request_version.reset(token)


def content_changed():
    """Call after any change readers could see: the next request on every server sees it."""
    memo = _request_version.get()
    if memo:
        memo.clear()
    if settings.SHARED_CACHE:
        try:
            cache.incr(CONTENT_VERSION_KEY)
        except ValueError:
            cache.set(CONTENT_VERSION_KEY, time.time_ns(), timeout=None)
    else:
        ContentVersion.bump()


class TransitionNotAllowed(ValueError):
    """The workflow does not lead from the article's status to the one asked for."""


def record_revision(article, user=None, comment=""):
    """Keep a revision of the article with its images, units and tags (django-reversion).

    Inside the admin's revision block this joins the revision the admin is making (one per
    request); elsewhere (importer, commands) it is saved at once.
    """
    with reversion.create_revision(manage_manually=True):
        reversion.add_to_revision(article)
        if user is not None and user.is_authenticated:
            reversion.set_user(user)
        if comment:
            reversion.set_comment(comment)


def images_saved(article):
    """Make renditions, once, for the article's images whose file is new since the last save."""
    for image in article.images.prefetch_related("renditions"):
        if renditions.is_stale(image):
            renditions.make_renditions(image)


def article_saved(article, user=None, comment=""):
    """Everything that follows a save of an article, from the admin, the importer or a command."""
    record_revision(article, user, comment)
    images_saved(article)
    search.index_articles([article.pk])
    content_changed()


def articles_changed(pks):
    """After a change to many articles at once (a unit renamed or deleted, a bulk edit)."""
    search.index_articles(pks)
    content_changed()


def articles_deleted(pks):
    """After articles are deleted for good (purge_trash): their search entries go (the database
    cascade has removed them already; this says so where deletes happen)."""
    search.remove_articles(pks)
    content_changed()


def all_articles_changed(batch_size=500, progress=None):
    """After a bulk load (a restore) or to repair the search index: index every article again."""
    search.rebuild(batch_size=batch_size, progress=progress)
    content_changed()


def unit_saved(unit):
    """A unit's name is searched in the articles that name it."""
    articles_changed(unit.article_links.values_list("article_id", flat=True))


def _transition(article, to, allowed_from, user, comment, fields=("status",)):
    if article.deleted_at is not None:
        raise TransitionNotAllowed(_("“%(title)s” is in the trash.") % {"title": article})
    if article.status not in allowed_from:
        raise TransitionNotAllowed(
            _("“%(title)s” is %(status)s; it cannot become %(target)s.")
            % {"title": article, "status": article.get_status_display(), "target": article.Status(to).label}
        )
    article.status = to
    article.save(update_fields=[*fields, "updated_at"])
    article_saved(article, user, comment)


def submit_for_review(article, user=None):
    """A contributor hands a draft to the editors."""
    S = article.Status
    _transition(article, S.REVIEW, {S.DRAFT, S.UNPUBLISHED}, user, _("Submitted for review."))


def return_to_draft(article, user=None):
    """An editor sends a submitted article back to its writer."""
    S = article.Status
    _transition(article, S.DRAFT, {S.REVIEW}, user, _("Returned to draft."))


def publish(article, at=None, user=None):
    """Publish now, or schedule for ``at`` (no cron job needed: visibility checks the time)."""
    S = article.Status
    article.publish_at = at or article.publish_at or timezone.now()
    scheduled = article.publish_at > timezone.now()
    comment = _("Scheduled for %(time)s.") % {"time": timezone.localtime(article.publish_at)} if scheduled else ""
    _transition(article, S.PUBLISHED, set(S), user, comment or _("Published."), fields=("status", "publish_at"))


def unpublish(article, user=None):
    S = article.Status
    _transition(article, S.UNPUBLISHED, {S.PUBLISHED}, user, _("Unpublished."))


def trash(article, user=None):
    """Delete an article the way editors can undo for TRASH_DAYS days: it leaves every public place."""
    article.deleted_at = timezone.now()
    article.save(update_fields=["deleted_at", "updated_at"])
    article_saved(article, user, _("Moved to the trash."))


def restore(article, user=None):
    article.deleted_at = None
    article.save(update_fields=["deleted_at", "updated_at"])
    article_saved(article, user, _("Restored from the trash."))


def purge_trash(now=None):
    """Delete for good the articles that have been in the trash longer than TRASH_DAYS days."""
    from .models import Article

    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.TRASH_DAYS)
    with transaction.atomic():
        expired = Article.objects.filter(deleted_at__lt=cutoff)
        pks = list(expired.values_list("pk", flat=True))
        expired.delete()
        articles_deleted(pks)
    return len(pks)


@transaction.atomic
def merge_units(kept, duplicates):
    """Move the articles of ``duplicates`` to ``kept``, then delete the duplicates.

    An article that already names the kept unit keeps its own link (the database allows a
    unit once per article); the duplicate's link is dropped.
    """
    from .models import ArticleUnit

    duplicates = [unit for unit in duplicates if unit.pk != kept.pk]
    already = set(ArticleUnit.objects.filter(unit=kept).values_list("article_id", flat=True))
    links = ArticleUnit.objects.filter(unit__in=duplicates).order_by("article_id", "order", "pk")
    renamed = {link.article_id for link in links}  # their units are searched under the kept name now
    moved = 0
    for link in links:
        if link.article_id in already:
            link.delete()
        else:
            link.unit = kept
            link.save(update_fields=["unit"])
            already.add(link.article_id)
            moved += 1
    for unit in duplicates:
        for field in ("short_name", "website", "description"):
            if not getattr(kept, field) and getattr(unit, field):
                setattr(kept, field, getattr(unit, field))
        unit.delete()
    kept.save()
    articles_changed(renamed)
    return moved
