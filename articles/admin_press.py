"""The press room in the admin: preview links of embargoed articles (made and revoked only by those
who may publish, ``roles.may_publish``), with the log of their openings; corrections of published
articles, recorded on the article's form; media contacts (新闻联系人), named on articles and units.
Whatever readers see goes through ``workflow``."""

from django.contrib import admin, messages
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import previews, roles, workflow
from .admin_lists import DateFilterChecked
from .admin_texts import ChineseChangeMessage, LabelledFormSet
from .forms import WidthFoldedField
from .models import ArticleContact, Correction, MediaContact, PreviewLink, PreviewOpen


def link_state(link):
    """How a link stands: (key, label)."""
    if link.revoked_at is not None:
        return "revoked", _("Revoked")
    if link.expires_at <= timezone.now():
        return "expired", _("Expired")
    if link.article.is_published:
        return "public", _("Public: leads to the article")
    return "valid", _("Valid")


class PublishersOnly:
    """Only a role that may publish sees, makes and revokes preview links (``roles.may_publish``)."""

    def has_module_permission(self, request):
        return roles.may_publish(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return roles.may_publish(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return roles.may_publish(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return roles.may_publish(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the log of openings stays


class PreviewOpenInline(admin.TabularInline):
    model = PreviewOpen
    fields = ["opened_at"]
    readonly_fields = ["opened_at"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PreviewLink)
class PreviewLinkAdmin(DateFilterChecked, PublishersOnly, ChineseChangeMessage, admin.ModelAdmin):
    list_display = ["recipient", "article", "state", "expires_at", "open_count", "last_opened", "address"]
    list_select_related = ["article"]
    list_filter = ["created_at", "expires_at"]
    search_fields = ["recipient", "article__title"]
    autocomplete_fields = ["article"]
    fields = ["article", "recipient", "expires_at", "address", "state", "created_by", "created_at", "revoked_at"]
    readonly_fields = ["address", "state", "created_by", "created_at", "revoked_at"]
    inlines = [PreviewOpenInline]
    actions = ["revoke_selected"]

    class Media:
        css = {"all": ["css/admin.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(open_count=Count("opens"), last_opened=Max("opens__opened_at"))

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []  # openings exist only once the link does

    def get_readonly_fields(self, request, obj=None):
        # A link is for one article and one person: to change them, revoke it and make another.
        return [*self.readonly_fields, "article", "recipient"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=gettext_lazy("state"))
    def state(self, obj):
        key, label = link_state(obj)
        return format_html('<span class="state link-{}">{}</span>', key, label)

    @admin.display(description=gettext_lazy("openings"), ordering="open_count")
    def open_count(self, obj):
        return obj.open_count

    @admin.display(description=gettext_lazy("last opened"), ordering="last_opened")
    def last_opened(self, obj):
        return date_format(timezone.localtime(obj.last_opened), "Y-m-d H:i:s") if obj.last_opened else "—"

    @admin.display(description=gettext_lazy("link"))
    def address(self, obj):
        if obj.pk is None:
            return _("Made when saved.")
        url = previews.address(obj)
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, _("Open the preview"))

    @admin.action(description=gettext_lazy("Revoke the selected links"), permissions=["change"])
    def revoke_selected(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        messages.success(
            request, ngettext("%(count)d link revoked.", "%(count)d links revoked.", count) % {"count": count}
        )


def article_preview_links(request, article):
    """The article's preview links as its change form lists them (for roles that publish), else None."""
    if article is None or not roles.may_publish(request.user):
        return None
    links = article.preview_links.select_related("article").annotate(open_count=Count("opens"))
    return [
        {"link": link, "state": link_state(link)[1], "address": previews.address(link)}
        for link in links.order_by("-pk")
    ]


class CorrectionInline(PublishersOnly, admin.StackedInline):
    """Corrections (更正/说明) recorded on a published article's change form, saved with it through the
    workflow (a revision, the pages that show the article made cold)."""

    formset = LabelledFormSet
    model = Correction
    fields = ["kind", "made_at", "text"]
    extra = 0
    classes = ["corrections"]

    def has_view_permission(self, request, obj=None):
        return super(PublishersOnly, self).has_view_permission(request, obj)  # every role sees them

    def has_delete_permission(self, request, obj=None):
        return roles.may_publish(request.user) and admin.StackedInline.has_delete_permission(self, request, obj)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "text":
            field.widget.attrs["rows"] = 3
        return field


@admin.register(MediaContact)
class MediaContactAdmin(ChineseChangeMessage, admin.ModelAdmin):
    list_display = ["name", "role", "unit", "phone", "email"]
    list_select_related = ["unit"]
    search_fields = ["name", "role", "unit__name", "phone", "email"]
    autocomplete_fields = ["unit"]
    fields = ["name", "role", "unit", "phone", "email"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in ("phone", "email"):
            kwargs["form_class"] = WidthFoldedField
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        workflow.contact_saved(form.instance, request.user, old_unit=form.initial.get("unit"))

    def delete_model(self, request, obj):
        workflow.delete_contacts([obj], request.user)

    def delete_queryset(self, request, queryset):
        workflow.delete_contacts(queryset, request.user)


class ArticleContactInline(admin.TabularInline):
    """The article's media contacts, chosen by name (type to search), in order."""

    formset = LabelledFormSet
    model = ArticleContact
    fields = ["contact", "order"]
    autocomplete_fields = ["contact"]
    extra = 0
