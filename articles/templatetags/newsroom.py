"""Template helpers of the public pages: responsive pictures, canonical URLs, JSON-LD."""

import functools

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.urls import reverse, translate_url
from django.utils import translation

from .. import hant, renditions, seo

register = template.Library()


@functools.cache
def _static_url(path):
    return static(path)


@register.simple_tag
def asset(path):
    """``{% static path %}``, worked out once per process (about 0.2 ms each time on every page
    otherwise). Django reads the manifest of hashed names once, at start, so nothing changes."""
    return _static_url(path)


@receiver(setting_changed)
def _forget_static_urls(*, setting, **kwargs):
    if setting in {"STORAGES", "STATIC_URL", "DEBUG"}:
        _static_url.cache_clear()


@register.filter
def picture(article_image):
    """The image's ``renditions.Picture`` (srcsets and size), or None when it has no renditions."""
    return renditions.picture(article_image) if article_image.image else None


@register.simple_tag(takes_context=True)
def absolute_url(context, path):
    return context["request"].build_absolute_uri(path)


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This page's one address: its path, plus the page number past the first page of a list."""
    request = context["request"]
    page_obj = context.get("page_obj")
    query = f"?page={page_obj.number}" if page_obj is not None and page_obj.number > 1 else ""
    return request.build_absolute_uri(request.path + query)


class Edition:
    """One edition of the site (简体 or 繁體) as a page names it: its language tags and this page in it."""

    def __init__(self, code, url):
        traditional = code == hant.TRADITIONAL
        self.code, self.url = code, url
        self.lang = hant.variant().hreflang if traditional else "zh-Hans"
        self.og_locale = hant.variant().og_locale if traditional else "zh_CN"
        # Each edition's name is written in its own characters (the converter leaves lang="zh-Hans" alone).
        self.name = "繁體" if traditional else "简体"


@register.simple_tag(takes_context=True)
def editions(context):
    """This page in the simplified and the traditional edition: ``current`` (the html lang and
    og:locale), ``other`` (the switch in the masthead: the same page and query, in the other edition)
    and ``alternates`` (each edition's canonical address, for hreflang links; none on an error page)."""
    request = context["request"]
    current = translation.get_language()
    found = getattr(request, "resolver_match", None) is not None
    other = hant.SIMPLIFIED if current == hant.TRADITIONAL else hant.TRADITIONAL
    if found:
        switch = translate_url(request.get_full_path(), other)
    else:  # a 404: the other edition's home page
        with translation.override(other):
            switch = reverse("articles:home")
    canonical = canonical_url(context)
    alternates = [Edition(code, translate_url(canonical, code)) for code, _name in settings.LANGUAGES] if found else []
    return {"current": Edition(current, canonical), "other": Edition(other, switch), "alternates": alternates}


@register.simple_tag(takes_context=True)
def article_json_ld(context, article):
    return seo.json_ld(seo.article_json_ld(article, context["request"], context["site"]))


@register.filter
def image_urls(article, request):
    return seo.image_urls(article, request)


@register.filter
def archive_url(date, kind):
    """The date archive page of ``date``'s year, month or day (``kind``)."""
    args = {"year": [date.year], "month": [date.year, date.month], "day": [date.year, date.month, date.day]}[kind]
    return reverse(f"articles:archive_{kind}", args=args)


@register.filter
def iso8601(moment):
    return seo.iso8601(moment)
