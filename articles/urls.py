from django.urls import path, register_converter
from django.utils.translation import gettext_lazy as _

from . import feed_formats, feeds, previews, reports, views
from .pressroom import views as pressroom


class FourDigits:
    regex = "[0-9]{4}"
    to_python = int

    def to_url(self, value):
        return f"{int(value):04d}"


class TwoDigits(FourDigits):
    """Months and days, always written with two digits so each date has one address."""

    regex = "[0-9]{2}"

    def to_url(self, value):
        return f"{int(value):02d}"


register_converter(FourDigits, "yyyy")
register_converter(TwoDigits, "dd")

app_name = "articles"

register_converter(feed_formats.FormatConverter, "feed")

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("articles/<int:pk>/", views.ArticleDetailView.as_view(), name="article"),
    path("articles/<int:pk>/qr.svg", views.article_qr, name="article_qr"),
    path("articles/<int:pk>/press-kit.zip", pressroom.press_kit, {"kind": "zip"}, name="press_kit_zip"),
    path("articles/<int:pk>/press-kit.pdf", pressroom.press_kit, {"kind": "pdf"}, name="press_kit_pdf"),
    path("images/", pressroom.LibraryView.as_view(), name="library"),
    path("images/albums/<int:pk>/", pressroom.AlbumView.as_view(), name="album"),
    path("articles/<int:pk>/report/", reports.report_error, name="report_error"),
    path("sections/<int:pk>/", views.SectionView.as_view(), name="section"),
    path("columns/<int:pk>/", views.ColumnView.as_view(), name="column"),
    path("units/<int:pk>/", views.UnitView.as_view(), name="unit"),
    path("tags/<str:slug>/", views.TagView.as_view(), name="tag"),
    path("authors/<path:name>/", views.AuthorView.as_view(), name="author"),
    path("archive/", views.ArchiveView.as_view(), name="archive"),
    path("archive/<yyyy:year>/", views.YearArchive.as_view(), name="archive_year"),
    path("archive/<yyyy:year>/<dd:month>/", views.MonthArchive.as_view(), name="archive_month"),
    path("archive/<yyyy:year>/<dd:month>/<dd:day>/", views.DayArchive.as_view(), name="archive_day"),
    path("about/", views.SitePageView.as_view(field="about", title=_("About us")), name="about"),
    path("contact/", views.SitePageView.as_view(field="contact", title=_("Contact us")), name="contact"),
    path("subscribe/", views.SubscribeView.as_view(), name="subscribe"),
    path("corrections/", views.CorrectionListView.as_view(), name="corrections"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("preview/<str:token>/", previews.PreviewView.as_view(), name="preview"),
    path("preview/<str:token>/files/<path:name>", previews.preview_file, name="preview_file"),
    path("preview/<str:token>/press-kit.zip", previews.preview_kit, {"kind": "zip"}, name="preview_kit_zip"),
    path("preview/<str:token>/press-kit.pdf", previews.preview_kit, {"kind": "pdf"}, name="preview_kit_pdf"),
    path("manifest.webmanifest", views.web_manifest, name="manifest"),
    path("favicon.ico", views.favicon, name="favicon"),
    # Feeds: rss.xml, atom.xml or feed.json after the address of the list they follow.
    # The first line lets {% url 'articles:feed' %} name the site-wide RSS feed without arguments.
    path("feeds/rss.xml", feeds.LatestArticlesFeed.as_view(), {"format": "rss"}, name="feed"),
    path("feeds/<feed:format>", feeds.LatestArticlesFeed.as_view(), name="feed"),
    path("sections/<int:pk>/<feed:format>", feeds.SectionFeed.as_view(), name="section_feed"),
    path("columns/<int:pk>/<feed:format>", feeds.ColumnFeed.as_view(), name="column_feed"),
    path("units/<int:pk>/<feed:format>", feeds.UnitFeed.as_view(), name="unit_feed"),
    path("tags/<str:slug>/<feed:format>", feeds.TagFeed.as_view(), name="tag_feed"),
    path("authors/<path:name>/<feed:format>", feeds.AuthorFeed.as_view(), name="author_feed"),
]
