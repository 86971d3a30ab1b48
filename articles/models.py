"""The content model of the newsroom archive (see DESIGN.md for the page anatomy)."""

import datetime
import functools
import operator
import re
import secrets
from dataclasses import dataclass
from pathlib import PurePath

import reversion
from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connections, models, router
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThanOrEqual
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import Tag, TaggedItem

DEFAULT_LOGO = "images/logo.svg"
CIRCLED_NUMBERS = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def site_image_path(instance, filename):
    """Where an image of the site settings (the WeChat QR code) goes: ``site/YYYY/MM/<random>.<ext>``."""
    return unguessable_path("site", filename)


class SiteSettings(models.Model):
    """The one row of settings editors change: names and filing numbers in the footer."""

    site_name = models.CharField(_("site name"), max_length=100, default="《国企》杂志社官网")
    short_name = models.CharField(
        _("short name"),
        max_length=50,
        default="国企网",
        help_text=_("Used in the copyright line and where space is short."),
    )
    description = models.CharField(
        _("description"),
        max_length=300,
        blank=True,
        help_text=_("One sentence about the site, for search engines and feed readers."),
    )
    icp_number = models.CharField(
        _("ICP filing number"),
        max_length=100,
        blank=True,
        help_text=_("Shown in the footer, linked to beian.miit.gov.cn."),
    )
    police_number = models.CharField(
        _("public-security filing number"),
        max_length=100,
        blank=True,
        help_text=_("公安备案号, shown in the footer."),
    )
    copyright_line = models.CharField(
        _("copyright line"),
        max_length=200,
        blank=True,
        help_text=_("For example “© 2026 《国企》杂志社 版权所有”."),
    )
    print_subscription = models.TextField(
        _("print subscription"),
        blank=True,
        default="《国企》杂志（上下半月刊）\n征订电话：0571—86915636",
        help_text=_(
            "How to subscribe to the printed magazine (editions, price, postal code, phone), shown on the "
            "subscribe page. Blank lines separate paragraphs."
        ),
    )
    about = models.TextField(
        _("about page"),
        blank=True,
        help_text=_("The text of the About page (关于我们). Leave empty to hide the page and its footer link."),
    )
    contact = models.TextField(
        _("contact page"),
        blank=True,
        help_text=_("The text of the Contact page (联系我们). Leave empty to hide the page and its footer link."),
    )
    wechat_name = models.CharField(
        _("WeChat official account"),
        max_length=100,
        blank=True,
        help_text=_("The name of the WeChat official account (公众号), shown with its QR code on the subscribe page."),
    )
    wechat_qr = models.ImageField(
        _("WeChat QR code"),
        upload_to=site_image_path,
        blank=True,
        help_text=_("The official account's QR code image (PNG or JPEG), shown on the subscribe page."),
    )
    review_levels = models.PositiveSmallIntegerField(
        _("review levels"),
        choices=[
            (1, _("One: an editor publishes what is submitted")),
            (2, _("Two: first review (初审), then final review (终审)")),
            (3, _("Three: first (初审), second (复审) and final review (终审)")),
        ],
        default=1,
        help_text=_(
            "How many reviews a submitted article passes before it is published. With two or three, each "
            "review is done by a different person: reviewers (审核) do the first and second, an editor the final "
            "one, and nobody reviews an article they submitted."
        ),
    )
    logo = models.FileField(
        _("logo"),
        upload_to=site_image_path,  # a random name: the uploaded one may be longer than a file system takes
        blank=True,
        help_text=_(
            "An SVG drawing, shown in the masthead, to search engines and as the picture of pages shared "
            "without one of their own. Empty: the logo shipped with the site."
        ),
    )

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="site_settings_singleton"),
            models.CheckConstraint(
                condition=Q(review_levels__gte=1, review_levels__lte=3), name="review_levels_1_to_3"
            ),
        ]

    def __str__(self):
        return self.site_name

    def logo_url(self):
        return self.logo.url if self.logo else static(DEFAULT_LOGO)

    @classmethod
    def load(cls):
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class ContentVersion(models.Model):
    """The version of one scope of what readers see (``articles.versions``), moved after each change
    that touches it. Kept here only when there is no shared cache (Redis); no admin."""

    scope = models.CharField(max_length=100, unique=True)
    value = models.BigIntegerField()

    def __str__(self):
        return f"{self.scope} {self.value}"


class Section(models.Model):
    """A part of the site an article belongs to (协会 …), shown after the site name."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveIntegerField(
        _("order"), default=0, help_text=_("Sections are listed by this number, smallest first.")
    )

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:section", args=[self.pk])


class Column(models.Model):
    """A recurring column (栏目), printed in 【brackets】 before an article's title."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("column")
        verbose_name_plural = _("columns")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:column", args=[self.pk])


class Unit(models.Model):
    """An organisation that took part in what an article reports (参与单位)."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("enterprise")
        GOVERNMENT = "government", _("government body")
        UNIVERSITY = "university", _("university or school")
        ASSOCIATION = "association", _("association")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(
        _("short name"), max_length=50, blank=True, help_text=_("The name as articles often shorten it.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("participating unit")
        verbose_name_plural = _("participating units")
        ordering = ["name"]
        permissions = [("merge_unit", _("Can merge duplicate units"))]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:unit", args=[self.pk])

    @classmethod
    def named(cls, name):
        """The unit called ``name``: by its name, else its short name, as written; failing both, whatever
        the capitals (中建abc is 中建ABC, the oldest of units that differ only so). None if none."""
        for lookup in ("name", "short_name", "name__iexact", "short_name__iexact"):
            found = cls.objects.filter(**{lookup: name}).order_by("pk").first()
            if found:
                return found
        return None


class UnitRedirect(models.Model):
    """The address of a unit merged into another (``workflow.merge_units``): it answers 301 with the kept one."""

    old_id = models.PositiveIntegerField(_("old id"), primary_key=True)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="redirects")

    class Meta:
        verbose_name = _("merged unit address")
        verbose_name_plural = _("merged unit addresses")

    def __str__(self):
        return f"{self.old_id} → {self.unit_id}"


class TagRedirect(models.Model):
    """The address (slug) of a tag merged into another (``workflow.merge_tags``): 301 to the kept one."""

    old_slug = models.CharField(_("old slug"), max_length=100, primary_key=True)
    tag = models.ForeignKey(Tag, verbose_name=_("tag"), on_delete=models.CASCADE, related_name="redirects")

    class Meta:
        verbose_name = _("merged tag address")
        verbose_name_plural = _("merged tag addresses")

    def __str__(self):
        return f"{self.old_slug} → {self.tag_id}"


class CopyrightNotice(models.Model):
    """The copyright and disclaimer notice under an article, with numbered clauses."""

    title = models.CharField(_("title"), max_length=200, unique=True)
    clauses = models.TextField(_("clauses"), help_text=_("One clause per line; they are numbered ①②③ on the page."))
    is_default = models.BooleanField(
        _("default"),
        default=False,
        help_text=_("Shown under every article that names no other notice. Only one notice is the default."),
    )

    class Meta:
        verbose_name = _("copyright notice")
        verbose_name_plural = _("copyright notices")
        ordering = ["-is_default", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_copyright_notice"
            )
        ]

    def __str__(self):
        return self.title

    def numbered_clauses(self):
        lines = [line.strip() for line in self.clauses.splitlines() if line.strip()]
        return [
            (CIRCLED_NUMBERS[i] if i < len(CIRCLED_NUMBERS) else f"({i + 1})", line) for i, line in enumerate(lines)
        ]


class PromoBlock(models.Model):
    """A reusable promotional block (【关注分享】…) shown under articles, site-wide or per section."""

    title = models.CharField(_("title"), max_length=50, help_text=_("Printed in 【brackets】 before the text."))
    text = models.TextField(_("text"))
    section = models.ForeignKey(
        Section,
        verbose_name=_("section"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("Leave empty to show it under articles of every section that has no block of its own."),
    )

    class Meta:
        verbose_name = _("promo block")
        verbose_name_plural = _("promo blocks")
        ordering = ["section__order", "title"]
        constraints = [
            models.UniqueConstraint(Coalesce("section", 0), name="one_promo_block_per_scope"),
        ]

    def __str__(self):
        return f"【{self.title}】"


@models.DateTimeField.register_lookup
class Passed(LessThanOrEqual):
    """``field__passed=moment``: no time is set, or it is at or before ``moment`` (an embargo that
    is not there, or is over)."""

    lookup_name = "passed"

    def get_rhs_op(self, connection, rhs):
        return connection.operators["lte"] % rhs

    def as_sql(self, compiler, connection):
        sql, params = super().as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"({lhs} IS NULL OR {sql})", (*lhs_params, *params)


@models.ForeignKey.register_lookup
@models.IntegerField.register_lookup
class AnyOf(models.Lookup):
    """``field__any_of=[ids]``: as ``__in``, but on PostgreSQL the list is one array parameter
    (``= ANY(%s)``), not a placeholder per value: a thousand ids are one literal for the server to
    parse and no per-value work for Django (for the search's ranking window, facets and estimate).
    Given a queryset of ids, PostgreSQL makes the array of them first (``= ANY(ARRAY(subquery))``),
    once, rather than planning the subquery as a join."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if hasattr(self.rhs, "resolve_expression"):
            subquery, params = self.process_rhs(compiler, connection)
            in_array = connection.vendor == "postgresql"
            return f"{lhs} = ANY(ARRAY{subquery})" if in_array else f"{lhs} IN {subquery}", (*lhs_params, *params)
        values = [int(value) for value in self.rhs]
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", (*lhs_params, values)
        if not values:
            return "0 = 1", tuple(lhs_params)
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", (*lhs_params, *values)


def published_when(now):
    """The one rule of visibility, as field lookups: published, its publish time has come, its
    embargo (禁发时间), if any, is over, and not in the trash. ``ArticleQuerySet.published()`` filters
    by it; ``Article.is_published`` checks a row against it (``meets``), so the database and Python
    never disagree. Before its embargo an article is shown nowhere, exactly as a draft; when the
    embargo ends it appears with no change (``articles.scopes.upcoming`` lists it)."""
    return {
        "status": Article.Status.PUBLISHED,
        "publish_at__lte": now,
        "embargo_until__passed": now,
        "deleted_at__isnull": True,
    }


# What the lookups of the rule mean for a value in Python (a missing time meets no bound, as in SQL).
# Another lookup in the rule raises KeyError here, rather than being checked one way in each place.
LOOKUPS = {
    "exact": operator.eq,
    "lte": lambda value, bound: value is not None and value <= bound,
    "isnull": lambda value, expected: (value is None) == expected,
    "passed": lambda value, bound: value is None or value <= bound,
}


def meets(obj, lookups):
    """Whether ``obj`` meets field lookups such as ``published_when``'s (exact, lte, passed, isnull)."""
    return all(
        LOOKUPS[lookup or "exact"](getattr(obj, field), bound)
        for (field, _, lookup), bound in ((name.partition("__"), bound) for name, bound in lookups.items())
    )


ID_RE = re.compile(r"[0-9]{1,18}")


def is_id(value):
    """Whether ``value``, a string from a request, can be a row's id: 1 to 18 ASCII digits. (``isdigit``
    takes ² for a digit that ``int()`` refuses; twenty digits overflow the database's integers.)"""
    return isinstance(value, str) and ID_RE.fullmatch(value) is not None


# The archive's years: a publish time or an embargo outside them is a typing error (0001-01-01 cannot
# even be stored in UTC; the year 1000 made an archive page of its own). The importer holds to them too.
YEARS = (1900, 2100)


def within_years(value):
    """A model validator: ``value``, a time, falls within ``YEARS``."""
    if value is not None and not YEARS[0] <= value.year <= YEARS[1]:
        raise ValidationError(
            _("Give a time between the years %(first)s and %(last)s."),
            code="year",
            params={"first": YEARS[0], "last": YEARS[1]},
        )


# An edit this long after the publish time is a correction readers are told of (更新时间).
CORRECTION_AFTER = datetime.timedelta(minutes=1)


@dataclass(frozen=True)
class Person:
    """An author or responsible editor, as readers know them: a name (the article's text fields), with
    a page of their articles."""

    name: str

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:author", args=[self.name])


# How many of a unit's or a tag's newest links related articles are looked for among (with pool=100:
# about half the time of 1,000 and 200, 38 against 73-88 ms median on the loaded bench machine).
LINK_WINDOW = 300


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """The one rule of visibility (``published_when``)."""
        return self.filter(**published_when(timezone.now()))

    def by_person(self, name):
        """The articles ``name`` wrote (作者) or was the responsible editor of (责任编辑)."""
        return self.filter(Q(author=name) | Q(editor=name))

    def visible_to(self, user):
        """What a user may open at an article's address: the public, what is published; staff also preview
        what is not published yet (with a banner), but never what is in the trash (the trash has its
        own admin page): a trashed page is not kept, linked or shown as if it were merely unpublished."""
        return self.not_in_trash() if user.is_staff else self.published()

    def in_trash(self):
        return self.filter(deleted_at__isnull=False)

    def not_in_trash(self):
        return self.filter(deleted_at__isnull=True)

    def for_list(self):
        """What a list item shows: column, section and the lead image, without one query per item."""
        return self.select_related("section", "column").prefetch_related(
            models.Prefetch("images", queryset=ArticleImage.objects.order_by("order", "pk"))
        )

    def related_to(self, article, limit=5, pool=100, window=LINK_WINDOW):
        """Articles sharing units, tags or the column with ``article``, those sharing most first.

        Candidates are the newest ``pool`` articles sharing its units, its tags, its column (each an
        index walk), so the cost stays flat however many articles carry a common tag; a unit or tag
        counts its newest ``window`` links only. One query; reads the article's units and tags from
        its prefetched ``unit_links`` and ``tags``.
        """
        unit_ids = [link.unit_id for link in article.unit_links.all()]
        tag_ids = [tag.pk for tag in article.tags.all()]
        shared_units = ArticleUnit.objects.filter(article=OuterRef("pk"), unit__in=unit_ids)
        shared_tags = Article.tags.through.objects.filter(
            object_id=OuterRef("pk"), tag__in=tag_ids, content_type=article_type()
        )
        # The unit and tag pools start from the links (a sliced subquery is planned on its own): walking
        # the articles newest first until `pool` of them share a rarely used unit can read most of
        # the table (a second, seen at 100,000 articles).
        pools, score = [], models.Value(0)
        if unit_ids:
            links = ArticleUnit.objects.filter(unit__in=unit_ids).order_by("-article_id").values("article_id")
            pools.append(Q(pk__in=links[:window]))
            score += _count(shared_units, "article") * 3
        if tag_ids:
            links = Article.tags.through.objects.filter(tag__in=tag_ids, content_type=article_type())
            pools.append(Q(pk__in=links.order_by("-object_id").values("object_id")[:window]))
            score += _count(shared_tags, "object_id") * 2
        if article.column_id:
            pools.append(Q(column=article.column_id))
            score += models.Case(models.When(column=article.column_id, then=1), default=0)
        if not pools:
            return self.none()
        others = self.exclude(pk=article.pk).order_by("-publish_at", "-pk")
        return (
            self.filter(in_any([others.filter(condition).values("pk")[:pool] for condition in pools]))
            .annotate(score=score)
            .select_related("column")
            .order_by("-score", "-publish_at", "-pk")[:limit]
        )


def article_type():
    """The content type of Article, which taggit's tagged items point to (cached by Django)."""
    return ContentType.objects.get_for_model(Article)


def in_any(subqueries):
    """A condition: the row's pk is in one of ``subqueries`` (sliced ``values("pk")`` querysets).

    One query on every database: a UNION ALL where the database allows sliced parts (PostgreSQL;
    each part an index walk), else ORed IN subqueries (SQLite).
    """
    if connections[router.db_for_read(Article)].features.supports_slicing_ordering_in_compound:
        return Q(pk__in=subqueries[0].union(*subqueries[1:], all=True))
    return functools.reduce(operator.or_, (Q(pk__in=subquery) for subquery in subqueries))


def in_public_use(queryset, lookup):
    """The units or tags of ``queryset`` that a published article has (``lookup``: "units" or "tags").

    Only these are public, by page, feed or name: a unit or tag that only drafts, scheduled,
    unpublished or trashed articles have would tell what is not published yet.
    """
    return queryset.filter(models.Exists(Article.objects.published().filter(**{lookup: OuterRef("pk")})))


def merged_unit(pk):
    """The public unit that unit ``pk`` was merged into, or None (``pk`` is a unit, or was never merged)."""
    if Unit.objects.filter(pk=pk).exists():
        return None
    return in_public_use(Unit.objects.filter(redirects__old_id=pk), "units").first()


def merged_tag(slug):
    """The public tag that the tag with ``slug`` was merged into, or None."""
    if Tag.objects.filter(slug=slug).exists():
        return None
    return in_public_use(Tag.objects.filter(redirects__old_slug=slug), "tags").first()


def _count(rows, key):
    """How many of ``rows`` (a queryset correlated with OuterRef) there are, as an expression."""
    return Coalesce(Subquery(rows.order_by().values(key).annotate(n=Count("pk")).values("n")), 0)


# What ``articles.rendering`` makes from the article when it is saved is not part of its revisions.
@reversion.register(
    follow=["images", "unit_links", "tagged_items", "corrections", "contact_links"], exclude=["body_html", "item_html"]
)
class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        REVIEW = "review", _("submitted for review")
        PUBLISHED = "published", _("published")
        UNPUBLISHED = "unpublished", _("unpublished")

    title = models.CharField(_("title"), max_length=200)
    subtitle = models.CharField(
        _("subtitle"), max_length=300, blank=True, help_text=_("Printed after a dash under the title.")
    )
    section = models.ForeignKey(Section, verbose_name=_("section"), on_delete=models.PROTECT, related_name="articles")
    column = models.ForeignKey(
        Column, verbose_name=_("column"), on_delete=models.PROTECT, null=True, blank=True, related_name="articles"
    )
    source = models.CharField(
        _("source"),
        max_length=100,
        blank=True,
        help_text=_("The dateline's source, for example “《国企》杂志融媒浙江讯”."),
    )
    author = models.CharField(_("author"), max_length=100, blank=True)
    editor = models.CharField(_("responsible editor"), max_length=50, blank=True, help_text=_("责任编辑."))
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("Two or three sentences for lists, search engines and feeds.")
    )
    body = models.TextField(
        _("body"),
        help_text=_(
            "The article's text. Insert the article's images with the image button; "
            "an image not inserted goes after the number of paragraphs its position says."
        ),
    )
    body_html = models.TextField(
        _("body as shown"),
        blank=True,
        default="",
        editable=False,
        help_text=_(
            "The body as pages and feeds show it (sanitised, figures and renditions in place), made when the "
            "article is saved (articles/rendering.py); empty until then."
        ),
    )
    item_html = models.TextField(
        _("list item as shown"),
        blank=True,
        default="",
        editable=False,
        help_text=_(
            "The article as lists show it (title, time, section, summary, lead picture), made when the article "
            "is saved (articles/rendering.py), with marks where the section's and column's names go; empty until then."
        ),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        _("publish time"),
        null=True,
        blank=True,
        db_index=True,
        validators=[within_years],
        help_text=_("A published article appears at this time; a future time schedules it."),
    )
    embargo_until = models.DateTimeField(
        _("embargo until"),
        null=True,
        blank=True,
        db_index=True,
        validators=[within_years],
        help_text=_(
            "禁发时间: before it the article is public nowhere, even if published (as a draft); at this "
            "time it appears by itself. Journalists can read it earlier through preview links."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    units = models.ManyToManyField(
        Unit, verbose_name=_("participating units"), through="ArticleUnit", related_name="articles", blank=True
    )
    tags = TaggableManager(_("tags"), blank=True)
    copyright_notice = models.ForeignKey(
        CopyrightNotice,
        verbose_name=_("copyright notice"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Leave empty for the default notice."),
    )
    show_promo = models.BooleanField(
        _("show promo block"), default=True, help_text=_("Show the section's (or the site-wide) promo block.")
    )
    import_key = models.CharField(
        _("import key"),
        max_length=100,
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_("The name of the file the article was imported from; a re-import updates this article."),
    )
    import_digest = models.CharField(
        _("import digest"),
        max_length=64,
        blank=True,
        default="",
        editable=False,
        help_text=_(
            "What the importer last wrote (a digest, see articles/importer.py): a re-import leaves the article "
            "alone once it no longer matches, that is once someone changed it."
        ),
    )
    deleted_at = models.DateTimeField(
        _("moved to the trash"),
        null=True,
        blank=True,
        editable=False,
        db_index=True,
        help_text=_("Set when the article is deleted; it can be restored for 30 days, then it is purged."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text=_("Who added the article in the admin; a contributor may change only their own drafts."),
    )
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last edited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text=_("Who last saved the article or moved it along the workflow in the admin."),
    )
    review_stage = models.PositiveSmallIntegerField(
        _("reviews passed"),
        default=0,
        editable=False,
        help_text=_("How many reviews (初审, 复审) the article has passed since it was last submitted."),
    )
    return_reason = models.TextField(
        _("reason for return"),
        blank=True,
        editable=False,
        help_text=_(
            "Why a reviewer returned the article for changes; shown to its writer until it is submitted again."
        ),
    )
    # Lets revisions follow the article's tags (taggit's links) like its images and units.
    tagged_items = GenericRelation(TaggedItem)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-publish_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "publish_at"]),
            models.Index(fields=["author", "publish_at"]),
            models.Index(fields=["editor", "publish_at"]),
            # And on PostgreSQL article_publication (migration 0024): the publication rule's columns beside
            # the id, so that related articles check their candidates in the index, not in the wide rows.
        ]
        permissions = [
            ("publish_article", _("Can publish, schedule and unpublish articles")),
            ("review_article", _("Can do the first and second reviews (初审, 复审) of articles")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(publish_at__isnull=False),
                name="published_article_has_publish_time",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("articles:article", args=[self.pk])

    @property
    def is_published(self):
        """Whether ``Article.objects.published()`` lists it (the same rule, checked on this row)."""
        return meets(self, published_when(timezone.now()))

    @property
    def appears_at(self):
        """When readers first see it (if published): its publish time, or the end of its embargo if later."""
        if self.publish_at is None or self.embargo_until is None:
            return self.publish_at
        return max(self.publish_at, self.embargo_until)

    @property
    def is_embargoed(self):
        """Whether an embargo still holds it back (whatever its status)."""
        return self.embargo_until is not None and self.embargo_until > timezone.now()

    @property
    def modified_at(self):
        """When readers last saw it change: the last edit, but never before it appeared (a scheduled
        or embargoed article edited before its time was not modified before it was published)."""
        appears = self.appears_at
        return self.updated_at if appears is None else max(appears, self.updated_at)

    def display_title(self):
        return f"【{self.column.name}】{self.title}" if self.column_id else self.title

    @property
    def corrected_at(self):
        """When a person changed it after it was published (更新时间), or None: an edit in the admin at
        least a minute after the publish time. The importer's writes and the publish itself do not count."""
        if self.publish_at is None or self.last_edited_by_id is None:
            return None
        return self.updated_at if self.updated_at - self.publish_at >= CORRECTION_AFTER else None


class ErrorReport(models.Model):
    """纠错: a reader's report of an error in a published article, waiting in the admin for an editor."""

    class Status(models.TextChoices):
        NEW = "new", _("Waiting")
        HANDLED = "handled", _("Handled")

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="error_reports"
    )
    selected_text = models.CharField(_("text in question"), max_length=500, blank=True)
    note = models.TextField(_("reader's note"), max_length=1000, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now, db_index=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("error report")
        verbose_name_plural = _("error reports")
        ordering = ["-reported_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(selected_text="", note=""),
                name="error_report_says_something",
                violation_error_message=_("Select the text in question or say what is wrong."),
            ),
        ]

    def __str__(self):
        return f"{self.article_id}: {self.selected_text or self.note}"[:80]


@reversion.register()
class ArticleUnit(models.Model):
    """Links a participating unit to an article, in the order the article names them."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="unit_links")
    # Indexed with the article (Meta.indexes): a unit's newest links are read from the index alone.
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="article_links", db_index=False
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("participating unit")
        verbose_name_plural = _("participating units")
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["article", "unit"], name="unit_once_per_article")]
        indexes = [models.Index(fields=["unit", "article"], name="unit_links_by_article")]

    def __str__(self):
        return str(self.unit)


class ReviewStep(models.Model):
    """Who moved an article along in its current round of review: submitted it (step 0), passed the first
    review (1) or the second (2). Each step of a round by a different person, which the database holds
    to; the rows go when the round ends (published or returned), the article's history keeps them all."""

    SUBMITTED = 0

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="review_steps")
    step = models.PositiveSmallIntegerField(_("step"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.CASCADE, related_name="+")
    done_at = models.DateTimeField(_("done at"), default=timezone.now)

    class Meta:
        verbose_name = _("review step")
        verbose_name_plural = _("review steps")
        ordering = ["article", "step"]
        constraints = [
            models.UniqueConstraint(fields=["article", "step"], name="review_step_once_per_round"),
            models.UniqueConstraint(fields=["article", "user"], name="review_steps_by_different_people"),
        ]

    def __str__(self):
        return f"{self.article_id}:{self.step}"


class FlaggedWord(models.Model):
    """A word editors want to look at twice (错别字, 敏感词): the admin marks it before an article is
    submitted or published and asks for confirmation. It never changes the text."""

    class Kind(models.TextChoices):
        MISSPELLING = "misspelling", _("misspelling")
        SENSITIVE = "sensitive", _("sensitive word")

    word = models.CharField(_("word"), max_length=50, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MISSPELLING)
    note = models.CharField(
        _("note"),
        max_length=200,
        blank=True,
        help_text=_("For a misspelling, the right form; for a sensitive word, why it is flagged."),
    )

    class Meta:
        verbose_name = _("flagged word")
        verbose_name_plural = _("flagged words")
        ordering = ["word"]
        constraints = [models.CheckConstraint(condition=~Q(word=""), name="flagged_word_not_empty")]

    def __str__(self):
        return self.word


class TrashedArticle(Article):
    """Articles in the trash, listed on their own admin page where they can be restored."""

    objects = ArticleQuerySet.as_manager()

    class Meta:
        proxy = True
        verbose_name = _("article in the trash")
        verbose_name_plural = _("trash")
        ordering = ["-deleted_at"]


def unguessable_path(folder, filename, label=""):
    """Where an uploaded file goes: ``folder/YYYY/MM/<32 hex digits><label>.<ext>``.

    Media files are served as they are (nginx from disk, or S3), with nobody asking who may see
    them; a draft's images stay private because their addresses hold 128 random bits and nothing
    else a person could guess (not the uploaded file's name: the importer's are IMG_256.jpg), until a
    published page links them. Nothing is renamed, so files stored before keep their addresses.
    """
    suffix = PurePath(filename).suffix.lower()
    return f"{folder}/{timezone.now():%Y/%m}/{secrets.token_hex(16)}{label}{suffix}"


def article_image_path(instance, filename):
    return unguessable_path("articles", filename)


class Licence(models.TextChoices):
    """The terms on which an image may be used by others (press kit, media library)."""

    ALL_RIGHTS_RESERVED = "reserved", _("All rights reserved; press use with credit")
    CC_BY = "cc-by-4.0", _("CC BY 4.0")
    CC_BY_NC = "cc-by-nc-4.0", _("CC BY-NC 4.0")
    CC_BY_SA = "cc-by-sa-4.0", _("CC BY-SA 4.0")
    PUBLIC_DOMAIN = "cc0", _("Public domain (CC0)")


@reversion.register(exclude=["file_type", "file_size"])
class ArticleImage(models.Model):
    """A captioned image of an article. The caption lives here, not in the body."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(
        _("image"),
        upload_to=article_image_path,
        blank=True,
        help_text=_("Leave empty to keep the slot: the page shows a captioned placeholder."),
    )
    name = models.CharField(
        _("file name"), max_length=100, blank=True, help_text=_("The image's name in the source, such as IMG_256.")
    )
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    alt_text = models.CharField(
        _("alt text"), max_length=300, help_text=_("What the image shows, for readers who cannot see it.")
    )
    credit = models.CharField(
        _("credit"),
        max_length=100,
        blank=True,
        help_text=_("Photographer or source, shown after the caption (摄影：…) and in the press kit."),
    )
    licence = models.CharField(
        _("licence"),
        max_length=20,
        choices=Licence.choices,
        default=Licence.ALL_RIGHTS_RESERVED,
        help_text=_("On what terms others may use the image; shown in the caption and the press kit."),
    )
    copyright_holder = models.CharField(
        _("copyright holder"),
        max_length=100,
        blank=True,
        help_text=_("Who holds the copyright. Leave empty when it is the site (its short name is used)."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    position = models.PositiveIntegerField(
        _("position"),
        default=0,
        help_text=_(
            "Used when the body does not place the image: how many paragraphs come before it (0 puts it first)."
        ),
    )
    # Read from the file when the article is saved (articles/rendering.py), so feeds announce it
    # without opening it: empty while the file is missing or unreadable.
    file_type = models.CharField(_("file type"), max_length=50, blank=True, editable=False)
    file_size = models.PositiveBigIntegerField(_("file size"), null=True, editable=False)

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering = ["order", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(alt_text=""), name="image_has_alt_text")]

    def __str__(self):
        return self.caption or self.name or self.alt_text

    def has_stated_terms(self):
        """Whether the image names its credit, holder or a licence other than the default, which its
        caption then shows (the default terms are shown in the press kit and the media library)."""
        return bool(self.credit or self.copyright_holder or self.licence != Licence.ALL_RIGHTS_RESERVED)

    def copyright_line(self, site_holder, year):
        """“© 2026 《国企》杂志社 · 版权所有，媒体使用请注明来源”: the holder (the site's name when none is given)
        and the licence, as the caption and the press kit print it."""
        holder = self.copyright_holder or site_holder
        return (
            f"© {year} {holder} · {self.get_licence_display()}"
            if year
            else f"© {holder} · {self.get_licence_display()}"
        )


class Album(models.Model):
    """A set of images editors put together (图集) for the public media library. Only the images of
    published articles show; the others wait in the album until their article is published."""

    title = models.CharField(_("title"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Shown above the album's images."))
    is_public = models.BooleanField(
        _("public"), default=True, help_text=_("Untick to prepare an album without showing it in the media library.")
    )
    order = models.PositiveIntegerField(
        _("order"), default=0, help_text=_("Albums are listed by this number, smallest first.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    images = models.ManyToManyField(
        ArticleImage, verbose_name=_("images"), through="AlbumImage", related_name="albums", blank=True
    )

    class Meta:
        verbose_name = _("album")
        verbose_name_plural = _("albums")
        ordering = ["order", "-created_at", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("articles:album", args=[self.pk])


class AlbumImage(models.Model):
    """An image in an album, in the order editors give."""

    album = models.ForeignKey(Album, on_delete=models.CASCADE, related_name="image_links")
    image = models.ForeignKey(
        ArticleImage, verbose_name=_("image"), on_delete=models.CASCADE, related_name="album_links"
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("album image")
        verbose_name_plural = _("album images")
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["album", "image"], name="image_once_per_album")]

    def __str__(self):
        return str(self.image)


reversion.register(TaggedItem)


def rendition_path(instance, filename):
    """A rendition's address is random too, not derived from the original's: the width only labels it."""
    return unguessable_path("renditions", filename, label=f"-{instance.width}")


class ImageRendition(models.Model):
    """A resized copy of an article image at one width and format, made once (articles/renditions.py).

    Width and height are stored so pages size images without opening files.
    """

    class Format(models.TextChoices):
        WEBP = "webp", "WebP"
        JPEG = "jpeg", "JPEG"

    image = models.ForeignKey(ArticleImage, on_delete=models.CASCADE, related_name="renditions")
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    file = models.FileField(_("file"), upload_to=rendition_path, max_length=255)
    source = models.CharField(
        _("source file"),
        max_length=255,
        help_text=_("The name of the uploaded file it was made from: a new upload makes new renditions."),
    )

    class Meta:
        verbose_name = _("image rendition")
        verbose_name_plural = _("image renditions")
        ordering = ["image", "format", "width"]
        constraints = [
            models.UniqueConstraint(fields=["image", "format", "width"], name="one_rendition_per_width_and_format"),
            models.CheckConstraint(condition=Q(width__gt=0, height__gt=0), name="rendition_has_a_size"),
        ]

    def __str__(self):
        return f"{self.image} {self.width}w {self.format}"


class DocumentField(models.TextField):
    """Searchable text, normalised. What is stored in it, and how it is queried (its ``matches``
    lookup), is ``articles.search``'s business."""


class SearchEntry(models.Model):
    """The search index row of an article, written and read by ``articles.search`` (see that module).

    Rebuilt from the articles at any time (``manage.py rebuild_search_index``). On PostgreSQL the
    document has a GIN index of its ``search_keys()``, created by a migration (SQLite has none).
    """

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="search_entry", verbose_name=_("article")
    )
    head = DocumentField(_("title and subtitle"), help_text=_("For relevance: matches here come first."))
    labels = DocumentField(_("tags and units"), help_text=_("For relevance: matches here come second."))
    document = DocumentField(_("document"), help_text=_("Everything searched in the article."))
    publish_at = models.DateTimeField(
        _("publish time"),
        null=True,
        blank=True,
        help_text=_(
            "The article's, copied when it is indexed: matches are ranked by it before their articles are read."
        ),
    )

    class Meta:
        verbose_name = _("search index entry")
        verbose_name_plural = _("search index entries")
        ordering = ["pk"]

    def __str__(self):
        return str(self.article_id)


class ArticleScopes(models.Model):
    """Where an article is shown, or will be once its scheduled time comes: the scopes
    (``articles.versions``) that the next change of it makes cold, besides those it moves to.

    Written by the workflow with each change of the article, in the same transaction (like the
    search index); rebuilt from the articles at any time (``articles.scopes.rebuild``).
    """

    article = models.OneToOneField(Article, on_delete=models.CASCADE, primary_key=True, related_name="+")
    scopes = models.TextField(blank=True, help_text="Scope names, separated by spaces.")
    position = models.DateTimeField(null=True, help_text="Its publish time while published, for its neighbours.")

    class Meta:
        verbose_name = _("article scopes")
        verbose_name_plural = _("article scopes")

    def __str__(self):
        return f"{self.article_id}: {self.scopes}"


# The press room's models live in a module of their own; importing them here registers them.
from .press_models import ArticleContact, Correction, MediaContact, PreviewLink, PreviewOpen  # noqa: E402, F401
