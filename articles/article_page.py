"""The article page's own HTML (its head tags and everything in <main>), rendered apart from the view
and kept: the same for every reader of one content version, so kept (``cache.derived``) until a
scope it read moves. The view gets the article; this renders it. The body inside comes as stored
when the article was saved (``rendering``)."""

import copy

from django.db.models import Prefetch, prefetch_related_objects
from django.template.loader import render_to_string
from django.utils import translation

from . import versions
from .cache.derived import derived_value
from .models import Article, ArticleContact, ArticleImage, ArticleUnit, CopyrightNotice, PromoBlock, SiteSettings
from .pressroom import kit
from .rendering import PLACEHOLDER_RE, body_html, dateline_html


def article_html(article, request):
    """The article page's own HTML, {"head": html, "main": html}: the same for every reader of one
    content version, so kept until a scope it read moves. Staff previews are made afresh."""
    if request.user.is_staff:
        return render_article(copy.copy(article), request)
    # Absolute URLs (share links, Open Graph) name the host the reader asked for; its links lead to
    # pages of the edition (simplified or traditional) it is shown in.
    key = f"article-html:{article.pk}:{request.build_absolute_uri('/')}:{translation.get_language()}"
    # Rendered from a copy, so that the article the view holds gets no prefetched parts.
    return derived_value(key, lambda: render_article(copy.copy(article), request))


def furniture():
    """The default copyright notice and the promo block of each section (None: site-wide), the same
    under every article (an edit of them moves the site's version)."""
    return CopyrightNotice.objects.filter(is_default=True).first(), {
        promo.section_id: promo for promo in PromoBlock.objects.all()
    }


def shared_furniture():
    """``furniture()``, kept until the site's version moves."""
    return derived_value("article-furniture", furniture, depends_on=[versions.SITE])


def render_article(article, request, downloads=None):
    """The article's head tags and main content, as {"head": html, "main": html}, made afresh.
    The 下载 section is shown when ``downloads`` (by default: when the article is public, the only
    time its press kit is; a preview link serves its own)."""
    prefetch_related_objects(
        [article],
        Prefetch("images", queryset=ArticleImage.objects.prefetch_related("renditions")),
        "tags",
        Prefetch("unit_links", queryset=ArticleUnit.objects.select_related("unit")),
        "corrections",
        Prefetch("contact_links", queryset=ArticleContact.objects.select_related("contact__unit")),
    )
    article.media_contacts_shown = [link.contact for link in article.contact_links.all()]
    notice, promos = shared_furniture()
    body = body_html(article, dateline_html(article))
    if not request.user.is_staff:  # an image still to come shows as a placeholder to editors only
        body = PLACEHOLDER_RE.sub("", body)
    context = {
        "article": article,
        "preview": not article.is_published,
        "downloads": article.is_published if downloads is None else downloads,
        "body_html": body,
        "kit": kit.entries(article, SiteSettings.load()),
        "notice": article.copyright_notice or notice,
        "promo": article.show_promo and (promos.get(article.section_id) or promos.get(None)),
        "related": list(Article.objects.published().related_to(article)),
    }
    if article.is_published:
        # Ties in publish time are broken by id; each is a range scan of the publish_at index.
        at, pk = article.publish_at, article.pk
        published = Article.objects.published().only("pk", "title", "publish_at")
        context["previous_article"] = (
            published.filter(publish_at__lte=at)
            .exclude(publish_at=at, pk__gte=pk)
            .order_by("-publish_at", "-pk")
            .first()
        )
        context["next_article"] = (
            published.filter(publish_at__gte=at).exclude(publish_at=at, pk__lte=pk).order_by("publish_at", "pk").first()
        )
    # What the HTML shows: this article, its neighbours, and the articles it names.
    named = [*context["related"], context.get("previous_article"), context.get("next_article")]
    versions.depends_on(
        versions.article(article.pk),
        versions.neighbours(article.pk),
        *(versions.article(other.pk) for other in named if other is not None),
    )
    return {part: render_to_string(f"includes/article_{part}.html", context, request) for part in ("head", "main")}
