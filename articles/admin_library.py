"""The media library in the admin: the images of all articles (to look up and pick for albums; they are
changed with their article, through its form and the workflow) and the albums editors curate."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from . import workflow
from .admin_texts import ChineseChangeMessage, LabelledFormSet
from .models import Album, AlbumImage, ArticleImage


@admin.register(ArticleImage)
class ArticleImageAdmin(admin.ModelAdmin):
    """Every article image, to search and to pick for albums. Read-only here: an image is changed in
    its article's form, so that the change goes through the workflow (revision, roles, versions)."""

    list_display = ["thumbnail", "__str__", "credit", "licence", "of_article"]
    list_filter = ["licence"]
    list_select_related = ["article"]
    search_fields = ["caption", "alt_text", "credit", "name", "article__title"]
    fields = ["thumbnail", "of_article", "caption", "alt_text", "credit", "licence", "copyright_holder"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("preview"))
    def thumbnail(self, obj):
        if obj.image:
            return format_html('<img src="{}" alt="" class="article-image-preview">', obj.image.url)
        return "-"

    @admin.display(description=gettext_lazy("article"), ordering="article")
    def of_article(self, obj):
        return obj.article

    def get_search_results(self, request, queryset, search_term):
        # Albums pick among images that have a file (a placeholder has nothing to show).
        if request.path.endswith("/autocomplete/"):
            queryset = queryset.exclude(image="")
        return super().get_search_results(request, queryset, search_term)


class AlbumImageInline(admin.TabularInline):
    formset = LabelledFormSet
    model = AlbumImage
    extra = 1
    fields = ["image", "order"]
    autocomplete_fields = ["image"]


@admin.register(Album)
class AlbumAdmin(ChineseChangeMessage, admin.ModelAdmin):
    """Albums of the media library (图集): only images of published articles show on their page."""

    list_display = ["title", "is_public", "order", "created_at"]
    list_filter = ["is_public"]
    search_fields = ["title", "description"]
    inlines = [AlbumImageInline]

    class Media:
        css = {"all": ["css/admin.css"]}

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        workflow.album_saved(form.instance, request.user)

    def delete_model(self, request, obj):
        workflow.delete_albums([obj], request.user)

    def delete_queryset(self, request, queryset):
        workflow.delete_albums(queryset, request.user)
