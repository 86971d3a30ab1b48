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
# Recycle workers now and then, against a leak in some library: what the project keeps in a worker's
# memory is bounded on its own (LOCAL_CACHE_MB). Not often: a new worker starts with no copies and
# compiles its templates again, and at 5,000 requests a busy site restarted each worker every few
# seconds (bench/mixed.py at 100,000 articles: p99 between publishes 37-160 ms with 5,000, 30-39 ms
# with no restart during the run; worker RSS 126-127 MB after it, under the 150 MB aimed at).
max_requests = 50_000
max_requests_jitter = 5_000
# Load the app before forking: workers share its memory pages.
preload_app = True
# Requests are logged to standard output; GUNICORN_ACCESS_LOG="" turns that off (nginx keeps its own log).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# No limit of gunicorn's own on the request line and header fields: nginx bounds them (8 KB, its
# large_client_header_buffers) and answers longer ones with its Chinese page (deploy/nginx.conf).
# gunicorn's limits (4,094 and 8,190 bytes) answered an address with tracking parameters, or one that
# nginx passed over HTTP/2 (rebuilt as an HTTP/1.1 line a few bytes longer), with its English "Request
# Line is too large". gunicorn listens on loopback only (bind), behind nginx.
limit_request_line = 0
limit_request_field_size = 0


def pre_fork(server, worker):
    # What the preloaded application made stays put: the collector of each worker skips it (and so
    # does not touch, and copy, the memory pages the workers share).
    gc.freeze()
