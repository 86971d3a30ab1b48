"""What search engines and social apps read of a page: NewsArticle JSON-LD (Open Graph is in templates)."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from . import renditions
from .models import Person


def iso8601(moment):
    """A time as readers' clocks show it, to the second: 2025-06-12T10:30:00+08:00."""
    return timezone.localtime(moment).replace(microsecond=0).isoformat() if moment else ""


def image_urls(article, request):
    """Absolute URLs of the article's images (widest rendition), in their order."""
    urls = (renditions.largest_url(image) for image in article.images.all())
    return [request.build_absolute_uri(url) for url in urls if url]


def person(name, request):
    return {"@type": "Person", "name": name, "url": request.build_absolute_uri(Person(name).get_absolute_url())}


def publisher(request, site):
    return {
        "@type": "Organization",
        "name": site.site_name,
        "url": request.build_absolute_uri("/"),
        "logo": {"@type": "ImageObject", "url": request.build_absolute_uri(site.logo_url())},
    }


def article_json_ld(article, request, site):
    """The schema.org NewsArticle of an article, as a dict (the page writes it with ``json_ld``)."""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": request.build_absolute_uri(article.get_absolute_url()),
        "headline": article.display_title()[:110],
        "description": article.summary,
        "articleSection": article.section.name,
        "keywords": [tag.name for tag in article.tags.all()],
        "image": image_urls(article, request),
        "datePublished": iso8601(article.publish_at),
        "dateModified": iso8601(article.modified_at),
        "author": person(article.author, request) if article.author else publisher(request, site),
        "editor": person(article.editor, request) if article.editor else None,
        "publisher": publisher(request, site),
        "correction": [
            {"@type": "CorrectionComment", "text": correction.text, "datePublished": iso8601(correction.made_at)}
            for correction in article.corrections.all()
        ],
    }
    return {key: value for key, value in data.items() if value not in (None, "", [])}


# As in Django's json_script: nothing in the data can close the script element.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_ld(data):
    """``data`` as a JSON-LD data block (data, not script: allowed under a strict CSP)."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1).translate(_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))
