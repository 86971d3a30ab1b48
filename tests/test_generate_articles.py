from io import StringIO

import pytest
from django.core.management import call_command

from articles.models import Article, ArticleImage, ArticleUnit

pytestmark = pytest.mark.django_db


def test_generate_articles_makes_realistic_published_articles():
    call_command("generate_articles", "--count=60", "--batch=25", "--units=20", stdout=StringIO())
    assert Article.objects.count() == 60
    published = Article.objects.published()
    assert published.count() >= 50
    article = published.first()
    assert article.body.startswith("<p>") and len(article.body) > 200
    assert ArticleUnit.objects.exists() and ArticleImage.objects.exists()
    assert Article.objects.filter(tags__isnull=False).distinct().count() == 60


def test_generate_articles_is_deterministic():
    call_command("generate_articles", "--count=5", "--seed=7", "--units=10", stdout=StringIO())
    first = list(Article.objects.order_by("pk").values_list("title", "body"))
    Article.objects.all().delete()
    call_command("generate_articles", "--count=5", "--seed=7", "--units=10", stdout=StringIO())
    assert list(Article.objects.order_by("pk").values_list("title", "body")) == first
