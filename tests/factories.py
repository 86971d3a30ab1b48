import datetime

import factory
from django.utils import timezone

from articles import rendering, scopes
from articles.models import Article, ArticleImage, ArticleUnit, Column, CopyrightNotice, PromoBlock, Section, Unit


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"频道{n}")


class ColumnFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Column
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"栏目{n}")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"单位{n}")


class ArticleFactory(factory.django.DjangoModelFactory):
    """A published article; pass status/publish_at for drafts and scheduled ones."""

    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"标题{n}")
    section = factory.SubFactory(SectionFactory)
    body = "<p>正文第一段。</p><p>正文第二段。</p>"
    summary = "摘要"
    status = Article.Status.PUBLISHED
    publish_at = factory.Sequence(lambda n: timezone.now() - datetime.timedelta(days=1, minutes=n))

    @factory.post_generation
    def shown(article, create, extracted, **kwargs):
        """Where it is shown, remembered, and its body as shown, stored, as for an article saved
        through the workflow (``articles.scopes``, ``articles.rendering``)."""
        if create:
            scopes.rebuild([article.pk])
            rendering.store(article)


class ArticleImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ArticleImage
        skip_postgeneration_save = True

    article = factory.SubFactory(ArticleFactory)
    caption = factory.Sequence(lambda n: f"图注{n}")
    alt_text = factory.Sequence(lambda n: f"图片{n}")
    image = factory.django.ImageField(width=40, height=30, color="red")

    @factory.post_generation
    def shown(image, create, extracted, **kwargs):
        """The article's body as shown, stored again with this image (as the workflow does on a save)."""
        if create:
            rendering.store(image.article)


class ArticleUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ArticleUnit

    article = factory.SubFactory(ArticleFactory)
    unit = factory.SubFactory(UnitFactory)


class CopyrightNoticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CopyrightNotice

    title = factory.Sequence(lambda n: f"版权声明{n}")
    clauses = "第一条\n第二条"


class PromoBlockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PromoBlock

    title = "关注分享"
    text = "推广内容"
