from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

DEMO = Path(__file__).resolve().parent.parent / "demo"
SEED = DEMO / "000_b99ffb0ea46047b9.txt"


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    """Uploads go to a temporary folder, never into the project."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """Tests need no collectstatic: serve static names as they are."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def fresh_cache():
    from django.core.cache import cache

    from articles.cache.handler import forget_sent
    from articles.cache.localcopies import forget_copies

    cache.clear()
    forget_copies()
    forget_sent()


@pytest.fixture(autouse=True)
def commits_run_their_hooks(monkeypatch):
    """``transaction.on_commit`` hooks run when the code under test commits, as in production.

    A test runs inside a transaction of its own (rolled back at the end), so Django would keep every
    hook until then and drop it: a publish would never move the content version. Here the test's
    own transaction does not count: a hook runs at once outside the code's transactions, and when
    the code's outermost ``atomic`` block is left without an error; a block rolled back drops its
    hooks (Django does that). Transactional tests have real commits and need none of this.
    """
    from django.db import transaction
    from django.db.backends.base.base import BaseDatabaseWrapper

    def only_the_tests_own(connection):
        blocks = connection.atomic_blocks
        return bool(blocks) and all(getattr(block, "_from_testcase", False) for block in blocks)

    register, leave = BaseDatabaseWrapper.on_commit, transaction.Atomic.__exit__

    def on_commit(connection, func, robust=False):
        if only_the_tests_own(connection):
            func()
        else:
            register(connection, func, robust)

    def exit_atomic(block, *exc_info):
        leave(block, *exc_info)
        connection = transaction.get_connection(block.using)
        while only_the_tests_own(connection) and connection.run_on_commit:
            _, func, _ = connection.run_on_commit.pop(0)
            func()

    monkeypatch.setattr(BaseDatabaseWrapper, "on_commit", on_commit)
    monkeypatch.setattr(transaction.Atomic, "__exit__", exit_atomic)


@pytest.fixture(autouse=True)
def fresh_content_types(request):
    """The flush after a transactional test recreates content types with new ids: forget the old ones.

    (Otherwise the next transactional test writes rows, such as revisions, that point to a stale id.)
    """
    yield
    marker = request.node.get_closest_marker("django_db")
    if "live_server" in request.fixturenames or (marker and marker.kwargs.get("transaction")):
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()


@pytest.fixture(scope="session")
def live_server(live_server):
    """pytest-django's live server, counting the requests it is answering (``RequestsInFlight``)."""
    from .servers import RequestsInFlight

    server = live_server.thread.httpd
    server.set_app(RequestsInFlight(server.get_app()))
    return live_server


@pytest.fixture(autouse=True)
def live_server_answered(request):
    """A test with the live server ends when the server has answered every request (a click's last
    one may still be running): only then is the database emptied for the next test."""
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")  # set up first, so emptied after the wait below
    server = request.getfixturevalue("live_server").thread.httpd
    yield
    server.get_app().wait()


@pytest.fixture(scope="session")
def private_redis(tmp_path_factory):
    """A Redis server of this test run's own: the one on port 6379 is shared by other runs on the
    machine, whose flushes would empty this run's cache in the middle of a test."""
    from .servers import redis_server

    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture(params=["locmem", "redis"])
def cache_backend(request, settings):
    """The page cache with the default local-memory cache, and with a real Redis configured as the
    settings configure it (``redis_caches``)."""
    if request.param == "redis":
        from newsroom.settings import redis_caches

        settings.CACHES = redis_caches(request.getfixturevalue("private_redis"))
        settings.SHARED_CACHE = True
    from django.core.cache import cache

    cache.clear()
    return request.param


@pytest.fixture
def seed_article(db):
    """The reference article, imported the way `make run` imports it."""
    from articles.models import Article

    call_command("import_articles", str(SEED), stdout=StringIO())
    return Article.objects.get(import_key=SEED.name)


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("editor", "editor@example.com", "pw-for-tests-only")
    client.force_login(user)
    return client


CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright (Playwright cannot download its own here)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshot():
    """Saves a screenshot under test-artifacts/ (kept by CI runs for people to look at)."""

    def save(page, name):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)

    return save


def make_roles():
    """Makes the roles again as the migrations made them: every migration function marked
    ``makes_roles`` (articles/migrations/_roles.py), in the order ``migrate`` ran them."""
    from django.apps import apps
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations import RunPython

    loader = MigrationLoader(None, ignore_no_migrations=True)
    plan = []
    for leaf in sorted(loader.graph.leaf_nodes()):
        plan += [key for key in loader.graph.forwards_plan(leaf) if key not in plan]
    for key in plan:
        for operation in loader.graph.nodes[key].operations:
            if isinstance(operation, RunPython) and getattr(operation.code, "makes_roles", False):
                operation.code(apps, None)


def member(django_user_model, username, group):
    """A staff user in one of the roles. Transactional tests flush the database, roles included:
    then the roles are made again by the migrations' own functions."""
    from django.contrib.auth.models import Group

    if not Group.objects.filter(name=group).exists():
        make_roles()
    user = django_user_model.objects.create_user(
        username, f"{username}@example.com", "pw-for-tests-only", is_staff=True
    )
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(db, django_user_model):
    """A member of the 编辑 (editor) role, made by the roles migration."""
    return member(django_user_model, "bianji", "编辑")


@pytest.fixture
def contributor(db, django_user_model):
    """A member of the 撰稿 (contributor) role."""
    return member(django_user_model, "zhuangao", "撰稿")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def reviewer(db, django_user_model):
    """A member of the 审核 (reviewer) role."""
    return member(django_user_model, "shenhe", "审核")


@pytest.fixture
def contributor_client(client, contributor):
    client.force_login(contributor)
    return client
