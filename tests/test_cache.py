import datetime
import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles import workflow
from articles.cache.localcopies import LocalCopies
from articles.models import Article, ArticleImage, CopyrightNotice, PromoBlock
from newsroom.settings import redis_caches

from .factories import (
    ArticleFactory,
    ArticleImageFactory,
    ArticleUnitFactory,
    CopyrightNoticeFactory,
    PromoBlockFactory,
    SectionFactory,
    UnitFactory,
)
from .pagetext import page_text
from .servers import fetch, gunicorn

pytestmark = pytest.mark.django_db


def test_anonymous_pages_are_cached_and_a_publish_shows_on_the_next_request(client, cache_backend):
    article = ArticleFactory(title="第一篇")
    assert client.get("/")["X-Cache"] == "miss"
    assert client.get("/")["X-Cache"] == "hit"
    assert client.get(article.get_absolute_url())["X-Cache"] == "miss"
    assert client.get(article.get_absolute_url())["X-Cache"] == "hit"
    draft = ArticleFactory(title="刚发布的文章", status=Article.Status.DRAFT, publish_at=None)
    workflow.publish(draft)
    response = client.get("/")
    assert response["X-Cache"] == "miss" and "刚发布的文章" in page_text(response)
    article.title = "改过的标题"
    article.save()
    workflow.article_saved(article)
    response = client.get(article.get_absolute_url())  # kept before the edit: made again
    assert response["X-Cache"] == "miss" and "改过的标题" in page_text(response)


def test_a_kept_page_is_sent_with_the_headers_it_was_made_with(client, cache_backend):
    """Caches after this one (nginx's micro-cache, a CDN, browsers) see one page: a hit says what the page
    varies with as the page did when it was made (a session cookie gets an editor's page)."""
    url = ArticleFactory().get_absolute_url()
    made, kept = client.get(url), client.get(url)
    assert (made["X-Cache"], kept["X-Cache"]) == ("miss", "hit")
    assert "Cookie" in made["Vary"] and kept["Vary"] == made["Vary"]
    assert set(kept.headers) == set(made.headers)


def test_editors_never_get_cached_pages_and_theirs_are_never_stored(staff_client, cache_backend):
    ArticleFactory()
    response = staff_client.get("/")
    assert "X-Cache" not in response and "private" in response["Cache-Control"]
    assert staff_client.get("/").get("X-Cache") is None
    assert Client().get("/")["X-Cache"] == "miss"  # the editor's page was not stored for readers


def test_a_scheduled_article_appears_when_its_time_comes(client, cache_backend):
    """Pages it will be shown on expire at its time; the others stay kept."""
    here, elsewhere = SectionFactory(name="甲频道"), SectionFactory(name="乙频道")
    newest = ArticleFactory(title="已发布", section=here, publish_at=timezone.now() - datetime.timedelta(hours=1))
    two_days_ago = timezone.now() - datetime.timedelta(days=2)
    other = ArticleFactory(title="别的频道的文章", section=elsewhere, publish_at=two_days_ago)
    scheduled = ArticleFactory(title="定时发布的文章", section=here, status=Article.Status.DRAFT, publish_at=None)
    workflow.publish(scheduled, at=timezone.now() + datetime.timedelta(seconds=1.5))
    pages = {
        "home": "/",
        "its section": here.get_absolute_url(),
        "its previous": newest.get_absolute_url(),
        "other section": elsewhere.get_absolute_url(),
        "other article": other.get_absolute_url(),
    }
    cache_states(client, pages)
    assert set(cache_states(client, pages).values()) == {"hit"}
    assert "定时发布的文章" not in page_text(client.get("/"))
    time.sleep(2)
    states = cache_states(client, pages)
    assert {name for name, state in states.items() if state != "hit"} == {"home", "its section", "its previous"}
    assert "定时发布的文章" in page_text(client.get("/"))
    assert "定时发布的文章" in page_text(client.get(here.get_absolute_url()))
    assert "定时发布的文章" in page_text(client.get(newest.get_absolute_url()))  # its "next" link


def test_an_embargoed_article_appears_when_its_embargo_ends(client, cache_backend):
    """Published with a publish time past but under an embargo (禁发时间): hidden as a draft, and the
    pages it will be shown on, cached before the embargo ends, expire then; the others stay kept."""
    here, elsewhere = SectionFactory(name="甲频道"), SectionFactory(name="乙频道")
    newest = ArticleFactory(title="已发布", section=here, publish_at=timezone.now() - datetime.timedelta(hours=1))
    other = ArticleFactory(
        title="别的频道的文章", section=elsewhere, publish_at=timezone.now() - datetime.timedelta(days=2)
    )
    embargoed = ArticleFactory(title="禁发的文章", section=here, status=Article.Status.DRAFT, publish_at=None)
    embargoed.embargo_until = timezone.now() + datetime.timedelta(seconds=1.5)
    embargoed.save()
    workflow.publish(embargoed, at=timezone.now() - datetime.timedelta(minutes=30))
    pages = {
        "home": "/",
        "its section": here.get_absolute_url(),
        "its previous": newest.get_absolute_url(),
        "other section": elsewhere.get_absolute_url(),
        "other article": other.get_absolute_url(),
    }
    cache_states(client, pages)
    assert set(cache_states(client, pages).values()) == {"hit"}
    assert "禁发的文章" not in page_text(client.get("/"))
    assert client.get(embargoed.get_absolute_url()).status_code == 404
    time.sleep(2)
    states = cache_states(client, pages)
    assert {name for name, state in states.items() if state != "hit"} == {"home", "its section", "its previous"}
    assert "禁发的文章" in page_text(client.get("/"))
    assert "禁发的文章" in page_text(client.get(here.get_absolute_url()))
    assert client.get(embargoed.get_absolute_url()).status_code == 200


def test_etag_and_last_modified_give_304(client):
    article = ArticleFactory()
    urls = ["/", article.get_absolute_url(), article.section.get_absolute_url()]
    etags = {}
    for url in urls:
        first = client.get(url)
        assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
        assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304
        assert client.get(url, headers={"if-modified-since": first["Last-Modified"]}).status_code == 304
        etags[url] = first["ETag"]
    # A save that changes nothing readers see makes the pages again, with the same ETag: still a 304.
    workflow.article_saved(article)
    for url in urls:
        assert client.get(url, headers={"if-none-match": etags[url]}).status_code == 304, url
    # After a change the old ETag no longer matches.
    article.title = "全新标题"
    article.save()
    workflow.article_saved(article)
    for url in urls:
        response = client.get(url, headers={"if-none-match": etags[url]})
        assert response.status_code == 200 and "全新标题" in page_text(response), url


def test_errors_and_unpublished_pages_are_not_cached(client, cache_backend):
    draft = ArticleFactory(status=Article.Status.DRAFT, publish_at=None)
    for _ in range(2):
        response = client.get(draft.get_absolute_url())
        assert response.status_code == 404 and "X-Cache" not in response
    # Published behind the workflow's back, so that no version moves: only a 404 that was not kept
    # lets the page show.
    Article.objects.filter(pk=draft.pk).update(status=Article.Status.PUBLISHED, publish_at=timezone.now())
    assert client.get(draft.get_absolute_url()).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_reader_during_a_save_never_keeps_the_old_page_under_the_new_version(cache_backend):
    """A reader between an editor's save and its commit sees the old page (the save is not
    committed); it must not be kept under the content version that announces the change."""
    if connection.vendor != "postgresql":
        pytest.skip("needs two connections each seeing the other's commits: runs in the PostgreSQL pass")
    article = ArticleFactory(title="保存之前的标题")
    url = article.get_absolute_url()
    reader = Client()
    assert reader.get(url)["X-Cache"] == "miss"
    saved, read, errors = threading.Event(), threading.Event(), []

    def editor_saves():
        try:
            with transaction.atomic():
                row = Article.objects.select_for_update().get(pk=article.pk)
                row.title = "保存之后的标题"
                row.save()
                workflow.article_saved(row)
                saved.set()
                read.wait(30)
        except Exception as exc:  # reported by the test thread
            errors.append(exc)
        finally:
            saved.set()
            connections.close_all()

    editor = threading.Thread(target=editor_saves)
    editor.start()
    assert saved.wait(30)
    between = page_text(reader.get(url))  # the save is made but not committed
    feed = reader.get(reverse("articles:feed"))
    read.set()
    editor.join(30)
    assert not errors and "保存之前的标题" in between and "保存之前的标题" in feed.text
    after = reader.get(url)
    assert "保存之后的标题" in page_text(after), after.get("X-Cache")
    assert "保存之后的标题" in page_text(reader.get("/"))
    # A feed reader who kept the ETag of that moment gets the new feed, not a 304.
    again = reader.get(reverse("articles:feed"), headers={"if-none-match": feed["ETag"]})
    assert again.status_code == 200 and "保存之后的标题" in again.text


@pytest.mark.django_db(transaction=True)
def test_while_a_page_is_made_again_other_readers_get_the_one_it_replaces(cache_backend, monkeypatch):
    """Right after a change, one request makes the page again; readers who come meanwhile get the
    page it replaces at once (not a page each), and the new one as soon as it is kept."""
    from articles import article_page

    article = ArticleFactory(title="改之前")
    url = article.get_absolute_url()
    assert Client().get(url)["X-Cache"] == "miss"
    article.title = "改之后"
    article.save()
    workflow.article_saved(article)
    making, finish, made = threading.Event(), threading.Event(), {}
    render = article_page.render_article

    def slow_render(*args, **kwargs):
        making.set()
        assert finish.wait(30)
        return render(*args, **kwargs)

    monkeypatch.setattr(article_page, "render_article", slow_render)

    def first_reader():
        try:
            made["response"] = Client().get(url)
        finally:
            connections.close_all()

    maker = threading.Thread(target=first_reader)
    maker.start()
    try:
        assert making.wait(30)
        meanwhile = Client().get(url)
        assert meanwhile["X-Cache"] == "stale" and "改之前" in page_text(meanwhile)
    finally:
        finish.set()
        maker.join(30)
    monkeypatch.setattr(article_page, "render_article", render)
    assert made["response"]["X-Cache"] == "miss" and "改之后" in page_text(made["response"])
    after = Client().get(url)
    assert after["X-Cache"] == "hit" and "改之后" in page_text(after)


def test_a_page_never_kept_is_made_by_each_request_meanwhile(client, cache_backend):
    from django.core.cache import cache
    from django.test import RequestFactory

    from articles.cache.pages import PageCacheMiddleware

    article = ArticleFactory(title="新页面")
    key = PageCacheMiddleware.key(RequestFactory().get(article.get_absolute_url()))
    cache.add(f"{key}:making", 1, 30)  # another request is making it
    response = client.get(article.get_absolute_url())
    assert response["X-Cache"] == "miss" and "新页面" in page_text(response)


def test_once_a_withdrawn_article_is_a_404_no_reader_is_given_its_old_page(client, cache_backend):
    from django.core.cache import cache
    from django.test import RequestFactory

    from articles.cache.pages import PageCacheMiddleware

    article = ArticleFactory(title="撤下的文章")
    url = article.get_absolute_url()
    assert client.get(url)["X-Cache"] == "miss"
    workflow.unpublish(article)
    assert client.get(url).status_code == 404
    cache.add(f"{PageCacheMiddleware.key(RequestFactory().get(url))}:making", 1, 30)  # another reader's request
    response = client.get(url)
    assert response.status_code == 404 and "撤下的文章" not in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_app_servers_behave_as_one_site(tmp_path, private_redis):
    """Two gunicorns sharing PostgreSQL, Redis and a media folder: a publish through one shows on the other."""
    if connection.vendor != "postgresql":
        pytest.skip("two servers need a database both can open: runs in the PostgreSQL pass")
    article = ArticleFactory(title="两台服务器", status=Article.Status.DRAFT, publish_at=None)
    shared = {
        "DATABASE_URL": f"postgres://root@127.0.0.1:5432/{connection.settings_dict['NAME']}",
        "REDIS_URL": private_redis,
        "MEDIA_ROOT": str(tmp_path),
        "DATABASE_CONN_MAX_AGE": "0",
    }
    with gunicorn(shared) as first, gunicorn(shared) as second:
        assert "两台服务器" not in fetch(second + "/")[2]
        assert fetch(second + "/")[1]["X-Cache"] == "hit"
        # Publish through the first server's admin.
        session = AdminSession(first)
        session.login_superuser()
        session.publish(article)
        status, headers, body = fetch(second + "/")
        assert "两台服务器" in body, headers
        assert fetch(second + article.get_absolute_url())[0] == 200


class AdminSession:
    """An editor's browser session against a running server, with cookies and CSRF tokens."""

    def __init__(self, base, headers=None):
        import http.cookiejar
        import urllib.request

        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener.addheaders += list((headers or {}).items())

    def csrf(self):
        return next(cookie.value for cookie in self.jar if cookie.name == "csrftoken")

    def post(self, path, data):
        import urllib.parse
        import urllib.request

        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.csrf()}).encode()
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        with self.opener.open(request, timeout=20) as response:
            return response.status, response.read().decode()

    def login_superuser(self):
        from django.contrib.auth.models import User

        User.objects.create_superuser("chief", password="chief-password-123")
        self.opener.open(self.base + reverse("admin:login"), timeout=20).read()
        credentials = {"username": "chief", "password": "chief-password-123", "next": reverse("admin:index")}
        status, body = self.post(reverse("admin:login"), credentials)
        assert "chief" in body, "login failed"

    def publish(self, article):
        from .test_admin import article_data

        url = reverse("admin:articles_article_change", args=[article.pk])
        self.opener.open(self.base + url, timeout=20).read()
        # The status is read-only in the form: the workflow button publishes.
        data = article_data(article.section, title=article.title, body="<p>正文</p>", _publish="1")
        data["publish_at_0"], data["publish_at_1"] = "2025-01-01", "08:00:00"
        status, body = self.post(url, data)
        assert Article.objects.get(pk=article.pk).status == "published", body[:2000]


def test_counts_and_related_articles_follow_a_change(client, settings, cache_backend):
    """Values kept across requests (page counts, an article with its related articles) change with
    the change that touches them."""
    settings.PAGE_CACHE_SECONDS = 0
    articles = [ArticleFactory(title=f"文章{i}") for i in range(settings.ARTICLES_PER_PAGE)]
    for article in articles[:2]:
        article.tags.add("党建")
        workflow.article_saved(article)
    assert client.get("/", {"page": 2}).status_code == 404
    assert "文章1" in page_text(client.get(articles[0].get_absolute_url()))  # related: same tag
    workflow.publish(ArticleFactory(title="新发布的文章", status=Article.Status.DRAFT, publish_at=None))
    assert client.get("/", {"page": 2}).status_code == 200
    articles[1].title = "改过标题的相关文章"
    articles[1].save()
    workflow.article_saved(articles[1])
    assert "改过标题的相关文章" in page_text(client.get(articles[0].get_absolute_url()))


def test_the_article_html_is_rendered_once_until_it_changes(client, settings, cache_backend):
    """An article's own HTML is kept until a change touches it: a change made through the workflow
    shows at once, and until then the page is not rendered again."""
    settings.PAGE_CACHE_SECONDS = 0
    article = ArticleFactory(title="图注测试")
    image = ArticleImageFactory(article=article, caption="旧的图注")
    assert "旧的图注" in page_text(client.get(article.get_absolute_url()))
    ArticleImage.objects.filter(pk=image.pk).update(caption="新的图注")  # behind publishing's back
    assert "旧的图注" in page_text(client.get(article.get_absolute_url()))
    workflow.article_saved(article)
    text = page_text(client.get(article.get_absolute_url()))
    assert "新的图注" in text and "旧的图注" not in text


def test_a_kept_article_page_reads_only_the_versions(client, settings, cache_backend, django_assert_num_queries):
    settings.PAGE_CACHE_SECONDS = 0
    article = ArticleFactory()
    ArticleImageFactory(article=article)
    article.tags.add("党建")
    client.get(article.get_absolute_url())
    # The versions are database rows without a shared cache, and in Redis with one: the row (the view
    # gets the object) and its HTML (article_page renders it) are kept apart, each read with its scopes.
    with django_assert_num_queries(0 if cache_backend == "redis" else 2):
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200 and "党建" in page_text(response)


def test_previews_are_never_kept_and_each_host_gets_its_own_addresses(staff_client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    settings.ALLOWED_HOSTS = ["testserver", "news.example.com"]
    draft = ArticleFactory(title="草稿标题", status=Article.Status.DRAFT, publish_at=None)
    assert "草稿标题" in page_text(staff_client.get(draft.get_absolute_url()))
    Article.objects.filter(pk=draft.pk).update(title="改过的草稿标题")
    assert "改过的草稿标题" in page_text(staff_client.get(draft.get_absolute_url()))
    article = ArticleFactory()
    reader = Client()
    assert f'data-url="http://testserver/articles/{article.pk}/"' in reader.get(article.get_absolute_url()).text
    other = reader.get(article.get_absolute_url(), HTTP_HOST="news.example.com").text
    assert f'data-url="http://news.example.com/articles/{article.pk}/"' in other


@pytest.fixture
def redis_keys(settings, private_redis):
    """The page cache on a real Redis, and a way to count the pages kept there."""
    import redis

    settings.CACHES = redis_caches(private_redis)
    settings.SHARED_CACHE = True
    from django.core.cache import cache

    cache.clear()
    server = redis.Redis.from_url(private_redis)
    yield lambda: len(server.keys("*newsroom:page:*"))
    server.close()


def test_a_kept_page_costs_one_round_trip_to_redis(client, redis_keys, private_redis, django_assert_num_queries):
    """The page from this process's copy, then one MGET of the versions of what it shows."""
    import redis

    article = ArticleFactory()
    article.tags.add("党建")
    workflow.article_saved(article)
    url = article.get_absolute_url()
    assert client.get(url)["X-Cache"] == "miss"
    server = redis.Redis.from_url(private_redis)
    server.config_resetstat()
    with django_assert_num_queries(0):
        assert client.get(url)["X-Cache"] == "hit"
    calls = {name: stats["calls"] for name, stats in server.info("commandstats").items() if "config" not in name}
    server.close()
    assert calls == {"cmdstat_mget": 1}


def test_a_parameter_a_page_does_not_read_makes_no_new_entry(client, redis_keys, monkeypatch):
    article = ArticleFactory(title="参数测试")
    later = timezone.now() + datetime.timedelta(seconds=2)  # a feed made in its change's second is not kept
    monkeypatch.setattr(timezone, "now", lambda: later)
    pages = ["/", article.get_absolute_url(), reverse("articles:feed"), article.section.get_absolute_url()]
    for n, url in enumerate(pages, start=1):
        first = client.get(url)
        for i in range(50):
            response = client.get(url, {"x": i, "utm_source": "wechat", "from": "singlemessage"})
            assert response.status_code == 200 and response["X-Cache"] == "hit", (url, i)
            assert response.content == first.content
        assert redis_keys() == n, url
    # Ways of writing the same page number are one page.
    for page in ["1", "01", "+1", " 1", "0001"]:
        assert client.get("/", {"page": page})["X-Cache"] == "hit", page
    assert client.get(article.get_absolute_url(), {"page": 7})["X-Cache"] == "hit"
    assert redis_keys() == len(pages)


def test_parameters_a_page_reads_make_their_own_entries(client, redis_keys):
    articles = [ArticleFactory(title=f"分页{i}") for i in range(2 * settings_per_page() + 1)]
    workflow.articles_changed([article.pk for article in articles])  # indexed for search
    assert client.get("/", {"page": 2})["X-Cache"] == "miss"
    assert client.get("/", {"page": "02", "x": 1})["X-Cache"] == "hit"
    assert client.get("/", {"page": 3})["X-Cache"] == "miss"
    first = client.get(reverse("articles:search"), {"q": "分页"})
    assert first["X-Cache"] == "miss" and "分页" in page_text(first)
    assert client.get(reverse("articles:search"), {"q": "分页", "utm_medium": "x"})["X-Cache"] == "hit"
    assert client.get(reverse("articles:search"), {"q": "分页", "sort": "date"})["X-Cache"] == "miss"


def settings_per_page():
    from django.conf import settings

    return settings.ARTICLES_PER_PAGE


@pytest.mark.parametrize("seconds", [300, 0])
def test_a_parameter_the_page_ignores_never_shows_on_it(client, redis_keys, settings, seconds):
    """The page is made from the parameters in its key only: nothing else can end up in the cached
    copy. With the cache off the page is the same."""
    settings.PAGE_CACHE_SECONDS = seconds
    for i in range(settings_per_page() + 1):
        ArticleFactory(title=f"文章{i}")
    first = client.get("/", {"q": "注入的搜索词", "x": "1"})
    assert "注入的搜索词" not in first.text and "x=1" not in first.text
    assert 'href="?page=2"' in first.text  # page links carry no foreign parameter
    assert "注入的搜索词" not in client.get("/").text


def test_a_cookie_that_is_no_logged_in_session_gets_the_cached_page(client, cache_backend, django_user_model):
    from importlib import import_module

    from django.conf import settings

    ArticleFactory()
    assert client.get("/")["X-Cache"] == "miss"
    reader = Client()
    reader.cookies[settings.SESSION_COOKIE_NAME] = "not-a-session-" + "x" * 20
    response = reader.get("/")
    assert response["X-Cache"] == "hit" and "private" not in response.get("Cache-Control", "")
    reader.cookies[settings.SESSION_COOKIE_NAME] = "a" * 32  # the shape of a key, but no session
    assert reader.get("/")["X-Cache"] == "hit"
    anonymous = import_module(settings.SESSION_ENGINE).SessionStore()
    anonymous["seen"] = True
    anonymous.save()
    reader.cookies[settings.SESSION_COOKIE_NAME] = anonymous.session_key
    assert reader.get("/")["X-Cache"] == "hit"
    # A logged-in editor bypasses the cache, and the page is private.
    user = django_user_model.objects.create_user("bianji", password="pw-for-tests-only", is_staff=True)
    reader.force_login(user)
    response = reader.get("/")
    assert "X-Cache" not in response and "private" in response["Cache-Control"]


def test_a_cookie_costs_at_most_one_session_lookup(client, settings, django_assert_max_num_queries):
    settings.PAGE_CACHE_SECONDS = 300
    ArticleFactory()
    client.get("/")
    reader = Client()
    reader.cookies[settings.SESSION_COOKIE_NAME] = "b" * 32
    # Without a shared cache the content version is a query too.
    with django_assert_max_num_queries(2):
        assert reader.get("/")["X-Cache"] == "hit"


def test_local_copies_stay_within_their_byte_budget():
    copies = LocalCopies(max_bytes=64 * 1024)
    for i in range(300):
        copies.set(f"key{i}", "字" * (100 + 37 * i % 2000), time.time() + 60)
        assert copies.bytes <= copies.max_bytes
    assert copies.get("key299") is not None and copies.get("key0") is None  # least recently used out first
    copies.set("large", "x" * (copies.max_entry_bytes + 1), time.time() + 60)
    assert copies.get("large") is None and copies.bytes <= copies.max_bytes
    copies.set("brief", "y", time.time() + 0.05)
    time.sleep(0.1)
    assert copies.get("brief") is None


def test_each_process_keeps_copies_within_its_budget(client, redis_keys, monkeypatch):
    """Many different pages, some large: the process's copies stay within budget, and a page too large
    to copy is still served from Redis."""
    from articles.cache import localcopies

    budget = LocalCopies(max_bytes=1024 * 1024)
    monkeypatch.setattr(localcopies, "copies", budget)
    long_body = "".join(f"<p>第{i}段，{'长' * 200}。</p>" for i in range(40))  # about 25 KB a page
    articles = [ArticleFactory(body=long_body) for _ in range(40)]
    for article in articles:
        assert client.get(article.get_absolute_url())["X-Cache"] == "miss"
        assert budget.bytes <= budget.max_bytes
    assert all(client.get(article.get_absolute_url())["X-Cache"] == "hit" for article in articles)
    assert budget.max_bytes * 0.8 < budget.bytes <= budget.max_bytes and redis_keys() == 40


def test_an_address_without_its_slash_keeps_its_query_when_redirected(client):
    response = client.get("/search", {"q": "党建", "utm_source": "wechat"})
    assert response.status_code == 301 and "q=%E5%85%9A%E5%BB%BA" in response["Location"]


# What each kind of change makes cold: real requests, X-Cache on every page of a small site.


class LittleSite:
    """Two sections (A, B), two units (U, V), two tags (T, S), and six articles in time order:
    Q (B) < R (A, unit U) < P (A) < X (A, unit U, tag T) < N (B) < O (B, unit V, tag S).
    X's previous is P and its next N; R and X are related (unit U)."""

    def __init__(self):
        now = timezone.now()
        CopyrightNoticeFactory(title="版权声明", is_default=True)
        PromoBlockFactory(title="关注分享")
        self.a, self.b = SectionFactory(name="甲频道"), SectionFactory(name="乙频道")
        self.u, self.v = UnitFactory(name="甲单位"), UnitFactory(name="乙单位")
        self.q = self.make("最早的文章", self.b, now - datetime.timedelta(days=20))
        self.r = self.make("相关的文章", self.a, now - datetime.timedelta(days=10), unit=self.u)
        self.p = self.make("前一篇文章", self.a, now - datetime.timedelta(days=4))
        self.x = self.make("这篇文章", self.a, now - datetime.timedelta(days=3), unit=self.u, tag="甲标签")
        self.n = self.make("后一篇文章", self.b, now - datetime.timedelta(days=2))
        self.o = self.make("另一篇文章", self.b, now - datetime.timedelta(days=1), unit=self.v, tag="乙标签")
        self.t, self.s = Tag.objects.get(name="甲标签"), Tag.objects.get(name="乙标签")
        feed = "articles:section_feed"
        self.pages = {
            "home": "/",
            **{f"article {name}": getattr(self, name.lower()).get_absolute_url() for name in "QRPXNO"},
            "section A": self.a.get_absolute_url(),
            "section B": self.b.get_absolute_url(),
            "unit U": self.u.get_absolute_url(),
            "unit V": self.v.get_absolute_url(),
            "tag T": reverse("articles:tag", args=[self.t.slug]),
            "tag S": reverse("articles:tag", args=[self.s.slug]),
            "feed A": reverse(feed, kwargs={"pk": self.a.pk, "format": "rss"}),
            "feed B": reverse(feed, kwargs={"pk": self.b.pk, "format": "rss"}),
            **{name: url for name, url in ANY_ARTICLE.items()},
            "year": reverse("articles:archive_year", args=[self.x.publish_at.year]),
        }

    @staticmethod
    def make(title, section, at, unit=None, tag=None):
        article = ArticleFactory(title=title, section=section, publish_at=at)
        if unit:
            ArticleUnitFactory(article=article, unit=unit)
        if tag:
            article.tags.add(tag)
        workflow.article_saved(article)
        return article


# Pages any change to a published article makes cold.
ANY_ARTICLE = {
    "home": "/",
    "archive": "/archive/",
    "feed": "/feeds/rss.xml",
    "sitemap": "/sitemap.xml",
    "news sitemap": "/news-sitemap.xml",
    "search": "/search/?q=%E6%96%87%E7%AB%A0",
    "subscribe": "/subscribe/",
}
SHOWN_EVERYWHERE = {*ANY_ARTICLE, "year"}


@pytest.fixture
def little_site(db):
    return LittleSite()


@pytest.fixture
def editor_browser(django_user_model):
    editor = Client()
    editor.force_login(django_user_model.objects.create_superuser("chief", "chief@example.com", "pw-for-tests-only"))
    return editor


def cache_states(client, pages):
    """{page: "hit", "miss" or the status of a page that is not cached}."""
    states = {}
    for name, url in pages.items():
        response = client.get(url)
        states[name] = response.get("X-Cache", response.status_code)
    return states


def recomputed_after(client, pages, change):
    """The pages made again after ``change`` (all of them were kept before it, or not found)."""
    time.sleep(1.01 - time.time() % 1)  # a feed made in the second of a change is not kept (Last-Modified is to come)
    cache_states(client, pages)
    warm = cache_states(client, pages)
    assert set(warm.values()) <= {"hit", 404} and "hit" in warm.values(), warm
    change()
    return {name for name, state in cache_states(client, pages).items() if state != "hit"}


def edit(article, **fields):
    for name, value in fields.items():
        setattr(article, name, value)
    article.save()
    workflow.article_saved(article)


def test_a_publish_makes_cold_only_the_pages_that_show_the_new_article(client, little_site, cache_backend):
    site = little_site
    new = ArticleFactory(title="刚发布的文章", section=site.a, status=Article.Status.DRAFT, publish_at=None)
    ArticleUnitFactory(article=new, unit=site.u)
    new.tags.add(site.t)

    cold = recomputed_after(client, site.pages, lambda: workflow.publish(new))
    # O was the newest: its page now has a "next" link to the new article.
    assert cold == SHOWN_EVERYWHERE | {"section A", "unit U", "tag T", "feed A", "article O"}
    for page in ["/", site.a.get_absolute_url(), site.u.get_absolute_url(), site.pages["tag T"], site.pages["feed A"]]:
        assert "刚发布的文章" in client.get(page).content.decode(), page
    assert "刚发布的文章" in page_text(client.get(site.o.get_absolute_url()))
    assert client.get(new.get_absolute_url())["X-Cache"] == "miss"


def test_an_edit_makes_cold_the_pages_that_show_the_article(client, little_site, cache_backend):
    site = little_site
    cold = recomputed_after(client, site.pages, lambda: edit(site.x, title="改过标题的文章"))
    # P and N name it in their previous/next links, R among its related articles.
    expected = SHOWN_EVERYWHERE | {"article X", "article P", "article N", "article R"}
    assert cold == expected | {"section A", "unit U", "tag T", "feed A"}
    for name in ["article P", "article N", "article R", "section A", "tag T", "feed A", "home"]:
        assert "改过标题的文章" in client.get(site.pages[name]).content.decode(), name


def test_editing_a_draft_makes_nothing_cold(client, little_site, cache_backend):
    draft = ArticleFactory(title="草稿", section=little_site.a, status=Article.Status.DRAFT, publish_at=None)
    assert recomputed_after(client, little_site.pages, lambda: edit(draft, title="改过的草稿")) == set()


@pytest.mark.parametrize("leave", [workflow.unpublish, workflow.trash])
def test_unpublishing_or_trashing_makes_cold_the_pages_that_showed_it(client, little_site, cache_backend, leave):
    site = little_site
    cold = recomputed_after(client, site.pages, lambda: leave(site.x))
    assert cold == SHOWN_EVERYWHERE | {"article X", "article P", "article N", "article R"} | {
        "section A",
        "unit U",
        "tag T",
        "feed A",
    }
    assert client.get(site.x.get_absolute_url()).status_code == 404
    assert "这篇文章" not in page_text(client.get(site.p.get_absolute_url()))  # P's next is N now
    assert "这篇文章" not in page_text(client.get(site.r.get_absolute_url()))


def test_a_restore_brings_it_back_where_it_was(client, little_site, cache_backend):
    site = little_site
    workflow.trash(site.x)
    cold = recomputed_after(client, site.pages, lambda: workflow.restore(site.x))
    # Its neighbours' links lead to it again. R, whose related list no longer names it, is not made
    # cold: a related list takes in an article when it is next made (see articles.versions).
    assert cold == SHOWN_EVERYWHERE | {"article X", "article P", "article N"} | {
        "section A",
        "unit U",
        "tag T",
        "feed A",
    }
    assert "这篇文章" in page_text(client.get(site.p.get_absolute_url()))


def test_moving_an_article_to_another_section_makes_both_cold(client, little_site, cache_backend):
    site = little_site
    cold = recomputed_after(client, site.pages, lambda: edit(site.x, section=site.b))
    assert cold == SHOWN_EVERYWHERE | {"article X", "article P", "article N", "article R"} | {
        "section A",
        "section B",
        "unit U",
        "tag T",
        "feed A",
        "feed B",
    }
    assert "这篇文章" not in client.get(site.pages["section A"]).content.decode()
    assert "这篇文章" in client.get(site.pages["section B"]).content.decode()


def test_renaming_a_unit_makes_cold_the_pages_of_its_articles(client, little_site, cache_backend, editor_browser):
    site = little_site

    def rename():
        data = {"name": "改名的单位", "short_name": "", "kind": "enterprise", "website": "", "description": ""}
        assert editor_browser.post(reverse("admin:articles_unit_change", args=[site.u.pk]), data).status_code == 302

    cold = recomputed_after(client, site.pages, rename)
    # Its articles X and R, and the pages naming them (P, N, Q, related lists).
    articles = {"article X", "article R", "article P", "article N", "article Q"}
    assert cold == SHOWN_EVERYWHERE | articles | {"section A", "unit U", "tag T", "feed A"}
    assert "改名的单位" in page_text(client.get(site.x.get_absolute_url()))


def test_merging_units_makes_cold_the_pages_of_the_articles_that_moved(
    client, little_site, cache_backend, editor_browser
):
    site = little_site

    def merge():
        changelist = reverse("admin:articles_unit_changelist")
        selected = {"action": "merge_selected", "_selected_action": [site.u.pk, site.v.pk], "post": "yes"}
        assert editor_browser.post(changelist, {**selected, "kept": site.u.pk}).status_code == 302

    cold = recomputed_after(client, site.pages, merge)
    # O moved from V to U; N names it. X and R share U with it now, but do not name it yet.
    assert cold == SHOWN_EVERYWHERE | {"article O", "article N", "section B", "unit U", "unit V", "tag S", "feed B"}
    gone = client.get(site.pages["unit V"])  # the merged unit's address leads to the kept one
    assert gone.status_code == 301 and gone["Location"] == site.pages["unit U"]
    assert "另一篇文章" in client.get(site.pages["unit U"]).content.decode()


def test_renaming_a_tag_makes_cold_the_pages_of_its_articles(client, little_site, cache_backend, editor_browser):
    site = little_site

    def rename():
        data = {"name": "改名的标签", "slug": site.t.slug}
        assert editor_browser.post(reverse("admin:taggit_tag_change", args=[site.t.pk]), data).status_code == 302

    cold = recomputed_after(client, site.pages, rename)
    expected = SHOWN_EVERYWHERE | {"article X", "article P", "article N", "article R"}
    assert cold == expected | {"section A", "unit U", "tag T", "feed A"}
    assert "改名的标签" in page_text(client.get(site.x.get_absolute_url()))


def test_merging_tags_makes_cold_the_pages_of_the_articles_that_moved(
    client, little_site, cache_backend, editor_browser
):
    site = little_site

    def merge():
        changelist = reverse("admin:taggit_tag_changelist")
        selected = {"action": "merge_selected", "_selected_action": [site.t.pk, site.s.pk], "post": "yes"}
        assert editor_browser.post(changelist, {**selected, "kept": site.t.pk}).status_code == 302

    cold = recomputed_after(client, site.pages, merge)
    assert cold == SHOWN_EVERYWHERE | {"article O", "article N", "section B", "unit V", "tag T", "tag S", "feed B"}
    assert "另一篇文章" in client.get(site.pages["tag T"]).content.decode()


SITE_EDITS = {
    "site settings": (
        "admin:articles_sitesettings_change",
        lambda site: 1,
        {"site_name": "改名的网站", "short_name": "国企网", "review_levels": 1},
        "改名的网站",
    ),
    "notice": (
        "admin:articles_copyrightnotice_change",
        lambda site: CopyrightNotice.objects.get().pk,
        {"title": "改过的版权声明", "clauses": "第一条", "is_default": "on"},
        "改过的版权声明",
    ),
    "section name": (
        "admin:articles_section_change",
        lambda site: site.b.pk,
        {"name": "改名的频道", "order": "0", "description": ""},
        "改名的频道",  # in every page's navigation
    ),
}


@pytest.mark.parametrize("what", SITE_EDITS)
def test_an_edit_of_what_every_page_shows_makes_every_page_cold(
    client, little_site, cache_backend, editor_browser, what
):
    url_name, pk, data, shown = SITE_EDITS[what]

    def change():
        response = editor_browser.post(reverse(url_name, args=[pk(little_site)]), data)
        assert response.status_code == 302, response.context["adminform"].errors if response.context else response

    assert recomputed_after(client, little_site.pages, change) == set(little_site.pages)
    assert shown in page_text(client.get(little_site.p.get_absolute_url()))


@pytest.mark.parametrize("how", ["delete_model", "delete_queryset"])
def test_deleting_a_promo_block_in_the_admin_takes_it_off_every_page(
    client, little_site, cache_backend, editor_browser, how
):
    promo = PromoBlock.objects.get()
    url = little_site.x.get_absolute_url()
    assert "关注分享" in page_text(client.get(url)) and client.get(url)["X-Cache"] == "hit"
    if how == "delete_model":
        editor_browser.post(reverse("admin:articles_promoblock_delete", args=[promo.pk]), {"post": "yes"})
    else:
        changelist = reverse("admin:articles_promoblock_changelist")
        editor_browser.post(changelist, {"action": "delete_selected", "_selected_action": [promo.pk], "post": "yes"})
    assert not PromoBlock.objects.exists()
    response = client.get(url)
    assert response["X-Cache"] == "miss" and "关注分享" not in page_text(response)
