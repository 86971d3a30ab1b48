import pytest
from django.urls import reverse

from newsroom.settings import redis_caches

from .servers import fetch, gunicorn

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_cache(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_503_when_the_cache_is_down(client, settings):
    # A real Redis client pointed at a port where nothing listens.
    settings.CACHES = redis_caches("redis://127.0.0.1:1/0")
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["cache"].startswith("error") and response.json()["database"] == "ok"


def test_database_down_gives_a_503_page_not_a_traceback():
    """A real gunicorn whose PostgreSQL does not answer: pages are 503 with Retry-After, health is 503."""
    with gunicorn({"DATABASE_URL": "postgres://root@127.0.0.1:1/newsroom"}) as url:
        status, headers, body = fetch(url + "/")
        assert status == 503 and headers["Retry-After"] == "30"
        assert "暂时无法访问" in body and "Traceback" not in body and "OperationalError" not in body
        status, _, body = fetch(url + "/healthz")
        assert status == 503 and '"database": "error' in body
