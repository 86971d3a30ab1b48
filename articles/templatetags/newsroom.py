"""Template helpers of the public pages: responsive pictures, canonical URLs, JSON-LD."""

import functools
import html
import math
import re

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.html import conditional_escape, strip_tags
from django.utils.safestring import mark_safe

from .. import hant, rendering, renditions, seo
from ..pressroom import kit

register = template.Library()


@functools.cache
def _static_url(path):
    return static(path)


@register.simple_tag
def asset(path):
    """``{% static path %}``, worked out once per process. Kept rather than ``{% static %}`` because it
    is measurably faster: with the manifest storage of production (after ``collectstatic``), the four
    tags of ``base.html`` took 440-545 µs as ``{% static %}`` and 82-158 µs as ``{% asset %}``
    (2026-12-04, the shared 2-core machine: ``Template.render`` timed with ``timeit``, 5,000 times,
    three rounds), a sixth of what a cold page may cost at 400 requests/s. Django reads the manifest of
    hashed names once, at start, so the addresses cannot change while a process runs."""
    return _static_url(path)


@receiver(setting_changed)
def _forget_static_urls(*, setting, **kwargs):
    if setting in {"STORAGES", "STATIC_URL", "DEBUG"}:
        _static_url.cache_clear()


@register.filter
def picture(article_image):
    """The image's ``renditions.Picture`` (srcsets and size), or None when it has no renditions."""
    return renditions.picture(article_image) if article_image.image else None


@register.simple_tag
def list_items(articles, level):
    """The articles' list items as stored when they were saved (``includes/article_item.html``)."""
    return rendering.list_items(articles, level)


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


@register.filter
def hreflang(code):
    """The language tag an edition's pages name themselves with (``Edition.lang``), for a code of
    ``LANGUAGES`` (Django's sitemaps name alternates by those codes; the sitemap.xml template maps them)."""
    return code if code == "x-default" else Edition(code, "").lang


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
def dateline(article):
    return rendering.dateline_html(article)


@register.filter
def iso8601(moment):
    return seo.iso8601(moment)


# Reading speed of Chinese text: about 400 characters a minute (Latin words count as one each).
CHARACTERS_PER_MINUTE = 400
_READ_UNITS = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[A-Za-z0-9]+")


@register.filter
def reading_minutes(body_html):
    """阅读约 N 分钟: the body's characters (and Latin words) at a reader's pace, at least one minute."""
    units = len(_READ_UNITS.findall(html.unescape(strip_tags(body_html))))
    return max(1, math.ceil(units / CHARACTERS_PER_MINUTE))


# Chinese telephone numbers: 0571—86915636 / 010-12345678 (area code, any dash), 138 0013 8000, 400-123-4567.
_PHONE = re.compile(
    r"(?<![\d])(?:(?P<area>0\d{2,3})[-—–－ ]?(?P<local>\d{7,8})|(?P<mobile>1[3-9]\d{9})"
    r"|(?P<service>[48]00)[-—–－ ]?(?P<a>\d{3})[-—–－ ]?(?P<b>\d{4}))(?![\d])"
)


def _tel(match):
    if match["area"]:
        number = f"+86-{match['area'][1:]}-{match['local']}"
    elif match["mobile"]:
        number = f"+86-{match['mobile']}"
    else:
        number = f"+86-{match['service']}-{match['a']}-{match['b']}"
    return f'<a href="tel:{number}">{match[0]}</a>'


@register.filter(needs_autoescape=True)
def phone_links(text, autoescape=True):
    """Plain text, escaped, with each telephone number a ``tel:`` link (a tap calls it on a phone)."""
    escaped = conditional_escape(text) if autoescape else text
    return mark_safe(_PHONE.sub(_tel, str(escaped)))


@register.filter
def record_code(filing_number):
    """The digits of a public-security filing number (京公网安备11010502000001号), for its filing page."""
    digits = re.search(r"\d+", filing_number or "")
    return digits[0] if digits else ""


@register.filter
def copyright_of(image, site):
    """An article image's copyright line (its holder, else the site's short name; its licence), as its
    article's 下载 section and press kit print it."""
    return kit.image_copyright_line(image, site)


@register.filter
def download_name(image):
    """The name a reader's browser saves an original image under: its caption, as in the press kit."""
    return kit.image_file_name(image)
