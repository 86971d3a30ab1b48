"""Template helpers of the public pages: responsive pictures, canonical URLs, JSON-LD."""

import functools
import html
import math
import re

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import conditional_escape, strip_tags
from django.utils.safestring import mark_safe

from .. import renditions, seo

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
