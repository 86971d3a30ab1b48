"""sitemap.xml and the Google News sitemap: published articles and the pages that list them, nothing else."""

import datetime
from functools import cached_property

from django.contrib.sitemaps import Sitemap as ContribSitemap
from django.contrib.sitemaps import views as sitemap_views
from django.core.paginator import Paginator
from django.db.models import Exists, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from .cache.queries import reads_query
from .models import Article, Column, Person, Section, Unit, article_type


class Sitemap(ContribSitemap):
    """Contrib's Sitemap, whose pages are counted once per request: the index asks whether a sitemap
    has anything in it, then how many pages it has (contrib reads its items again for each)."""

    @cached_property
    def paginator(self):
        return Paginator(self._items(), self.limit)


def to_the_second(moment):
    """The sitemap index writes its dates in full (``date:"c"``): whole seconds, as feeds do."""
    return moment and moment.replace(microsecond=0)


class EditionsSitemap(Sitemap):
    """Each page in both editions, simplified and traditional (``/zh-hant/``, ``articles.hant``), each
    entry naming the other as an alternate (``xhtml:link hreflang``) and the simplified one as x-default."""

    i18n = True
    alternates = True
    x_default = True


class ArticleSitemap(EditionsSitemap):
    limit = 5000

    def items(self):
        return (
            Article.objects.published()
            .only("pk", "publish_at", "embargo_until", "updated_at")
            .order_by("-publish_at", "-pk")
        )

    def lastmod(self, article):
        return article.modified_at

    def get_latest_lastmod(self):
        # As Article.modified_at: an edit before the (scheduled or embargoed) appearance counts from then.
        appears = Greatest("publish_at", Coalesce("embargo_until", "publish_at"))
        latest = Article.objects.published().aggregate(latest=Max(Greatest(appears, "updated_at")))["latest"]
        return to_the_second(latest)


class ListSitemap(EditionsSitemap):
    """The list pages of a model, those with published articles, last modified at their newest article."""

    model = None
    lookup = "units"  # from Article to the model

    def newest(self):
        """The publish time of the newest published article of the list (an OuterRef subquery)."""
        return (
            Article.objects.published()
            .filter(**{self.lookup: OuterRef("pk")})
            .order_by("-publish_at")
            .values("publish_at")[:1]
        )

    def items(self):
        # Lists with no published article are left out here rather than in SQL, so that the
        # subquery (an index walk per list) runs once per row, not twice.
        rows = self.model.objects.annotate(newest=Subquery(self.newest())).order_by("pk")
        return [row for row in rows if row.newest is not None]

    def lastmod(self, obj):
        return obj.newest

    def get_latest_lastmod(self):
        return to_the_second(Article.objects.published().aggregate(latest=Max("publish_at"))["latest"])


class SectionSitemap(ListSitemap):
    model, lookup = Section, "section"


class ColumnSitemap(ListSitemap):
    model, lookup = Column, "column"


class UnitSitemap(ListSitemap):
    model, lookup = Unit, "units"


class TagSitemap(ListSitemap):
    model = Tag

    def newest(self):
        tagged = TaggedItem.objects.filter(
            object_id=OuterRef("pk"),
            tag=OuterRef(OuterRef("pk")),
            content_type=article_type(),
        )
        return Article.objects.published().filter(Exists(tagged)).order_by("-publish_at").values("publish_at")[:1]

    def location(self, tag):
        return reverse("articles:tag", args=[tag.slug])


class AuthorSitemap(EditionsSitemap):
    """The pages of authors and responsible editors with published articles, at their newest article."""

    def items(self):
        newest = {}
        published = Article.objects.published()
        for field in ("author", "editor"):
            rows = published.exclude(**{field: ""}).values_list(field).annotate(newest=Max("publish_at"))
            for name, at in rows.order_by():
                newest[name] = max(at, newest.get(name, at))
        return [(Person(name), at) for name, at in sorted(newest.items())]

    def location(self, item):
        return item[0].get_absolute_url()

    def lastmod(self, item):
        return item[1]


class PageSitemap(EditionsSitemap):
    """The home page and the archive."""

    def items(self):
        return ["articles:home", "articles:archive"]

    def location(self, name):
        return reverse(name)


class NewsSitemap(Sitemap):
    """Articles published in the last 48 hours, for Google News (template sitemaps/news.xml)."""

    limit = 1000

    def items(self):
        since = timezone.now() - datetime.timedelta(hours=48)
        return Article.objects.published().filter(publish_at__gte=since).only("pk", "title", "publish_at")

    def lastmod(self, article):
        return article.publish_at


SITEMAPS = {
    "pages": PageSitemap,
    "articles": ArticleSitemap,
    "sections": SectionSitemap,
    "columns": ColumnSitemap,
    "tags": TagSitemap,
    "units": UnitSitemap,
    "authors": AuthorSitemap,
}


def with_items(sitemaps):
    """Those of ``sitemaps`` that list something: an empty <urlset> fails the sitemap schema (a url is
    required), so the index names none, and an empty sitemap's own address is a 404."""
    made = {name: sitemap() for name, sitemap in sitemaps.items()}
    return {name: sitemap for name, sitemap in made.items() if sitemap.paginator.count}


def index(request):
    return sitemap_views.index(request, with_items(SITEMAPS), sitemap_url_name="sitemap_section")


@reads_query("p")
def section(request, section):
    return sitemap_views.sitemap(
        request, with_items({section: SITEMAPS[section]} if section in SITEMAPS else {}), section
    )
