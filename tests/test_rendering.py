"""What readers see of an article is made when it is saved (articles/rendering.py), not when it is read."""

import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.test.signals import template_rendered

from articles import rendering, workflow
from articles.models import Article, ArticleImage
from articles.views import ArticleDetailView

from .factories import ArticleFactory, ArticleImageFactory, ColumnFactory
from .pagetext import page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def templates_rendered():
    names = []

    def record(sender, template, **kwargs):
        names.append(template.name)

    template_rendered.connect(record)
    yield names
    template_rendered.disconnect(record)


def test_a_save_stores_the_body_as_shown_with_its_figures_and_the_files_facts():
    article = ArticleFactory(body="<p>第一段。</p><p>第二段。</p>")
    image = ArticleImageFactory(article=article, caption="签约仪式", position=1)
    workflow.article_saved(article)
    article.refresh_from_db()
    image.refresh_from_db()
    assert article.body_html.index("第一段") < article.body_html.index("签约仪式") < article.body_html.index("第二段")
    assert "<picture" in article.body_html  # the renditions the save made
    assert rendering.DATELINE in article.body_html
    assert (image.file_type, image.file_size) == ("image/jpeg", image.image.size)


def test_a_cold_page_reads_the_stored_body_and_renders_no_figure(client, settings, templates_rendered):
    settings.PAGE_CACHE_SECONDS = 0
    article = ArticleFactory()
    ArticleImageFactory(article=article, caption="保存时的图注")
    ArticleImage.objects.filter(article=article).update(caption="没有经过工作流的图注")  # behind the workflow's back
    templates_rendered.clear()
    response = client.get(article.get_absolute_url())
    assert "保存时的图注" in page_text(response)
    assert "includes/figure.html" not in templates_rendered and "includes/article_body.html" not in templates_rendered


def test_the_dateline_follows_a_renamed_column_without_a_new_rendering(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    column = ColumnFactory(name="旧栏目")
    article = ArticleFactory(column=column, source="《国企》杂志融媒浙江讯", author="江风")
    column.name = "新栏目"
    column.save()
    settings.DERIVED_CACHE_SECONDS = 0  # what an edit of a column does through the admin: every page cold
    assert "《国企》杂志融媒浙江讯（新栏目 江风）" in page_text(client.get(article.get_absolute_url()))


def test_the_article_view_gets_the_object_and_renders_nothing(rf, templates_rendered):
    article = ArticleFactory()
    request = rf.get(article.get_absolute_url())
    request.user = AnonymousUser()
    view = ArticleDetailView()
    view.setup(request, pk=article.pk)
    templates_rendered.clear()
    assert view.get_object() == article
    assert templates_rendered == []


def test_render_articles_stores_the_bodies_of_articles_stored_before(client):
    article = ArticleFactory(body="<p>升级之前保存的文章。</p>")
    Article.objects.filter(pk=article.pk).update(body_html="")
    # Until then the page renders the body itself.
    assert "升级之前保存的文章。" in page_text(client.get(article.get_absolute_url()))
    call_command("render_articles", "--missing", stdout=io.StringIO())
    assert "升级之前保存的文章。" in Article.objects.get(pk=article.pk).body_html
