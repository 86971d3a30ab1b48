"""Email alerts: who asked for which articles by e-mail, what was sent to them, and which published
articles still wait for their alerts. See README, "Press room" › "Email alerts".

Addresses are kept only as long as needed: an unconfirmed subscription is deleted after
``ALERTS_UNCONFIRMED_DAYS`` (``purge_subscriptions``, nightly), an unsubscribe deletes the row and its
deliveries at once.
"""

import secrets

from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from articles.models import Article, Column, Section, Unit


def new_key():
    return secrets.token_urlsafe(24)


class SubscriptionQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)

    def matching(self, article, unit_ids):
        """Subscriptions whose scope shows ``article``: the whole site, its section, its column, one of its units."""
        scope = Q(section__isnull=True, column__isnull=True, unit__isnull=True) | Q(section=article.section_id)
        if article.column_id:
            scope |= Q(column=article.column_id)
        if unit_ids:
            scope |= Q(unit__in=unit_ids)
        return self.filter(scope)


class Subscription(models.Model):
    """One address's request for the articles of one scope, instantly or as a daily digest."""

    class Frequency(models.TextChoices):
        INSTANT = "instant", _("as soon as published")
        DAILY = "daily", _("daily digest")

    email = models.EmailField(_("email address"), max_length=254)
    section = models.ForeignKey(
        Section, verbose_name=_("section"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    column = models.ForeignKey(
        Column, verbose_name=_("column"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("participating unit"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.INSTANT)
    key = models.CharField(max_length=40, unique=True, default=new_key, editable=False)
    created_at = models.DateTimeField(_("subscribed"), auto_now_add=True)
    confirmation_sent_at = models.DateTimeField(_("confirmation sent"), null=True, blank=True, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True, editable=False)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("email subscription")
        verbose_name_plural = _("email subscriptions")
        ordering = ["email", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(section__isnull=True, column__isnull=True)
                | Q(section__isnull=True, unit__isnull=True)
                | Q(column__isnull=True, unit__isnull=True),
                name="subscription_one_scope",
            ),
            models.UniqueConstraint(
                "email", Coalesce("section", 0), Coalesce("column", 0), Coalesce("unit", 0), name="subscription_once"
            ),
        ]

    def __str__(self):
        return f"{self.email} · {self.scope_name()}"

    @property
    def scope(self):
        """The section, column or unit subscribed to; None for the whole site."""
        return self.section or self.column or self.unit

    def scope_name(self):
        scope = self.scope
        return str(_("all articles")) if scope is None else f"{scope._meta.verbose_name}：{scope}"


class Delivery(models.Model):
    """An article sent to a subscription: at most once, which the database holds to."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("sent alert")
        verbose_name_plural = _("sent alerts")
        ordering = ["subscription", "article"]
        constraints = [models.UniqueConstraint(fields=["subscription", "article"], name="alert_once_per_article")]

    def __str__(self):
        return f"{self.subscription_id}:{self.article_id}"


class PendingAlert(models.Model):
    """A published article whose instant alerts go out at ``due_at`` (its publish time), written by
    the workflow in the publish's own transaction; ``dispatched_at`` is set when they were handed
    to the queue. The periodic ``send_alerts`` dispatches any whose time came and whose job was lost."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, primary_key=True, related_name="+")
    due_at = models.DateTimeField()
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("pending alert")
        verbose_name_plural = _("pending alerts")
        indexes = [models.Index(fields=["dispatched_at", "due_at"])]

    def __str__(self):
        return f"{self.article_id} @ {self.due_at}"
