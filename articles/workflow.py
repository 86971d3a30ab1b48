"""Everything that happens when content changes, as explicit functions: the one door.

The admin, the importer and management commands call these; nothing here runs from ``save()`` or
a signal. Each records a revision where an article changes, re-indexes search and moves the
versions of what the change touches: where the articles were shown before it and where they are
shown after it (``articles.scopes``), so only the pages that show them become cold.

E-mail alerts (``alerts.outbox``): a publish writes the article's pending alerts in its transaction
and enqueues their job after the commit, for the publish time.

What runs when: the versions move after the commit (``versions.changed`` uses
``transaction.on_commit``), so no reader can keep the old page under the new versions. Where each
article is shown (``ArticleScopes``) and the search index is not a cache but rows of the same database: it is written in
the caller's transaction, so it commits or rolls back with the article and readers see both change
at once. Written after the commit it could be lost (a process that dies in between leaves the article
changed and its entry old, with nothing to redo it) or overwritten by an older state (two saves whose
hooks run in the other order).
"""

import datetime

import reversion
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from taggit.models import TaggedItem

from alerts import outbox as alerts

from . import history, rendering, renditions, review, roles, scopes, search, versions
from .pressroom import kit

# What a revision of an article holds besides the article (``reversion.register(follow=...)``),
# with what naming each part reads (its ``__str__``).
FOLLOWED = [
    "images",
    "unit_links__unit",
    "tagged_items__tag",
    "tagged_items__content_object",
    "corrections",
    "contact_links__contact",
]


class TransitionNotAllowed(ValueError):
    """The workflow does not lead from the article's status to the one asked for."""


def record_revision(article, user=None, comment=""):
    """Keep a revision of the article with its images, units and tags (django-reversion)."""
    record_revisions([article], user, comment)


def record_revisions(articles, user=None, comment=""):
    """Keep one revision of these articles, each with its images, units and tags.

    Inside the admin's revision block this joins the revision the admin is making (one per
    request); elsewhere (importer, commands) it is saved at once. Restoring it later restores one
    article at a time (``history.revert``).
    """
    with reversion.create_revision(manage_manually=True):
        for article in articles:
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
    """Everything that follows a save of an article, from the admin, the importer or a command.

    Refuses (PermissionDenied, which rolls the admin's save back) a user who may not change it. A save
    that changed nothing (the article, its images, units and tags are as its latest revision keeps
    them) keeps no revision and changes nothing readers see. Returns whether anything changed.
    """
    roles.check_change(user, article)
    if not comment and history.matches_latest(article):
        return False
    _saved(article, user, comment)
    alerts.article_saved(article)  # a scheduled article's e-mail alerts follow its time
    return True


def _saved(article, user, comment):
    if user is not None and user.is_authenticated and article.last_edited_by_id != user.pk:
        article.last_edited_by = user
        type(article).objects.filter(pk=article.pk).update(last_edited_by=user)
    record_revision(article, user, comment)
    images_saved(article)
    rendering.store(article)
    search.index_articles([article.pk])
    versions.changed(scopes.articles_changed([article.pk]))


def articles_changed(pks, user=None, comment="", touched=()):
    """After a change to many articles at once (a tag or unit renamed, merged or deleted).

    With a ``comment``, the articles keep a revision (one for them all) that says what happened.
    ``touched`` names scopes the change touches besides the articles' own (the unit or tag itself).
    """
    pks = list(pks)
    if comment:
        from .models import Article

        articles = Article.objects.filter(pk__in=pks).order_by("pk").prefetch_related(*FOLLOWED)
        record_revisions(articles.iterator(chunk_size=500), user, comment)
    search.index_articles(pks)
    versions.changed(scopes.articles_changed(pks) | set(touched))


def all_articles_changed(batch_size=100, progress=None):
    """After a bulk load (a restore) or to repair the search index: index every article again,
    remember where each is shown again, and make every page cold."""
    search.rebuild(batch_size=batch_size, progress=progress)
    scopes.rebuild()
    versions.site_changed()


def unit_saved(unit, user=None, renamed=False):
    """A unit's name is searched in, and shown on, the articles that name it."""
    pks = list(unit.article_links.values_list("article_id", flat=True))
    if pks:
        roles.check_shared(user, "articles.change_unit")
    comment = _("Unit renamed to “%(unit)s”.") % {"unit": unit} if renamed else ""
    articles_changed(pks, user, comment, touched={versions.unit(unit.pk)})


@transaction.atomic
def delete_units(units, user=None):
    """Delete units; the articles that named them lose them (and keep a revision saying so)."""
    from .models import ArticleUnit

    units = list(units)
    pks = list(ArticleUnit.objects.filter(unit__in=units).values_list("article_id", flat=True))
    if pks:
        roles.check_shared(user, "articles.delete_unit")
    names = "、".join(str(unit) for unit in units)
    touched = {versions.unit(unit.pk) for unit in units}
    for unit in units:
        unit.delete()
    articles_changed(pks, user, _("Units deleted: %(names)s.") % {"names": names}, touched)


def contact_saved(contact, user=None, old_unit=None):
    """A media contact is shown on the articles that name them and on their unit's page (and was on
    the page of the unit they had before)."""
    pks = list(contact.article_links.values_list("article_id", flat=True))
    if pks:
        roles.check_shared(user, "articles.change_mediacontact")
    touched = {versions.unit(pk) for pk in (old_unit, contact.unit_id) if pk is not None}
    comment = _("Media contact “%(name)s” changed.") % {"name": contact.name} if pks else ""
    articles_changed(pks, user, comment, touched)


@transaction.atomic
def delete_contacts(contacts, user=None):
    """Delete media contacts; the articles that named them lose them (and keep a revision saying so)."""
    from .models import ArticleContact

    contacts = list(contacts)
    pks = list(ArticleContact.objects.filter(contact__in=contacts).values_list("article_id", flat=True))
    if pks:
        roles.check_shared(user, "articles.delete_mediacontact")
    names = "、".join(contact.name for contact in contacts)
    touched = {versions.unit(contact.unit_id) for contact in contacts if contact.unit_id}
    for contact in contacts:
        contact.delete()
    articles_changed(pks, user, _("Media contacts deleted: %(names)s.") % {"names": names}, touched)


def _transition(article, to, allowed_from, user, comment, check=roles.check_publish, **changes):
    check(user, article)
    if article.deleted_at is not None:
        raise TransitionNotAllowed(_("“%(title)s” is in the trash.") % {"title": article})
    if article.status not in allowed_from:
        raise TransitionNotAllowed(
            _("“%(title)s” is %(status)s; it cannot become %(target)s.")
            % {"title": article, "status": article.get_status_display(), "target": article.Status(to).label}
        )
    article.status = to
    for field, value in changes.items():
        setattr(article, field, value)
    article.save(update_fields=["status", *changes, "updated_at"])
    _saved(article, user, comment)
    return comment


def _new_round(article, submitted_by=None):
    """Forget who took part in the article's last round of review (its history keeps them)."""
    from .models import ReviewStep

    ReviewStep.objects.filter(article=article).delete()
    if submitted_by is not None and submitted_by.is_authenticated:
        ReviewStep.objects.create(article=article, step=ReviewStep.SUBMITTED, user=submitted_by)


def _reviewer_check(levels):
    def check(user, article):
        if review.pending_step(article, levels) is not None:  # else the status check says why not
            roles.check_review(user, article, levels)

    return check


def submit_for_review(article, user=None):
    """The writer hands a draft to the reviewers (after that only those whose turn it is change it)."""
    S = article.Status
    levels = review.levels()
    comment = (
        _("Submitted for review; waiting for the %(step)s.") % {"step": review.step_name(review.steps(levels)[0])}
        if levels > 1
        else _("Submitted for review.")
    )
    with transaction.atomic():
        done = _transition(
            article,
            S.REVIEW,
            {S.DRAFT, S.UNPUBLISHED},
            user,
            comment,
            check=roles.check_change,
            review_stage=0,
            return_reason="",
        )
        _new_round(article, user)
    return done


def pass_review(article, user=None):
    """A reviewer passes the first or second review (初审, 复审); the article waits for the next one.

    The final review is ``publish``. Each review of a round by a different person (``roles``).
    """
    from .models import ReviewStep

    S = article.Status
    levels = review.levels()
    step = review.pending_step(article, levels)
    if step == review.FINAL:
        raise TransitionNotAllowed(
            _("“%(title)s” waits for the final review: an editor publishes it.") % {"title": article}
        )
    passed = review.step_name(step) if step else ""
    following = review.steps(levels)[article.review_stage + 1] if step else review.FINAL
    comment = _("%(step)s passed; waiting for the %(next)s.") % {"step": passed, "next": review.step_name(following)}
    with transaction.atomic():
        done = _transition(
            article,
            S.REVIEW,
            {S.REVIEW},
            user,
            comment,
            check=_reviewer_check(levels),
            review_stage=article.review_stage + 1,
        )
        if user is not None and user.is_authenticated:
            ReviewStep.objects.create(article=article, step=step, user=user)
    return done


def return_to_draft(article, user=None, reason=""):
    """Whoever may do the review a submitted article waits for returns it to its writer for changes,
    saying why: the writer sees the reason on the form and in the list until they submit it again."""
    S = article.Status
    levels = review.levels()
    reason = reason.strip()
    comment = _("Returned for changes: %(reason)s") % {"reason": reason} if reason else _("Returned for changes.")
    with transaction.atomic():
        done = _transition(
            article,
            S.DRAFT,
            {S.REVIEW},
            user,
            comment,
            check=_reviewer_check(levels),
            review_stage=0,
            return_reason=reason,
        )
        _new_round(article)
    return done


def publish(article, at=None, user=None):
    """Publish now, or schedule for ``at`` (no cron job needed: visibility checks the time). An
    article with an embargo (禁发时间) still to come appears when it ends, by the same rule.

    With one review level an editor publishes any article. With more, publishing is the final review
    (终审) of a submitted article that passed the others, by someone who took no part in them; an
    article published already can be published again (to change its time).
    """
    S = article.Status
    levels = review.levels()
    publish_at = at or article.publish_at or timezone.now()
    when = date_format(timezone.localtime(publish_at), "Y-m-d H:i")
    scheduled = publish_at > timezone.now()
    comment = _("Scheduled for %(time)s.") % {"time": when} if scheduled else _("Published.")
    allowed, check = set(S), roles.check_publish
    if levels > 1 and article.status != S.PUBLISHED:
        allowed = {S.REVIEW}
        check = _reviewer_check(levels)
        if article.status == S.REVIEW and review.pending_step(article, levels) != review.FINAL:
            raise TransitionNotAllowed(
                _("“%(title)s” waits for the %(step)s; it is published after the final review.")
                % {"title": article, "step": review.step_name(review.pending_step(article, levels))}
            )
        if article.status != S.REVIEW:
            roles.check_publish(user, article)
            raise TransitionNotAllowed(
                _("“%(title)s” must be submitted and pass %(steps)s before it is published.")
                % {"title": article, "steps": "、".join(review.step_name(step) for step in review.steps(levels)[:-1])}
            )
        comment = (
            _("Final review passed; scheduled for %(time)s.") % {"time": when}
            if scheduled
            else _("Final review passed; published.")
        )
    if article.is_embargoed:
        until = date_format(timezone.localtime(article.embargo_until), "Y-m-d H:i")
        embargo = _("Embargoed until %(time)s: it appears then.") % {"time": until}
        comment = f"{comment} {embargo}"
    with transaction.atomic():
        done = _transition(
            article, S.PUBLISHED, allowed, user, comment, check=check, publish_at=publish_at, review_stage=0
        )
        _new_round(article)
        alerts.article_published(article)  # e-mail alerts at its publish time, enqueued after the commit
    return done


def unpublish(article, user=None):
    """Withdraw a published (or scheduled) article: it leaves every public place at once."""
    S = article.Status
    return _transition(article, S.UNPUBLISHED, {S.PUBLISHED}, user, _("Withdrawn."))


def trash(article, user=None):
    """Delete an article the way editors can undo for TRASH_DAYS days: it leaves every public place."""
    roles.check_delete(user, article)
    article.deleted_at = timezone.now()
    article.save(update_fields=["deleted_at", "updated_at"])
    _saved(article, user, _("Moved to the trash."))


def restore(article, user=None):
    roles.check_delete(user, article)
    article.deleted_at = None
    article.save(update_fields=["deleted_at", "updated_at"])
    _saved(article, user, _("Restored from the trash."))


def purge_trash(now=None):
    """Delete for good the articles that have been in the trash longer than TRASH_DAYS days."""
    from .models import Article

    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.TRASH_DAYS)
    with transaction.atomic():
        expired = Article.objects.filter(deleted_at__lt=cutoff)
        pks = list(expired.values_list("pk", flat=True))
        touched = scopes.articles_changed(pks)  # nothing: what is in the trash is shown nowhere
        expired.delete()  # their search entries go with them (the database cascade)
        versions.changed(touched)
        transaction.on_commit(lambda: kit.forget(pks))  # their kept press kits
    return len(pks)


@transaction.atomic
def merge_units(kept, duplicates, user=None):
    """Move the articles of ``duplicates`` to ``kept``, then delete the duplicates.

    An article that already names the kept unit keeps its own link (the database allows a
    unit once per article); the duplicate's link is dropped. The duplicates' addresses (pages and
    feeds) redirect to the kept unit's.
    """
    from .models import ArticleUnit, UnitRedirect

    roles.check_shared(user, "articles.merge_unit")
    duplicates = [unit for unit in duplicates if unit.pk != kept.pk]
    already = set(ArticleUnit.objects.filter(unit=kept).values_list("article_id", flat=True))
    links = ArticleUnit.objects.filter(unit__in=duplicates).order_by("article_id", "order", "pk")
    renamed = {link.article_id for link in links}  # their units are searched under the kept name now
    touched = {versions.unit(unit.pk) for unit in [kept, *duplicates]}
    moved = 0
    for link in links:
        if link.article_id in already:
            link.delete()
        else:
            link.unit = kept
            link.save(update_fields=["unit"])
            already.add(link.article_id)
            moved += 1
    # The duplicates' addresses lead to the kept unit (301), and so do those merged into them before.
    UnitRedirect.objects.filter(unit__in=duplicates).update(unit=kept)
    UnitRedirect.objects.bulk_create([UnitRedirect(old_id=unit.pk, unit=kept) for unit in duplicates])
    UnitRedirect.objects.filter(old_id=kept.pk).delete()
    for unit in duplicates:
        for field in ("short_name", "website", "description"):
            if not getattr(kept, field) and getattr(unit, field):
                setattr(kept, field, getattr(unit, field))
        unit.delete()
    kept.save()
    articles_changed(renamed, user, _("Units merged into “%(unit)s”.") % {"unit": kept}, touched)
    return moved


# Tags (taggit's): what the project's tag admin calls. An article's tags are part of its revisions.


def _tagged_articles(tags):
    from .models import Article

    return list(
        TaggedItem.objects.filter(tag__in=tags, content_type=ContentType.objects.get_for_model(Article))
        .values_list("object_id", flat=True)
        .distinct()
    )


def tag_saved(tag, user=None, renamed=False):
    """A tag's name is shown on, searched in and links from the articles that carry it."""
    pks = _tagged_articles([tag])
    if pks:
        roles.check_shared(user, "taggit.change_tag")
    comment = _("Tag renamed to “%(tag)s”.") % {"tag": tag} if renamed else ""
    articles_changed(pks, user, comment, touched={versions.tag(tag.pk)})


@transaction.atomic
def delete_tags(tags, user=None):
    """Delete tags; the articles that carried them lose them (and keep a revision saying so)."""
    tags = list(tags)
    pks = _tagged_articles(tags)
    if pks:
        roles.check_shared(user, "taggit.delete_tag")
    names = "、".join(str(tag) for tag in tags)
    touched = {versions.tag(tag.pk) for tag in tags}
    for tag in tags:
        tag.delete()
    articles_changed(pks, user, _("Tags deleted: %(names)s.") % {"names": names}, touched)


@transaction.atomic
def merge_tags(kept, duplicates, user=None):
    """Move the articles of ``duplicates`` to ``kept``, then delete the duplicates (like ``merge_units``)."""
    from .models import TagRedirect

    roles.check_shared(user, "taggit.change_tag")
    roles.check_shared(user, "taggit.delete_tag")
    duplicates = [tag for tag in duplicates if tag.pk != kept.pk]
    pks = _tagged_articles(duplicates)
    already = set(TaggedItem.objects.filter(tag=kept).values_list("content_type_id", "object_id"))
    moved = 0
    for item in TaggedItem.objects.filter(tag__in=duplicates).order_by("pk"):
        if (item.content_type_id, item.object_id) in already:
            item.delete()
        else:
            item.tag = kept
            item.save(update_fields=["tag"])
            already.add((item.content_type_id, item.object_id))
            moved += 1
    # The duplicates' addresses lead to the kept tag (301), and so do those merged into them before.
    TagRedirect.objects.filter(tag__in=duplicates).update(tag=kept)
    TagRedirect.objects.filter(old_slug__in=[tag.slug for tag in duplicates]).delete()
    TagRedirect.objects.bulk_create([TagRedirect(old_slug=tag.slug, tag=kept) for tag in duplicates])
    TagRedirect.objects.filter(old_slug=kept.slug).delete()
    touched = {versions.tag(tag.pk) for tag in [kept, *duplicates]}
    for tag in duplicates:
        tag.delete()
    articles_changed(pks, user, _("Tags merged into “%(tag)s”.") % {"tag": kept}, touched)
    return moved


def album_saved(album, user=None):
    """An album (with its images) was added or changed: its page and the library's list of albums."""
    roles.check_albums(user, "articles.change_album" if album.pk else "articles.add_album")
    versions.changed({versions.ALBUMS, versions.album(album.pk)})


@transaction.atomic
def delete_albums(albums, user=None):
    """Delete albums (their images stay with their articles)."""
    roles.check_albums(user, "articles.delete_album")
    albums = list(albums)
    touched = {versions.ALBUMS, *(versions.album(album.pk) for album in albums)}
    for album in albums:
        album.delete()
    versions.changed(touched)
