"""Read replicas (articles.routing) against a real PostgreSQL streaming replica.

The replica runs on 127.0.0.1:5433 (started by .ci/start-replica if it is not running) and applies
each commit two seconds after the primary made it, so replication lag is real in every test: right
after a write the replica does not have it yet. It replicates the whole cluster, test database
included, so the alias ``replica1`` is the test database on port 5433.
"""

import subprocess
import time
from types import SimpleNamespace

import pytest
import redis
from django.db import OperationalError, connection, connections, router
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles import versions, workflow
from articles.models import Article
from articles.routing import PIN_COOKIE, lsn
from newsroom.settings import replica_databases

from .factories import ArticleFactory
from .formdata import form_data
from .pagetext import page_text
from .servers import PROJECT, fetch, free_port, gunicorn

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="read replicas are PostgreSQL streaming replicas: these tests run in the PostgreSQL pass",
    ),
    # Data must be committed to reach the replica. replica2 never answers; replica3 is the primary.
    pytest.mark.django_db(transaction=True, databases=["default", "replica1", "replica2", "replica3"]),
]

REPLICA_PORT = 5433


@pytest.fixture(scope="module", autouse=True)
def replicas(django_db_setup, django_db_blocker):
    """Aliases replica1 (the real replica), replica2 (a port nobody listens on) and replica3 (the
    primary itself, by mistake), made from URLs the way settings make them; reads use replica1."""
    started = subprocess.run(["bash", str(PROJECT / ".ci" / "start-replica")], capture_output=True, text=True)
    if started.returncode == 77:
        pytest.skip(started.stderr.strip())
    assert started.returncode == 0, started.stderr
    primary = connections["default"].settings_dict
    user, name = primary["USER"], primary["NAME"]
    urls = [f"postgres://{user}@127.0.0.1:{port}/{name}" for port in (REPLICA_PORT, free_port(), primary["PORT"])]
    aliases = replica_databases(",".join(urls))
    connections.settings.update(connections.configure_settings({"default": primary, **aliases}))
    with django_db_blocker.unblock(), override_settings(DATABASE_REPLICAS=["replica1"]):
        wait_for_replica()  # until the test database itself is there
        with connections["replica1"].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery()")
            assert cursor.fetchone() == (True,)
        yield
    for alias in aliases:
        connections[alias].close()
        del connections[alias]
        del connections.settings[alias]


def primary_position():
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return cursor.fetchone()[0]


def replay_position():
    with connections["replica1"].cursor() as cursor:
        cursor.execute("SELECT pg_last_wal_replay_lsn()::text")
        return lsn(cursor.fetchone()[0])


def wait_for_replica(position=None, timeout=60):
    """Until the replica has replayed ``position`` (by default all the primary has written so far)."""
    needed = lsn(position or primary_position())
    deadline = time.monotonic() + timeout
    while True:
        try:
            if replay_position() >= needed:
                return
        except OperationalError:  # the test database is not on the replica yet
            connections["replica1"].close()
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.1)


def caught_up_reader():
    """A reader's client, once the replica shows the current content version."""
    wait_for_replica(versions.content_position())
    return Client()


def title_on_replica(article):
    return Article.objects.using("replica1").get(pk=article.pk).title


def tables(queries):
    return {
        table for query in queries for table in ("articles_article", "articles_contentversion") if table in query["sql"]
    }


def save_title(editor_client, article, title):
    """The editor opens the article in the admin, changes the title and saves, as in a browser."""
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(editor_client.get(url), "article_form")
    response = editor_client.post(url, {**data, "title": title})
    assert response.status_code == 302, page_text(response)[:2000]


def test_a_reader_reads_from_the_replica_and_the_replica_really_lags():
    article = ArticleFactory(title="副本上的文章")
    reader = caught_up_reader()
    with (
        CaptureQueriesContext(connections["replica1"]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = reader.get(article.get_absolute_url())
    assert "副本上的文章" in page_text(response)
    assert tables(on_replica.captured_queries) == {"articles_article"}
    assert tables(on_primary.captured_queries) <= {"articles_contentversion"}  # the version: the primary's
    assert not response.cookies  # no pin for readers: their pages stay cacheable
    # Lag is real: an article written a moment ago behind the workflow's back (no new content
    # version) is on the primary but not yet on the replica the reader reads from.
    late = ArticleFactory(title="刚写入的文章")
    assert reader.get(late.get_absolute_url()).status_code == 404
    assert Article.objects.filter(pk=late.pk).exists()
    wait_for_replica()
    assert "刚写入的文章" in page_text(reader.get(late.get_absolute_url()))


def test_a_readers_search_plans_its_statements_on_the_replica_it_reads():
    """The search's planner settings (``search.through_gin_indexes``) are set on the connection its
    statements run on: the replica, for a reader; set on the primary, they changed nothing there."""
    article = ArticleFactory(title="副本搜索党建")
    workflow.article_saved(article)
    reader = caught_up_reader()
    with (
        CaptureQueriesContext(connections["replica1"]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = reader.get(reverse("articles:search"), {"q": "副本搜索"})
    assert "找到 1 篇文章" in page_text(response) and "副本搜索" in page_text(response)
    on_replica = [query["sql"] for query in on_replica.captured_queries]
    assert any("SET LOCAL enable_seqscan = off" in sql for sql in on_replica)
    assert any("articles_searchentry" in sql for sql in on_replica)
    assert not any("SET LOCAL" in query["sql"] for query in on_primary.captured_queries)


def test_an_editor_sees_a_save_at_once_despite_the_lag(editor_client):
    article = ArticleFactory(title="旧标题")
    caught_up_reader()
    save_title(editor_client, article, "新标题")
    with CaptureQueriesContext(connections["replica1"]) as on_replica:
        response = editor_client.get(article.get_absolute_url())
    assert title_on_replica(article) == "旧标题"  # the replica has not applied the save yet
    assert "新标题" in page_text(response) and "旧标题" not in page_text(response)
    assert not on_replica.captured_queries


def test_readers_right_after_a_save_never_get_the_old_page_under_the_new_version(editor_client, settings):
    """The page cache keys pages by the content version, bumped when the save commits on the primary.
    A reader right after the save must not render the page from the lagging replica and keep the old
    title under the new version: readers would see it until the next change."""
    assert settings.PAGE_CACHE_SECONDS > 0
    article = ArticleFactory(title="旧标题")
    reader = caught_up_reader()
    first = reader.get(article.get_absolute_url())
    assert first["X-Cache"] == "miss" and "旧标题" in page_text(first)
    save_title(editor_client, article, "新标题")
    assert title_on_replica(article) == "旧标题"  # lag is real
    right_after = reader.get(article.get_absolute_url())
    assert right_after["X-Cache"] == "miss" and "新标题" in page_text(right_after)
    kept = reader.get(article.get_absolute_url())
    assert kept["X-Cache"] == "hit" and "新标题" in page_text(kept) and "旧标题" not in page_text(kept)
    # Once the replica has caught up, readers read from it again, and see the new title there too.
    settings.PAGE_CACHE_SECONDS = 0
    wait_for_replica(versions.content_position())
    with CaptureQueriesContext(connections["replica1"]) as on_replica:
        assert "新标题" in page_text(reader.get(reverse("articles:home")))
    assert tables(on_replica.captured_queries) == {"articles_article"}


def test_a_client_that_has_just_written_reads_from_the_primary_for_a_while(editor_client, settings):
    article = ArticleFactory(title="旧标题")
    save_title(editor_client, article, "新标题")
    logout = editor_client.post(reverse("admin:logout"))
    pin = logout.cookies[PIN_COOKIE]
    assert pin["max-age"] == settings.REPLICA_PIN_SECONDS and pin["httponly"] and pin["samesite"] == "Lax"
    assert not editor_client.cookies[settings.SESSION_COOKIE_NAME].value  # logged out: a reader now
    # Even with the replica up to date, the pinned client reads from the primary; others do not.
    reader = caught_up_reader()
    with CaptureQueriesContext(connections["replica1"]) as on_replica:
        assert "新标题" in page_text(editor_client.get(article.get_absolute_url()))
    assert not on_replica.captured_queries
    with CaptureQueriesContext(connections["replica1"]) as on_replica:
        assert "新标题" in page_text(reader.get(reverse("articles:home")))
    assert on_replica.captured_queries


def test_writes_the_admin_and_everything_outside_a_request_use_the_primary(editor_client):
    article = ArticleFactory(title="主库")
    caught_up_reader()
    with CaptureQueriesContext(connections["replica1"]) as on_replica:
        assert editor_client.get(reverse("admin:articles_article_changelist")).status_code == 200
        assert Client().get(reverse("admin:login")).status_code == 200  # the admin, even anonymous
        login = Client().post(reverse("admin:login"), {"username": "nobody", "password": "wrong"})
    assert not on_replica.captured_queries
    assert login.cookies[PIN_COOKIE].value == "1"
    # Outside a request (commands, migrations): the primary.
    assert router.db_for_read(Article) == "default" and Article.objects.all().db == "default"
    # A row read from a replica is saved to the primary.
    copy = Article.objects.using("replica1").get(pk=article.pk)
    copy.title = "从副本读出后保存"
    copy.save()
    assert Article.objects.using("default").get(pk=article.pk).title == "从副本读出后保存"
    assert router.allow_relation(copy, Article.objects.using("default").get(pk=article.pk))
    # Only the primary is migrated.
    assert router.allow_migrate("default", "articles", model_name="article")
    assert not router.allow_migrate("replica1", "articles", model_name="article")


def test_a_replica_that_does_not_answer_or_is_not_a_replica_gets_no_reads():
    for aliases in (["replica2"], ["replica3"]):
        article = ArticleFactory(title=f"主库回退{aliases[0]}")
        caught_up_reader()
        with (
            override_settings(DATABASE_REPLICAS=aliases),
            CaptureQueriesContext(connections["replica3"]) as on_fake,
            CaptureQueriesContext(connections["default"]) as on_primary,
        ):
            response = Client().get(article.get_absolute_url())
        assert response.status_code == 200 and article.title in page_text(response)
        assert "articles_article" in tables(on_primary.captured_queries)
        assert "articles_article" not in tables(on_fake.captured_queries)


def test_two_app_servers_with_a_replica_and_redis(tmp_path):
    """What a deployment runs: gunicorns configured by DATABASE_REPLICA_URLS, sharing Redis."""
    from .test_cache import AdminSession

    # The servers' own Redis database starts empty: a counter and position left by an earlier run (the
    # same cluster, an older log position) would let them read the new rows from the lagging replica.
    redis.Redis(host="127.0.0.1", port=6379, db=12).flushdb()
    article = ArticleFactory(title="旧标题")
    name = connections["default"].settings_dict["NAME"]
    shared = {
        "DATABASE_URL": f"postgres://root@127.0.0.1:5432/{name}",
        "DATABASE_REPLICA_URLS": f"postgres://root@127.0.0.1:{REPLICA_PORT}/{name}",
        "REDIS_URL": "redis://127.0.0.1:6379/12",  # its own: nothing else bumps its content version
        "MEDIA_ROOT": str(tmp_path),
        "DATABASE_CONN_MAX_AGE": "0",
    }
    with gunicorn(shared) as first, gunicorn(shared) as second:
        url = article.get_absolute_url()
        assert fetch(second + url)[0] == 200  # records the primary's position for the current version
        wait_for_replica()
        # Readers read from the replica: what was just written behind the workflow's back is not there yet.
        late = ArticleFactory(title="刚写入的文章")
        assert fetch(second + late.get_absolute_url())[0] == 404
        # An editor saves through the first server; readers of the second see it at once.
        editor = AdminSession(first)
        editor.login_superuser()
        change = reverse("admin:articles_article_change", args=[article.pk])
        page = editor.opener.open(first + change, timeout=20).read()
        data = form_data(SimpleNamespace(content=page), "article_form")
        assert editor.post(change, {**data, "title": "新标题"})[0] == 200
        assert title_on_replica(article) == "旧标题"
        status, headers, body = fetch(second + url)
        assert status == 200 and "新标题" in body and "旧标题" not in body
        assert fetch(second + url)[1]["X-Cache"] == "hit"
        wait_for_replica()
        assert "刚写入的文章" in fetch(second + late.get_absolute_url())[2]
