from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Article, SiteSettings


class LatestArticlesFeed(Feed):
    """The latest published articles, site-wide."""

    description = _("The latest articles of the newsroom archive.")

    def title(self):
        return SiteSettings.load().site_name

    def link(self):
        return reverse("articles:home")

    def items(self):
        return Article.objects.published().select_related("column")[:30]

    def item_title(self, item):
        return item.display_title()

    def item_description(self, item):
        return item.summary

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.author or None
