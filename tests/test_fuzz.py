"""Hostile values in every public URL pattern and in every query parameter a page reads: never a 500.

The parameters are those each view declares (``query_parameters``, the only ones it is given; see
``articles.cache.queries``), read from the code, so the list cannot drift from what the site reads.
"""

import re
from urllib.parse import quote

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from articles.cache.queries import query_parameters
from articles.forms import SearchForm

from .factories import ArticleFactory, ArticleUnitFactory

pytestmark = pytest.mark.django_db

HOSTILE = [
    "-1",
    "0",
    "99999999999999999999999999",
    "1e9",
    "../../../../etc/passwd",
    "..%2F..%2Fetc%2Fpasswd",
    "' OR '1'='1' --",
    "1; DROP TABLE articles_article",
    "%00",
    "%ff%fe%80",
    "😀党建",
    "<script>alert(1)</script>",
    ".*[(\\",
    "x" * 10_000,
]
# Ends of the calendar and impossible dates, for the archive's four- and two-digit path parts.
YEARS = ["0000", "0001", "0999", "1000", "1900", "2025", "9999"]
MONTHS = ["00", "01", "02", "12", "13", "99"]
DAYS = ["00", "01", "28", "29", "30", "31", "32", "99"]
CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def public_routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith(settings.ADMIN_PATH) or route.startswith(settings.MEDIA_URL.lstrip("/")):
            continue
        if isinstance(pattern, URLResolver):
            yield from public_routes(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route.lstrip("^").rstrip("$")


def fill(route, value):
    return "/" + CONVERTER.sub(lambda m: value, route)


@pytest.fixture
def content():
    article = ArticleFactory()
    article.tags.add("党建")
    ArticleUnitFactory(article=article)
    return article


def example_url(route, content):
    """The route with real values: the address of a page that exists."""
    examples = {"int": str(content.pk), "feed": "rss.xml", "yyyy": "2025", "dd": "06", "section": "articles"}
    return "/" + CONVERTER.sub(lambda m: examples.get(m["converter"] or m["name"], "党建"), route)


def test_example_urls_are_real_pages(client, content):
    for route in public_routes():
        url = example_url(route, content)
        assert query_parameters(url) is not None, url


def test_routes_are_found():
    routes = list(public_routes())
    assert any("articles/<int:pk>/" in route for route in routes) and len(routes) >= 8


def test_the_parameters_read_are_declared_by_the_views():
    """What the fuzzing below sends: each page's own parameters, as its view declares them."""
    assert set(query_parameters(reverse("articles:search"))) == {"page", *SearchForm.base_fields}
    assert {"q", "section", "column", "unit", "start", "end", "sort"} <= set(SearchForm.base_fields)
    assert query_parameters("/") == ("page",) and query_parameters("/sitemap-articles.xml") == ("p",)
    assert query_parameters("/articles/1/") == () and query_parameters("/feeds/rss.xml") == ()


def assert_no_server_error(client, url, **params):
    response = client.get(url, params)
    assert response.status_code < 500, (url[:200], {k: v[:50] for k, v in params.items()}, response.status_code)


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_path_values(client, content, value):
    for route in public_routes():
        if CONVERTER.search(route):
            assert_no_server_error(client, fill(route, quote(value, safe="%/")))


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_query_parameters(client, content, value):
    for route in public_routes():
        url = example_url(route, content)
        for name in query_parameters(url):
            assert_no_server_error(client, url, **{name: value})
        # All of them at once, and each twice (the page reads the last).
        names = query_parameters(url)
        assert_no_server_error(client, url + "?" + "&".join(f"{n}=1&{n}={quote(value)}" for n in names))


@pytest.mark.parametrize("value", ["1900-01-01", "2999-12-31", "0001-01-01", "9999-12-31", "2025-02-30", "2025-13-01"])
def test_extreme_dates_in_search_filters(client, content, value):
    for name in ("start", "end"):
        assert_no_server_error(client, reverse("articles:search"), q="党建", **{name: value})


def test_extreme_dates_in_archive_paths(client, content):
    for year in YEARS:
        assert_no_server_error(client, f"/archive/{year}/")
        for month in MONTHS:
            assert_no_server_error(client, f"/archive/{year}/{month}/")
            for day in DAYS:
                assert_no_server_error(client, f"/archive/{year}/{month}/{day}/")


def test_invalid_utf8_and_overlong_raw_query_strings(client, content):
    for route in public_routes():
        url = example_url(route, content)
        for query in ["q=%ff%fe&page=%c0%af", "page=" + "9" * 5000, "q=%E5%85%9A%E5", "%%%=%%%"]:
            response = client.get(f"{url}?{query}")
            assert response.status_code < 500, (url, query[:40], response.status_code)
