"""What readers see of an article is made when it is saved (articles/rendering.py), not when it is read."""

import io
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext

from articles import rendering, workflow
from articles.models import Article, ArticleImage
from articles.views import ArticleDetailView

from .factories import ArticleFactory, ArticleImageFactory, ColumnFactory, SectionFactory
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


# List items


def fresh_item(article, **context):
    """The article as the item template renders it now, from the database."""
    article = Article.objects.select_related("section", "column").get(pk=article.pk)
    return render_to_string("includes/article_item.html", {"article": article, **context}).strip()


def items_of(response):
    return re.findall(r'<li class="article-item">.*?</li>', response.content.decode(), re.S)


def test_a_list_shows_each_item_as_the_item_template_renders_it(client):
    section = SectionFactory(name="要闻")
    article = ArticleFactory(section=section, column=ColumnFactory(name="国企动态"), subtitle="副题", summary="摘要一")
    ArticleImageFactory(article=article, alt_text="签约现场")
    workflow.article_saved(article)  # its renditions made: the item shows a <picture>
    plain = ArticleFactory(section=section, summary="")
    response = client.get(section.get_absolute_url())
    assert items_of(response) == [fresh_item(article), fresh_item(plain)]
    assert "<picture" in items_of(response)[0] and "【国企动态】" in items_of(response)[0]
    # Home's latest articles are headed one level down.
    home = items_of(client.get("/"))
    assert fresh_item(plain, level=3) in home and "<h3>" in fresh_item(plain, level=3)


def test_the_traditional_edition_links_items_to_its_own_pages(client):
    article = ArticleFactory(title="国企改革")
    [item] = items_of(client.get("/zh-hant" + article.section.get_absolute_url()))
    assert f'href="/zh-hant{article.get_absolute_url()}"' in item and "國企改革" in item


def test_a_cold_list_renders_no_item_and_reads_no_image(client, settings, templates_rendered):
    settings.PAGE_CACHE_SECONDS = 0
    section = SectionFactory()
    for _ in range(3):
        ArticleImageFactory(article=ArticleFactory(section=section))
    templates_rendered.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(section.get_absolute_url())
    assert len(items_of(response)) == 3
    assert "includes/article_item.html" not in templates_rendered and "includes/picture.html" not in templates_rendered
    assert not [query for query in queries if "articles_articleimage" in query["sql"]]


def test_lists_follow_a_renamed_section_and_column_without_a_new_rendering(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    column = ColumnFactory(name="旧栏目")
    article = ArticleFactory(column=column, section=SectionFactory(name="旧频道"))
    column.name, article.section.name = "新<栏目>", "新&频道"
    column.save()
    article.section.save()
    [item] = items_of(client.get(article.section.get_absolute_url()))
    assert item == fresh_item(article)
    assert "【新&lt;栏目&gt;】" in item and "新&amp;频道" in item


def test_an_edit_through_the_workflow_shows_in_the_lists(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    article = ArticleFactory(title="初稿标题")
    article.title = "改过的标题"
    article.save()
    workflow.article_saved(article)
    assert "改过的标题" in page_text(client.get(article.section.get_absolute_url()))


def test_render_articles_stores_the_list_items_of_articles_stored_before(client):
    article = ArticleFactory(title="升级之前的文章")
    ArticleImageFactory(article=article)
    Article.objects.filter(pk=article.pk).update(item_html="")
    # Until then the list renders the item itself.
    assert items_of(client.get(article.section.get_absolute_url())) == [fresh_item(article)]
    call_command("render_articles", "--missing", stdout=io.StringIO())
    stored = Article.objects.get(pk=article.pk).item_html
    assert "升级之前的文章" in stored and rendering.SECTION_NAME in stored


def test_storing_the_list_item_leaves_the_saved_article_as_it_was():
    # The workflow goes on with the same object after storing (alerts name its section and address).
    article = ArticleFactory(column=ColumnFactory(name="栏目甲"))
    section, column, url = article.section, article.column, article.get_absolute_url()
    rendering.store(article)
    assert article.section is section and article.column is column
    assert (article.section.name, article.column.name, article.get_absolute_url()) == (section.name, "栏目甲", url)
    assert rendering.SECTION_NAME in article.item_html and rendering.SECTION_NAME not in article.body_html
