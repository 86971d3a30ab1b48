"""The press room's pages: the media library, its albums, and an article's press kit downloads."""

import hashlib

from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, TemplateView

from .. import versions
from ..models import Album, Article
from ..views import Crumb
from . import kit, library

CONTENT_TYPES = {kit.ZIP: "application/zip", kit.PDF: "application/pdf"}


def library_crumb():
    return Crumb(_("Media library"), reverse("articles:library"))


class LibraryView(TemplateView):
    """All published images, newest article first, a page at a time by key; searchable and filterable."""

    template_name = "pressroom/library.html"
    query_parameters = ("q", "unit", "section", "start", "end", "before")

    def get_context_data(self, **kwargs):
        # What the page shows: published articles' images (any change of one moves ``articles``) and the albums.
        versions.depends_on(versions.ARTICLES, versions.ALBUMS)
        self.form = library.LibraryForm(self.request.GET)
        images, following = [], None
        if self.form.is_valid():
            found = library.for_cards(self.form.filtered(library.published_images()))
            images, following = library.page(found, self.form.cleaned_data["before"])
        next_query = None
        if following is not None:
            query = self.request.GET.copy()
            query["before"] = str(following)
            next_query = query.urlencode()
        return super().get_context_data(
            form=self.form,
            images=images,
            next_query=next_query,
            first_page=not self.request.GET.get("before"),
            first_query=self._first_query(),
            albums=list(library.public_albums()),
            crumbs=[_("Media library")],
            **kwargs,
        )

    def _first_query(self):
        query = self.request.GET.copy()
        query.pop("before", None)
        return query.urlencode()

    def render_to_response(self, context, **kwargs):
        return super().render_to_response(context, status=400 if self.form.errors else 200, **kwargs)


class AlbumView(DetailView):
    """An album: its images of published articles, in the order editors gave them, by page."""

    template_name = "pressroom/album.html"
    query_parameters = ("page",)
    paginate_by = library.PER_PAGE

    def get_queryset(self):
        return Album.objects.filter(is_public=True)

    def get_context_data(self, **kwargs):
        album = self.object
        versions.depends_on(versions.album(album.pk), versions.ARTICLES)
        paginator = Paginator(library.for_cards(library.album_images(album)), self.paginate_by)
        page = paginator.get_page(self.request.GET.get("page"))
        if self.request.GET.get("page") and str(page.number) != self.request.GET["page"]:
            raise Http404(_("No such page."))
        return super().get_context_data(
            page_obj=page,
            images=page.object_list,
            page_links=paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            crumbs=[library_crumb(), album],
            **kwargs,
        )


def press_kit(request, pk, kind):
    """The article's press kit as a ZIP or a PDF; a 404 unless the article is published (the one rule)."""
    token = kit.version_token(pk, kind, request.get_host())
    published = Article.objects.published().select_related("section", "column", "copyright_notice")
    response = kit_response(request, get_object_or_404(published, pk=pk), kind, token)
    patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    return response


def kit_response(request, article, kind, token):
    """The kit file of ``article`` for the version ``token`` names (read before the article was: the
    kept file is never older than its name), or 304 when the reader has it."""
    etag = f'"{hashlib.sha256(token.encode()).hexdigest()[:32]}"'  # not the file's name itself
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        return not_modified
    name = kit.kept_file(article.pk, kind, token, lambda: kit.context(article, request))
    response = FileResponse(
        default_storage.open(name, "rb"),
        as_attachment=True,
        filename=kit.download_name(article, kind),
        content_type=CONTENT_TYPES[kind],
    )
    response["ETag"] = etag
    return response
