"""Who may change what: the one rule the workflow, the admin and every route apply.

Only a role allowed to publish (``articles.publish_article``: the 编辑 editor role) changes what
readers see. A contributor (撰稿) changes only the drafts they created, until they submit them for
review (an editor returning one to draft makes it theirs again); never an article submitted,
published, scheduled or unpublished, nor anyone else's draft. Tags and units appear on published
articles, so renaming, merging or deleting them also needs the right to publish.

``user=None`` is the system: the importer and management commands.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


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
    return mine and article.status == article.Status.DRAFT


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


def check_delete(user, article):
    if not may_delete(user, article):
        raise PermissionDenied(_("You may not delete or restore “%(title)s”.") % {"title": article})


def check_shared(user, permission):
    if not may_change_shared(user, permission):
        raise PermissionDenied(_("Only an editor may change tags and units used by articles."))
