"""Feeds of the latest published articles: RSS 2.0, Atom 1.0 and JSON Feed 1.1.

One ``Feed`` class per scope (site, section, column, unit, tag); the format is part of the URL and
picks the feed generator, so every scope comes in every format without copies. As with class-based
views, a new feed object serves each request, so its methods may use ``self.request``.

Conditional GET: what a feed shows depends only on the versions of the site and of its scope's list
(``articles.versions``, moved by the workflow on every change to them) and the newest visible publish
time of its scope (one indexed query), which is how a scheduled article, appearing with no save,
changes the feed. That pair gives the ETag, and
the newest item's time gives Last-Modified (read in the same query), so a 304 is answered without
building the feed.

Text is escaped for the reader who reads it. Titles, summaries and names are plain text; the body is
sanitised HTML. RSS readers take titles and descriptions as HTML (the description by convention, the
title in many readers), so RSS writes that plain text as HTML, escaped once for HTML and again for XML;
its categories, author and copyright are read as text (feedparser does) and escaped once. Atom says
``type="text"`` on its text constructs, JSON Feed's title and summary are plain text by definition.
Dates are whole seconds in Asia/Shanghai with their offset: some readers misread fractions of a
second and then the time zone.
"""

import datetime
import hashlib
import html
import io
import json
import logging
from collections import defaultdict
from functools import cached_property

from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.db.models import Max
from django.db.models.functions import Greatest
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import feedgenerator, timezone
from django.utils.cache import patch_cache_control
from django.utils.feedgenerator import rfc3339_date
from django.utils.html import format_html, strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import condition
from taggit.models import Tag, TaggedItem

from . import feed_formats, rendering, versions
from .cache import CACHE_ERRORS
from .models import (
    Article,
    ArticleImage,
    Column,
    Person,
    Section,
    SiteSettings,
    Unit,
    article_type,
    in_public_use,
    merged_tag,
    merged_unit,
)

logger = logging.getLogger(__name__)


def feed_time(moment):
    """A time as feeds write it: Asia/Shanghai, whole seconds (2025-06-12T10:30:00+08:00)."""
    return timezone.localtime(moment).replace(microsecond=0)


class LastModifiedMixin:
    """The feed's own date (lastBuildDate, Atom updated) is the response's Last-Modified."""

    def latest_post_date(self):
        return feed_time(self.feed.get("last_modified") or super().latest_post_date())


def as_html(text):
    """Plain text as HTML that shows it literally."""
    return None if text is None else html.escape(text, quote=False)


class RssFeed(LastModifiedMixin, feedgenerator.Rss201rev2Feed):
    """RSS 2.0 with the full body in content:encoded and the update time in atom:updated.

    Titles and descriptions, plain text here, are written as HTML (see the module's docstring).
    """

    def __init__(self, title, link, description, **kwargs):
        super().__init__(as_html(title), link, as_html(description), **kwargs)

    def add_item(self, title, link, description, **kwargs):
        super().add_item(as_html(title), link, as_html(description), **kwargs)

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:content": "http://purl.org/rss/1.0/modules/content/"}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("atom:updated", rfc3339_date(item["updateddate"]))
        handler.addQuickElement("content:encoded", item["content_html"])


class PlainTextConstructs:
    """The XML writer that Django's Atom feed writes through, with ``type="text"`` on text constructs.

    Title, subtitle, summary and rights hold plain text here (the body goes in ``content``, as HTML);
    Django writes the summary as ``type="html"`` and the others without a type.
    """

    names = {"title", "subtitle", "summary", "rights"}

    def __init__(self, handler):
        self.handler = handler

    def __getattr__(self, name):
        return getattr(self.handler, name)

    def addQuickElement(self, name, contents=None, attrs=None):
        if name in self.names:
            attrs = {**(attrs or {}), "type": "text"}
        self.handler.addQuickElement(name, contents, attrs)


class AtomFeed(LastModifiedMixin, feedgenerator.Atom1Feed):
    """Atom 1.0 with the full body as the entry's content and plain text said to be text."""

    def add_root_elements(self, handler):
        super().add_root_elements(PlainTextConstructs(handler))

    def add_item_elements(self, handler, item):
        super().add_item_elements(PlainTextConstructs(handler), item)
        handler.addQuickElement("content", item["content_html"], {"type": "html"})


def without_empty(data):
    return {key: value for key, value in data.items() if value not in (None, "", [], ())}


class JsonFeed(LastModifiedMixin, feedgenerator.SyndicationFeed):
    """JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/), written from the same feed and items."""

    content_type = "application/feed+json; charset=utf-8"

    def write(self, outfile, encoding):
        feed = self.feed
        data = without_empty(
            {
                "version": "https://jsonfeed.org/version/1.1",
                "title": feed["title"],
                "home_page_url": feed["link"],
                "feed_url": feed["feed_url"],
                "description": feed["description"],
                "language": feed["language"],
                "authors": [without_empty({"name": feed["author_name"], "url": feed["author_link"]})],
                "items": [self.json_item(item) for item in self.items],
            }
        )
        data.setdefault("items", [])
        json.dump(data, outfile, ensure_ascii=False, indent=1)

    def json_item(self, item):
        enclosures = item["enclosures"]
        return without_empty(
            {
                "id": item["unique_id"],
                "url": item["link"],
                "title": item["title"],
                "summary": item["description"],
                "content_html": item["content_html"],
                "image": enclosures[0].url if enclosures else None,
                "date_published": rfc3339_date(item["pubdate"]),
                "date_modified": rfc3339_date(item["updateddate"]),
                "authors": [{"name": item["author_name"]}] if item["author_name"] else None,
                "tags": list(item["categories"]),
                "attachments": [
                    {"url": e.url, "mime_type": e.mime_type, "size_in_bytes": int(e.length)} for e in enclosures
                ],
            }
        )


# The generator of each format (feed_formats names them and their addresses).
GENERATORS = {"rss": RssFeed, "atom": AtomFeed, "json": JsonFeed}


class LatestArticlesFeed(Feed):
    """The latest published articles of the whole site; subclasses narrow them to one scope object."""

    scope_model = None
    scope_lookup = None
    scope_field = "pk"
    only_in_public_use = False  # units and tags: a feed only once a published article has them
    url_name = "articles:feed"
    item_count = 50
    max_age = 10 * 60  # seconds a reader or proxy may reuse a copy before asking again (with its ETag)
    seen_seconds = 24 * 60 * 60  # how long the time a state was first seen is remembered

    def __init__(self, request=None, format="rss"):
        self.request = request
        self.feed_type = GENERATORS[format]

    @classmethod
    def as_view(cls):
        def view(request, format, **kwargs):
            return cls(request, format)(request, **kwargs)

        view.feed_class = cls  # the traditional edition sends feeds to their one address (articles.hant)
        return view

    def links(self, scope=None):
        """This feed in every format, for autodiscovery and the subscribe page."""
        kwargs = {} if scope is None else {self.scope_field: getattr(scope, self.scope_field)}
        return feed_formats.links(self.url_name, **kwargs)

    def __call__(self, request, **kwargs):
        self.scope = self.get_object(request, **kwargs)
        try:
            etag, modified = self.state, self.modified
        except CACHE_ERRORS as exc:  # the cache server is down: answer in full, without validators
            logger.warning("feed served without validators: %r", exc)
            self.modified = None
            return self.build(request)
        # Last-Modified counts whole seconds: within the second of a change, another change would keep
        # the same value and a reader sending only If-Modified-Since would miss it. So the feed names
        # its Last-Modified once that second is over (the ETag is exact at once).
        settled = int(modified.timestamp()) < int(timezone.now().timestamp())
        last_modified = modified if settled else None
        validated = condition(etag_func=lambda request: etag, last_modified_func=lambda request: last_modified)
        response = validated(self.build)(request)
        patch_cache_control(response, public=True, max_age=self.max_age)
        if not settled:  # a shared cache (the page cache too) keeps no copy without Last-Modified
            patch_cache_control(response, s_maxage=0)
        return response

    def build(self, request):
        feed = self.get_feed(self.scope, request)
        # Written into a string, then answered at once: written into the response, each of the XML
        # writer's few thousand small writes went through HttpResponse.write (a sixth of a cold feed).
        written = io.StringIO()
        feed.write(written, "utf-8")
        return HttpResponse(written.getvalue(), content_type=feed.content_type)

    # Scope and validators

    def get_object(self, request, **kwargs):
        if self.scope_model is None:
            return None
        scopes = self.scope_model.objects.all()
        if self.only_in_public_use:
            scopes = in_public_use(scopes, self.scope_lookup)
        return get_object_or_404(scopes, **{self.scope_field: kwargs[self.scope_field]})

    def articles(self):
        articles = Article.objects.published()
        if self.scope_model is None:
            return articles
        return articles.filter(**{self.scope_lookup: self.scope})

    @cached_property
    def state(self):
        """Everything the feed's content depends on, as a short hash (it is the ETag)."""
        items = self.articles().order_by("-publish_at", "-pk")[: self.item_count]
        # An embargoed article appears when its embargo ends, perhaps with an older publish time: the
        # newest embargo ended among the items counts too.
        times = items.aggregate(
            newest=Max("publish_at"), modified=Max(Greatest("publish_at", "updated_at")), lifted=Max("embargo_until")
        )
        lifted = times["lifted"]
        self.newest_item_time = max((t for t in (times["modified"], lifted) if t), default=None)
        scopes = [versions.SITE, self.list_scope()]
        versions.depends_on(*scopes)
        newest = times["newest"] and times["newest"].isoformat()
        key = f"{versions.current(scopes)}:{newest}:{lifted and lifted.isoformat()}"
        return hashlib.sha256(key.encode()).hexdigest()[:32]

    def list_scope(self):
        return versions.list_of(self.scope)

    @cached_property
    def modified(self):
        """The feed's Last-Modified: the time of its newest item (publish or update, whichever is
        later), to the second. A change that makes no item newer (an article taken away, a setting)
        counts from when the feed was first served so; that is why the time is remembered per state
        (for a day: forgotten, the newest item's time again)."""
        state, key = self.state, f"newsroom:feed-modified:{self.request.path}"
        remembered = cache.get(key)
        if remembered is not None and remembered[0] == state:
            return datetime.datetime.fromtimestamp(remembered[1], tz=datetime.UTC)
        newest = self.newest_item_time and self.newest_item_time.replace(microsecond=0).timestamp()
        if newest is None or (remembered is not None and newest <= remembered[1]):
            newest = timezone.now().timestamp()
        cache.set(key, (state, newest), self.seen_seconds)
        return datetime.datetime.fromtimestamp(newest, tz=datetime.UTC)

    # The feed

    @cached_property
    def site(self):
        return SiteSettings.load()

    def absolute(self, url):
        return self.request.build_absolute_uri(url)

    def title(self, scope):
        return self.site.site_name if scope is None else f"{self.site.site_name} - {scope}"

    def link(self, scope):
        return reverse("articles:home") if scope is None else scope.get_absolute_url()

    def description(self, scope):
        scope_description = getattr(scope, "description", "")
        return scope_description or self.site.description or _("The latest articles of the newsroom archive.")

    def author_name(self):
        return self.site.site_name

    def author_link(self):
        return self.absolute(reverse("articles:home"))

    def feed_copyright(self):
        return self.site.copyright_line or None

    def feed_extra_kwargs(self, scope):
        return {"last_modified": self.modified}

    def items(self, scope):
        """The newest articles, each with its lead image (``lead_image``: the first with a file, or
        None) and its tags' names (``tag_names``), read in one query each for all of them. Not
        Django's prefetching: its querysets per relation (taggit's manager makes one per item) and tag
        instances were a fifth of a cold feed."""
        articles = list(
            self.articles().select_related("section", "column").defer("body", "item_html")[: self.item_count]
        )
        ids = [article.pk for article in articles]
        # The source text only where it is read (no summary to describe the item, or no stored body yet):
        # one query for those.
        untold = {article.pk: article for article in articles if not article.summary or not article.body_html}
        for pk, body in Article.objects.filter(pk__any_of=list(untold)).values_list("pk", "body") if untold else ():
            untold[pk].body = body
        leads = {}
        for image in ArticleImage.objects.filter(article_id__any_of=ids).exclude(image="").order_by("-order", "-pk"):
            leads[image.article_id] = image  # the last one kept is the first in the article's order
        names = defaultdict(list)
        tagged = TaggedItem.objects.filter(content_type=article_type(), object_id__any_of=ids)
        for pk, name in tagged.values_list("object_id", "tag__name"):
            names[pk].append(name)
        for article in articles:
            article.lead_image, article.tag_names = leads.get(article.pk), sorted(names[article.pk])
        return articles

    # Each article

    def item_title(self, article):
        return article.display_title()

    def item_description(self, article):
        """Plain text: the summary, else the beginning of the body's text."""
        return article.summary or Truncator(html.unescape(strip_tags(article.body))).chars(200)

    item_guid_is_permalink = True  # the guid is the article's URL, which carries its id and never changes

    def item_pubdate(self, article):
        return feed_time(article.publish_at)

    def item_updateddate(self, article):
        return feed_time(article.modified_at)

    def item_author_name(self, article):
        return article.author or None

    def item_categories(self, article):
        names = [article.section.name, article.column.name if article.column else None]
        return [name for name in names if name] + article.tag_names

    def item_copyright(self, article):
        return self.site.copyright_line or None

    def item_enclosures(self, article):
        """The lead image, with its true length and type (read from the file when the article was
        saved, ``articles.rendering``: a feed opens no file)."""
        lead = article.lead_image
        if lead is None or not lead.file_type:  # no file, or it could not be read: no broken enclosure
            return []
        return [feedgenerator.Enclosure(self.absolute(lead.image.url), str(lead.file_size), lead.file_type)]

    def item_extra_kwargs(self, article):
        return {"content_html": self.item_content(article)}

    @cached_property
    def base_url(self):
        return self.absolute("/").rstrip("/")

    def item_content(self, article):
        """The body as the page shows it (stored when saved), with absolute URLs, the subtitle and the
        copyright line."""
        subtitle = format_html("<p>——{}</p>\n", article.subtitle) if article.subtitle else ""
        copyright_line = format_html("<p>{}</p>", self.site.copyright_line) if self.site.copyright_line else ""
        return f"{subtitle}{rendering.feed_body(article, self.base_url)}\n{copyright_line}\n"


class SectionFeed(LatestArticlesFeed):
    scope_model, scope_lookup, url_name = Section, "section", "articles:section_feed"


class ColumnFeed(LatestArticlesFeed):
    scope_model, scope_lookup, url_name = Column, "column", "articles:column_feed"


class FollowsMerges:
    """The feed of a unit or tag merged into another answers 301 with the kept one's feed, same format."""

    def __call__(self, request, **kwargs):
        try:
            return super().__call__(request, **kwargs)
        except Http404:
            kept = self.merged_into(kwargs[self.scope_field])
            if kept is None:
                raise
            same_format = list(GENERATORS.values()).index(self.feed_type)
            return HttpResponsePermanentRedirect(self.links(kept)[same_format].url)


class UnitFeed(FollowsMerges, LatestArticlesFeed):
    scope_model, scope_lookup, url_name = Unit, "units", "articles:unit_feed"
    only_in_public_use = True
    merged_into = staticmethod(merged_unit)


class TagFeed(FollowsMerges, LatestArticlesFeed):
    scope_model, scope_lookup, scope_field, url_name = Tag, "tags", "slug", "articles:tag_feed"
    only_in_public_use = True
    merged_into = staticmethod(merged_tag)

    def link(self, tag):
        return reverse("articles:tag", args=[tag.slug])


class AuthorFeed(LatestArticlesFeed):
    """What an author wrote or a responsible editor edited (names are text on the articles, so the
    feed follows ``articles``, like the author's page)."""

    scope_model, scope_field, url_name = Person, "name", "articles:author_feed"

    def get_object(self, request, name):
        person = Person(name)
        if not Article.objects.published().by_person(name).exists():
            raise Http404
        return person

    def articles(self):
        return Article.objects.published().by_person(self.scope.name)

    def list_scope(self):
        return versions.ARTICLES


SCOPED_FEEDS = {feed.scope_model: feed for feed in [SectionFeed, ColumnFeed, UnitFeed, TagFeed, AuthorFeed]}


def feed_for(scope=None):
    """The feed of ``scope``: a section, column, unit or tag, or None for the whole site."""
    return LatestArticlesFeed() if scope is None else SCOPED_FEEDS[type(scope)]()
