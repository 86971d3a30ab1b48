from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, ListView, TemplateView
from taggit.models import Tag

from . import publishing
from .models import Article, ArticleUnit, Column, CopyrightNotice, PromoBlock, Section, Unit


class ArticleListView(ListView):
    """Published articles, newest first; subclasses narrow them to one scope object."""

    paginate_by = settings.ARTICLES_PER_PAGE
    scope_model = None
    scope_lookup = None

    def get_scope(self):
        return get_object_or_404(self.scope_model, pk=self.kwargs["pk"])

    def get_queryset(self):
        articles = Article.objects.published().for_list()
        if self.scope_model is None:
            return articles
        self.scope = self.get_scope()
        return articles.filter(**{self.scope_lookup: self.scope}).distinct()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.scope_model is not None:
            context.update(scope=self.scope, crumbs=[self.scope])
        return context


class HomeView(ArticleListView):
    template_name = "articles/home.html"


class SectionView(ArticleListView):
    scope_model, scope_lookup = Section, "section"


class ColumnView(ArticleListView):
    scope_model, scope_lookup = Column, "column"


class UnitView(ArticleListView):
    scope_model, scope_lookup = Unit, "units"
    template_name = "articles/unit.html"


class TagView(ArticleListView):
    scope_model, scope_lookup = Tag, "tags"
    template_name = "articles/tag.html"

    def get_scope(self):
        return get_object_or_404(Tag, slug=self.kwargs["slug"])


class ArticleDetailView(DetailView):
    def get_queryset(self):
        return (
            Article.objects.visible_to(self.request.user)
            .select_related("section", "column", "copyright_notice")
            .prefetch_related(
                "images",
                "tags",
                Prefetch("unit_links", queryset=ArticleUnit.objects.select_related("unit")),
            )
        )

    def get_context_data(self, **kwargs):
        article = self.object
        published = Article.objects.published().only("pk", "title", "publish_at")
        context = super().get_context_data(**kwargs)
        context.update(
            body_parts=publishing.body_parts(article, article.images.all()),
            notice=article.copyright_notice or CopyrightNotice.objects.filter(is_default=True).first(),
            promo=article.show_promo
            and PromoBlock.objects.filter(Q(section=article.section_id) | Q(section=None))
            .order_by(F("section").asc(nulls_last=True))
            .first(),
            preview=not article.is_published,
            crumbs=[article.section, _("Article")],
        )
        if article.is_published:
            context["previous_article"] = (
                published.filter(publish_at__lt=article.publish_at).order_by("-publish_at", "-pk").first()
            )
            context["next_article"] = (
                published.filter(publish_at__gt=article.publish_at).order_by("publish_at", "pk").first()
            )
        return context


def article_qr(request, pk):
    """The article's address as a QR code, for sharing to WeChat (which has no share URL)."""
    article = get_object_or_404(Article.objects.visible_to(request.user).only("pk"), pk=pk)
    image = qrcode.make(
        request.build_absolute_uri(article.get_absolute_url()), image_factory=qrcode.image.svg.SvgPathImage
    )
    buffer = BytesIO()
    image.save(buffer)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


class SubscribeView(TemplateView):
    """Every feed with its address, how to subscribe, and the print subscription details."""

    template_name = "articles/subscribe.html"

    def get_context_data(self, **kwargs):
        published = Article.objects.published()
        return super().get_context_data(
            feed_groups=[
                (_("Sections"), Section.objects.all()),
                (_("Columns"), Column.objects.all()),
                # Units and tags can be many: only those with something to read.
                (_("Participating units"), Unit.objects.filter(Exists(published.filter(units=OuterRef("pk"))))),
                (_("Tags"), Tag.objects.filter(Exists(published.filter(tags=OuterRef("pk")))).order_by("name")),
            ],
            **kwargs,
        )
