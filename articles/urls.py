from django.urls import path

from . import feeds, views

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("articles/<int:pk>/", views.ArticleDetailView.as_view(), name="article"),
    path("articles/<int:pk>/qr.svg", views.article_qr, name="article_qr"),
    path("sections/<int:pk>/", views.SectionView.as_view(), name="section"),
    path("columns/<int:pk>/", views.ColumnView.as_view(), name="column"),
    path("units/<int:pk>/", views.UnitView.as_view(), name="unit"),
    path("tags/<str:slug>/", views.TagView.as_view(), name="tag"),
    path("subscribe/", views.SubscribeView.as_view(), name="subscribe"),
    path("feeds/rss.xml", feeds.LatestArticlesFeed(), name="feed"),
]
