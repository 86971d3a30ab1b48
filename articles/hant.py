"""The traditional-character edition of the public pages (繁體), at its own address: ``/zh-hant/…``.

Every public page is also served under the ``/zh-hant/`` prefix (``i18n_patterns`` in
``newsroom/urls.py``, the language ``zh-hant``), rendered as usual with that language active, so every
link ``reverse()`` makes stays in the traditional edition, and its HTML is then converted by OpenCC
(simplified to traditional, Taiwan or Hong Kong standard: ``settings.TRADITIONAL_CHINESE``).

Only what readers read is converted: text between tags and the few attributes that hold words for
people (``alt``, ``title``, ``aria-label``, ``placeholder``, the description and title ``<meta>``
tags). Addresses (a tag's page is ``/tags/党建/``), other attributes, scripts (JSON-LD included) and
style sheets are left as they are, and so is an element marked ``lang="zh-Hans"`` (the link back to
the simplified edition). The converted page is what the page cache keeps, under its own address and
with the scopes the simplified page reads, so the two are made cold together.

Feeds stay in simplified characters, at one address: ``/zh-hant/feeds/…`` answers with a permanent
redirect to the feed (feed readers follow it), and pages of both editions link to the simplified one.
"""

import functools
import re

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpResponsePermanentRedirect
from django.urls import translate_url
from django.utils import translation

SIMPLIFIED = "zh-hans"
TRADITIONAL = "zh-hant"


class Variant:
    """A standard of traditional characters: OpenCC's configuration and how HTML names the language."""

    def __init__(self, config, hreflang, og_locale):
        self.config, self.hreflang, self.og_locale = config, hreflang, og_locale


VARIANTS = {
    "tw": Variant("s2tw", "zh-Hant-TW", "zh_TW"),
    "hk": Variant("s2hk", "zh-Hant-HK", "zh_HK"),
}


def variant():
    return VARIANTS[settings.TRADITIONAL_CHINESE]


@functools.cache
def _converter(config):
    import opencc

    return opencc.OpenCC(config)


# What is not text: comments, scripts and style sheets whole, and every tag.
_MARKUP = re.compile(r"<!--.*?-->|<(script|style)\b[^>]*>.*?</\1\s*>|<[^>]*>", re.S | re.I)
_TAG_NAME = re.compile(r"</?([a-zA-Z][a-zA-Z0-9-]*)")
_KEEP_SIMPLIFIED = re.compile(r"""\slang=["']?zh-hans\b""", re.I)
# Attributes that hold words: those people read, and the messages the page's scripts show (copied,
# failed, selected, more, less).
_WORDS_ATTRIBUTE = re.compile(
    r'(\s(?:alt|title|aria-label|placeholder|data-(?:copied|failed|selected|more|less))=")([^"]*)(")'
)
_WORDS_META = re.compile(
    r'<meta\s+(?:name|property)="(?:description|og:title|og:description|og:site_name|twitter:title|twitter:description|article:section|article:tag)"'
)
_META_CONTENT = re.compile(r'(\scontent=")([^"]*)(")')
# Elements without an end tag: marked lang="zh-Hans", they keep only their own attributes.
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Joins the pieces of a page into one string for OpenCC: a non-character, never in a page, never in a phrase.
_SEPARATOR = "\uffff"


def _convert_all(pieces, config):
    """Each piece converted; one call to OpenCC for the page (a call per piece costs three times as much)."""
    converter = _converter(config)
    converted = converter.convert(_SEPARATOR.join(pieces)).split(_SEPARATOR)
    return converted if len(converted) == len(pieces) else [converter.convert(piece) for piece in pieces]


def convert_html(html, config=None):
    """``html`` with its text, and the attributes that hold words, in traditional characters."""
    config = config or variant().config
    parts = []  # text and markup, in order
    todo = []  # (index in parts, start, end) of each stretch to convert: (i, None, None) for a whole part
    kept = []  # names of the open elements marked lang="zh-Hans", innermost last
    position = 0

    def text(value):
        parts.append(value)
        if not kept and not value.isascii():
            todo.append((len(parts) - 1, None, None))

    for match in _MARKUP.finditer(html):
        text(html[position : match.start()])
        tag = match.group(0)
        position = match.end()
        parts.append(tag)
        name = _TAG_NAME.match(tag)
        if name is None:  # a comment, a doctype
            continue
        name = name.group(1).lower()
        if kept:
            if tag.startswith("</") and name == kept[-1]:
                kept.pop()
            elif not tag.startswith("</") and name == kept[-1] and not tag.endswith("/>"):
                kept.append(name)
            continue
        if _KEEP_SIMPLIFIED.search(tag) and not tag.startswith("</") and name != "html":
            if name not in _VOID and not tag.endswith("/>"):
                kept.append(name)
            continue
        if tag.isascii():
            continue
        index = len(parts) - 1
        words = _META_CONTENT if _WORDS_META.match(tag) else _WORDS_ATTRIBUTE
        for attribute in words.finditer(tag):
            todo.append((index, attribute.start(2), attribute.end(2)))
    text(html[position:])

    pieces = [parts[i] if start is None else parts[i][start:end] for i, start, end in todo]
    converted = _convert_all(pieces, config)
    # Attribute values are put back from the end of each tag, so earlier offsets stay right.
    for (i, start, end), value in sorted(zip(todo, converted, strict=True), key=lambda x: (x[0][0], -(x[0][1] or 0))):
        parts[i] = value if start is None else parts[i][:start] + value + parts[i][end:]
    return "".join(parts)


def is_traditional():
    return translation.get_language() == TRADITIONAL


def in_edition(text):
    """``text`` (plain words, as JSON carries them) in the characters of the edition asked for."""
    return _converter(variant().config).convert(text) if text and is_traditional() else text


class LanguageFromPathMiddleware:
    """Activates the edition the address names (``/zh-hant/…``: traditional; anything else: simplified).

    Django's LocaleMiddleware would do the same and add ``Vary: Accept-Language`` to every simplified
    page, splitting shared caches by a header the page does not depend on. Placed before the page
    cache, which resolves the path (only the active language's prefix resolves)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", variant().hreflang if language == TRADITIONAL else "zh-Hans")
        return response


class TraditionalMiddleware:
    """Converts the pages of the traditional edition; placed after the page cache, so what it keeps is
    the converted page. Feeds asked for under the prefix are sent to their one address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            is_traditional()
            and response.get("Content-Type", "").startswith("text/html")
            and not response.streaming
            and not response.has_header("Content-Encoding")
        ):
            response.content = convert_html(response.content.decode(response.charset)).encode(response.charset)
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        feed = getattr(view_func, "feed_class", None)
        if is_traditional() and isinstance(feed, type) and issubclass(feed, Feed):
            return HttpResponsePermanentRedirect(translate_url(request.get_full_path(), SIMPLIFIED))
        return None
