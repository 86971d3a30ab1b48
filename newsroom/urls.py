from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from articles import sitemaps
from articles.accounts import password_reset_urls
from articles.cache.queries import reads_query
from articles.health import healthz
from articles.sitemaps import NewsSitemap
from articles.views import RobotsView

sitemap = reads_query("p")(sitemap_views.sitemap)

admin.site.site_header = _("Newsroom administration")
admin.site.site_title = _("Newsroom administration")
admin.site.index_title = _("Content")

handler400 = "articles.errors.bad_request"
handler403 = "articles.errors.permission_denied"
handler404 = "articles.errors.page_not_found"

urlpatterns = [
    *password_reset_urls(settings.ADMIN_PATH),
    path(settings.ADMIN_PATH, admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("robots.txt", RobotsView.as_view(), name="robots"),
    path("sitemap.xml", sitemaps.index, name="sitemap"),
    # Sitemaps are paged by ?p=N.
    path("sitemap-<section>.xml", sitemaps.section, name="sitemap_section"),
    path(
        "news-sitemap.xml",
        sitemap,
        {"sitemaps": {"news": NewsSitemap}, "template_name": "sitemaps/news.xml"},
        name="news_sitemap",
    ),
    path("alerts/", include("alerts.urls")),
] + static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
# The public pages, in simplified characters and again under /zh-hant/ in traditional (articles.hant).
urlpatterns += i18n_patterns(path("", include("articles.urls")), prefix_default_language=False)
