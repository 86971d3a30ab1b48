"""Preview links: an embargoed (or otherwise unpublished) article shown to a named recipient before
it is public, through a signed, unguessable, expiring, revocable address (``PreviewLink``).

The address carries the link's random key signed with the site's secret, so a forged or altered
address is refused before the database is asked. The page is the article page with a 禁发至 banner,
``noindex`` and ``Cache-Control: private, no-store`` (never kept by the page cache, nginx or a
browser). Its images do not come from ``/media/``: the addresses of an unpublished article's files
stay secret (``models.unguessable_path``), so every file address in the page is replaced by one under
the link, which serves only that article's files and press kit while the link holds. Each opening of the page is
logged (not an editor's check of it). Once the article is public (its embargo over, no cron: the
publication rule says so) the link redirects to the public page; revoked or expired, it answers 410.
"""

import copy
import mimetypes

from django.core import signing
from django.core.files.storage import default_storage
from django.db import router
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe

from . import article_page
from .models import Article, ImageRendition, PreviewLink, PreviewOpen
from .pressroom import kit
from .pressroom import views as pressroom_views
from .views import ArticleDetailView

SALT = "newsroom.preview-link"


def token(link):
    """The signed key that a link's address carries."""
    return signing.Signer(salt=SALT).sign(link.key)


def address(link):
    return reverse("articles:preview", args=[token(link)])


def _link(token_value):
    """The link a token names, read from the primary (a link just made may not have reached a replica)."""
    try:
        key = signing.Signer(salt=SALT).unsign(token_value)
    except signing.BadSignature:
        raise Http404 from None
    links = PreviewLink.objects.using(router.db_for_write(PreviewLink)).select_related("article")
    try:
        return links.get(key=key)
    except PreviewLink.DoesNotExist:
        raise Http404 from None


def private(response):
    """Nobody keeps it, no search engine lists it, no link on it tells another site its address."""
    patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def article_files(article):
    """The storage names of the article's image files and renditions."""
    names = {name for name in article.images.exclude(image="").values_list("image", flat=True)}
    names |= set(ImageRendition.objects.filter(image__article=article).values_list("file", flat=True))
    return names


def public(article):
    """Whether the article a link previewed is public now (then any link to it, even expired or revoked,
    leads to its public page: a journalist's old link is not a dead end)."""
    return article.deleted_at is None and article.is_published


class PreviewView(ArticleDetailView):
    """The article as readers will see it, with a 禁发至 banner, for the holder of a preview link."""

    template_name = "articles/preview.html"

    def get(self, request, *args, **kwargs):
        self.link = _link(kwargs["token"])
        article = self.link.article
        if public(article):  # whatever the link's state: what it previewed is for everyone now
            return redirect(article.get_absolute_url())
        if article.deleted_at is not None or not self.link.is_usable():
            return private(TemplateResponse(request, "articles/preview_gone.html", {"link": self.link}, status=410))
        if not request.user.is_staff:  # an editor checking the link is not its recipient opening it
            PreviewOpen.objects.create(link=self.link)
        return private(super().get(request, *args, **kwargs))

    def get_object(self, queryset=None):
        return Article.objects.select_related("section", "column", "copyright_notice").get(pk=self.link.article_id)

    def get_context_data(self, **kwargs):
        article = self.object
        html = article_page.render_article(copy.copy(article), self.request, downloads=True)  # never kept
        for url, served in _addresses(article, self.kwargs["token"]):
            for part in ("head", "main"):  # HTML rendered by the templates, with a URL replaced by another
                html[part] = mark_safe(html[part].replace(url, served))  # noqa: S308
        return super().get_context_data(link=self.link, article_html=html, **kwargs)


def _addresses(article, token_value):
    """(public address, address under the link) of each file and press kit the article's page names."""
    for name in article_files(article):
        yield default_storage.url(name), reverse("articles:preview_file", args=[token_value, name])
    for kind in (kit.ZIP, kit.PDF):
        public = reverse(f"articles:press_kit_{kind}", args=[article.pk])
        yield public, reverse(f"articles:preview_kit_{kind}", args=[token_value])


def preview_kit(request, token, kind):
    """The article's press kit (ZIP or PDF), through its preview link (only while the link holds)."""
    link = _link(token)
    article = link.article
    if public(article):
        return redirect(f"articles:press_kit_{kind}", article.pk)
    if article.deleted_at is not None or not link.is_usable():
        raise Http404
    version = kit.version_token(article.pk, kind, request.get_host(), preview=True)
    article = Article.objects.select_related("section", "column", "copyright_notice").get(pk=article.pk)
    return private(pressroom_views.kit_response(request, article, kind, version))


def preview_file(request, token, name):
    """One of the article's image files, through its preview link (only while the link holds)."""
    link = _link(token)
    article = link.article
    if name not in article_files(article):
        raise Http404
    if public(article):
        return redirect(default_storage.url(name))
    if article.deleted_at is not None or not link.is_usable():
        raise Http404
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return private(FileResponse(default_storage.open(name), content_type=content_type))
