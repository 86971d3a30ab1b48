"""The press room's models: preview links to embargoed articles (``articles.previews``), media
contacts and corrections. Imported by ``articles.models``, so they belong to the articles app."""

import datetime
import secrets

import reversion
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PREVIEW_DAYS = 7


def new_preview_key():
    """256 random bits: nobody guesses a link."""
    return secrets.token_urlsafe(32)


def default_expiry():
    return timezone.now() + datetime.timedelta(days=PREVIEW_DAYS)


class PreviewLink(models.Model):
    """A private link to an article not public yet (under embargo), for one named recipient such as
    a journalist: signed, unguessable, expiring, revocable; each opening is logged (``PreviewOpen``).
    Once the article is public the link leads to its public page."""

    article = models.ForeignKey(
        "articles.Article", verbose_name=_("article"), on_delete=models.CASCADE, related_name="preview_links"
    )
    recipient = models.CharField(
        _("recipient"),
        max_length=100,
        help_text=_("Who the link is for, for example “某报社 记者 张三”. Make one link per person."),
    )
    key = models.CharField(_("key"), max_length=64, unique=True, editable=False, default=new_preview_key)
    expires_at = models.DateTimeField(
        _("expires at"),
        default=default_expiry,
        help_text=_("After this time the link opens nothing. One week from now unless you change it."),
    )
    revoked_at = models.DateTimeField(
        _("revoked at"), null=True, blank=True, editable=False, help_text=_("Set when an editor revokes the link.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("preview link")
        verbose_name_plural = _("preview links")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(recipient=""), name="preview_link_names_its_recipient"),
            models.CheckConstraint(condition=Q(expires_at__gt=F("created_at")), name="preview_link_expires_later"),
        ]

    def __str__(self):
        return f"{self.recipient}：{self.article}"

    def is_usable(self, now=None):
        """Neither revoked nor expired."""
        return self.revoked_at is None and self.expires_at > (now or timezone.now())


class PreviewOpen(models.Model):
    """One opening of a preview link (its page, not each image): when."""

    link = models.ForeignKey(
        PreviewLink, verbose_name=_("preview link"), on_delete=models.CASCADE, related_name="opens"
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("opening")
        verbose_name_plural = _("openings")
        ordering = ["-opened_at", "-pk"]

    def __str__(self):
        return f"{self.link_id} {self.opened_at:%Y-%m-%d %H:%M:%S}"


@reversion.register()
class Correction(models.Model):
    """A correction (更正) or clarification (说明) of a published article, recorded by an editor when
    changing it: readers see each under the article's text, in order, and on the public 更正 page.
    Silent edits stay in the article's history; corrections are what readers are told."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("correction")
        CLARIFICATION = "clarification", _("clarification")

    article = models.ForeignKey(
        "articles.Article", verbose_name=_("article"), on_delete=models.CASCADE, related_name="corrections"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CORRECTION)
    made_at = models.DateTimeField(
        _("time"), default=timezone.now, db_index=True, help_text=_("When the article was corrected (Beijing time).")
    )
    text = models.TextField(
        _("text"),
        help_text=_("What was wrong and what is right now, in one or two sentences, for readers. Plain text."),
    )

    class Meta:
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        ordering = ["made_at", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="correction_has_text")]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.text[:30]}"
