"""The admin, where editors do all their work.

Roles: the 编辑 (editor) and 撰稿 (contributor) groups, made by a migration, carry the
permissions; ``roles`` says who may change which article, and both the admin's permission checks
and ``workflow`` (which every change goes through, and which keeps a revision) apply it, so a
route that forgot to ask is still refused. Nothing happens in ``save()`` or signals.
"""

import datetime
from contextlib import contextmanager

import reversion
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.db import models, router, transaction
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy
from reversion.admin import VersionAdmin
from reversion.errors import RevertError
from reversion.models import Version
from taggit.models import Tag

from . import admin_editing, bodies, flagged, history, pending_uploads, review, roles, versions, workflow
from .admin_lists import DateFilterChecked
from .admin_press import ArticleContactInline, CorrectionInline, article_preview_links
from .admin_texts import ChineseChangeMessage, LabelledFormSet
from .forms import ArticleForm, ArticleImageForm, SiteSettingsForm, UnitChoiceField, UnitSelect, body_widget
from .models import (
    Article,
    ArticleImage,
    ArticleUnit,
    Column,
    CopyrightNotice,
    ErrorReport,
    FlaggedWord,
    PromoBlock,
    Section,
    SiteSettings,
    TrashedArticle,
    Unit,
    is_id,
)

S = Article.Status
# Buttons of the article form that save, then move the article along the workflow (which checks
# the user's role).
WORKFLOW_BUTTONS = {
    "_submit_review": (gettext_lazy("Save and submit for review"), workflow.submit_for_review),
    "_pass_review": (gettext_lazy("Save and pass the %(step)s"), workflow.pass_review),
    "_publish": (gettext_lazy("Save and publish (or schedule)"), workflow.publish),
    "_unpublish": (gettext_lazy("Save and withdraw"), workflow.unpublish),
    "_return_draft": (gettext_lazy("Return for changes"), workflow.return_to_draft),
}
FINAL_REVIEW_LABEL = gettext_lazy("Save, pass the final review and publish (or schedule)")
CONFIRM_LABELS = {
    "_submit_review": gettext_lazy("Submit all the same"),
    "_publish": gettext_lazy("Publish all the same"),
}


def bulk_action(transition, description, permission, done_message, check_flagged=False):
    """An action of the article list that moves each selected article along the workflow."""

    @admin.action(description=description, permissions=[permission])
    def action(modeladmin, request, queryset):
        if check_flagged:
            asked = modeladmin.confirm_flagged(request, queryset, description)
            if asked:
                return asked
        return modeladmin.run_bulk(request, queryset, transition, done_message)

    return action


class StateFilter(admin.SimpleListFilter):
    """The article's state as the list shows it: drafts, returned, waiting for review, scheduled…"""

    title = gettext_lazy("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("draft", _("Draft")),
            ("returned", _("Returned for changes")),
            ("review", _("Waiting for review")),
            ("scheduled", _("Scheduled")),
            ("embargoed", _("Embargoed")),
            ("published", _("Published")),
            ("unpublished", _("Withdrawn")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        conditions = {
            "draft": Q(status=S.DRAFT, return_reason=""),
            "returned": Q(status=S.DRAFT) & ~Q(return_reason=""),
            "review": Q(status=S.REVIEW),
            "scheduled": Q(status=S.PUBLISHED, publish_at__gt=now),
            "embargoed": Q(status=S.PUBLISHED, embargo_until__gt=now),
            "published": Q(status=S.PUBLISHED, publish_at__lte=now, embargo_until__passed=now),
            "unpublished": Q(status=S.UNPUBLISHED),
        }
        return queryset.filter(conditions[self.value()]) if self.value() in conditions else queryset


class MissingImagesFilter(admin.SimpleListFilter):
    """Articles with an image still to come (an imported slot such as IMG_256 without its file): readers
    see nothing of it, editors a placeholder."""

    title = gettext_lazy("images")
    parameter_name = "images"

    def lookups(self, request, model_admin):
        return [("missing", _("Images missing"))]

    def queryset(self, request, queryset):
        if self.value() == "missing":
            missing = ArticleImage.objects.filter(article=OuterRef("pk")).filter(Q(image="") | Q(image__isnull=True))
            return queryset.filter(Exists(missing))
        return queryset


class ForMeFilter(admin.SimpleListFilter):
    """我的稿件 (the articles I created) and 待审核 (those waiting for a review I may do)."""

    title = gettext_lazy("for me")
    parameter_name = "for"

    def lookups(self, request, model_admin):
        return [("mine", _("My articles")), ("review", _("Waiting for my review"))]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(created_by=request.user)
        if self.value() == "review":
            return roles.awaiting_review(request.user, queryset)
        return queryset


def person(user):
    """How the admin names a colleague: their full name, else their user name."""
    return (user.get_full_name() or user.get_username()) if user else "—"


def viewed_only(request, article):
    """Whether ``article`` is shown read-only to the user: every field is then displayed as text."""
    return article is not None and not roles.may_change(request.user, article)


# Fields shown otherwise to whoever may only view the article.
RENDERED = {"body": "body_rendered"}


def form_only_left_out(fieldsets, names):
    """``fieldsets`` without the form's own fields ``names`` (no model field behind them): read-only,
    Django would show them with an English label made from their name and an empty value."""

    def kept(fields):
        return [
            tuple(f for f in field if f not in names) if isinstance(field, tuple | list) else field
            for field in fields
            if field not in names
        ]

    return [(name, {**options, "fields": kept(options["fields"])}) for name, options in fieldsets]


class ArticleImageFormSet(LabelledFormSet):
    """Gives each image row the user, whose photos kept from a failed save it may use."""

    user = None

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "user": self.user}


class ArticleImageInline(admin.StackedInline):
    model = ArticleImage
    form = ArticleImageForm
    formset = ArticleImageFormSet
    extra = 0
    fields = [
        ("image", "preview"),
        "placeholder",
        "name",
        "caption",
        "alt_text",
        ("credit", "licence", "copyright_holder"),
        ("order", "position"),
    ]
    readonly_fields = ["preview"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)  # a new class each time
        formset.user = request.user
        return formset

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        return form_only_left_out(fieldsets, ["placeholder"]) if viewed_only(request, obj) else fieldsets

    @admin.display(description=gettext_lazy("preview"))
    def preview(self, obj):
        if obj.image and not obj.image._committed:  # chosen but not saved yet: shown beside the file input
            return "-"
        if obj.image:
            return format_html('<img src="{}" alt="" class="article-image-preview">', obj.image.url)
        return _("No file yet: the page shows a captioned placeholder.")


class ArticleUnitInline(admin.TabularInline):
    formset = LabelledFormSet
    model = ArticleUnit
    extra = 1
    fields = ["unit", "order"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit":
            return UnitChoiceField(
                queryset=Unit.objects.all(),
                widget=UnitSelect(db_field, self.admin_site),
                can_create=request.user.has_perm("articles.add_unit"),
                label=db_field.verbose_name,
                help_text=_("Type to search; a name not found creates the unit."),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ContentAdmin(ChineseChangeMessage, admin.ModelAdmin):
    """Admin whose changes readers see: after each save or delete, the pages that show it are made
    cold. Here (sections, columns, notices, promo blocks, settings) that is every page, as every page
    shows them (``versions.SITE``); articles, units and tags say more precisely (the workflow)."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self.content_saved(request, form)

    def content_saved(self, request, form):
        versions.site_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        versions.site_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        versions.site_changed()


@admin.register(Article)
class ArticleAdmin(DateFilterChecked, VersionAdmin, ContentAdmin):
    form = ArticleForm
    inlines = [ArticleImageInline, ArticleUnitInline, ArticleContactInline]
    list_display = ["title", "state", "column", "section", "written_by", "last_editor", "publish_at", "updated_at"]
    list_filter = [ForMeFilter, StateFilter, MissingImagesFilter, "section", "column", "publish_at"]
    list_select_related = ["column", "section", "created_by", "last_edited_by"]
    search_fields = ["title", "subtitle", "author", "source", "summary"]
    date_hierarchy = "publish_at"
    fieldsets = [
        (None, {"fields": ["section", "column", "title", "subtitle", "source", "author", "editor", "edit_token"]}),
        (gettext_lazy("Text"), {"fields": ["summary", "body", "tags"]}),
        (gettext_lazy("Publication"), {"fields": ["status", "publish_at", "embargo_until"]}),
        (gettext_lazy("Notices"), {"fields": ["copyright_notice", "show_promo"]}),
    ]
    actions = [
        "submit_selected",
        "pass_review_selected",
        "publish_selected",
        "unpublish_selected",
        "return_selected_to_draft",
    ]
    change_form_template = "admin/articles/article/change_form.html"
    change_list_template = "admin/change_list.html"
    object_history_template = "admin/articles/article/object_history.html"
    delete_confirmation_template = "admin/articles/article/delete_confirmation.html"
    delete_selected_confirmation_template = "admin/articles/article/delete_selected_confirmation.html"
    history_latest_first = True

    class Media:
        css = {"all": ["css/admin.css"]}
        js = ["js/admin/article-form.js"]

    # Permissions (the rule is in ``roles``): contributors change their own drafts until they
    # submit them; only editors publish or change anything else.

    def has_publish_permission(self, request, obj=None):
        return roles.may_publish(request.user)

    def has_review_permission(self, request, obj=None):
        return roles.may_do_step(request.user, review.FIRST) or roles.may_publish(request.user)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or roles.may_change(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or roles.may_delete(request.user, obj))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not viewed_only(request, obj):
            return fieldsets
        shown = [
            (name, {**options, "fields": [RENDERED.get(f, f) for f in options["fields"]]})
            for name, options in fieldsets
        ]
        return form_only_left_out(shown, ["edit_token"])

    @admin.display(description=Article._meta.get_field("body").verbose_name)
    def body_rendered(self, obj):
        """The body as readers see its text (it is stored sanitised), for whoever may only view it."""
        return format_html('<div class="article-body-readonly">{}</div>', mark_safe(obj.body))  # noqa: S308

    def get_inlines(self, request, obj):
        # Corrections are told to readers of a published article (or one that has some already).
        if obj is not None and (obj.status == S.PUBLISHED or obj.corrections.exists()):
            return [*self.inlines, CorrectionInline]
        return self.inlines

    def get_readonly_fields(self, request, obj=None):
        readonly = ["status", "body_rendered"]
        if not self.has_publish_permission(request):
            readonly += ["publish_at", "embargo_until"]
        return readonly

    def get_queryset(self, request):
        # The review levels come with each row, so the list's state column asks no query of its own.
        return super().get_queryset(request).not_in_trash().annotate(levels=review.levels_expression())

    # The list: each article's real state, who wrote it and who last changed it.

    @admin.display(description=gettext_lazy("state"), ordering="status")
    def state(self, obj):
        key, label = review.state(obj, getattr(obj, "levels", 1))
        if key == "returned":
            return format_html(
                '<span class="state state-{}">{}</span><br><span class="return-reason">{}</span>',
                key,
                label,
                Truncator(obj.return_reason).chars(60),
            )
        return format_html('<span class="state state-{}">{}</span>', key, label)

    @admin.display(description=gettext_lazy("written by"), ordering="created_by__username")
    def written_by(self, obj):
        return person(obj.created_by)

    @admin.display(description=gettext_lazy("last edited by"), ordering="last_edited_by__username")
    def last_editor(self, obj):
        return person(obj.last_edited_by)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if "body" in form.base_fields:  # not when the user may only view the article
            form.base_fields["body"].widget = body_widget(
                obj.images.all() if obj else (),
                {name: reverse(f"admin:articles_article_{name}") for name in ("paste", "upload")},
            )
            form.base_fields["tags"].can_create = request.user.has_perm("taggit.add_tag")
        return form

    # Saving: revisions, the workflow buttons, the trash.

    @contextmanager
    def create_revision(self, request):
        # Revisions are made explicitly by workflow.article_saved, not by reversion's signals.
        with reversion.create_revision(manage_manually=True):
            reversion.set_user(request.user)
            yield

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with transaction.atomic(using=router.db_for_write(self.model)):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if request.method == "POST" and "adminform" in (getattr(response, "context_data", None) or {}):
                # The form is shown again (an error, a conflict): nothing is saved, so nothing made on
                # the way (a unit typed into the form) stays either.
                transaction.set_rollback(True)
        return response

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        elif not form.has_changed() and not getattr(request, "restoring_revision", False):
            request.article_unsaved = True  # nothing to write (unless an image, unit or tag row changed)
            return
        obj.last_edited_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if getattr(request, "article_unsaved", False) and any(formset.has_changed() for formset in formsets):
            form.instance.last_edited_by = request.user
            form.instance.save()  # the edit token (its update time) follows changes to its rows too
        super().save_related(request, form, formsets, change)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is ArticleImage:
            # Images uploaded from the editor before this save: their markers in the body name them now.
            uploaded = {
                row.cleaned_data["image"].token: row.instance.pk
                for row in formset.forms
                if isinstance(row.cleaned_data.get("image"), pending_uploads.KeptFile) and row.instance.pk
            }
            body = bodies.place_pending(form.instance.body, uploaded)
            if body != form.instance.body:
                form.instance.body = body
                form.instance.save()

    def content_saved(self, request, form):
        obj = form.instance
        workflow.article_saved(obj, request.user)  # refuses (and rolls back) a user who may not
        button = next((name for name in WORKFLOW_BUTTONS if name in request.POST), None)
        if button:
            self.run_workflow(request, obj, button, form)

    def run_workflow(self, request, obj, button, form):
        label, transition = WORKFLOW_BUTTONS[button]
        kwargs = {"reason": form.cleaned_data.get("return_reason", "")} if button == "_return_draft" else {}
        try:
            done = transition(obj, user=request.user, **kwargs)  # PermissionDenied rolls back the whole save
        except workflow.TransitionNotAllowed as exc:
            messages.warning(request, str(exc))
        else:
            request.workflow_comment = reversion.get_comment()
            messages.success(request, _("“%(title)s”: %(done)s") % {"title": obj, "done": done})

    def _comment_with_workflow(self, request, message):
        """The revision's comment: what the form changed (if anything), then what the workflow did."""
        if getattr(request, "workflow_comment", "") and reversion.is_active():
            changes = reversion.get_comment() if message else ""
            reversion.set_comment(f"{changes} {request.workflow_comment}".strip())

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        self._comment_with_workflow(request, message)
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        self._comment_with_workflow(request, message)
        return entry

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        levels = review.levels()
        user = request.user
        buttons = {}
        if context.get("has_change_permission", True) or add:
            status = obj.status if obj else S.DRAFT
            can_publish = self.has_publish_permission(request)
            if status in (S.DRAFT, S.UNPUBLISHED):
                buttons["_submit_review"] = WORKFLOW_BUTTONS["_submit_review"][0]
            if can_publish and (levels == 1 or status == S.PUBLISHED):
                buttons["_publish"] = WORKFLOW_BUTTONS["_publish"][0]
            if can_publish and status == S.PUBLISHED:
                buttons["_unpublish"] = WORKFLOW_BUTTONS["_unpublish"][0]
            if status == S.REVIEW and roles.may_review(user, obj, levels):
                step = review.pending_step(obj, levels)
                if step != review.FINAL:
                    buttons["_pass_review"] = WORKFLOW_BUTTONS["_pass_review"][0] % {"step": review.step_name(step)}
                elif levels > 1:
                    buttons["_publish"] = FINAL_REVIEW_LABEL
                buttons["_return_draft"] = WORKFLOW_BUTTONS["_return_draft"][0]
        form = context["adminform"].form
        writable = (context.get("has_change_permission", True) or add) and not context.get("revert")
        if writable:
            context.update(
                preview_url=reverse("admin:articles_article_preview", args=[obj.pk])
                if obj
                else reverse("admin:articles_article_preview_new"),
                autosave_key=f"newsroom-draft:{user.pk}:{request.path}",
            )
        context.update(
            workflow_buttons=[(name, label) for name, label in buttons.items() if name != "_return_draft"],
            may_return="_return_draft" in buttons,
            return_label=WORKFLOW_BUTTONS["_return_draft"][0],
            workflow_state=review.state(obj, levels)[1] if obj else None,
            flagged=form.flagged,
            flagged_button=form.button,
            confirm_label=CONFIRM_LABELS.get(form.button, ""),
            confirmed_value=form.CONFIRMED,
            preview_links=article_preview_links(request, obj),
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_deleted_objects(self, objs, request):
        # Deleting moves articles to the trash: nothing related is deleted, so list only the articles.
        # Those the user may not delete are named, and the whole delete is refused.
        refused = {str(obj) for obj in objs if not roles.may_delete(request.user, obj)}
        return [str(obj) for obj in objs], {}, refused, []

    def delete_model(self, request, obj):
        workflow.trash(obj, request.user)

    def delete_queryset(self, request, queryset):
        for article in queryset:
            workflow.trash(article, request.user)

    def response_delete(self, request, obj_display, obj_id):
        days = settings.TRASH_DAYS
        messages.info(request, _("It can be restored from the trash for %(days)s days.") % {"days": days})
        return super().response_delete(request, obj_display, obj_id)

    # Bulk actions.

    def run_bulk(self, request, queryset, transition, done_message, **kwargs):
        done, refused = 0, []
        for article in queryset:
            try:
                transition(article, user=request.user, **kwargs)
            except (workflow.TransitionNotAllowed, PermissionDenied) as exc:
                refused.append(str(exc))
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)
        for message in refused:
            self.message_user(request, message, messages.WARNING)

    def bulk_page(self, request, queryset, title, **context):
        """A page between the list and a bulk action (a reason to give, flagged words to confirm)."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "articles": queryset,
            "action": request.POST.get("action", ""),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            **context,
        }
        return TemplateResponse(request, "admin/articles/article/bulk_confirmation.html", context)

    def confirm_flagged(self, request, queryset, description):
        """Before submitting or publishing from the list: the selected articles' flagged words, if any."""
        if request.POST.get("confirm_flagged") == "yes":
            return None
        words = list(FlaggedWord.objects.all())
        found = []
        for article in queryset:
            texts = {
                _("title"): article.title,
                _("subtitle"): article.subtitle,
                _("summary"): article.summary,
                _("body"): flagged.plain(article.body),
            }
            matches = flagged.find(texts, words)
            if matches:
                found.append((article, matches))
        if not found:
            return None
        return self.bulk_page(request, queryset, description, flagged=found, confirm_label=_("Go on all the same"))

    submit_selected = bulk_action(
        workflow.submit_for_review,
        gettext_lazy("Submit selected articles for review"),
        "change",
        ngettext_lazy("%(count)d article submitted for review.", "%(count)d articles submitted for review.", "count"),
        check_flagged=True,
    )
    pass_review_selected = bulk_action(
        workflow.pass_review,
        gettext_lazy("Pass the review the selected articles wait for (初审, 复审)"),
        "review",
        ngettext_lazy("%(count)d article passed its review.", "%(count)d articles passed their review.", "count"),
    )
    publish_selected = bulk_action(
        workflow.publish,
        gettext_lazy("Publish selected articles"),
        "publish",
        ngettext_lazy(
            "%(count)d article published or scheduled.", "%(count)d articles published or scheduled.", "count"
        ),
        check_flagged=True,
    )
    unpublish_selected = bulk_action(
        workflow.unpublish,
        gettext_lazy("Withdraw selected articles"),
        "publish",
        ngettext_lazy("%(count)d article withdrawn.", "%(count)d articles withdrawn.", "count"),
    )

    @admin.action(description=gettext_lazy("Return selected articles for changes"), permissions=["review"])
    def return_selected_to_draft(self, request, queryset):
        """Asks for the reason first (their writers see it), then returns each article."""
        reason = request.POST.get("return_reason", "").strip()
        if not reason:
            return self.bulk_page(
                request,
                queryset,
                _("Return selected articles for changes"),
                ask_reason=True,
                reason_missing="return_reason" in request.POST,
                confirm_label=_("Return for changes"),
            )
        done = ngettext_lazy(
            "%(count)d article returned for changes.", "%(count)d articles returned for changes.", "count"
        )
        return self.run_bulk(request, queryset, workflow.return_to_draft, done, reason=reason)

    # Extra views: revision compare, tag search.

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        # django-reversion's "recover deleted" pages are left out: deleting moves an article to the
        # trash (restorable there for TRASH_DAYS days); what purge_trash deletes is gone for good.
        gone = {f"{prefix}_recoverlist", f"{prefix}_recover"}
        return [
            path(
                "<path:object_id>/history/compare/",
                self.admin_site.admin_view(self.compare_view),
                name=f"{prefix}_compare",
            ),
            *admin_editing.urls(self, prefix),
            path(
                "tags/autocomplete/",
                self.admin_site.admin_view(self.tag_autocomplete_view),
                name=f"{prefix}_tag_autocomplete",
            ),
        ] + [url for url in super().get_urls() if url.name not in gone]

    def history_view(self, request, object_id, extra_context=None):
        versions = Version.objects.get_for_object_reference(Article, unquote(object_id)).select_related(
            "revision__user"
        )
        context = {
            "versions": [
                (version, reverse("admin:articles_article_revision", args=[quote(version.object_id), version.pk]))
                for version in versions.order_by("-pk")
            ],
            "compare_url": reverse("admin:articles_article_compare", args=[quote(unquote(object_id))]),
        }
        return super().history_view(request, object_id, {**context, **(extra_context or {})})

    def compare_view(self, request, object_id):
        article = get_object_or_404(self.get_queryset(request), pk=unquote(object_id))
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        ids = [request.GET.get(key, "") for key in ("from", "to")]
        chosen = sorted(
            Version.objects.get_for_object(article).filter(pk__in=[int(i) for i in ids if is_id(i)]),
            key=lambda version: version.pk,
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": _("Compare revisions of “%(title)s”") % {"title": article},
            "history_url": reverse("admin:articles_article_history", args=[quote(article.pk)]),
        }
        if len(chosen) != 2:
            context["error"] = _("Choose two different revisions of this article to compare.")
            return TemplateResponse(request, "admin/articles/article/compare.html", context, status=400)
        older, newer = chosen
        context.update(older=older, newer=newer, rows=history.compare(older, newer))
        return TemplateResponse(request, "admin/articles/article/compare.html", context)

    # Restoring a revision brings back the text, images, units and tags of the article, never the
    # workflow state (``history.revert``). django-reversion's own view reverted the whole revision
    # first and asked about permissions after, against the reverted article.

    def revision_view(self, request, object_id, version_id, extra_context=None):
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404
        version = get_object_or_404(Version.objects.get_for_object(article), pk=version_id)
        may = self.has_change_permission if request.method == "POST" else self.has_view_or_change_permission
        if not may(request, article):
            raise PermissionDenied
        context = {"title": _("Revert %(name)s") % {"name": version.object_repr}, "revert": True}
        request.restoring_revision = True  # the article changes even if the form shows no change
        try:
            with transaction.atomic(using=version.db), self.create_revision(request):
                left_out = history.revert(version)
                if left_out and request.method == "GET":
                    messages.warning(request, LEFT_OUT_MESSAGE)
                response = self.changeform_view(
                    request, quote(str(article.pk)), request.path, {**context, **(extra_context or {})}
                )
                if request.method == "POST" and response.status_code == 302:
                    reversion.set_comment(
                        _("Reverted to previous version, saved on %(datetime)s")
                        % {"datetime": localize(template_localtime(version.revision.date_created))}
                    )
                    return response
                response.template_name = self.revision_form_template or self._reversion_get_template_list(
                    "revision_form.html"
                )
                response.render()  # now, while the article is as the revision has it
                raise ShownOnly(response)
        except ShownOnly as shown:  # rolled back: looking at a revision changes nothing
            return shown.response
        except RevertError as exc:
            messages.error(request, str(exc))
            return redirect("admin:articles_article_history", quote(article.pk))

    def tag_autocomplete_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        term = request.GET.get("term", "").strip()
        tags = Tag.objects.filter(name__icontains=term).order_by("name")[:20]
        return JsonResponse({"results": [{"id": t.name, "text": t.name} for t in tags], "pagination": {"more": False}})


class ShownOnly(Exception):  # noqa: N818 - not an error: it carries a response out of a rolled-back block
    def __init__(self, response):
        self.response = response


LEFT_OUT_MESSAGE = gettext_lazy(
    "Some units, tags, a section, column or notice of this revision have been deleted or merged since; "
    "they cannot come back and are left out."
)


@admin.register(TrashedArticle)
class TrashAdmin(admin.ModelAdmin):
    """The trash: deleted articles for TRASH_DAYS days, restorable by whoever may delete articles."""

    list_display = ["title", "section", "status", "deleted_at", "purge_date"]
    list_select_related = ["section"]
    search_fields = ["title"]
    actions = ["restore_selected"]
    view_on_site = False  # an article in the trash has no public page, not even a preview

    def get_queryset(self, request):
        return super().get_queryset(request).in_trash()

    def _may_delete_articles(self, request):
        return request.user.has_perm("articles.delete_article")

    def has_view_permission(self, request, obj=None):
        return self._may_delete_articles(request)

    def has_module_permission(self, request):
        return self._may_delete_articles(request)

    def has_restore_permission(self, request):
        return self._may_delete_articles(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the trash empties itself (purge_trash) after TRASH_DAYS days

    @admin.display(description=gettext_lazy("purged on"))
    def purge_date(self, obj):
        return obj.deleted_at + datetime.timedelta(days=settings.TRASH_DAYS)

    @admin.action(description=gettext_lazy("Restore selected articles"), permissions=["restore"])
    def restore_selected(self, request, queryset):
        count = 0
        for article in Article.objects.filter(pk__in=queryset.values("pk")):  # revisions are of Article
            try:
                workflow.restore(article, request.user)
            except PermissionDenied as exc:
                self.message_user(request, str(exc), messages.WARNING)
            else:
                count += 1
        if count:
            self.message_user(
                request, ngettext("%d article restored.", "%d articles restored.", count) % count, messages.SUCCESS
            )


class MergeMixin:
    """A list action that merges duplicates: the editor picks the one to keep, then ``merge`` (a
    workflow function, which checks the role) moves the articles of the others to it and deletes
    them. ``merge_count`` names the relation counted as articles; ``merge_texts`` the messages."""

    merge = None
    merge_count = None
    merge_texts = {}

    def merge_label(self, obj):
        return str(obj)

    def merge_view(self, request, queryset):
        texts = self.merge_texts
        chosen = list(queryset.annotate(article_count=models.Count(self.merge_count)).order_by("-article_count", "pk"))
        if len(chosen) < 2:
            self.message_user(request, texts["too_few"], messages.WARNING)
            return None
        kept_id = request.POST.get("kept")
        if request.POST.get("post") == "yes" and kept_id:
            kept = next((obj for obj in chosen if str(obj.pk) == kept_id), None)
            if kept is None:
                self.message_user(request, texts["choose"], messages.ERROR)
                return None
            moved = self.merge(kept, [obj for obj in chosen if obj.pk != kept.pk], request.user)
            self.message_user(request, texts["done"] % {"kept": kept, "count": moved}, messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "choices": [(obj.pk, self.merge_label(obj), obj.article_count) for obj in chosen],
            "title": texts["title"],
            "intro": texts["intro"],
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/merge.html", context)


@admin.register(Unit)
class UnitAdmin(MergeMixin, ContentAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "short_name", "kind", "website"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name"]
    actions = ["merge_selected"]
    merge = staticmethod(workflow.merge_units)
    merge_count = "article_links"
    merge_texts = {
        "too_few": gettext_lazy("Select at least two units to merge."),
        "choose": gettext_lazy("Choose the unit to keep among the selected ones."),
        "done": gettext_lazy("Merged into “%(kept)s”; %(count)s article link(s) moved."),
        "title": gettext_lazy("Merge units"),
        "intro": gettext_lazy(
            "Choose the unit to keep. The articles of the others move to it, and the others are deleted."
        ),
    }

    def merge_label(self, obj):
        return f"{obj.name}（{obj.short_name}）" if obj.short_name else obj.name

    def has_merge_permission(self, request):
        return roles.may_change_shared(request.user, "articles.merge_unit")

    @admin.action(description=gettext_lazy("Merge selected units"), permissions=["merge"])
    def merge_selected(self, request, queryset):
        return self.merge_view(request, queryset)

    def content_saved(self, request, form):
        workflow.unit_saved(form.instance, request.user, renamed="name" in form.changed_data)

    def delete_model(self, request, obj):
        workflow.delete_units([obj], request.user)

    def delete_queryset(self, request, queryset):
        workflow.delete_units(queryset, request.user)


# django-taggit registers a tag admin whose rename, merge (its merge-tags/ page) and inline tag
# links need staff status alone and go around the workflow: this one replaces it.
admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(MergeMixin, ContentAdmin):
    list_display = ["name", "slug", "article_count"]
    search_fields = ["name"]
    ordering = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["merge_selected"]
    merge = staticmethod(workflow.merge_tags)
    merge_count = "taggit_taggeditem_items"
    merge_texts = {
        "too_few": gettext_lazy("Select at least two tags to merge."),
        "choose": gettext_lazy("Choose the tag to keep among the selected ones."),
        "done": gettext_lazy("Merged into “%(kept)s”; %(count)s article link(s) moved."),
        "title": gettext_lazy("Merge tags"),
        "intro": gettext_lazy(
            "Choose the tag to keep. The articles of the others move to it, and the others are deleted."
        ),
    }

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=models.Count("taggit_taggeditem_items"))

    @admin.display(description=gettext_lazy("articles"), ordering="article_count")
    def article_count(self, obj):
        return obj.article_count

    # Tags show on published articles: changing or deleting one is an editor's (``roles``).

    def has_change_permission(self, request, obj=None):
        return roles.may_change_shared(request.user, "taggit.change_tag")

    def has_delete_permission(self, request, obj=None):
        return roles.may_change_shared(request.user, "taggit.delete_tag")

    def has_merge_permission(self, request):
        return self.has_change_permission(request) and self.has_delete_permission(request)

    @admin.action(description=gettext_lazy("Merge selected tags"), permissions=["merge"])
    def merge_selected(self, request, queryset):
        return self.merge_view(request, queryset)

    def content_saved(self, request, form):
        workflow.tag_saved(form.instance, request.user, renamed="name" in form.changed_data)

    def delete_model(self, request, obj):
        workflow.delete_tags([obj], request.user)

    def delete_queryset(self, request, queryset):
        workflow.delete_tags(queryset, request.user)


@admin.register(Section)
class SectionAdmin(ContentAdmin):
    list_display = ["name", "order"]
    list_editable = ["order"]
    search_fields = ["name"]


@admin.register(Column)
class ColumnAdmin(ContentAdmin):
    search_fields = ["name"]


@admin.register(CopyrightNotice)
class CopyrightNoticeAdmin(ContentAdmin):
    list_display = ["title", "is_default"]


@admin.register(PromoBlock)
class PromoBlockAdmin(ContentAdmin):
    list_display = ["__str__", "section"]


@admin.register(SiteSettings)
class SiteSettingsAdmin(ContentAdmin):
    form = SiteSettingsForm
    list_display = ["site_name", "icp_number", "police_number"]

    def has_add_permission(self, request):
        return not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FlaggedWord)
class FlaggedWordAdmin(admin.ModelAdmin):
    """The list of words the admin marks before an article is submitted or published (editors keep it)."""

    list_display = ["word", "kind", "note"]
    list_filter = ["kind"]
    search_fields = ["word", "note"]


@admin.register(ErrorReport)
class ErrorReportAdmin(DateFilterChecked, admin.ModelAdmin):
    """读者纠错: readers' reports of errors, newest first, each with its article and the text in question.
    Handling one changes nothing readers see (the article is corrected in its own form)."""

    list_display = ["reported_at", "article_link", "selected_text", "note", "status", "handled_by"]
    list_filter = ["status"]
    list_select_related = ["article", "handled_by"]
    search_fields = ["selected_text", "note", "article__title"]
    readonly_fields = ["article", "selected_text", "note", "reported_at", "handled_by", "handled_at"]
    fields = ["article", "selected_text", "note", "reported_at", "status", "handled_by", "handled_at"]
    actions = ["mark_handled"]
    date_hierarchy = "reported_at"

    def has_add_permission(self, request):
        return False  # reports come from readers

    @admin.display(description=gettext_lazy("article"), ordering="article__title")
    def article_link(self, report):
        change = reverse("admin:articles_article_change", args=[report.article_id])
        return format_html('<a href="{}">{}</a>', change, report.article.title)

    @admin.action(description=gettext_lazy("Mark the selected reports handled"), permissions=["change"])
    def mark_handled(self, request, queryset):
        done = queryset.filter(status=ErrorReport.Status.NEW).update(
            status=ErrorReport.Status.HANDLED, handled_by=request.user, handled_at=timezone.now()
        )
        self.message_user(
            request,
            ngettext("%(count)d report marked handled.", "%(count)d reports marked handled.", done) % {"count": done},
        )

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data:
            handled = obj.status == ErrorReport.Status.HANDLED
            obj.handled_by, obj.handled_at = (request.user, timezone.now()) if handled else (None, None)
        super().save_model(request, obj, form, change)


from . import admin_library  # noqa: E402, F401, I001 - article images and albums (the media library)
from . import admin_people  # noqa: E402, F401, I001 - users, roles and login records, in Chinese
