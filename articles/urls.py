from django.urls import path, register_converter

from . import feeds, views

app_name = "articles"

register_converter(feeds.FormatConverter, "feed")

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("articles/<int:pk>/", views.ArticleDetailView.as_view(), name="article"),
    path("articles/<int:pk>/qr.svg", views.article_qr, name="article_qr"),
    path("sections/<int:pk>/", views.SectionView.as_view(), name="section"),
    path("columns/<int:pk>/", views.ColumnView.as_view(), name="column"),
    path("units/<int:pk>/", views.UnitView.as_view(), name="unit"),
    path("tags/<str:slug>/", views.TagView.as_view(), name="tag"),
    path("subscribe/", views.SubscribeView.as_view(), name="subscribe"),
    # Feeds: rss.xml, atom.xml or feed.json after the address of the list they follow.
    # The first line lets {% url 'articles:feed' %} name the site-wide RSS feed without arguments.
    path("feeds/rss.xml", feeds.LatestArticlesFeed.as_view(), {"format": "rss"}, name="feed"),
    path("feeds/<feed:format>", feeds.LatestArticlesFeed.as_view(), name="feed"),
    path("sections/<int:pk>/<feed:format>", feeds.SectionFeed.as_view(), name="section_feed"),
    path("columns/<int:pk>/<feed:format>", feeds.ColumnFeed.as_view(), name="column_feed"),
    path("units/<int:pk>/<feed:format>", feeds.UnitFeed.as_view(), name="unit_feed"),
    path("tags/<str:slug>/<feed:format>", feeds.TagFeed.as_view(), name="tag_feed"),
]
