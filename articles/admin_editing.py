"""The article form's helpers that save nothing: cleaning a paste, previewing the form, keeping an upload.

- ``paste``: the rich-text editor sends what the clipboard holds (Word, WPS, WeChat…) and puts back
  what ``bodies.sanitize_html`` makes of it, the same cleaning a save applies.
- ``preview``: the form as it is now (not as last saved), posted here and rendered with the
  reader's article template; nothing is written (the form's checks run in a transaction rolled back).
- ``upload``: an image chosen in the editor's picker is checked (``uploads``) and kept
  (``pending_uploads``) for its writer; the editor places it in the body by its token and the form
  gains an image row carrying its reference, so saving the article attaches it (``ArticleAdmin.save_formset``).

Each asks the same permission as the form: to add an article, or to change this one.
"""

import types

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.db.models import F, Q
from django.http import Http404, JsonResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from taggit.utils import parse_tags

from . import bodies, pending_uploads, rendering, uploads
from .models import Article, CopyrightNotice, PromoBlock, Unit, is_id

MAX_PASTE = 2_000_000  # characters (Django refuses a request body over 2.5 MB before this)
PREVIEW_SIZE = (1280, 1280)
PREVIEW_ID_BASE = 10**15  # ids given to uploads not saved yet, in a preview only


def urls(model_admin, prefix):
    view = model_admin.admin_site.admin_view
    editing = EditingViews(model_admin)
    return [
        path("paste/", view(editing.paste), name=f"{prefix}_paste"),
        path("upload/", view(editing.upload), name=f"{prefix}_upload"),
        path("preview/", view(editing.preview), name=f"{prefix}_preview_new"),
        path("<path:object_id>/preview/", view(editing.preview), name=f"{prefix}_preview"),
    ]


class EditingViews:
    def __init__(self, model_admin):
        self.model_admin = model_admin

    def may_write(self, request, article=None):
        admin = self.model_admin
        if article is None:
            return admin.has_add_permission(request) or admin.has_change_permission(request)
        return admin.has_change_permission(request, article)

    def paste(self, request):
        if request.method != "POST":
            return JsonResponse({"error": "POST"}, status=405)
        if not self.may_write(request):
            raise PermissionDenied
        html = request.POST.get("html", "")
        if len(html) > MAX_PASTE:
            return JsonResponse({"error": _("What was pasted is too long.")}, status=400)
        return JsonResponse({"html": bodies.sanitize_html(html) if html.strip() else ""})

    def upload(self, request):
        if request.method != "POST":
            return JsonResponse({"error": "POST"}, status=405)
        if not self.may_write(request):
            raise PermissionDenied
        upload = request.FILES.get("image")
        if upload is None:
            return JsonResponse({"error": _("Choose an image file.")}, status=400)
        try:
            cleaned = uploads.clean_image(upload)
        except ValidationError as error:
            return JsonResponse({"error": " ".join(error.messages)}, status=400)
        kept = pending_uploads.keep(cleaned, request.user)
        return JsonResponse(
            {"reference": kept.reference, "token": kept.token, "name": kept.name, "thumbnail": kept.thumbnail}
        )

    @xframe_options_sameorigin  # shown in a frame beside the form
    def preview(self, request, object_id=None):
        if request.method != "POST":
            return JsonResponse({"error": "POST"}, status=405)
        article = None
        if object_id is not None:
            article = self.model_admin.get_object(request, unquote(object_id))
            if article is None:
                raise Http404
        if not self.may_write(request, article):
            raise PermissionDenied
        with transaction.atomic(using=router.db_for_write(Article)):
            shown = self.shown_article(request, article)
            transaction.set_rollback(True)  # the form's checks lock the row; nothing is written anyway
        context = {
            "article": shown,
            "article_html": shown.html,
            "preview": True,
            "form_preview": True,
            "crumbs": [shown.section, _("Preview")] if shown.section_id else [_("Preview")],
        }
        return TemplateResponse(request, "articles/article_detail.html", context)

    def shown_article(self, request, article):
        """The form's values on an unsaved article, rendered as readers would see them."""
        form_class = self.model_admin.get_form(request, article, change=article is not None)
        form = form_class(request.POST, request.FILES, instance=article)
        form.is_valid()  # fills the instance with every valid field; errors are the form's business
        instance = form.instance
        instance.body = form.cleaned_data.get("body") or bodies.sanitize_html(request.POST.get("body", ""))
        images, pending = self.images(request, article)
        instance.body = bodies.place_pending(instance.body, pending)
        names = form.cleaned_data["tags"] if "tags" in form.cleaned_data else parse_tags(request.POST.get("tags", ""))
        tags = [types.SimpleNamespace(name=name, slug=name.replace("/", "-")) for name in names or []]
        shown = PreviewArticle(instance, self.units(request), tags)
        context = {
            "article": shown,
            "preview": True,
            "body_html": rendering.render_body(instance, images).replace(
                rendering.DATELINE, rendering.dateline_html(instance), 1
            ),
            "notice": instance.copyright_notice or CopyrightNotice.objects.filter(is_default=True).first(),
            "promo": instance.show_promo
            and PromoBlock.objects.filter(Q(section=instance.section_id) | Q(section=None))
            .order_by(F("section").asc(nulls_last=True))
            .first(),
            "related": [],
        }
        shown.html = {"head": "", "main": render_to_string("includes/article_main.html", context, request)}
        return shown

    def images(self, request, article):
        """The images of the form: saved rows with the captions typed, and uploads kept for a new row."""
        data, images, pending = request.POST, [], {}
        saved = {image.pk: image for image in article.images.all()} if article else {}
        try:
            total = min(int(data.get("images-TOTAL_FORMS", 0)), 1000)
        except ValueError:
            total = 0
        for index in range(total):
            prefix = f"images-{index}-"
            if data.get(prefix + "DELETE"):
                continue
            fields = {name: data.get(prefix + name, "") for name in ("caption", "alt_text", "credit", "name")}
            row_id = data.get(prefix + "id", "")
            if is_id(row_id) and int(row_id) in saved:
                image = saved.pop(int(row_id))
                for name, value in fields.items():
                    setattr(image, name, value)
                images.append(image)
            elif data.get(prefix + "image-kept"):
                try:
                    kept = pending_uploads.retrieve(data[prefix + "image-kept"], request.user)
                except ValidationError:
                    continue
                pk = PREVIEW_ID_BASE + index
                pending[kept.token] = pk
                images.append(
                    types.SimpleNamespace(
                        pk=pk,
                        position=10**6,
                        image=types.SimpleNamespace(url=kept.data_url(PREVIEW_SIZE), name=kept.path),
                        renditions=types.SimpleNamespace(all=list),
                        **fields,
                    )
                )
        images.extend(saved.values())  # rows not in the form (a view-only user): as they are
        return images, pending

    def units(self, request):
        """The participating units of the form, in its order (a name typed but not yet created included)."""
        data, rows = request.POST, []
        try:
            total = min(int(data.get("unit_links-TOTAL_FORMS", 0)), 1000)
        except ValueError:
            total = 0
        for index in range(total):
            prefix = f"unit_links-{index}-"
            value = data.get(prefix + "unit", "")
            if data.get(prefix + "DELETE") or not value:
                continue
            try:
                order = int(data.get(prefix + "order") or 0)
            except ValueError:
                order = 0
            rows.append((order, index, value))
        known = Unit.objects.in_bulk([int(v) for _o, _i, v in rows if is_id(v)])
        links = []
        for _order, _index, value in sorted(rows):
            unit = known.get(int(value)) if is_id(value) else None
            if unit is None and value.startswith("new:") and value[4:].strip():  # created when the article is saved
                unit = types.SimpleNamespace(name=value[4:].strip()[:200], get_absolute_url="")
            if unit is not None:
                links.append(types.SimpleNamespace(unit=unit))
        return links


class _List:
    def __init__(self, items):
        self.items = list(items)

    def all(self):
        return self.items


class PreviewArticle:
    """An unsaved article as the templates read it: its own fields, the form's units and tags."""

    def __init__(self, article, unit_links, tags, html=None):
        self._article = article
        self.unit_links = _List(unit_links)
        self.tags = _List(tags)
        self.html = html

    def __getattr__(self, name):
        return getattr(self._article, name)

    @property
    def corrections(self):
        return self._article.corrections if self._article.pk else _List([])

    @property
    def pk(self):
        return self._article.pk or 0  # a new article: its share bar names no real page yet

    def get_absolute_url(self):
        return self._article.get_absolute_url() if self._article.pk else reverse("admin:articles_article_add")

    @property
    def is_published(self):
        return False
