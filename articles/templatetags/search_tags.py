from django import template

from articles import search

register = template.Library()


@register.filter
def highlight(text, query):
    """The text, escaped, with what the query matched in <mark>."""
    return search.highlight(text or "", query)


@register.filter
def excerpt(article, query):
    """A highlighted passage of the article's body around the first match."""
    return search.excerpt(article, query)
