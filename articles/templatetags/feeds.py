from django import template

from articles.feeds import feed_for

register = template.Library()


@register.inclusion_tag("includes/feed_links.html", takes_context=True)
def feed_links(context, scope=None):
    """Autodiscovery <link rel="alternate"> for every format of the feed of ``scope`` (None: the site)."""
    return {"site": context.get("site"), "scope": scope, "links": feed_for(scope).links(scope)}


@register.inclusion_tag("includes/feed_addresses.html", takes_context=True)
def feed_addresses(context, scope=None):
    """The feed of ``scope`` in every format with absolute addresses to copy, for the subscribe page."""
    feed, absolute = feed_for(scope), context["request"].build_absolute_uri
    return {
        "scope": scope,
        "page_url": scope and feed.link(scope),
        "links": [link._replace(url=absolute(link.url)) for link in feed.links(scope)],
    }


@register.inclusion_tag("includes/feed_link.html")
def feed_link(scope=None):
    """A visible link to the RSS feed of ``scope`` (None or nothing: the site), for the top of a list."""
    scope = scope or None
    return {"scope": scope, "url": feed_for(scope).links(scope)[0].url}
