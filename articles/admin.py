from django import forms
from django.contrib import admin
from django.db import models
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import publishing
from .models import Article, ArticleImage, ArticleUnit, Column, CopyrightNotice, PromoBlock, Section, SiteSettings, Unit


class ArticleImageInline(admin.StackedInline):
    model = ArticleImage
    extra = 0
    fields = [("image", "preview"), "name", "caption", "alt_text", "credit", ("order", "position")]
    readonly_fields = ["preview"]

    @admin.display(description=_("preview"))
    def preview(self, obj):
        if obj.image:
            return format_html('<img src="{}" alt="" style="max-height:120px;max-width:200px">', obj.image.url)
        return _("No file yet: the page shows a captioned placeholder.")


class ArticleUnitInline(admin.TabularInline):
    model = ArticleUnit
    extra = 1
    autocomplete_fields = ["unit"]
    fields = ["unit", "order"]


class ArticleForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = "__all__"  # noqa: DJ007 - the admin picks fields through its fieldsets
        widgets = {"body": forms.Textarea(attrs={"rows": 24, "cols": 100})}

    def clean_body(self):
        return publishing.sanitize_html(self.cleaned_data["body"])


class ContentAdmin(admin.ModelAdmin):
    """Admin whose changes readers see: tells the publishing module after each save or delete."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self.content_saved(form.instance)

    def content_saved(self, obj):
        publishing.content_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        publishing.content_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        publishing.content_changed()


@admin.register(Article)
class ArticleAdmin(ContentAdmin):
    form = ArticleForm
    inlines = [ArticleImageInline, ArticleUnitInline]
    list_display = ["title", "column", "section", "status", "publish_at", "updated_at"]
    list_filter = ["status", "section", "column", "publish_at"]
    list_select_related = ["column", "section"]
    search_fields = ["title", "subtitle", "author", "source", "summary"]
    date_hierarchy = "publish_at"
    fieldsets = [
        (None, {"fields": ["section", "column", "title", "subtitle", "source", "author", "editor"]}),
        (_("Text"), {"fields": ["summary", "body", "tags"]}),
        (_("Publication"), {"fields": ["status", "publish_at"]}),
        (_("Notices"), {"fields": ["copyright_notice", "show_promo"]}),
    ]

    def content_saved(self, obj):
        publishing.article_saved(obj)


@admin.register(Unit)
class UnitAdmin(ContentAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "short_name", "kind", "website"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name"]


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
    list_display = ["site_name", "icp_number", "police_number"]

    def has_add_permission(self, request):
        return not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
