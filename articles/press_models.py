"""The press room's models: preview links to embargoed articles (``articles.previews``), media
contacts and corrections. Imported by ``articles.models``, so they belong to the articles app."""

import datetime
import secrets

import reversion
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
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

    def clean(self):
        # The database refuses a link that expires before it was made; the form's time says so first
        # (its made time is not on the form, so Django does not check that constraint there).
        made = self.created_at or timezone.now()
        if self.expires_at and self.expires_at <= made:
            raise ValidationError({"expires_at": _("A link expires after it is made: choose a later time.")})

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


phone_number = RegexValidator(
    r"^\+?[0-9][0-9 ()-]{4,28}[0-9]$", _("Digits, spaces, brackets and dashes only, for example 0571-86915636.")
)


class MediaContact(models.Model):
    """A media contact (新闻联系人): whom journalists call about an article or a unit. Shown on the
    articles that name them and on their unit's page, with structured data (schema.org ContactPoint)."""

    name = models.CharField(_("name"), max_length=50)
    role = models.CharField(_("role"), max_length=100, blank=True, help_text=_("For example 宣传部 部长."))
    unit = models.ForeignKey(
        "articles.Unit",
        verbose_name=_("unit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="media_contacts",
        help_text=_("The unit they speak for; its page lists them."),
    )
    phone = models.CharField(
        _("phone"),
        max_length=30,
        blank=True,
        validators=[phone_number],
        help_text=_("Shown as a link that phones dial; with the area code, e.g. 0571-86915636."),
    )
    email = models.EmailField(
        _("email"), blank=True, help_text=_("Shown so that people can read it but simple address harvesters cannot.")
    )

    class Meta:
        verbose_name = _("media contact")
        verbose_name_plural = _("media contacts")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="media_contact_has_a_name"),
            models.CheckConstraint(
                condition=~Q(phone="") | ~Q(email=""),
                name="media_contact_has_phone_or_email",
                violation_error_message=_("Give a phone number or an e-mail address, or both."),
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.unit}）" if self.unit_id else self.name

    def tel(self):
        """The phone number as a ``tel:`` URI (digits and a leading +)."""
        return "tel:" + "".join(c for c in self.phone if c.isdigit() or c == "+")


@reversion.register()
class ArticleContact(models.Model):
    """Names a media contact on an article, in the article's order."""

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="contact_links")
    contact = models.ForeignKey(
        MediaContact, verbose_name=_("media contact"), on_delete=models.CASCADE, related_name="article_links"
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("media contact")
        verbose_name_plural = _("media contacts")
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["article", "contact"], name="contact_once_per_article")]

    def __str__(self):
        return str(self.contact)
