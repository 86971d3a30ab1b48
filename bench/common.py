"""Shared pieces of the benchmarks: a PostgreSQL database of generated articles and gunicorn on loopback."""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
PG = "postgres://root@127.0.0.1:5432"
BASE_ENV = {
    **os.environ,
    "DJANGO_SECRET_KEY": "benchmark-only-secret-key",
    "DJANGO_HTTPS": "0",
    "GUNICORN_ACCESS_LOG": "",  # measured without gunicorn's access log (nginx keeps one)
}


def in_process_environment():
    """Settings for a benchmark that runs Django in its own process, with the test client."""
    import warnings

    sys.path.insert(0, str(PROJECT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("DJANGO_HTTPS", "0")  # plain HTTP from the test client, as behind the TLS proxy
    warnings.filterwarnings("ignore", "No directory at")  # WhiteNoise, when no collectstatic was run


def fill_database(count, batch=2000):
    """Migrate the PostgreSQL database of DATABASE_URL and generate articles until it has ``count``
    (in process, after django.setup())."""
    from django.core.management import call_command
    from django.db import connection

    from articles.models import Article

    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database of its own (see the docstring).")
    call_command("migrate", verbosity=0)
    missing = count - Article.objects.count()
    if missing > 0:
        print(f"generating {missing} articles…", flush=True)
        started = time.perf_counter()
        with open(os.devnull, "w") as devnull:
            call_command("generate_articles", count=missing, batch=batch, stdout=devnull)
        print(f"  done in {time.perf_counter() - started:.0f} s", flush=True)


def run(*args, env=None, **kwargs):
    return subprocess.run(args, cwd=PROJECT, env={**BASE_ENV, **(env or {})}, check=True, **kwargs)


def ensure_tool(command, package):
    if shutil.which(command) is None:
        print(f"installing {package} from Debian's packages…", flush=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", package],
            check=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )


def database(name, count, media_root):
    """A PostgreSQL database `name` holding `count` generated articles (made once, then reused)."""
    env = {"DATABASE_URL": f"{PG}/{name}", "MEDIA_ROOT": str(media_root)}
    marker = media_root / f".generated-{name}-{count}"
    if marker.exists():
        run(PYTHON, "manage.py", "migrate", "-v0", env=env)  # the code may have moved on since
        run(PYTHON, "manage.py", "render_articles", "--missing", env=env, stdout=subprocess.DEVNULL)
        return env
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "root", "--if-exists", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "root", name], check=True)
    run(PYTHON, "manage.py", "migrate", "-v0", env=env)
    started = time.monotonic()
    run(
        PYTHON, "manage.py", "generate_articles", f"--count={count}", "--batch=5000", env=env, stdout=subprocess.DEVNULL
    )
    print(f"generated {count} articles in {time.monotonic() - started:.0f} s", flush=True)
    started = time.monotonic()
    run(PYTHON, "manage.py", "rebuild_search_index", env=env, stdout=subprocess.DEVNULL)
    print(f"search index built in {time.monotonic() - started:.0f} s", flush=True)
    media_root.mkdir(parents=True, exist_ok=True)
    marker.touch()
    return env


_static = None


def static_root():
    global _static
    if _static is None:
        _static = tempfile.mkdtemp(prefix="bench-static-")
        run(PYTHON, "manage.py", "collectstatic", "--noinput", "-v0", env={"STATIC_ROOT": _static})
    return _static


@contextmanager
def gunicorn(env, port=8765, workers=None, app=("newsroom.wsgi",), ready="/healthz"):
    """gunicorn serving ``app`` (its command-line arguments) with gunicorn.conf.py, once ``ready`` answers."""
    full = {**env, "PORT": str(port), "STATIC_ROOT": static_root()}
    if workers:
        full["WEB_CONCURRENCY"] = str(workers)
    process = subprocess.Popen([str(BIN / "gunicorn"), *app], cwd=PROJECT, env={**BASE_ENV, **full})
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(url + ready, timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not start")
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=30)


def worker_rss_mb(master):
    """Resident memory of each gunicorn worker (children of the master), in MB."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    sizes = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes


def readme_section(name, text):
    """Put ``text`` into README.md between <!-- bench:name --> and <!-- /bench:name --> (figures are
    never pasted by hand)."""
    readme = PROJECT / "README.md"
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    content = readme.read_text(encoding="utf-8")
    if start not in content or end not in content:
        sys.exit(f"README.md has no {start} … {end} markers")
    before, rest = content.split(start, 1)
    _old, after = rest.split(end, 1)
    readme.write_text(f"{before}{start}\n{text}\n{end}{after}", encoding="utf-8")
