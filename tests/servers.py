"""Real gunicorn servers on loopback for tests that need a whole running site."""

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url, headers=None):
    """(status, headers, body) of a GET, whatever the status."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


_static_root = None


def collected_static():
    """collectstatic once per test session into a temporary folder (production storage needs it)."""
    global _static_root
    if _static_root is None:
        _static_root = tempfile.mkdtemp(prefix="newsroom-static-")
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=PROJECT,
            env={**os.environ, "STATIC_ROOT": _static_root, "DJANGO_SECRET_KEY": "collectstatic"},
            check=True,
        )
    return _static_root


@contextmanager
def gunicorn(env, workers=1):
    """Start `gunicorn newsroom.wsgi` with the given environment; yields its base URL."""
    port = free_port()
    full_env = {
        **os.environ,
        "DJANGO_SECRET_KEY": "test-only-secret-key-not-for-production",
        "DJANGO_HTTPS": "0",
        "GUNICORN_ACCESS_LOG": "/dev/null",
        "WEB_CONCURRENCY": str(workers),
        "PORT": str(port),
        "STATIC_ROOT": collected_static(),
        **env,
    }
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "newsroom.wsgi"],
        cwd=PROJECT,
        env=full_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start: {process.stderr.read().decode()[-2000:]}") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


@contextmanager
def redis_server(folder, config=None, **options):
    """A redis-server of its own on a free port (with ``config``, a redis.conf, if given; ``options``
    override its lines, e.g. maxmemory="3mb"); yields its URL."""
    port = free_port()
    arguments = [str(config)] if config else []
    arguments += ["--port", str(port), "--dir", str(folder), "--save", "", "--appendonly", "no"]
    for name, value in options.items():
        arguments += [f"--{name.replace('_', '-')}", value]
    process = subprocess.Popen(["redis-server", *arguments], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=20)


class Mailbox:
    """What a real SMTP server (aiosmtpd, on loopback) received, parsed; ``refuse`` makes it answer
    the next that many messages with a temporary failure (451), as a busy server does."""

    def __init__(self):
        self.messages = []
        self.refuse = 0
        self.refused = 0
        self.delay = 0  # seconds before each answer to DATA: a slow server

    async def handle_DATA(self, server, session, envelope):
        import asyncio
        import email
        from email import policy

        await asyncio.sleep(self.delay)
        if self.refuse:
            self.refuse -= 1
            self.refused += 1
            return "451 4.3.0 Mailbox busy, try again later"
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@contextmanager
def smtp_server():
    """An SMTP server on 127.0.0.1 that keeps what it receives; yields (port, mailbox)."""
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port, mailbox
    finally:
        controller.stop()


class RequestsInFlight:
    """A WSGI application that counts the requests it is answering, to wait until none is.

    Wraps the live server's application: a browser test can end while the server still answers its
    last click, and the database is emptied at the test's end.
    """

    def __init__(self, app):
        self.app = app
        self.answering = 0
        self.idle = threading.Condition()

    def __call__(self, environ, start_response):
        with self.idle:
            self.answering += 1
        try:
            response = self.app(environ, start_response)
        except BaseException:
            self.done()
            raise
        return Answer(response, self.done)

    def done(self):
        with self.idle:
            self.answering -= 1
            self.idle.notify_all()

    def wait(self, timeout=30):
        with self.idle:
            if not self.idle.wait_for(lambda: self.answering == 0, timeout):
                raise TimeoutError(f"the live server still answers {self.answering} request(s)")


class Answer:
    """A WSGI response that calls ``then`` once the server has closed it (sent all of it or given up)."""

    def __init__(self, response, then):
        self.response, self.then = response, then

    def __iter__(self):
        return iter(self.response)

    def close(self):
        try:
            if hasattr(self.response, "close"):
                self.response.close()
        finally:
            self.then()
