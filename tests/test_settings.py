"""Production settings: `check --deploy` is clean, and nothing starts without a secret key."""

import os
import subprocess
import sys

from .servers import PROJECT

PRODUCTION = {
    "DJANGO_SECRET_KEY": "a-long-random-production-key-" + "x" * 40,
    "DJANGO_ALLOWED_HOSTS": "news.example.com",
    "DJANGO_PROXY_COUNT": "1",
}
SHIPPED = PROJECT / "deploy" / "newsroom.env"


def shipped_environment():
    """deploy/newsroom.env as gunicorn gets it, with a secret key filled in."""
    lines = [line.strip() for line in SHIPPED.read_text().splitlines()]
    env = dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
    assert env["DJANGO_SECRET_KEY"] == "", "the shipped file must not carry a key that works"
    return {**env, "DJANGO_SECRET_KEY": PRODUCTION["DJANGO_SECRET_KEY"]}


def manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=PROJECT, env={**clean, **env}, capture_output=True, text=True
    )


def test_check_deploy_has_no_warnings():
    for env in (PRODUCTION, shipped_environment()):
        result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "no issues" in result.stdout


def test_check_deploy_warns_without_a_proxy_setting():
    """Behind nginx without DJANGO_PROXY_COUNT every client has nginx's address: the operator is told."""
    unset = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_PROXY_COUNT"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=unset)
    assert result.returncode != 0 and "newsroom.W001" in result.stderr + result.stdout
    # 0 says no proxy, on purpose.
    on_purpose = manage("check", "--deploy", "--fail-level", "WARNING", env={**unset, "DJANGO_PROXY_COUNT": "0"})
    assert on_purpose.returncode == 0, on_purpose.stderr


def test_the_shipped_settings_read_the_client_address_behind_nginx():
    code = "from django.conf import settings; print(settings.PROXY_COUNT, settings.AXES_CLIENT_IP_CALLABLE)"
    result = manage("shell", "-c", code, env=shipped_environment())
    assert result.stdout.strip().splitlines()[-1] == "1 articles.proxies.client_ip", result.stderr


def test_refuses_to_start_without_a_secret_key():
    """The web application will not load without a key; commands that need none still run."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "-c", "import newsroom.wsgi"], cwd=PROJECT, env=clean, capture_output=True, text=True
    )
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr
    assert manage("makemigrations", "--check", "--dry-run", env={}).returncode == 0


def test_admin_path_is_configurable():
    result = manage(
        "shell",
        "-c",
        "from django.urls import reverse; print(reverse('admin:index'))",
        env={**PRODUCTION, "DJANGO_ADMIN_PATH": "backstage"},
    )
    assert result.stdout.strip().splitlines()[-1] == "/backstage/", result.stderr


def test_media_storage_is_configurable():
    env = {
        **PRODUCTION,
        "MEDIA_STORAGE_BACKEND": "django.core.files.storage.InMemoryStorage",
        "MEDIA_STORAGE_OPTIONS": '{"base_url": "https://media.example.com/"}',
    }
    code = (
        "from django.core.files.base import ContentFile; from django.core.files.storage import default_storage as s;"
        "s.save('x.txt', ContentFile(b'x')); print(s._wrapped.__class__.__name__, s.url('x.txt'))"
    )
    result = manage("shell", "-c", code, env=env)
    assert result.stdout.strip().splitlines()[-1] == "InMemoryStorage https://media.example.com/x.txt", result.stderr


def test_replica_urls_add_replica_aliases_that_tests_never_create():
    code = (
        "from django.conf import settings as s; from django.db import router;"
        "print(s.DATABASE_REPLICAS,"
        " [(a, d['HOST'], d['PORT'], d['TEST'].get('MIRROR')) for a, d in s.DATABASES.items()],"
        "router.allow_migrate('replica2', 'articles'))"
    )
    env = {
        **PRODUCTION,
        "DATABASE_URL": "postgres://news@db.example.com:5432/newsroom",
        "DATABASE_REPLICA_URLS": "postgres://news@r1.example.com:5433/newsroom, postgres://news@r2.example.com/newsroom",
    }
    result = manage("shell", "-c", code, env=env)
    assert result.stdout.strip().splitlines()[-1] == (
        "['replica1', 'replica2'] [('default', 'db.example.com', 5432, None),"
        " ('replica1', 'r1.example.com', 5433, 'default'), ('replica2', 'r2.example.com', '', 'default')] False"
    ), result.stderr
    without = manage("shell", "-c", code, env={**PRODUCTION, "DATABASE_URL": env["DATABASE_URL"]})
    assert without.stdout.strip().splitlines()[-1].startswith("[] [('default',"), without.stderr


def test_replicas_of_sqlite_are_refused():
    result = manage("check", env={**PRODUCTION, "DATABASE_REPLICA_URLS": "sqlite:////tmp/copy.sqlite3"})
    assert result.returncode != 0 and "read replicas are PostgreSQL streaming replicas" in result.stderr


def test_check_says_when_the_translations_are_not_compiled(settings, tmp_path):
    """A fresh clone before compilemessages shows English everywhere: check says so."""
    from django.core import checks

    from articles.apps import messages_compiled

    assert messages_compiled(None) == []  # the test run's catalogue is compiled (make test)
    (tmp_path / "zh_Hans" / "LC_MESSAGES").mkdir(parents=True)
    settings.LOCALE_PATHS = [tmp_path]
    (warning,) = messages_compiled(None)
    assert warning.id == "newsroom.W002" and warning.level == checks.WARNING
