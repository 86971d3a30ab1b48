from dataclasses import dataclass
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, prefetch_related_objects
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import (
    ArchiveIndexView,
    DayArchiveView,
    DetailView,
    ListView,
    MonthArchiveView,
    TemplateView,
    YearArchiveView,
)
from taggit.models import Tag, TaggedItem

from alerts.forms import SubscribeForm

from . import article_page, rendering, versions
from .cache.derived import derived_value
from .facets import facets
from .forms import SearchForm
from .models import (
    Article,
    Column,
    Correction,
    Person,
    Section,
    SiteSettings,
    Unit,
    article_type,
    in_any,
    in_public_use,
    merged_tag,
    merged_unit,
)

SECTION_BLOCK_SIZE = 5
SECTION_BLOCK_WINDOW = 100  # the site's newest articles, among which most sections have their latest few


@dataclass(frozen=True)
class Crumb:
    """A breadcrumb that is not a model object: a name and where it leads."""

    name: str
    url: str

    def __str__(self):
        return str(self.name)

    def get_absolute_url(self):
        return self.url


class PublishedArticles:
    """What every list shares: the one publication rule, what an item shows, a stable page size."""

    paginate_by = settings.ARTICLES_PER_PAGE
    # What the page reads of its query string: the page cache keys it by these alone (articles.cache).
    query_parameters = ("page",)
    # What a list item does not show: the two longest columns stay in the database.
    deferred = ("body", "body_html")

    def get_queryset(self):
        # Items as stored when the article was saved (rendering.list_items), with the names of section and column.
        return Article.objects.published().select_related("section", "column").defer(*self.deferred)

    def list_scope(self):
        """What the list shows, as a scope of ``articles.versions``: the page and its count depend on it."""
        return versions.ARTICLES

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        # Counting 100,000 articles takes tens of milliseconds: the count is kept until the list changes.
        name = f"count:{type(self).__name__}:{sorted(self.kwargs.items())}"
        paginator.count = derived_value(name, queryset.count, depends_on=[self.list_scope()])
        return paginator

    def get_context_data(self, **kwargs):
        versions.depends_on(self.list_scope())
        context = super().get_context_data(**kwargs)
        if context.get("is_paginated"):
            page = context["page_obj"]
            context["page_links"] = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
        return context


class ArticleListView(PublishedArticles, ListView):
    """Published articles, newest first; subclasses narrow them to one scope object."""

    scope_model = None
    scope_lookup = None
    alert_scope = None  # the list's e-mail alerts, as the subscribe form names them (alerts.forms)

    def get_scope(self):
        return get_object_or_404(self.scope_model, pk=self.kwargs["pk"])

    def get_queryset(self):
        articles = super().get_queryset()
        if self.scope_model is None:
            return articles
        self.scope = self.get_scope()
        return articles.filter(self.in_scope())

    def list_scope(self):
        return versions.list_of(None if self.scope_model is None else self.scope)

    def in_scope(self):
        # One unit or tag links to an article at most once (unique constraints): no DISTINCT needed.
        return Q(**{self.scope_lookup: self.scope})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.scope_model is not None:
            context.update(scope=self.scope, crumbs=[self.scope])
        if self.alert_scope:
            context["alert_scope"] = f"{self.alert_scope}:{self.scope.pk}"
        return context


def section_blocks(per_section=SECTION_BLOCK_SIZE, window=SECTION_BLOCK_WINDOW):
    """The latest ``per_section`` published articles of every section that has any, as (section, articles).

    Most sections have their latest few among the site's newest ``window`` articles: one query (an
    index walk) reads those. A section with fewer there gets its own from one more query, the union
    of an index walk per such section (compiling that union for every section cost more than the
    database spent on it).
    """
    published = Article.objects.published().order_by("-publish_at", "-pk")
    shown = published.select_related("column").only("title", "section_id", "publish_at", "column__name")
    blocks = {section: [] for section in Section.objects.all()}
    by_id = {section.pk: block for section, block in blocks.items()}
    for article in shown[:window]:
        block = by_id.get(article.section_id)  # None: a section made since they were read
        if block is not None and len(block) < per_section:
            block.append(article)
    short = [pk for pk, block in by_id.items() if len(block) < per_section]
    if short:
        newest = [published.filter(section=pk).values("pk")[:per_section] for pk in short]
        for pk in short:
            by_id[pk].clear()
        for article in shown.filter(in_any(newest)):
            by_id[article.section_id].append(article)
    return [(section, block) for section, block in blocks.items() if block]


class HomeView(ArticleListView):
    """The latest articles; page 1 opens with the lead story and a block per section."""

    template_name = "articles/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if context["page_obj"].number == 1:
            articles = list(context["page_obj"].object_list)
            if articles:  # the lead story shows its picture, not a stored item
                prefetch_related_objects(articles[:1], Prefetch("images", rendering.ordered_images()))
            context.update(lead=articles[0] if articles else None, latest=articles[1:], sections=section_blocks())
        return context


class SectionView(ArticleListView):
    scope_model, scope_lookup, alert_scope = Section, "section", "section"
    search_within = "section"  # the search form's filter that the page's own search box sets

    def get_context_data(self, **kwargs):
        return super().get_context_data(current_section=(self.scope.pk, "page"), **kwargs)


class ColumnView(ArticleListView):
    scope_model, scope_lookup, alert_scope = Column, "column", "column"
    search_within = "column"


class FollowsMerges:
    """A unit or tag merged into another: its address answers 301 with the kept one's (``merged_into``)."""

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            kept = self.merged_into()
            if kept is None:
                raise
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(self.address(kept) + (f"?{query}" if query else ""))

    def address(self, kept):
        return kept.get_absolute_url()


class UnitView(FollowsMerges, ArticleListView):
    scope_model, scope_lookup, alert_scope = Unit, "units", "unit"
    search_within = "unit"
    template_name = "articles/unit.html"

    def get_scope(self):
        return get_object_or_404(in_public_use(Unit.objects.all(), "units"), pk=self.kwargs["pk"])

    def merged_into(self):
        return merged_unit(self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        # Its media contacts: a contact's change moves the unit's scope (``workflow.contact_saved``).
        return super().get_context_data(contacts=list(self.scope.media_contacts.select_related("unit")), **kwargs)


class TagView(FollowsMerges, ArticleListView):
    scope_model = Tag
    template_name = "articles/tag.html"

    def get_scope(self):
        return get_object_or_404(in_public_use(Tag.objects.all(), "tags"), slug=self.kwargs["slug"])

    def merged_into(self):
        return merged_tag(self.kwargs["slug"])

    def address(self, kept):
        return reverse("articles:tag", args=[kept.slug])

    def in_scope(self):
        # EXISTS rather than taggit's join, which casts object_id and so cannot use its index.
        return Exists(TaggedItem.objects.filter(object_id=OuterRef("pk"), tag=self.scope, content_type=article_type()))


class AuthorView(ArticleListView):
    """The articles an author wrote or a responsible editor edited: a 404 while they have none published.
    The names are text on the articles, so the page shows ``articles`` (any change to a published
    article may add or take one away)."""

    template_name = "articles/author.html"
    allow_empty = False

    def get_queryset(self):
        self.scope = Person(self.kwargs["name"])
        return super().get_queryset().by_person(self.scope.name)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "scope": self.scope, "crumbs": [self.scope]}


class DateArchiveMixin(PublishedArticles):
    """Date archives: published articles by publish time (Asia/Shanghai), never the future.

    A date without articles is a 404, so crawlers find no endless empty calendar.
    """

    date_field = "publish_at"
    allow_future = False
    allow_empty = False
    month_format = "%m"

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except OverflowError:  # the day after 9999-12-31, or a time before year 1 in UTC
            raise Http404(_("Date out of range")) from None

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "crumbs": archive_crumbs(**self.kwargs)}


def archive_crumbs(year=None, month=None, day=None):
    crumbs = [Crumb(_("Archive"), reverse("articles:archive"))]
    if year:
        crumbs.append(Crumb(_("Year %(year)d") % {"year": year}, reverse("articles:archive_year", args=[year])))
    if month:
        crumbs.append(
            Crumb(_("Month %(month)d") % {"month": month}, reverse("articles:archive_month", args=[year, month]))
        )
    if day:
        crumbs.append(Crumb(_("Day %(day)d") % {"day": day}, reverse("articles:archive_day", args=[year, month, day])))
    return crumbs


class ArchiveView(DateArchiveMixin, ArchiveIndexView):
    allow_empty = True


class YearArchive(DateArchiveMixin, YearArchiveView):
    make_object_list = True


class MonthArchive(DateArchiveMixin, MonthArchiveView):
    pass


class DayArchive(DateArchiveMixin, DayArchiveView):
    pass


class SearchView(ArticleListView):
    """Search results: the form parses the query and filters; a bad form is a 400 with its errors."""

    template_name = "articles/search.html"
    query_parameters = ("page", *SearchForm.base_fields)
    deferred = ("body_html", "item_html")  # excerpts read the body; items are made with their matches marked

    def get_queryset(self):
        self.form = SearchForm(self.request.GET)
        # Pages show each lead image through its renditions (feeds, which share for_list, do not).
        return self.form.results(super().get_queryset().for_list().prefetch_related("images__renditions"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(form=self.form, query=self.form.query, crumbs=[_("Search")], **kwargs)
        if self.form.query:
            results = context["paginator"].object_list
            dates = (self.form.cleaned_data[name] for name in ("start", "end"))
            context["facets"] = facets(results.counted(), self.request.GET, *dates)
            context["suggestion"] = self.form.suggestion(results)
        return context

    def get_paginator(self, queryset, per_page, **kwargs):
        # Not the kept count of other lists: Results count the matches as they rank them.
        return self.paginator_class(queryset, per_page, **kwargs)

    def render_to_response(self, context, **kwargs):
        return super().render_to_response(context, status=400 if self.form.errors else 200, **kwargs)


class ArticleDetailView(DetailView):
    """An article page. The view gets the article; its own HTML (head tags and everything in <main>)
    comes from ``article_page.article_html``, kept per content version, and the page around it (header,
    navigation, footer) is rendered for each request. Staff, who may preview drafts, always get the
    row and its HTML as they are now."""

    def get_queryset(self):
        return (
            Article.objects.visible_to(self.request.user)
            .select_related("section", "column", "copyright_notice")
            .defer("item_html")
        )

    def get_object(self, queryset=None):
        if self.request.user.is_staff:
            return super().get_object(queryset)
        # The row, kept until it changes (its scope is declared by the HTML made from it).
        return derived_value(
            f"article:{self.kwargs['pk']}",
            lambda: super(ArticleDetailView, self).get_object(queryset),
            depends_on=[versions.article(self.kwargs["pk"])],
        )

    def get_context_data(self, **kwargs):
        article = self.object
        if "article_html" not in kwargs:  # a preview link brings its own
            kwargs["article_html"] = article_page.article_html(article, self.request)
        return super().get_context_data(
            preview=not article.is_published,
            crumbs=[article.section, _("Article")],
            current_section=(article.section_id, "true"),
            **kwargs,
        )


def article_qr(request, pk):
    """The article's address as a QR code, for sharing to WeChat (which has no share URL)."""
    article = get_object_or_404(Article.objects.visible_to(request.user).only("pk"), pk=pk)
    versions.depends_on(versions.article(pk))
    image = qrcode.make(
        request.build_absolute_uri(article.get_absolute_url()), image_factory=qrcode.image.svg.SvgPathImage
    )
    buffer = BytesIO()
    image.save(buffer)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


class CorrectionListView(ListView):
    """Every correction (更正/说明) of the published articles, newest first."""

    paginate_by = settings.ARTICLES_PER_PAGE
    query_parameters = ("page",)

    def get_queryset(self):
        return (
            Correction.objects.filter(article__in=Article.objects.published())
            .select_related("article__column")
            .order_by("-made_at", "-pk")
        )

    def get_context_data(self, **kwargs):
        versions.depends_on(versions.ARTICLES)  # a correction is recorded with a change of its article
        context = super().get_context_data(crumbs=[_("Corrections")], **kwargs)
        if context.get("is_paginated"):
            page = context["page_obj"]
            context["page_links"] = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
        return context


class SubscribeView(TemplateView):
    """Every way to follow the site: e-mail alerts, every feed with its address, the WeChat official
    account, and the print subscription details."""

    template_name = "articles/subscribe.html"

    def get_context_data(self, **kwargs):
        versions.depends_on(versions.ARTICLES)  # units and tags are listed while a published article has them
        return super().get_context_data(
            alert_form=SubscribeForm(),
            feed_groups=[
                (_("Sections"), Section.objects.all()),
                (_("Columns"), Column.objects.all()),
                # Units and tags can be many, and those of drafts only are not public: those with something to read.
                (_("Participating units"), in_public_use(Unit.objects.all(), "units")),
                (_("Tags"), in_public_use(Tag.objects.order_by("name"), "tags")),
            ],
            **kwargs,
        )


class SitePageView(TemplateView):
    """The About and Contact pages: text editors keep in the site settings (a 404 while empty)."""

    template_name = "articles/site_page.html"
    field = None
    title = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        body = getattr(SiteSettings.load(), self.field)
        if not body:
            raise Http404
        return {**context, "title": self.title, "body": body, "crumbs": [self.title]}


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says: the icon among the static files (its name
    changes with each release, so the redirect is a temporary one)."""
    return HttpResponseRedirect(static("images/favicon.ico"))


def web_manifest(request):
    """The web app manifest: the site's name and icons, for a phone's home screen."""
    site = SiteSettings.load()
    versions.depends_on(versions.SITE)
    icons = [
        ("images/icon-192.png", "192x192"),
        ("images/icon-512.png", "512x512"),
        ("images/apple-touch-icon.png", "180x180"),
    ]
    data = {
        "name": site.site_name,
        "short_name": site.short_name,
        "description": site.description,
        "lang": "zh-Hans",
        "start_url": reverse("articles:home"),
        "display": "browser",
        "background_color": "#ffffff",
        "theme_color": "#a8071a",
        "icons": [{"src": static(path), "sizes": sizes, "type": "image/png"} for path, sizes in icons],
    }
    return JsonResponse(data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})


class RobotsView(TemplateView):
    template_name = "robots.txt"
    content_type = "text/plain; charset=utf-8"
