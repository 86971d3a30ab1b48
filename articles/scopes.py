"""What a change of articles makes cold: the scopes (``articles.versions``) they were shown under
before it, those they are shown under after it, and their new neighbours.

An article is shown under ``articles`` (home, archives, feeds, sitemaps, search), its own
``article:<id>``, its section, column, units and tags, once it is published and not in the trash; a
scheduled article counts as shown already, so that pages are made cold when it is scheduled and
expire when it appears (``upcoming``); so does an embargoed one, until its embargo ends. A draft is
shown nowhere: editing one makes nothing cold.

The scopes an article was shown under are the ``ArticleScopes`` row written at its last change
(in the change's own transaction), so the workflow needs no copy of the article from before an edit:
the old section, units or tags of an article moved elsewhere are in that row. Pages that showed the
article (its old neighbours' previous/next links, related lists) depend on ``article:<id>``; its new
neighbours, whose links now lead to it, get ``neighbours:<id>`` moved when its place in time changes.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, F, Q, When
from taggit.models import TaggedItem

from . import versions
from .models import Article, ArticleScopes, ArticleUnit

BATCH = 500
# How many scheduled articles ``upcoming`` lists; pages expire by the last one listed at the latest.
UPCOMING = 20


def _shown(articles):
    return articles.filter(status=Article.Status.PUBLISHED, deleted_at__isnull=True)


def shown_under(pks):
    """{pk: (set of scopes, publish time)} for the articles of ``pks`` that are shown (or scheduled)."""
    rows = _shown(Article.objects.filter(pk__in=pks)).values_list("pk", "section_id", "column_id", "publish_at")
    shown = {}
    for pk, section, column, at in rows:
        names = {versions.ARTICLES, versions.article(pk), versions.section(section)}
        shown[pk] = (names | {versions.column(column)} if column else names, at)
    for pk, unit in ArticleUnit.objects.filter(article__in=list(shown)).values_list("article_id", "unit_id"):
        shown[pk][0].add(versions.unit(unit))
    article_type = ContentType.objects.get_for_model(Article)
    tagged = TaggedItem.objects.filter(content_type=article_type, object_id__in=list(shown))
    for pk, tag in tagged.values_list("object_id", "tag_id"):
        shown[pk][0].add(versions.tag(tag))
    return shown


def neighbours(pk, at, after=True):
    """The articles just before and (unless ``after`` is false) just after an article published at
    ``at``, in publication order (scheduled ones included: by their time they are). Each is a range
    scan of the publish_at index, as the article page's own previous/next links."""
    listed = _shown(Article.objects.all()).values_list("pk", flat=True)
    found = [
        listed.filter(publish_at__lte=at).exclude(publish_at=at, pk__gte=pk).order_by("-publish_at", "-pk").first()
    ]
    if after:
        found.append(
            listed.filter(publish_at__gte=at).exclude(publish_at=at, pk__lte=pk).order_by("publish_at", "pk").first()
        )
    return [other for other in found if other is not None]


def articles_changed(pks):
    """The scopes a change of these articles touches (call it after the change, in its transaction):
    where they were shown, where they are shown now, and the neighbours of those that moved in
    time. Remembers where they are shown now for the next change."""
    touched = set()
    pks = sorted(set(pks))
    for start in range(0, len(pks), BATCH):
        batch = pks[start : start + BATCH]
        before = {row.pk: row for row in ArticleScopes.objects.filter(article__in=batch)}
        after = shown_under(batch)
        for pk in batch:
            old = before.get(pk)
            scopes, at = after.get(pk, (set(), None))
            if old is not None:
                touched.update(old.scopes.split())
            touched |= scopes
            if at is not None and (old is None or old.position != at):
                touched.update(versions.neighbours(other) for other in neighbours(pk, at))
        _remember(batch, after)
    return touched


def _remember(pks, shown):
    ArticleScopes.objects.filter(article__in=pks).exclude(article__in=list(shown)).delete()
    rows = [
        ArticleScopes(article_id=pk, scopes=" ".join(sorted(names)), position=at) for pk, (names, at) in shown.items()
    ]
    ArticleScopes.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["article"], update_fields=["scopes", "position"]
    )


def rebuild(pks=None, batch_size=2000):
    """Remember again where articles are shown, all of them or those of ``pks``, without making
    anything cold (after a bulk load or a restore, which make everything cold)."""
    if pks is None:
        ArticleScopes.objects.all().delete()
        pks = _shown(Article.objects.all()).order_by("pk").values_list("pk", flat=True)
    pks = list(pks)
    for start in range(0, len(pks), batch_size):
        batch = pks[start : start + batch_size]
        _remember(batch, shown_under(batch))


def upcoming(now):
    """The scheduled or embargoed articles still to appear after ``now``, earliest first, as (time,
    scopes): where each will be shown, and the page of the article before it, whose "next" link
    will lead to it (nothing visible comes after it when it appears). An article appears at its
    publish time or at the end of its embargo (禁发时间), whichever is later: a page cached before
    an embargo ends never outlives it."""
    appears = Case(When(embargo_until__gt=F("publish_at"), then=F("embargo_until")), default=F("publish_at"))
    scheduled = list(
        _shown(Article.objects.filter(Q(publish_at__gt=now) | Q(embargo_until__gt=now)))
        .annotate(appears=appears)
        .order_by("appears", "pk")
        .values_list("pk", "appears", "publish_at")[:UPCOMING]
    )
    shown = shown_under([pk for pk, _at, _publish_at in scheduled])
    return [
        (
            at,
            frozenset(shown[pk][0] | {versions.neighbours(other) for other in neighbours(pk, publish_at, after=False)}),
        )
        for pk, at, publish_at in scheduled
    ]
