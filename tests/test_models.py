import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from articles import models
from articles.models import Article, ArticleImage, CopyrightNotice, PromoBlock, SiteSettings, Unit

from .factories import (
    ArticleFactory,
    ArticleUnitFactory,
    ColumnFactory,
    CopyrightNoticeFactory,
    PromoBlockFactory,
    SectionFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db


def test_published_is_the_one_rule_of_visibility():
    now = timezone.now()
    visible = ArticleFactory(publish_at=now - datetime.timedelta(minutes=1))
    ArticleFactory(publish_at=now + datetime.timedelta(minutes=5))
    ArticleFactory(status=Article.Status.DRAFT, publish_at=None)
    ArticleFactory(status=Article.Status.UNPUBLISHED, publish_at=now - datetime.timedelta(days=1))
    assert list(Article.objects.published()) == [visible]


def test_is_published_and_published_are_one_rule(monkeypatch):
    """Every combination of status, publish time (none, past, a second ago, future) and trash: an article
    is ``is_published`` exactly when ``published()`` lists it; and both read the one definition, so a
    change to it (here: two hours' delay) changes both."""
    now = timezone.now()
    times = [
        None,
        now - datetime.timedelta(days=1),
        now - datetime.timedelta(seconds=1),
        now + datetime.timedelta(hours=1),
    ]
    articles = [
        ArticleFactory(status=status, publish_at=at, deleted_at=deleted)
        for status in Article.Status
        for at in times
        for deleted in (None, now)
        if not (status == Article.Status.PUBLISHED and at is None)  # the database refuses those
    ]

    def agree():
        listed = set(Article.objects.published().values_list("pk", flat=True))
        assert listed == {article.pk for article in articles if article.is_published}
        return len(listed)

    assert agree() == 2  # published, not in the trash, at one of the two past times
    rule = models.published_when
    monkeypatch.setattr(
        models, "published_when", lambda now: {**rule(now), "publish_at__lte": now - datetime.timedelta(hours=2)}
    )
    assert agree() == 1


def test_published_article_needs_a_publish_time():
    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleFactory(publish_at=None)


def test_only_one_default_copyright_notice():
    CopyrightNoticeFactory(is_default=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        CopyrightNoticeFactory(is_default=True)
    CopyrightNoticeFactory(is_default=False)
    assert CopyrightNotice.objects.count() == 2


def test_copyright_clauses_are_numbered():
    notice = CopyrightNoticeFactory(clauses="甲\n\n乙\n丙")
    assert notice.numbered_clauses() == [("①", "甲"), ("②", "乙"), ("③", "丙")]


def test_one_promo_block_per_scope():
    section = SectionFactory()
    PromoBlockFactory()
    PromoBlockFactory(section=section)
    for scope in (None, section):
        with pytest.raises(IntegrityError), transaction.atomic():
            PromoBlockFactory(section=scope)
    assert PromoBlock.objects.count() == 2


def test_site_settings_is_a_single_row():
    assert SiteSettings.load().pk == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        SiteSettings.objects.create(pk=2)


def test_image_needs_alt_text():
    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleImage.objects.create(article=ArticleFactory(), caption="图注", alt_text="")


def test_display_title_has_the_column_in_brackets():
    assert ArticleFactory(title="标题", column=ColumnFactory(name="栏目")).display_title() == "【栏目】标题"
    assert ArticleFactory(title="标题", column=None).display_title() == "标题"


@pytest.mark.parametrize("shared", ["unit", "tag"])
def test_related_articles_of_a_much_used_unit_or_tag_come_from_its_newest_links(shared, django_assert_num_queries):
    """A unit or tag with more links than the window: related articles are found among its newest
    ``window`` links (newest articles first), in one query, and the older links are not read."""
    unit, now = UnitFactory(), timezone.now()
    article, *others = [ArticleFactory(publish_at=now - datetime.timedelta(days=30 - day)) for day in range(9)]
    for linked in [article, *others]:
        ArticleUnitFactory(article=linked, unit=unit) if shared == "unit" else linked.tags.add("常用标签")
    article = Article.objects.prefetch_related("unit_links", "tags").get(pk=article.pk)
    models.article_type()  # Django keeps the content type after its first use
    with django_assert_num_queries(1):
        related = list(Article.objects.published().related_to(article, limit=10, window=5))
    assert related == others[:2:-1]  # the five newest of the eight others, newest first
    assert list(Article.objects.published().related_to(article, limit=10)) == others[::-1]


def test_any_of_finds_the_rows_of_a_list_of_ids_as_in_does():
    articles = [ArticleFactory(title=f"列表{i}") for i in range(3)]
    ids = [articles[0].pk, articles[2].pk, 10**9]
    assert (
        set(Article.objects.filter(pk__any_of=ids))
        == set(Article.objects.filter(pk__in=ids))
        == {
            articles[0],
            articles[2],
        }
    )
    assert not Article.objects.filter(pk__any_of=[]).exists()
    newest_two = Article.objects.order_by("-pk").values("pk")[:2]
    assert set(Article.objects.filter(pk__any_of=newest_two)) == {articles[1], articles[2]}
    assert set(Article.objects.filter(section__any_of=[articles[1].section_id])) == {articles[1]}


def test_any_of_sends_a_list_as_one_parameter_on_postgresql():
    """A thousand ids are one array for PostgreSQL to parse, not a thousand placeholders."""
    sql, params = Article.objects.filter(pk__any_of=list(range(1000))).values("pk").query.sql_with_params()
    if connection.vendor == "postgresql":
        assert "= ANY(%s)" in sql and len(params) == 1
    else:
        assert len(params) == 1000


def test_a_unit_is_found_by_its_exact_name_before_one_that_differs_in_capitals():
    upper, lower = UnitFactory(name="ABC公司"), UnitFactory(name="abc公司", short_name="")
    assert Unit.named("abc公司") == lower and Unit.named("ABC公司") == upper and Unit.named("Abc公司") == upper
