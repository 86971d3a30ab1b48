"""The shipped deploy/ files, run for real: nginx in front of gunicorn, and Redis within its bound."""

import ast
import http.client
import importlib.machinery
import importlib.util
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.parse
from contextlib import contextmanager

import pytest
import redis
from django.core.management import get_commands
from django.db import connection

from articles import versions
from newsroom.settings import redis_caches

from .factories import ArticleFactory
from .servers import PROJECT, collected_static, free_port, gunicorn, redis_server

DEPLOY = PROJECT / "deploy"
NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")


def load_check():
    """deploy/check (a script without .py) as a module, for its nginx configuration."""
    loader = importlib.machinery.SourceFileLoader("deploy_check", str(DEPLOY / "check"))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


check = load_check()


def wait_for_port(port, process, what):
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not start") from None
            time.sleep(0.1)


@pytest.mark.django_db
def test_redis_stays_within_its_memory_and_the_site_keeps_answering(client, settings, tmp_path):
    """deploy/redis.conf, with a small maxmemory: many large pages evict older ones and every request
    is still answered, pages included; the content version, the one key that never expires, stays."""
    with redis_server(tmp_path, DEPLOY / "redis.conf", maxmemory="3mb") as url:
        settings.CACHES = redis_caches(url)
        settings.SHARED_CACHE = True
        server = redis.Redis.from_url(url)
        assert server.config_get("maxmemory-policy") == {"maxmemory-policy": "volatile-lru"}
        long_body = "".join(f"<p>第{i}段，{'长' * 300}。</p>" for i in range(60))  # about 60 KB a page
        articles = [ArticleFactory(body=long_body) for _ in range(60)]
        version = versions.content_version()
        for article in articles:
            response = client.get(article.get_absolute_url())
            assert response.status_code == 200 and response["X-Cache"] == "miss"
        memory, stats = server.info("memory"), server.info("stats")
        assert stats["evicted_keys"] > 0 and memory["used_memory"] <= memory["maxmemory"] * 1.1
        assert versions.content_version() == version
        # Redis tells apart what was used a second ago from what was used just now.
        time.sleep(1.1)
        client.get(articles[0].get_absolute_url())
        assert client.get(articles[0].get_absolute_url())["X-Cache"] == "hit"
        assert client.get("/").status_code == 200
        server.close()


# nginx


def nginx_configuration(folder, upstream_port):
    """deploy/nginx.conf as deploy/check runs it (ports, certificate and folders moved into ``folder``).
    Returns (config path, https port)."""
    media = folder / "media"
    media.mkdir()
    main, _http_port, https_port = check.nginx_configuration(folder, upstream_port, collected_static(), media)
    return main, https_port


pytestmark_nginx = pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx-light)")


@pytestmark_nginx
def test_the_shipped_nginx_configuration_is_valid(tmp_path):
    main, _ = nginx_configuration(tmp_path, free_port())
    result = subprocess.run([NGINX, "-t", "-c", str(main), "-p", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr and "test is successful" in result.stderr


@contextmanager
def nginx(folder, upstream_port):
    main, https_port = nginx_configuration(folder, upstream_port)
    process = subprocess.Popen([NGINX, "-c", str(main), "-p", str(folder)], stderr=subprocess.PIPE)
    try:
        wait_for_port(https_port, process, "nginx")
        yield https_port
    finally:
        process.terminate()
        process.wait(timeout=20)


class Browser:
    """A client at its own loopback address (127.0.0.2, .3 …: every one reaches nginx), over HTTPS."""

    def __init__(self, port, address, host="news.example.com"):
        self.port, self.address, self.host, self.cookies = port, address, host, {}

    def request(self, method, path, data=None):
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        connection = http.client.HTTPSConnection(
            "127.0.0.1", self.port, context=context, source_address=(self.address, 0), timeout=30
        )
        headers = {"Host": self.host, "Referer": f"https://{self.host}{path}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body, headers)
        response = connection.getresponse()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, value = header.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        text = response.read().decode()
        connection.close()
        return response.status, text

    def login(self, password):
        self.request("GET", "/admin/login/")
        return self.request("POST", "/admin/login/", {"username": "editor", "password": password})


@pytestmark_nginx
@pytest.mark.django_db(transaction=True)
def test_behind_the_shipped_nginx(tmp_path, django_user_model):
    """gunicorn with deploy/newsroom.env's DJANGO_PROXY_COUNT=1 behind deploy/nginx.conf: each client
    is locked out on its own, each is rate-limited on its own, and each host gets its own pages."""
    if connection.vendor != "postgresql":
        pytest.skip("the server needs a database the test can also open: runs in the PostgreSQL pass")
    django_user_model.objects.create_user("editor", password="right-password-123", is_staff=True)
    ArticleFactory(title="主机测试")
    env = {
        "DATABASE_URL": f"postgres://root@127.0.0.1:5432/{connection.settings_dict['NAME']}",
        "DATABASE_CONN_MAX_AGE": "0",
        "DJANGO_PROXY_COUNT": "1",
        "DJANGO_ALLOWED_HOSTS": "news.example.com,other.example.com",
    }
    with gunicorn(env) as upstream, nginx(tmp_path, int(upstream.rsplit(":", 1)[1])) as port:
        # Five wrong passwords lock this client out (django-axes, not nginx: 429 with its message)…
        attacker = Browser(port, "127.0.0.2")
        for _ in range(4):
            assert attacker.login("wrong")[0] == 200
        status, text = attacker.login("wrong")
        assert status == 429 and "nginx" not in text
        assert attacker.login("right-password-123")[0] == 429
        # …and no one else.
        assert Browser(port, "127.0.0.3").login("right-password-123")[0] == 302

        # The login is rate-limited per client address by nginx.
        hammer = Browser(port, "127.0.0.4")
        statuses = [hammer.request("GET", "/admin/login/")[0] for _ in range(15)]
        assert statuses[:11] == [200] * 11 and statuses[-1] == 429, statuses
        assert Browser(port, "127.0.0.5").request("GET", "/admin/login/")[0] == 200

        # The micro-cache keeps each host's pages apart (they carry absolute addresses).
        assert "https://news.example.com/" in Browser(port, "127.0.0.6").request("GET", "/")[1]
        status, text = Browser(port, "127.0.0.6", host="other.example.com").request("GET", "/")
        assert status == 200 and "https://other.example.com/" in text
        assert not re.search(r"https://news\.example\.com/", text)


# deploy/check


def run_check(*arguments):
    return subprocess.run(
        [sys.executable, str(DEPLOY / "check"), *arguments], cwd=PROJECT, capture_output=True, text=True, timeout=300
    )


@pytestmark_nginx
def test_deploy_check_passes_on_the_shipped_configuration():
    """deploy/check runs nginx, gunicorn and Redis as shipped and finds everything served as documented."""
    result = run_check()
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert not [line for line in lines if line.startswith("FAIL")]
    passed = [line for line in lines if line.startswith("ok ")]
    assert len(passed) == len(check.CHECKS), lines
    for subject in ["page /articles/", "feeds (RSS, Atom, JSON Feed)", "static files", "media /media/", "/healthz"]:
        assert any(subject in line for line in passed), subject


@pytestmark_nginx
def test_deploy_check_fails_when_nginx_compresses_only_html(tmp_path):
    """The site without its gzip settings, under a distribution's ``gzip on`` (Debian's nginx.conf), as
    it was shipped before: HTML only is compressed, and the check names the feeds, CSS and SVG."""
    site = (DEPLOY / "nginx.conf").read_text()
    without = re.sub(r"\n\s*gzip\w*\s[^;]*;", "", site).replace("    listen 443", "    gzip on;\n    listen 443")
    assert "gzip_types" in site and "gzip_types" not in without
    (tmp_path / "nginx.conf").write_text(without)
    result = run_check("--nginx-conf", str(tmp_path / "nginx.conf"))
    assert result.returncode == 1, result.stdout + result.stderr
    failures = "\n".join(line for line in result.stdout.splitlines() if line.startswith("FAIL"))
    for subject in [r"/feeds/rss\.xml", r"/static/css/site\.\w+\.css", r"/static/\S+\.svg", r"qr\.svg"]:
        assert re.search(subject + ": not compressed for a client that accepts gzip", failures), (subject, failures)
    assert re.search(r"/articles/\d+/: compressed without Vary: Accept-Encoding", failures)  # HTML is, carelessly


# The environment file and the systemd units


def environment_variables(path):
    """The names a Python file reads from the environment: ``os.environ[...]``, ``os.environ.get(...)``,
    ``env_bool(...)`` and ``env=`` arguments (dj_database_url), where the name is written out."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            found.append(node.slice)
        elif isinstance(node, ast.Call):
            if ast.unparse(node.func) in {"os.environ.get", "os.getenv", "env_bool"}:
                found.append(node.args[0])
            found += [keyword.value for keyword in node.keywords if keyword.arg == "env"]
    return {node.value for node in found if isinstance(node, ast.Constant)}


READ_FROM_THE_ENVIRONMENT = environment_variables(PROJECT / "newsroom" / "settings.py") | environment_variables(
    PROJECT / "gunicorn.conf.py"
)


def test_every_variable_the_settings_read_is_in_the_environment_file_and_the_readme():
    """deploy/newsroom.env names each (set, or commented out with its default), and README.md's
    Configuration table describes each: a new variable in settings.py or gunicorn.conf.py fails here."""
    known = {"DATABASE_URL", "DJANGO_SECRET_KEY", "DJANGO_DEBUG", "DJANGO_PROXY_COUNT", "PORT"}
    assert known <= READ_FROM_THE_ENVIRONMENT  # the reading above finds what it should
    listed = set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]*)=", (DEPLOY / "newsroom.env").read_text(), re.MULTILINE))
    assert READ_FROM_THE_ENVIRONMENT - listed == set()
    assert listed - READ_FROM_THE_ENVIRONMENT == set()  # nothing the code does not read
    readme = (PROJECT / "README.md").read_text()
    configuration = readme[readme.index("## Configuration") : readme.index("## Deploying")]
    assert {name for name in READ_FROM_THE_ENVIRONMENT if f"`{name}`" not in configuration} == set()


SYSTEMD = DEPLOY / "systemd"
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


def unit(name):
    """A unit file as a {(section, key): [values]} mapping."""
    values, section = {}, None
    for line in (SYSTEMD / name).read_text().splitlines():
        if line.startswith("["):
            section = line.strip("[]")
        elif "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            values.setdefault((section, key), []).append(value)
    return values


def test_the_units_run_the_shipped_configuration_as_a_user_of_its_own():
    web, daily, socket_unit = unit("newsroom.service"), unit("newsroom-daily.service"), unit("newsroom.socket")
    for service in (web, daily):
        assert service["Service", "EnvironmentFile"] == ["/etc/newsroom/newsroom.env"]
        assert service["Service", "User"] == ["newsroom"]
        assert service["Service", "WorkingDirectory"] == ["/srv/newsroom/app"]
        assert service["Service", "NoNewPrivileges"] == ["yes"] and service["Service", "ProtectSystem"] == ["strict"]
        # The one folder it writes: MEDIA_ROOT of the environment file.
        assert service["Service", "ReadWritePaths"] == [check.shipped_environment()["MEDIA_ROOT"]]
    assert web["Service", "ExecStart"] == ["/srv/newsroom/app/.venv/bin/gunicorn newsroom.wsgi"]
    assert web["Service", "Restart"] == ["on-failure"]
    # The socket is nginx's upstream and gunicorn's own address.
    address = f"127.0.0.1:{check.shipped_environment()['PORT']}"
    assert socket_unit["Socket", "ListenStream"] == [address]
    assert f"server {address};" in (DEPLOY / "nginx.conf").read_text()
    # The scheduled work: commands that exist.
    commands = [line.split("manage.py ")[1].split()[0] for line in daily["Service", "ExecStart"]]
    assert commands == ["purge_trash", "clearsessions", "purge_subscriptions", "axes_reset_logs"]
    assert set(commands) <= set(get_commands())
    assert unit("newsroom-daily.timer")["Timer", "Persistent"] == ["true"]
    # E-mail alerts: the worker, the 5-minute catch-up and the morning digests.
    alerts = {
        "newsroom-alerts-worker.service": "alerts_worker",
        "newsroom-alerts.service": "send_alerts",
        "newsroom-digest.service": "send_alerts --digest",
    }
    for name, command in alerts.items():
        service = unit(name)
        assert service["Service", "ExecStart"] == [f"/srv/newsroom/app/.venv/bin/python manage.py {command}"]
        assert service["Service", "EnvironmentFile"] == ["/etc/newsroom/newsroom.env"]
        assert service["Service", "User"] == ["newsroom"] and service["Service", "NoNewPrivileges"] == ["yes"]
        assert ("Service", "ReadWritePaths") not in service  # they write no files
        assert command.split()[0] in get_commands()
    assert unit("newsroom-alerts-worker.service")["Service", "Restart"] == ["always"]
    assert unit("newsroom-alerts.timer")["Timer", "OnCalendar"] == ["*:0/5"]
    assert unit("newsroom-digest.timer")["Timer", "Persistent"] == ["true"]


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed (apt-get install systemd)")
def test_the_units_pass_systemd_analyze(tmp_path):
    """``systemd-analyze verify`` finds nothing to say (it needs the programs: the units are pointed at this
    checkout), and the services' exposure (``systemd-analyze security``) stays under 2.0 ("OK")."""
    for path in SYSTEMD.iterdir():
        (tmp_path / path.name).write_text(path.read_text().replace("/srv/newsroom/app", str(PROJECT)))
    units = sorted(str(path) for path in tmp_path.iterdir())
    assert len(units) == 9
    result = subprocess.run([SYSTEMD_ANALYZE, "verify", *units], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout + result.stderr == "", result.stdout + result.stderr
    services = [path.name for path in SYSTEMD.iterdir() if path.suffix == ".service"]
    assert len(services) == 5
    for service in services:
        result = subprocess.run(
            [SYSTEMD_ANALYZE, "security", "--offline=true", "--threshold=20", str(tmp_path / service)],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr
