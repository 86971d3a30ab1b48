"""The jobs of email alerts, run by the queue's worker (``alerts.queue``), never in a web request
when there is Redis. Each may run twice (a retry, a sweep after a lost job, two workers): a mail goes
out only after its ``Delivery`` row was claimed in the transaction that sends it, so an article
reaches a subscription once. An SMTP failure rolls the claim back and raises; the queue tries again
after ``ALERTS_RETRY_INTERVALS``.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from articles.models import Article

from . import mail
from .models import Delivery, PendingAlert, Subscription
from .queue import enqueue

logger = logging.getLogger(__name__)


def send_confirmation(subscription_pk):
    """Asks the address to confirm the subscription (double opt-in)."""
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().filter(pk=subscription_pk).first()
        if subscription is None or subscription.confirmed_at is not None:
            return False
        mail.confirmation(subscription).send()
        subscription.confirmation_sent_at = timezone.now()
        subscription.save(update_fields=["confirmation_sent_at"])
    return True


def _claim_and_send(subscription, articles, message):
    """Marks the deliveries of ``articles`` to ``subscription`` sent and sends ``message(claimed)`` in
    one transaction: only the articles whose rows this call claimed (UPDATE … WHERE sent_at IS NULL,
    which locks them) are in the mail; a failure to send rolls the claim back."""
    Delivery.objects.bulk_create(
        [Delivery(subscription=subscription, article=article) for article in articles], ignore_conflicts=True
    )
    stamp = timezone.now()
    with transaction.atomic():
        rows = Delivery.objects.filter(subscription=subscription, article__in=[article.pk for article in articles])
        rows.filter(sent_at__isnull=True).update(sent_at=stamp)
        claimed = set(rows.filter(sent_at=stamp).values_list("article_id", flat=True))
        chosen = [article for article in articles if article.pk in claimed]
        if chosen:
            message(chosen).send()
    return len(chosen)


def send_alert(subscription_pk, article_pk):
    """An instant alert of one article to one subscription, once."""
    subscription = Subscription.objects.confirmed().filter(pk=subscription_pk).first()
    article = Article.objects.published().select_related("column").filter(pk=article_pk).first()
    if subscription is None or article is None:  # unsubscribed, or withdrawn in the meantime
        return 0
    return _claim_and_send(subscription, [article], lambda chosen: mail.alert(subscription, chosen[0]))


def articles_for(subscription, since):
    """The published articles of the subscription's scope since ``since``, oldest first."""
    articles = Article.objects.published().filter(publish_at__gt=since)
    if subscription.section_id:
        articles = articles.filter(section=subscription.section_id)
    elif subscription.column_id:
        articles = articles.filter(column=subscription.column_id)
    elif subscription.unit_id:
        articles = articles.filter(unit_links__unit=subscription.unit_id)
    return articles.select_related("column").order_by("publish_at", "pk")


def send_digest(subscription_pk):
    """The daily digest of one subscription: what its scope published that it has not received."""
    subscription = Subscription.objects.confirmed().filter(pk=subscription_pk).first()
    if subscription is None:
        return 0
    since = max(subscription.confirmed_at, timezone.now() - datetime.timedelta(days=settings.ALERTS_DIGEST_DAYS))
    sent = Delivery.objects.filter(subscription=subscription, sent_at__isnull=False).values("article")
    articles = list(articles_for(subscription, since).exclude(pk__in=sent))
    if not articles:
        return 0
    return _claim_and_send(subscription, articles, lambda chosen: mail.digest(subscription, chosen))


def send_digests():
    """Enqueues the daily digest of every confirmed daily subscription (``send_alerts --digest``)."""
    daily = Subscription.objects.confirmed().filter(frequency=Subscription.Frequency.DAILY)
    pks = list(daily.values_list("pk", flat=True))
    for pk in pks:
        enqueue(send_digest, pk, retry=True)
    return len(pks)


def dispatch_article(article_pk):
    """When a published article's time has come: one ``send_alert`` job per address whose instant
    subscriptions show it (an address subscribed to the site and to the article's section gets one
    mail). Does nothing before its time, after it was withdrawn, or when it was dispatched already."""
    now = timezone.now()
    with transaction.atomic():
        article = Article.objects.published().filter(pk=article_pk).first()
        due = PendingAlert.objects.filter(article=article_pk, dispatched_at__isnull=True, due_at__lte=now)
        if article is None or not due.update(dispatched_at=now):
            return 0
        unit_ids = list(article.unit_links.values_list("unit_id", flat=True))
        subscriptions = (
            Subscription.objects.confirmed()
            .filter(frequency=Subscription.Frequency.INSTANT)
            .matching(article, unit_ids)
            .order_by("email", "pk")
            .values_list("email", "pk")
        )
        chosen = {}
        for email, pk in subscriptions:
            chosen.setdefault(email, pk)
        for pk in chosen.values():
            enqueue(send_alert, pk, article_pk, retry=True)
    return len(chosen)


def dispatch_due():
    """Dispatches every published article whose alerts are due and were not dispatched: a scheduled
    article whose job was lost (Redis restarted, or no Redis: nothing waits for the time), or one
    whose time an editor changed. ``manage.py send_alerts`` runs it every few minutes."""
    due = PendingAlert.objects.filter(
        dispatched_at__isnull=True, due_at__lte=timezone.now(), article__in=Article.objects.published()
    )
    return sum(dispatch_article(pk) for pk in list(due.values_list("article_id", flat=True)))


def purge_subscriptions(now=None):
    """Deletes subscriptions left unconfirmed for ``ALERTS_UNCONFIRMED_DAYS`` days (nightly)."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.ALERTS_UNCONFIRMED_DAYS)
    deleted, _ = Subscription.objects.filter(confirmed_at__isnull=True, created_at__lt=cutoff).delete()
    return deleted
