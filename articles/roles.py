"""Who may change what: the one rule the workflow, the admin and every route apply.

Only a role allowed to publish (``articles.publish_article``: the 编辑 editor role) changes what
readers see. A contributor (撰稿) changes only the drafts they created, until they submit them for
review (a reviewer or editor returning one for changes makes it theirs again); never an article
submitted, published, scheduled or unpublished, nor anyone else's draft. Tags and units appear on
published articles, so renaming, merging or deleting them also needs the right to publish.

Reviews (``review``): the final review (终审) is publishing, an editor's; the first and second
(初审, 复审) need ``articles.review_article`` (the 审核 reviewer role; editors have it too). With more
than one level, each review of a round is done by a different person, and not by whoever submitted
the article. Whoever may do the review an article waits for may also change its text meanwhile and
return it for changes; a submitted article is not public, so this changes nothing readers see.

``user=None`` is the system: the importer and management commands.
"""

import functools
import operator

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from . import review


def may_publish(user):
    return user is None or user.has_perm("articles.publish_article")


def may_change(user, article):
    """Whether ``user`` may change ``article`` as it is now (its text, or move it along the workflow)."""
    if user is None:
        return True
    if not user.has_perm("articles.change_article"):
        return False
    if may_publish(user):
        return True
    mine = article.created_by_id is not None and article.created_by_id == user.pk
    if mine and article.status == article.Status.DRAFT:
        return True
    return article.status == article.Status.REVIEW and may_review(user, article)


def may_do_step(user, step):
    """Whether ``user``'s role may do ``step`` of a review (``review.FIRST``, ``SECOND`` or ``FINAL``)."""
    if user is None:
        return True
    return may_publish(user) if step == review.FINAL else user.has_perm("articles.review_article")


def took_part(user, article):
    """Whether ``user`` submitted ``article`` or did a review of it in this round."""
    return article.review_steps.filter(user=user).exists()


def may_review(user, article, levels=None):
    """Whether ``user`` may do the review ``article`` waits for (and return it for changes)."""
    levels = review.levels() if levels is None else levels
    step = review.pending_step(article, levels)
    if step is None or article.deleted_at is not None or not may_do_step(user, step):
        return False
    return user is None or levels == 1 or not took_part(user, article)


def awaiting_review(user, articles):
    """Those of ``articles`` that wait for a review ``user`` may do (one query, whatever the levels)."""
    from .models import ReviewStep

    mine = [step for step in (review.FIRST, review.SECOND, review.FINAL) if may_do_step(user, step)]
    if not mine:
        return articles.none()
    articles = articles.filter(functools.reduce(operator.or_, (review.waiting_for(step) for step in mine)))
    if user is None:
        return articles
    took_part = Exists(ReviewStep.objects.filter(article=OuterRef("pk"), user=user))
    return articles.alias(levels=review.levels_expression()).filter(~took_part | Q(levels=1))


def may_delete(user, article):
    """Whether ``user`` may move ``article`` to the trash, or bring it back from there."""
    return user is None or (user.has_perm("articles.delete_article") and may_change(user, article))


def may_change_shared(user, permission):
    """Tags and units show on published articles: changing one needs ``permission`` and the right to publish."""
    return user is None or (user.has_perm(permission) and may_publish(user))


def check_change(user, article):
    if not may_change(user, article):
        raise PermissionDenied(_("You may not change “%(title)s”.") % {"title": article})


def check_publish(user, article):
    if not (may_publish(user) and may_change(user, article)):
        raise PermissionDenied(
            _("Only an editor may publish, unpublish or return “%(title)s” to draft.") % {"title": article}
        )


def check_review(user, article, levels):
    if not may_review(user, article, levels):
        step = review.pending_step(article, levels)
        if step is not None and user is not None and may_do_step(user, step) and levels > 1:
            raise PermissionDenied(
                _("“%(title)s”: each review is done by a different person, and not by whoever submitted it.")
                % {"title": article}
            )
        raise PermissionDenied(
            _("You may not do the %(step)s of “%(title)s”.")
            % {"title": article, "step": review.step_name(step) if step else _("review")}
        )


def check_delete(user, article):
    if not may_delete(user, article):
        raise PermissionDenied(_("You may not delete or restore “%(title)s”.") % {"title": article})


def check_shared(user, permission):
    if not may_change_shared(user, permission):
        raise PermissionDenied(_("Only an editor may change tags and units used by articles."))


def check_albums(user, permission):
    """Albums are public (the media library): changing one needs ``permission`` and the right to publish."""
    if not may_change_shared(user, permission):
        raise PermissionDenied(_("Only an editor may change the media library's albums."))
