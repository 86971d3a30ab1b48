"""Everything that happens when content changes, as explicit functions: the one door.

The admin, the importer and management commands call these; nothing here runs from ``save()`` or
a signal. Each records a revision where an article changes, re-indexes search and bumps the
content version.
"""

import datetime

import reversion
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import renditions, search
from .versions import content_changed


class TransitionNotAllowed(ValueError):
    """The workflow does not lead from the article's status to the one asked for."""


def record_revision(article, user=None, comment=""):
    """Keep a revision of the article with its images, units and tags (django-reversion).

    Inside the admin's revision block this joins the revision the admin is making (one per
    request); elsewhere (importer, commands) it is saved at once.
    """
    with reversion.create_revision(manage_manually=True):
        reversion.add_to_revision(article)
        if user is not None and user.is_authenticated:
            reversion.set_user(user)
        if comment:
            reversion.set_comment(comment)


def images_saved(article):
    """Make renditions, once, for the article's images whose file is new since the last save."""
    for image in article.images.prefetch_related("renditions"):
        if renditions.is_stale(image):
            renditions.make_renditions(image)


def article_saved(article, user=None, comment=""):
    """Everything that follows a save of an article, from the admin, the importer or a command."""
    record_revision(article, user, comment)
    images_saved(article)
    search.index_articles([article.pk])
    content_changed()


def articles_changed(pks):
    """After a change to many articles at once (a unit renamed or deleted, a bulk edit)."""
    search.index_articles(pks)
    content_changed()


def articles_deleted(pks):
    """After articles are deleted for good (purge_trash): their search entries go (the database
    cascade has removed them already; this says so where deletes happen)."""
    search.remove_articles(pks)
    content_changed()


def all_articles_changed(batch_size=100, progress=None):
    """After a bulk load (a restore) or to repair the search index: index every article again."""
    search.rebuild(batch_size=batch_size, progress=progress)
    content_changed()


def unit_saved(unit):
    """A unit's name is searched in the articles that name it."""
    articles_changed(unit.article_links.values_list("article_id", flat=True))


def _transition(article, to, allowed_from, user, comment, fields=("status",)):
    if article.deleted_at is not None:
        raise TransitionNotAllowed(_("“%(title)s” is in the trash.") % {"title": article})
    if article.status not in allowed_from:
        raise TransitionNotAllowed(
            _("“%(title)s” is %(status)s; it cannot become %(target)s.")
            % {"title": article, "status": article.get_status_display(), "target": article.Status(to).label}
        )
    article.status = to
    article.save(update_fields=[*fields, "updated_at"])
    article_saved(article, user, comment)


def submit_for_review(article, user=None):
    """A contributor hands a draft to the editors."""
    S = article.Status
    _transition(article, S.REVIEW, {S.DRAFT, S.UNPUBLISHED}, user, _("Submitted for review."))


def return_to_draft(article, user=None):
    """An editor sends a submitted article back to its writer."""
    S = article.Status
    _transition(article, S.DRAFT, {S.REVIEW}, user, _("Returned to draft."))


def publish(article, at=None, user=None):
    """Publish now, or schedule for ``at`` (no cron job needed: visibility checks the time)."""
    S = article.Status
    article.publish_at = at or article.publish_at or timezone.now()
    scheduled = article.publish_at > timezone.now()
    comment = _("Scheduled for %(time)s.") % {"time": timezone.localtime(article.publish_at)} if scheduled else ""
    _transition(article, S.PUBLISHED, set(S), user, comment or _("Published."), fields=("status", "publish_at"))


def unpublish(article, user=None):
    S = article.Status
    _transition(article, S.UNPUBLISHED, {S.PUBLISHED}, user, _("Unpublished."))


def trash(article, user=None):
    """Delete an article the way editors can undo for TRASH_DAYS days: it leaves every public place."""
    article.deleted_at = timezone.now()
    article.save(update_fields=["deleted_at", "updated_at"])
    article_saved(article, user, _("Moved to the trash."))


def restore(article, user=None):
    article.deleted_at = None
    article.save(update_fields=["deleted_at", "updated_at"])
    article_saved(article, user, _("Restored from the trash."))


def purge_trash(now=None):
    """Delete for good the articles that have been in the trash longer than TRASH_DAYS days."""
    from .models import Article

    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.TRASH_DAYS)
    with transaction.atomic():
        expired = Article.objects.filter(deleted_at__lt=cutoff)
        pks = list(expired.values_list("pk", flat=True))
        expired.delete()
        articles_deleted(pks)
    return len(pks)


@transaction.atomic
def merge_units(kept, duplicates):
    """Move the articles of ``duplicates`` to ``kept``, then delete the duplicates.

    An article that already names the kept unit keeps its own link (the database allows a
    unit once per article); the duplicate's link is dropped.
    """
    from .models import ArticleUnit

    duplicates = [unit for unit in duplicates if unit.pk != kept.pk]
    already = set(ArticleUnit.objects.filter(unit=kept).values_list("article_id", flat=True))
    links = ArticleUnit.objects.filter(unit__in=duplicates).order_by("article_id", "order", "pk")
    renamed = {link.article_id for link in links}  # their units are searched under the kept name now
    moved = 0
    for link in links:
        if link.article_id in already:
            link.delete()
        else:
            link.unit = kept
            link.save(update_fields=["unit"])
            already.add(link.article_id)
            moved += 1
    for unit in duplicates:
        for field in ("short_name", "website", "description"):
            if not getattr(kept, field) and getattr(unit, field):
                setattr(kept, field, getattr(unit, field))
        unit.delete()
    kept.save()
    articles_changed(renamed)
    return moved
