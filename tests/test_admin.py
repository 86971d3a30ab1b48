import pytest
from django.urls import reverse

from articles.models import Article, Column, CopyrightNotice, PromoBlock, Section, SiteSettings, Unit

from .factories import ArticleFactory, ArticleImageFactory, ArticleUnitFactory, SectionFactory, UnitFactory
from .pagetext import page_text

pytestmark = pytest.mark.django_db


def inline_management(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


SIMPLE_MODELS = [
    (Section, {"name": "新频道", "order": "3", "description": ""}),
    (Column, {"name": "新栏目", "description": ""}),
    (Unit, {"name": "新单位", "short_name": "新", "kind": "enterprise", "website": "", "description": ""}),
    (CopyrightNotice, {"title": "新声明", "clauses": "一\n二", "is_default": "on"}),
    (PromoBlock, {"title": "关注分享", "text": "推广文字", "section": ""}),
]


@pytest.mark.parametrize(("model", "data"), SIMPLE_MODELS, ids=lambda v: getattr(v, "__name__", ""))
def test_add_and_change_pages_load_and_save(staff_client, model, data):
    opts = model._meta
    add_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
    assert staff_client.get(add_url).status_code == 200
    response = staff_client.post(add_url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    obj = model.objects.get()
    change_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    assert staff_client.get(change_url).status_code == 200
    first_field = next(iter(data))
    changed = {**data, first_field: data[first_field] + "改"}
    assert staff_client.post(change_url, changed).status_code == 302
    obj.refresh_from_db()
    assert getattr(obj, first_field) == data[first_field] + "改"


def test_site_settings_change_page_saves(staff_client):
    url = reverse("admin:articles_sitesettings_change", args=[1])
    assert staff_client.get(url).status_code == 200
    data = {
        "site_name": "《国企》杂志社官网",
        "short_name": "国企网",
        "description": "",
        "icp_number": "浙ICP备00000000号",
        "police_number": "浙公网安备00000000000000号",
        "copyright_line": "",
    }
    assert staff_client.post(url, data).status_code == 302
    assert SiteSettings.load().icp_number == "浙ICP备00000000号"
    text = page_text(staff_client.get("/"))
    assert "浙ICP备00000000号" in text and "浙公网安备00000000000000号" in text
    assert staff_client.get(reverse("admin:articles_sitesettings_add")).status_code == 403


def article_data(section, **extra):
    return {
        "section": str(section.pk),
        "column": "",
        "title": "编辑写的文章",
        "subtitle": "副标题",
        "source": "本刊讯",
        "author": "江风",
        "editor": "王编辑",
        "summary": "摘要",
        "body": "第一段<script>alert(1)</script>\n\n第二段",
        "tags": "党建, 智能建造",
        "status": "published",
        "publish_at_0": "2025-06-12",
        "publish_at_1": "10:30:00",
        "copyright_notice": "",
        "show_promo": "on",
        **inline_management("images"),
        **inline_management("unit_links"),
        **extra,
    }


def test_article_add_with_units_then_change(staff_client):
    section = SectionFactory()
    first, second = UnitFactory(name="甲单位"), UnitFactory(name="乙单位")
    add_url = reverse("admin:articles_article_add")
    assert staff_client.get(add_url).status_code == 200
    data = article_data(
        section,
        **inline_management("unit_links", total=2),
        **{"unit_links-0-unit": str(second.pk), "unit_links-0-order": "0"},
        **{"unit_links-1-unit": str(first.pk), "unit_links-1-order": "1"},
    )
    response = staff_client.post(add_url, data)
    assert response.status_code == 302, response.context["errors"]
    article = Article.objects.get()
    assert "script" not in article.body and article.body.startswith("<p>第一段")
    assert sorted(article.tags.names()) == ["党建", "智能建造"]
    assert [link.unit for link in article.unit_links.all()] == [second, first]
    # The public page shows it, units in the editor's order.
    text = page_text(staff_client.get(article.get_absolute_url()))
    assert text.index("乙单位") < text.index("甲单位")

    change_url = reverse("admin:articles_article_change", args=[article.pk])
    page = staff_client.get(change_url)
    assert page.status_code == 200 and 'class="viewsitelink"' in page.content.decode()
    links = list(article.unit_links.all())
    data = article_data(
        section,
        title="改过的标题",
        **inline_management("unit_links", total=2, initial=2),
        **{"unit_links-0-id": str(links[0].pk), "unit_links-0-article": str(article.pk)},
        **{"unit_links-0-unit": str(second.pk), "unit_links-0-order": "0"},
        **{"unit_links-1-id": str(links[1].pk), "unit_links-1-article": str(article.pk)},
        **{"unit_links-1-unit": str(first.pk), "unit_links-1-order": "1", "unit_links-1-DELETE": "on"},
    )
    assert staff_client.post(change_url, data).status_code == 302
    article.refresh_from_db()
    assert article.title == "改过的标题" and list(article.units.all()) == [second]


def test_article_change_page_with_images_shows_previews_and_saves(staff_client):
    article = ArticleFactory()
    image = ArticleImageFactory(article=article, caption="旧图注")
    ArticleUnitFactory(article=article)
    url = reverse("admin:articles_article_change", args=[article.pk])
    html = staff_client.get(url).content.decode()
    assert image.image.url in html  # the thumbnail preview
    link = article.unit_links.get()
    data = article_data(
        article.section,
        **inline_management("images", total=1, initial=1),
        **{
            "images-0-id": str(image.pk),
            "images-0-article": str(article.pk),
            "images-0-name": "",
            "images-0-caption": "新图注",
            "images-0-alt_text": "图片说明",
            "images-0-credit": "",
            "images-0-order": "0",
            "images-0-position": "1",
        },
        **inline_management("unit_links", total=1, initial=1),
        **{
            "unit_links-0-id": str(link.pk),
            "unit_links-0-article": str(article.pk),
            "unit_links-0-unit": str(link.unit_id),
            "unit_links-0-order": "0",
        },
    )
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    image.refresh_from_db()
    assert (image.caption, image.position) == ("新图注", 1)


def test_image_without_alt_text_is_a_form_error_not_a_500(staff_client):
    article = ArticleFactory()
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = article_data(
        article.section,
        **inline_management("images", total=1),
        **{"images-0-caption": "图注", "images-0-alt_text": "", "images-0-order": "0", "images-0-position": "0"},
    )
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "alt_text" in str(response.context["inline_admin_formsets"][0].formset.errors)


def test_admin_lists_filter_and_search(staff_client):
    ArticleFactory(title="可搜索的标题")
    url = reverse("admin:articles_article_changelist")
    assert "可搜索的标题" in staff_client.get(url, {"q": "可搜索"}).content.decode()
    assert staff_client.get(url, {"status__exact": "draft"}).status_code == 200
    unit_search = staff_client.get(
        reverse("admin:autocomplete"),
        {"term": "单位", "app_label": "articles", "model_name": "articleunit", "field_name": "unit"},
    )
    assert unit_search.status_code == 200


def test_admin_is_in_chinese(staff_client):
    text = page_text(staff_client.get(reverse("admin:articles_article_add")))
    assert "副标题" in text and "参与单位" in text and "发布时间" in text
