"""Where alert jobs run: an RQ queue on the site's Redis (``REDIS_URL``), worked through by
``manage.py alerts_worker``, whose scheduler also runs the jobs enqueued for a later time (the
alerts of a scheduled article) and the retries of a failed mail. Without Redis (the embedded
default, development) a job runs at once in the process that enqueues it; one for later is left to
``manage.py send_alerts``, which dispatches what has come due.
"""

import functools
import logging

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

logger = logging.getLogger(__name__)


def queue():
    return _queue(settings.ALERTS_REDIS_URL, settings.ALERTS_QUEUE)


@functools.cache
def _queue(url, name):
    """One queue, and one connection pool, per process."""
    from redis import Redis
    from rq import Queue

    return Queue(name, connection=Redis.from_url(url))


def enqueue(func, *args, at=None, retry=False):
    """Run ``func(*args)`` on the queue, at ``at`` if given; with ``retry``, a failure is tried again
    after each of ``ALERTS_RETRY_INTERVALS`` seconds."""
    if not settings.ALERTS_REDIS_URL:
        if at is None or at <= timezone.now():
            try:
                func(*args)
            except Exception:  # in process there is nobody to retry: logged, and the periodic run goes on
                logger.exception("alert job %s%r failed", func.__name__, args)
        return
    from rq import Retry

    options = {"retry": Retry(max=len(settings.ALERTS_RETRY_INTERVALS), interval=settings.ALERTS_RETRY_INTERVALS)}
    if at is not None and at > timezone.now():
        queue().enqueue_at(at, func, *args, **(options if retry else {}))
    else:
        queue().enqueue(func, *args, **(options if retry else {}))


def worker():
    """The worker of the alerts queue: jobs run in its own process, one at a time (RQ's SimpleWorker:
    no fork, so a job shares nothing with a parent's database connection), each with a database
    connection that is checked, or reopened, first."""
    from rq import SimpleWorker

    class Worker(SimpleWorker):
        def execute_job(self, job, queue):
            close_old_connections()
            try:
                return super().execute_job(job, queue)
            finally:
                close_old_connections()

    alerts = queue()
    return Worker([alerts], connection=alerts.connection)
