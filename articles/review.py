"""Review levels: the reviews a submitted article passes before it is published, and how its state reads.

Editors choose one to three levels in the site settings (``SiteSettings.review_levels``). With one,
an editor publishes what is submitted (the final review, 终审, is the publishing). With two, a
reviewer's first review (初审) comes before it; with three, a second review (复审) as well: the
三审 of Chinese newsrooms. ``Article.review_stage`` counts the reviews passed since the article was
last submitted; who may do which step is ``roles``' to say, moving the article ``workflow``'s.
"""

from django.db.models import Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Article, SiteSettings

FIRST, SECOND, FINAL = 1, 2, 3
STEP_NAMES = {
    FIRST: gettext_lazy("first review"),
    SECOND: gettext_lazy("second review"),
    FINAL: gettext_lazy("final review"),
}
S = Article.Status


def levels():
    """The number of review levels the editors chose (one query)."""
    return SiteSettings.load().review_levels


def levels_expression():
    """The same, as an expression a query can use (so a list or a count needs no query of its own)."""
    return Coalesce(Subquery(SiteSettings.objects.filter(pk=1).values("review_levels")[:1]), Value(1))


def steps(levels):
    """The reviews of ``levels`` levels, in order: [终审], [初审, 终审] or [初审, 复审, 终审]."""
    return [FIRST, SECOND][: max(levels, 1) - 1] + [FINAL]


def pending_step(article, levels):
    """The review ``article`` waits for (FIRST, SECOND or FINAL), or None when it waits for none.

    An article that passed more reviews than there are now levels (the editors lowered them) waits for
    the final review.
    """
    if article.status != S.REVIEW:
        return None
    order = steps(levels)
    return order[min(article.review_stage, len(order) - 1)]


def waiting_for(step):
    """The articles (a condition on a query annotated with ``levels``) that wait for ``step``."""
    waiting = Q(status=S.REVIEW, deleted_at__isnull=True)
    if step == FINAL:
        return waiting & Q(review_stage__gte=levels_expression() - 1)
    return waiting & Q(review_stage=step - 1, review_stage__lt=levels_expression() - 1)


def step_name(step):
    return str(STEP_NAMES[step])


def state(article, levels):
    """How the article's state reads in the admin: (key, label). Keys name the list's colours."""
    if article.status == S.REVIEW:
        if levels == 1:
            return "review", _("Waiting for review")
        return "review", _("Waiting for %(step)s") % {"step": step_name(pending_step(article, levels))}
    if article.status == S.PUBLISHED:
        if article.is_embargoed and article.embargo_until >= (article.publish_at or article.embargo_until):
            when = date_format(timezone.localtime(article.embargo_until), "Y-m-d H:i")
            return "embargoed", _("Embargoed until %(time)s") % {"time": when}
        if article.publish_at and article.publish_at > timezone.now():
            when = date_format(timezone.localtime(article.publish_at), "Y-m-d H:i")
            return "scheduled", _("Scheduled %(time)s") % {"time": when}
        return "published", _("Published")
    if article.status == S.UNPUBLISHED:
        return "unpublished", _("Withdrawn")
    if article.return_reason:
        return "returned", _("Returned for changes")
    return "draft", _("Draft")
