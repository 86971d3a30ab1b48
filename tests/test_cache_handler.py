"""The WSGI application sends again the bytes it sent for a kept page, to the same plain request,
while the page's versions hold: the reader gets what Django would send, without Django."""

from contextlib import contextmanager
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client, RequestFactory

from articles import workflow
from articles.cache.handler import SentCopiesHandler

from .factories import ArticleFactory
from .pagetext import page_text

pytestmark = pytest.mark.django_db


@contextmanager
def connections_kept():
    """As Django's test client does: the request signals leave the test's connection (and its
    transaction) open; a real server's requests would close it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def call(application, path, **headers):
    """(status, headers as a dict, body) of a GET of ``path`` through a WSGI ``application``."""
    environ = RequestFactory().get(path, **headers).environ
    started = {}

    def start_response(status, response_headers, exc_info=None):
        started.update(status=status, headers=response_headers)

    with connections_kept():
        response = application(environ, start_response)
        try:
            body = b"".join(response)
        finally:
            if hasattr(response, "close"):
                response.close()
    return started["status"], dict(started["headers"]), body


def text(body):
    return page_text(SimpleNamespace(content=body))


@pytest.fixture
def redis_cache(cache_backend):
    if cache_backend != "redis":
        pytest.skip("copies are kept with Redis only")


@pytest.fixture
def handler():
    return SentCopiesHandler()


def without_django(handler):
    """Fails the test if the request reaches Django's request handling."""
    return mock.patch.object(handler, "get_response", side_effect=AssertionError("Django made the response"))


@pytest.mark.parametrize("cache_backend", ["redis"], indirect=True)
def test_a_kept_page_is_sent_again_as_django_sends_it_without_django(redis_cache, handler):
    article = ArticleFactory(title="快速命中")
    status, made, _ = call(handler, article.get_absolute_url())
    assert status == "200 OK" and made["X-Cache"] == "miss"
    status, kept, body = call(handler, article.get_absolute_url())
    assert status == "200 OK" and kept["X-Cache"] == "hit" and "快速命中" in text(body)
    with without_django(handler):
        status, again, again_body = call(handler, article.get_absolute_url())
    # What Django's own handler sends for the same kept page, headers included (the security headers
    # and the edition's language come from the middleware in front of the page cache).
    _, django, django_body = call(WSGIHandler(), article.get_absolute_url())
    assert status == "200 OK" and again == django and again_body == django_body == body
    assert again["X-Cache"] == "hit"
    assert {"Content-Language", "X-Content-Type-Options", "Referrer-Policy", "ETag"} <= set(again)


@pytest.mark.parametrize("cache_backend", ["redis"], indirect=True)
def test_a_publish_or_an_edit_shows_on_the_next_request(redis_cache, handler):
    article = ArticleFactory(title="旧标题")
    for _ in range(2):
        call(handler, "/")
        call(handler, article.get_absolute_url())
    article.title = "新标题"
    article.save()
    workflow.article_saved(article)
    for path in (article.get_absolute_url(), "/"):
        _, headers, body = call(handler, path)
        assert headers["X-Cache"] == "miss" and "新标题" in text(body) and "旧标题" not in text(body)
        call(handler, path)
        with without_django(handler):
            assert "新标题" in text(call(handler, path)[2])
    draft = ArticleFactory(title="刚发布", status="draft", publish_at=None)
    workflow.publish(draft)
    _, headers, body = call(handler, "/")
    assert headers["X-Cache"] == "miss" and "刚发布" in text(body)


@pytest.mark.parametrize("cache_backend", ["redis"], indirect=True)
@pytest.mark.parametrize(
    "request_headers",
    [
        {"QUERY_STRING": "page=2"},
        {"HTTP_IF_NONE_MATCH": '"x"'},
        {"HTTP_IF_MODIFIED_SINCE": "Sat, 05 Dec 2026 00:00:00 GMT"},
        {"HTTP_COOKIE": "sessionid=not-a-session"},
    ],
    ids=["query", "if-none-match", "if-modified-since", "session cookie"],
)
def test_other_requests_go_through_django(redis_cache, handler, request_headers):
    article = ArticleFactory()
    call(handler, article.get_absolute_url())
    call(handler, article.get_absolute_url())
    with without_django(handler), pytest.raises(AssertionError, match="Django made the response"):
        call(handler, article.get_absolute_url(), **request_headers)


@pytest.mark.parametrize("cache_backend", ["redis"], indirect=True)
def test_a_conditional_request_for_a_kept_page_gets_not_modified(redis_cache, handler):
    article = ArticleFactory()
    call(handler, article.get_absolute_url())
    etag = call(handler, article.get_absolute_url())[1]["ETag"]
    status, _, body = call(handler, article.get_absolute_url(), HTTP_IF_NONE_MATCH=etag)
    assert status == "304 Not Modified" and body == b""


@pytest.mark.parametrize("cache_backend", ["redis"], indirect=True)
def test_editors_get_their_own_page_never_the_copy(redis_cache, handler, django_user_model):
    article = ArticleFactory(title="已保存")
    call(handler, article.get_absolute_url())
    call(handler, article.get_absolute_url())
    client = Client()
    client.force_login(django_user_model.objects.create_superuser("editor", "e@example.com", "pw-for-tests-only"))
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    status, headers, _ = call(handler, article.get_absolute_url(), HTTP_COOKIE=cookie)
    assert status == "200 OK" and "X-Cache" not in headers and "private" in headers["Cache-Control"]


@pytest.mark.parametrize("cache_backend", ["redis"], indirect=True)
def test_https_and_http_hosts_and_editions_each_get_their_own(redis_cache, settings):
    settings.SECURE_HSTS_SECONDS = 3600
    settings.ALLOWED_HOSTS = ["testserver", "news.example.com"]
    handler = SentCopiesHandler()  # its middleware reads the settings when made
    article = ArticleFactory(title="四个地址")
    path = article.get_absolute_url()
    secure = {"HTTP_X_FORWARDED_PROTO": "https"}
    for _ in range(3):  # made, kept, then sent again from the copies
        assert "Strict-Transport-Security" in call(handler, path, **secure)[1]
        assert "Strict-Transport-Security" not in call(handler, path)[1]
        assert b"https://news.example.com/" in call(handler, path, HTTP_HOST="news.example.com", **secure)[2]
        assert b"https://news.example.com/" not in call(handler, path, **secure)[2]
        assert call(handler, "/zh-hant" + path)[1]["Content-Language"] != call(handler, path)[1]["Content-Language"]


def test_without_redis_every_request_goes_through_django(cache_backend, handler):
    if cache_backend == "redis":
        pytest.skip("the local-memory cache only")
    article = ArticleFactory()
    call(handler, article.get_absolute_url())
    assert call(handler, article.get_absolute_url())[1]["X-Cache"] == "hit"
    with without_django(handler), pytest.raises(AssertionError, match="Django made the response"):
        call(handler, article.get_absolute_url())
