"""The feed formats and a feed's address in each: what pages link to (autodiscovery in the head, the
subscribe page) and what feed URLs end with. Kept apart from ``feeds``, which builds the feeds, so that
the site chrome on every page links to them without importing it."""

from typing import NamedTuple

from django.conf import settings
from django.urls import reverse
from django.utils import translation


class Format(NamedTuple):
    label: str
    mime_type: str
    filename: str


FORMATS = {
    "rss": Format("RSS", "application/rss+xml", "rss.xml"),
    "atom": Format("Atom", "application/atom+xml", "atom.xml"),
    "json": Format("JSON Feed", "application/feed+json", "feed.json"),
}


class FeedLink(NamedTuple):
    label: str
    mime_type: str
    url: str


def links(url_name="articles:feed", **kwargs):
    """The feed at ``url_name`` (with these URL arguments) in every format. Feeds have one address,
    without the traditional edition's prefix (``articles.hant``), whichever edition links to them."""
    with translation.override(settings.LANGUAGE_CODE):
        return [
            FeedLink(format.label, format.mime_type, reverse(url_name, kwargs={**kwargs, "format": name}))
            for name, format in FORMATS.items()
        ]


class FormatConverter:
    """The last part of a feed URL, rss.xml, atom.xml or feed.json, as the name of its format."""

    regex = "|".join(format.filename.replace(".", r"\.") for format in FORMATS.values())

    def to_python(self, value):
        return next(name for name, format in FORMATS.items() if format.filename == value)

    def to_url(self, value):
        return FORMATS[value].filename
