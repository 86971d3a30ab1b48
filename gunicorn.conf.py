"""gunicorn settings: `gunicorn newsroom.wsgi` reads this file from the working directory."""

import gc
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# One sync worker per core. A page here costs processor time, not waiting: with PostgreSQL and Redis
# on the same machine, more workers only share the same cores and stretch the slowest requests
# (bench/load.py, 2 cores: an article at 570-670 requests/s, p99 71 ms with 2 workers; 486/s, p99
# 162 ms with 5). With the database on another machine, raise WEB_CONCURRENCY.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
worker_class = "sync"
timeout = 30
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so that memory stays bounded.
max_requests = 5000
max_requests_jitter = 500
# Load the app before forking: workers share its memory pages.
preload_app = True
# Requests are logged to standard output; GUNICORN_ACCESS_LOG="" turns that off (nginx keeps its own log).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def pre_fork(server, worker):
    # What the preloaded application made stays put: the collector of each worker skips it (and so
    # does not touch, and copy, the memory pages the workers share).
    gc.freeze()
