"""The query parameters a page reads, written one way: the only ones its cache key holds.

Every public page is given only the parameters its view declares it reads (cached or not, so it is
the same page for all), and a parameter it ignores (``?utm_source=…``, ``?x=1``, ``?x=2``…) can
neither make a new cache entry nor end up in the one kept. Such requests are served the page itself
rather than redirected: links shared from WeChat (``?from=singlemessage``) or with ``utm_*`` tags cost
no extra round trip, and the page's canonical link names its one address for search engines.
"""

import functools
from urllib.parse import urlencode

from django.conf import settings
from django.http import QueryDict
from django.urls import Resolver404, get_urlconf, resolve
from django.utils import translation


def reads_query(*names):
    """Declares the query parameters a function view reads (a class-based view sets
    ``query_parameters``): the only ones its page cache key holds and the view is given."""

    def declare(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            return view(*args, **kwargs)

        wrapper.query_parameters = names
        return wrapper

    return declare


# Page numbers: 01, +1 and 1 are the same page, and page 1 is written without a parameter.
PAGE_NUMBERS = {"page", "p"}


def query_parameters(path):
    """The query parameters the view at ``path`` reads: none unless it declares them. None for a path
    no view answers (a 404, or an address the common middleware redirects to the one with a slash,
    which keeps the query string as it came)."""
    # Asked on every request the page cache sees, hits included: resolved once per address (which
    # resolves in the active edition's language only) and URL configuration.
    return _query_parameters(path, translation.get_language(), get_urlconf() or settings.ROOT_URLCONF)


@functools.lru_cache(maxsize=4096)
def _query_parameters(path, language, urlconf):
    try:
        view = resolve(path, urlconf).func
    except Resolver404:
        return None
    return getattr(getattr(view, "view_class", view), "query_parameters", ())


def canonical_query(query, names):
    """The parameters of ``query`` that are among ``names``, each once, in the order of ``names``,
    written one way: the value the view reads (the last one given), stripped; empty ones left out."""
    canonical = []
    for name in names:
        value = query.get(name, "").strip()
        if name in PAGE_NUMBERS:
            try:
                number = int(value)
            except ValueError:
                pass  # "last", or not a number: the view answers
            else:
                value = "" if number == 1 else str(number)
        if value:
            canonical.append((name, value))
    return QueryDict(urlencode(canonical))
