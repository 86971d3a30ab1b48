"""The public media library (articles/pressroom/library.py, views) and its albums."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import workflow
from articles.models import Album, AlbumImage, Article, ArticleImage, Section
from articles.pressroom import library

from .factories import ArticleFactory, ArticleImageFactory, ArticleUnitFactory, SectionFactory, UnitFactory
from .formdata import form_data
from .pagetext import page_text

pytestmark = pytest.mark.django_db

LIBRARY = reverse("articles:library")


def captions(response):
    return re.findall(r'<span class="caption">([^<]*)</span>', response.content.decode())


def next_link(response):
    found = re.search(r'<a href="\?([^"]*)" rel="next">', response.content.decode())
    return found and found.group(1).replace("&amp;", "&")


def image_of(caption, days_ago=1, section=None, unit=None, **article):
    article.setdefault("publish_at", timezone.now() - datetime.timedelta(days=days_ago))
    story = ArticleFactory(section=section or SectionFactory(name="协会"), **article)
    if unit is not None:
        ArticleUnitFactory(article=story, unit=unit)
    return ArticleImageFactory(article=story, caption=caption)


def test_only_images_of_published_articles_with_a_file_are_listed(client):
    image_of("已发布的图")
    image_of("草稿的图", status=Article.Status.DRAFT, publish_at=None)
    image_of("定时的图", days_ago=-1)
    image_of("撤回的图", status=Article.Status.UNPUBLISHED)
    image_of("回收站的图", deleted_at=timezone.now())
    ArticleImageFactory(article=ArticleFactory(), caption="占位图", image=None)
    response = client.get(LIBRARY)
    assert response.status_code == 200
    assert captions(response) == ["已发布的图"]


def test_each_image_links_its_article_its_original_and_the_press_kit(client):
    image = image_of("签约仪式现场")
    ArticleImage.objects.filter(pk=image.pk).update(credit="王摄影", copyright_holder="新华社", licence="cc-by-nc-4.0")
    html = client.get(LIBRARY).content.decode()
    assert f'href="{image.article.get_absolute_url()}"' in html
    assert f'href="{image.image.url}" download="签约仪式现场.jpg"' in html  # named as in the press kit
    assert f'href="{reverse("articles:press_kit_zip", args=[image.article_id])}"' in html
    assert 'loading="lazy"' in html
    text = page_text(client.get(LIBRARY))
    year = timezone.localtime(image.article.publish_at).year  # the holder, as the 下载 section prints it
    assert f"签约仪式现场 摄影：王摄影 © {year} 新华社 · 知识共享署名-非商业性使用 4.0 国际" in text


def test_search_by_caption_unit_section_and_date(client):
    hospital = UnitFactory(name="杭州医学院")
    other_section = SectionFactory(name="企业")
    image_of("签约仪式现场", days_ago=10, unit=hospital)
    image_of("工地全景", days_ago=5, section=other_section)
    image_of("签约后合影", days_ago=1)
    assert captions(client.get(LIBRARY, {"q": "签约"})) == ["签约后合影", "签约仪式现场"]
    assert captions(client.get(LIBRARY, {"unit": "医学院"})) == ["签约仪式现场"]
    # Typed in traditional characters (the traditional edition's readers do), they find the same.
    assert captions(client.get(LIBRARY, {"q": "簽約"})) == ["签约后合影", "签约仪式现场"]
    assert captions(client.get(LIBRARY, {"unit": "醫學院"})) == ["签约仪式现场"]
    assert captions(client.get(LIBRARY, {"section": other_section.pk})) == ["工地全景"]
    start = (timezone.localdate() - datetime.timedelta(days=6)).isoformat()
    end = (timezone.localdate() - datetime.timedelta(days=2)).isoformat()
    assert captions(client.get(LIBRARY, {"start": start, "end": end})) == ["工地全景"]
    assert captions(client.get(LIBRARY, {"start": start})) == ["签约后合影", "工地全景"]
    response = client.get(LIBRARY, {"q": "没有这张图"})
    assert captions(response) == [] and "没有符合条件的已发布图片" in page_text(response)


@pytest.mark.parametrize(
    "query",
    [{"start": "2025-13-01"}, {"start": "2025-06-02", "end": "2025-06-01"}, {"before": "abc"}, {"section": "x"}],
    ids=["bad-date", "dates-reversed", "bad-cursor", "bad-section"],
)
def test_bad_filters_are_a_400_with_the_error(client, query):
    image_of("一张图")
    response = client.get(LIBRARY, query)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode() and captions(response) == []


def test_pages_follow_by_key_without_gaps_or_repeats(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    section = SectionFactory(name="协会")
    same_time = timezone.now() - datetime.timedelta(hours=3)
    expected = []
    for i in range(library.PER_PAGE + 8):
        # Articles two by two at the same time, some with two images: ties are broken by ids.
        story = ArticleFactory(section=section, publish_at=same_time - datetime.timedelta(minutes=i // 2))
        expected.append([ArticleImageFactory(article=story, caption=f"图{i}-{n}") for n in range(1 + i % 3 // 2)])
    order = sorted(
        (image for images in expected for image in images),
        key=lambda image: (image.article.publish_at, image.article_id, image.pk),
        reverse=True,
    )
    first = client.get(LIBRARY)
    assert captions(first) == [image.caption for image in order[: library.PER_PAGE]]
    second = client.get(f"{LIBRARY}?{next_link(first)}")
    assert captions(second) == [image.caption for image in order[library.PER_PAGE : 2 * library.PER_PAGE]]
    seen = captions(first) + captions(second)
    following = next_link(second)
    while following:
        page = client.get(f"{LIBRARY}?{following}")
        seen += captions(page)
        following = next_link(page)
    assert seen == [image.caption for image in order]
    assert "最新图片" in page_text(second) and 'name="robots" content="noindex, follow"' in second.content.decode()


def test_a_filtered_page_keeps_its_filters_in_the_next_link(client):
    for i in range(library.PER_PAGE + 1):
        image_of(f"签约{i}", days_ago=i + 1)
    image_of("别的图")
    following = next_link(client.get(LIBRARY, {"q": "签约"}))
    assert "q=%E7%AD%BE%E7%BA%A6" in following
    assert captions(client.get(f"{LIBRARY}?{following}")) == [f"签约{library.PER_PAGE}"]


def test_the_library_page_queries_do_not_grow_with_the_images(client, settings, django_assert_num_queries):
    settings.PAGE_CACHE_SECONDS = 0  # count the view's queries, not the page cache's
    image_of("第一张")
    client.get(LIBRARY)  # site settings and the like are cached after the first page
    # The versions (kept in the database without Redis), the sections of the filter, the albums, the
    # images with their articles, their renditions.
    with django_assert_num_queries(5):
        client.get(LIBRARY)
    for i in range(30):
        image_of(f"图{i}", unit=UnitFactory())
    Album.objects.create(title="图集一")
    client.get(LIBRARY)  # the content changed: warm the caches again
    with django_assert_num_queries(6):
        response = client.get(LIBRARY, {"unit": "单位"})  # the unit filter reads the units' ids first
    assert len(captions(response)) == library.PER_PAGE


def test_a_unit_named_exactly_is_that_unit_and_a_date_may_be_full_width(client):
    """As search's unit filter: 北京七 is not 北京七医学院 too; part of a name finds every unit holding it."""
    image_of(
        "北京七的图", unit=UnitFactory(name="北京七"), publish_at=timezone.make_aware(datetime.datetime(2025, 1, 1))
    )
    image_of("医学院的图", unit=UnitFactory(name="北京七医学院"))
    assert captions(client.get(LIBRARY, {"unit": "北京七"})) == ["北京七的图"]
    assert captions(client.get(LIBRARY, {"unit": "北京"})) == ["医学院的图", "北京七的图"]
    response = client.get(LIBRARY, {"unit": "不存在单位"})
    assert response.status_code == 400 and "没有名称含“不存在单位”的参与单位" in page_text(response)
    assert captions(client.get(LIBRARY, {"start": "２０２５-０１-０１", "end": "2025-０１-０１"})) == ["北京七的图"]


def test_a_publish_or_withdrawal_shows_in_the_cached_library_at_once(client, cache_backend):
    shown = image_of("已经发布")
    draft = ArticleFactory(status=Article.Status.DRAFT, publish_at=None, section=shown.article.section)
    ArticleImageFactory(article=draft, caption="刚刚发布")
    assert captions(client.get(LIBRARY)) == ["已经发布"]
    assert client.get(LIBRARY)["X-Cache"] == "hit"
    workflow.publish(draft)
    assert captions(client.get(LIBRARY)) == ["刚刚发布", "已经发布"]
    workflow.unpublish(shown.article)
    response = client.get(LIBRARY)
    assert response["X-Cache"] == "miss" and captions(response) == ["刚刚发布"]


# --- albums ----------------------------------------------------------------------------------


@pytest.fixture
def album():
    album = Album.objects.create(title="项目建设图集", description="临安二期项目的建设过程。")
    later = image_of("主体结构封顶", days_ago=1)
    earlier = image_of("开工仪式", days_ago=30)
    draft = image_of("未发布的图", status=Article.Status.DRAFT, publish_at=None)
    for order, image in enumerate([earlier, draft, later]):
        AlbumImage.objects.create(album=album, image=image, order=order)
    return album


def test_an_album_shows_its_published_images_in_the_editors_order(client, album):
    response = client.get(album.get_absolute_url())
    assert response.status_code == 200
    assert captions(response) == ["开工仪式", "主体结构封顶"]
    assert "临安二期项目的建设过程。" in page_text(response)
    library_page = client.get(LIBRARY).content.decode()
    assert f'href="{album.get_absolute_url()}">项目建设图集</a>' in library_page


def test_a_hidden_or_missing_album_is_a_404(client, album):
    Album.objects.filter(pk=album.pk).update(is_public=False)
    assert client.get(album.get_absolute_url()).status_code == 404
    assert client.get(reverse("articles:album", args=[999999])).status_code == 404
    assert client.get(album.get_absolute_url(), {"page": "99"}).status_code == 404


def test_editors_curate_albums_in_the_admin_and_the_pages_follow(editor_client, client, album, cache_backend):
    assert captions(client.get(album.get_absolute_url())) == ["开工仪式", "主体结构封顶"]
    change = reverse("admin:articles_album_change", args=[album.pk])
    form = editor_client.get(change)
    assert form.status_code == 200 and "图集" in page_text(form)
    data = form_data(form, "album_form")
    added = image_of("新加的图")
    data.update({"title": "改名的图集", "image_links-3-image": str(added.pk), "image_links-3-order": "9"})
    response = editor_client.post(change, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert captions(client.get(album.get_absolute_url())) == ["开工仪式", "主体结构封顶", "新加的图"]
    assert "改名的图集" in page_text(client.get(LIBRARY))
    autocomplete = editor_client.get(
        reverse("admin:autocomplete"),
        {"term": "新加", "app_label": "articles", "model_name": "albumimage", "field_name": "image"},
    )
    assert [row["text"] for row in autocomplete.json()["results"]] == ["新加的图"]
    delete = reverse("admin:articles_album_delete", args=[album.pk])
    assert editor_client.post(delete, {"post": "yes"}).status_code == 302
    assert client.get(album.get_absolute_url()).status_code == 404
    assert "改名的图集" not in page_text(client.get(LIBRARY))


def test_a_contributor_cannot_change_albums(contributor_client, album):
    change = reverse("admin:articles_album_change", args=[album.pk])
    response = contributor_client.post(change, {"title": "撰稿人改的"})
    assert response.status_code == 403
    album.refresh_from_db()
    assert album.title == "项目建设图集"


def test_the_workflow_refuses_album_changes_without_the_right_to_publish(contributor, album):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        workflow.album_saved(album, contributor)
    with pytest.raises(PermissionDenied):
        workflow.delete_albums([album], contributor)
    assert Album.objects.filter(pk=album.pk).exists()


def test_sections_in_the_filter_are_all_sections(client):
    image_of("一张图")
    SectionFactory(name="空频道")
    html = client.get(LIBRARY).content.decode()
    for section in Section.objects.all():
        assert f'<option value="{section.pk}">{section.name}</option>' in html
