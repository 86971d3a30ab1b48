"""Hostile values in every public URL pattern and query parameter: never a 500."""

import re
from urllib.parse import quote

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

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
QUERY_PARAMETERS = ["page", "q", "sort", "section", "column", "unit", "tag", "from", "to", "year", "month", "day"]
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


def test_routes_are_found():
    routes = list(public_routes())
    assert any("articles/<int:pk>/" in route for route in routes) and len(routes) >= 8


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
        url = fill(route, str(content.pk)) if "<int:" in route else fill(route, "党建")
        for name in QUERY_PARAMETERS:
            assert_no_server_error(client, url, **{name: value})


def test_invalid_utf8_and_overlong_raw_query_strings(client, content):
    for route in public_routes():
        url = fill(route, str(content.pk)) if "<int:" in route else fill(route, "党建")
        for query in ["q=%ff%fe&page=%c0%af", "page=" + "9" * 5000, "q=%E5%85%9A%E5", "%%%=%%%"]:
            response = client.get(f"{url}?{query}")
            assert response.status_code < 500, (url, query[:40], response.status_code)
