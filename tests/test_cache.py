import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import workflow
from articles.cache import LocalCopies
from articles.models import Article, ArticleImage

from .factories import ArticleFactory, ArticleImageFactory
from .pagetext import page_text
from .servers import fetch, gunicorn

pytestmark = pytest.mark.django_db


def test_anonymous_pages_are_cached_and_a_publish_shows_on_the_next_request(client, cache_backend):
    article = ArticleFactory(title="第一篇")
    assert client.get("/")["X-Cache"] == "miss"
    assert client.get("/")["X-Cache"] == "hit"
    draft = ArticleFactory(title="刚发布的文章", status=Article.Status.DRAFT, publish_at=None)
    workflow.publish(draft)
    response = client.get("/")
    assert response["X-Cache"] == "miss" and "刚发布的文章" in page_text(response)
    article.title = "改过的标题"
    article.save()
    workflow.article_saved(article)
    assert "改过的标题" in page_text(client.get(article.get_absolute_url()))


def test_editors_never_get_cached_pages_and_theirs_are_never_stored(staff_client, cache_backend):
    ArticleFactory()
    response = staff_client.get("/")
    assert "X-Cache" not in response and "private" in response["Cache-Control"]
    assert staff_client.get("/").get("X-Cache") is None
    assert Client().get("/")["X-Cache"] == "miss"  # the editor's page was not stored for readers


def test_a_scheduled_article_appears_when_its_time_comes(client, cache_backend):
    ArticleFactory(title="已发布")
    ArticleFactory(title="定时发布的文章", publish_at=timezone.now() + timezone.timedelta(seconds=1.5))
    assert "定时发布的文章" not in page_text(client.get("/"))
    assert client.get("/")["X-Cache"] == "hit"
    time.sleep(2)
    assert "定时发布的文章" in page_text(client.get("/"))


def test_etag_and_last_modified_give_304(client):
    article = ArticleFactory()
    for url in ["/", article.get_absolute_url(), article.section.get_absolute_url()]:
        first = client.get(url)
        assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
        assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304
        assert client.get(url, headers={"if-modified-since": first["Last-Modified"]}).status_code == 304
    # After a change the old ETag no longer matches.
    workflow.article_saved(article)
    assert client.get("/", headers={"if-none-match": first["ETag"]}).status_code in (200, 304)
    article.title = "全新标题"
    article.save()
    workflow.article_saved(article)
    assert client.get(article.get_absolute_url(), headers={"if-none-match": first["ETag"]}).status_code == 200


def test_errors_and_unpublished_pages_are_not_cached(client):
    draft = ArticleFactory(status=Article.Status.DRAFT, publish_at=None)
    assert client.get(draft.get_absolute_url()).status_code == 404
    workflow.publish(draft)
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


def test_counts_and_related_articles_follow_a_publish(client, settings, cache_backend):
    """Derived values kept per content version (page counts, related articles) change with a publish."""
    settings.PAGE_CACHE_SECONDS = 0
    articles = [ArticleFactory(title=f"文章{i}") for i in range(settings.ARTICLES_PER_PAGE)]
    articles[0].tags.add("党建")
    assert client.get("/", {"page": 2}).status_code == 404
    assert "相关阅读" not in page_text(client.get(articles[0].get_absolute_url()))
    extra = ArticleFactory(title="新发布的相关文章", status=Article.Status.DRAFT, publish_at=None)
    extra.tags.add("党建")
    workflow.publish(extra)
    assert client.get("/", {"page": 2}).status_code == 200
    assert "新发布的相关文章" in page_text(client.get(articles[0].get_absolute_url()))


def test_the_article_html_is_rendered_once_per_content_version(client, settings, cache_backend):
    """An article's own HTML is kept per content version: a change made through publishing shows at
    once, and until then the page is not rendered again."""
    settings.PAGE_CACHE_SECONDS = 0
    article = ArticleFactory(title="图注测试")
    image = ArticleImageFactory(article=article, caption="旧的图注")
    assert "旧的图注" in page_text(client.get(article.get_absolute_url()))
    ArticleImage.objects.filter(pk=image.pk).update(caption="新的图注")  # behind publishing's back
    assert "旧的图注" in page_text(client.get(article.get_absolute_url()))
    workflow.article_saved(article)
    text = page_text(client.get(article.get_absolute_url()))
    assert "新的图注" in text and "旧的图注" not in text


def test_a_kept_article_page_reads_only_the_content_version(client, settings, cache_backend, django_assert_num_queries):
    settings.PAGE_CACHE_SECONDS = 0
    article = ArticleFactory()
    ArticleImageFactory(article=article)
    article.tags.add("党建")
    client.get(article.get_absolute_url())
    # The content version is a database row without a shared cache, and in Redis with one.
    with django_assert_num_queries(0 if cache_backend == "redis" else 1):
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

    settings.CACHES = {"default": {"BACKEND": "articles.cache.RedisCache", "LOCATION": private_redis}}
    settings.SHARED_CACHE = True
    from django.core.cache import cache

    cache.clear()
    server = redis.Redis.from_url(private_redis)
    yield lambda: len(server.keys("*newsroom:page:*"))
    server.close()


def test_a_parameter_a_page_does_not_read_makes_no_new_entry(client, redis_keys):
    article = ArticleFactory(title="参数测试")
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
        copies.set(f"key{i}", "字" * (100 + 37 * i % 2000), 60)
        assert copies.bytes <= copies.max_bytes
    assert copies.get("key299") is not None and copies.get("key0") is None  # least recently used out first
    copies.set("large", "x" * (copies.max_entry_bytes + 1), 60)
    assert copies.get("large") is None and copies.bytes <= copies.max_bytes
    copies.set("brief", "y", 0.05)
    time.sleep(0.1)
    assert copies.get("brief") is None


def test_each_process_keeps_copies_within_its_budget(client, redis_keys, monkeypatch):
    """Many different pages, some large: the process's copies stay within budget, and a page too large
    to copy is still served from Redis."""
    from articles import cache as page_cache

    budget = page_cache.LocalCopies(max_bytes=1024 * 1024)
    monkeypatch.setattr(page_cache, "_local", budget)
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
