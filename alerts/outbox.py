"""What the workflow (``articles.workflow``, the one door) calls when an article is published: the
article's alerts wait in a ``PendingAlert`` row written in the publish's own transaction, and a job
for its publish time goes to the queue once that transaction has committed (``on_commit``). A
scheduled article's job waits in the queue's scheduler until its time; if the job is lost, or the
editor moves the time, ``manage.py send_alerts`` (every few minutes) dispatches what has come due.

Only a publish makes alerts: an import or an edit of an article does not (an edit that moves a
waiting article's time moves its alerts with it). An article's alerts are dispatched once.
"""

import logging

from django.db import transaction

from .models import PendingAlert

logger = logging.getLogger(__name__)


def _enqueue_dispatch(article_pk, at):
    from . import tasks
    from .queue import enqueue

    try:
        enqueue(tasks.dispatch_article, article_pk, at=at)
    except Exception:  # Redis down: the article's row waits for the periodic send_alerts
        logger.exception("alerts of article %s not enqueued; send_alerts will dispatch them", article_pk)


def article_published(article):
    """Call in the publish's transaction: the article's alerts go out at its publish time."""
    pending, created = PendingAlert.objects.get_or_create(article=article, defaults={"due_at": article.publish_at})
    if pending.dispatched_at is None:
        if not created and pending.due_at != article.publish_at:
            PendingAlert.objects.filter(pk=pending.pk).update(due_at=article.publish_at)
        transaction.on_commit(lambda: _enqueue_dispatch(article.pk, article.publish_at))


def article_saved(article):
    """Call in any save's transaction: a waiting article's alerts follow a change of its time."""
    moved = PendingAlert.objects.filter(article=article, dispatched_at__isnull=True).exclude(due_at=article.publish_at)
    if article.publish_at is not None and moved.update(due_at=article.publish_at):
        transaction.on_commit(lambda: _enqueue_dispatch(article.pk, article.publish_at))
