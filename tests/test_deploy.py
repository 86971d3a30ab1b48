"""The shipped deploy/ files, run for real: nginx in front of gunicorn, and Redis within its bound."""

import http.client
import os
import re
import shutil
import socket
import ssl
import subprocess
import time
import urllib.parse
from contextlib import contextmanager

import pytest
import redis
from django.db import connection

from articles import versions

from .factories import ArticleFactory
from .servers import PROJECT, collected_static, free_port, gunicorn, redis_server

DEPLOY = PROJECT / "deploy"
NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")


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
        settings.CACHES = {"default": {"BACKEND": "articles.cache.RedisCache", "LOCATION": url}}
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


def self_signed_certificate(folder):
    cert, key = folder / "site.crt", folder / "site.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=news.example.com"]
        + ["-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


def nginx_configuration(folder, upstream_port):
    """deploy/nginx.conf as shipped, with its ports, certificate and folders moved into ``folder``,
    inside a minimal nginx.conf that runs in the foreground. Returns (config path, https port)."""
    cert, key = self_signed_certificate(folder)
    http_port, https_port = free_port(), free_port()
    (folder / "media").mkdir()
    site = (DEPLOY / "nginx.conf").read_text()
    for shipped, here in {
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "/etc/ssl/news.example.com.crt": str(cert),
        "/etc/ssl/news.example.com.key": str(key),
        "/var/cache/nginx/newsroom": str(folder / "cache"),
        "/srv/newsroom/media/": f"{folder / 'media'}/",
        "/srv/newsroom/staticfiles/": f"{collected_static()}/",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{upstream_port};",
    }.items():
        assert shipped in site, shipped
        site = site.replace(shipped, here)
    (folder / "newsroom.conf").write_text(site)
    temporary = " ".join(
        f"{kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main = folder / "nginx.conf"
    main.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"daemon off;\nworker_processes 1;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'} warn;\n"
        + "events { worker_connections 256; }\n"
        + f"http {{\n access_log off;\n {temporary}\n include {folder / 'newsroom.conf'};\n}}\n"
    )
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
