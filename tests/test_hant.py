"""The traditional edition (/zh-hant/, articles.hant): converted text, untouched addresses and code,
links that stay in the edition, hreflang alternates, its own cache entry made cold with the simplified
page, feeds at one address, search in both scripts."""

import re

import pytest
from django.urls import reverse

from articles import workflow
from articles.hant import convert_html

from .factories import ArticleFactory
from .pagetext import page_text, squeeze

pytestmark = pytest.mark.django_db

SEED_TITLE_HANT = "黨建引領聚合力 智能建造築精品"


def hrefs(response):
    return re.findall(r'<a [^>]*href="([^"]*)"', response.content.decode())


def test_only_text_and_the_attributes_people_read_are_converted():
    html = (
        '<html lang="zh-Hans"><head><title>党建</title><meta name="description" content="发展">'
        '<meta property="article:section" content="协会" data-x="协会">'
        '<script type="application/ld+json">{"headline": "党建"}</script><style>.a::after{content:"党"}</style></head>'
        '<body><!-- 党建 --><a href="/tags/党建/" title="党建" data-tag="党建">党建</a>'
        '<img src="/media/党.jpg" alt="签约仪式"><input value="党建" placeholder="搜索党建">'
        '<a href="/" lang="zh-Hans"><span>简体</span> 中文</a><p>后来 <b>发展</b></p></body></html>'
    )
    assert convert_html(html, "s2tw") == (
        '<html lang="zh-Hans"><head><title>黨建</title><meta name="description" content="發展">'
        '<meta property="article:section" content="協會" data-x="协会">'
        '<script type="application/ld+json">{"headline": "党建"}</script><style>.a::after{content:"党"}</style></head>'
        '<body><!-- 党建 --><a href="/tags/党建/" title="黨建" data-tag="党建">黨建</a>'
        '<img src="/media/党.jpg" alt="簽約儀式"><input value="党建" placeholder="搜索黨建">'
        '<a href="/" lang="zh-Hans"><span>简体</span> 中文</a><p>後來 <b>發展</b></p></body></html>'
    )


def test_messages_the_page_s_scripts_show_are_converted():
    html = (
        '<button data-copied="链接已复制" data-failed="地址已选中" data-selected="本页" data-copy="/d/">复制</button>'
    )
    assert convert_html(html, "s2tw") == (
        '<button data-copied="鏈接已複製" data-failed="地址已選中" data-selected="本頁" data-copy="/d/">複製</button>'
    )


def test_an_element_kept_in_simplified_keeps_only_itself():
    html = '<p><img alt="签约" lang="zh-Hans"><span lang="zh-Hans">简体<span>简体</span>简体</span>发展</p><p>发展</p>'
    assert convert_html(html, "s2tw") == (
        '<p><img alt="签约" lang="zh-Hans"><span lang="zh-Hans">简体<span>简体</span>简体</span>發展</p><p>發展</p>'
    )


def test_taiwan_and_hong_kong_standards():
    assert convert_html("<p>着陆 里面</p>", "s2tw") == "<p>著陸 裡面</p>"
    assert convert_html("<p>着陆 里面</p>", "s2hk") == "<p>着陸 裏面</p>"


def test_an_article_in_the_traditional_edition(client, seed_article):
    response = client.get("/zh-hant" + seed_article.get_absolute_url())
    assert response.status_code == 200
    text = page_text(response)
    assert SEED_TITLE_HANT in text and "党建引领" not in text
    html = response.content.decode()
    assert '<html lang="zh-Hant-TW">' in html and response["Content-Language"] == "zh-Hant-TW"
    assert "Accept-Language" not in response.get("Vary", "")
    base = "http://testserver"
    assert f'<link rel="canonical" href="{base}/zh-hant{seed_article.get_absolute_url()}">' in html
    assert f'<link rel="alternate" hreflang="zh-Hans" href="{base}{seed_article.get_absolute_url()}">' in html
    assert (
        f'<link rel="alternate" hreflang="zh-Hant-TW" href="{base}/zh-hant{seed_article.get_absolute_url()}">' in html
    )
    assert f'<link rel="alternate" hreflang="x-default" href="{base}{seed_article.get_absolute_url()}">' in html
    # Every link to a page of the site stays in the edition; the switch leads back; feeds have one address.
    switch = (
        f'<a class="edition-switch" href="{seed_article.get_absolute_url()}" hreflang="zh-Hans" lang="zh-Hans">简体</a>'
    )
    assert switch in html
    site_links = [url for url in hrefs(response) if url.startswith("/") and url != seed_article.get_absolute_url()]
    assert site_links and all(url.startswith("/zh-hant/") for url in site_links), site_links
    assert 'type="application/rss+xml" title="《國企》雜誌社官網 (RSS)" href="/feeds/rss.xml"' in html
    # Addresses holding Chinese (a tag's page) are left as they are.
    seed_article.tags.add("党建")
    workflow.article_saved(seed_article)
    response = client.get("/zh-hant" + seed_article.get_absolute_url())
    assert f'href="/zh-hant{reverse("articles:tag", args=["党建"])}"' in response.content.decode()


def test_the_simplified_edition_links_to_the_traditional_one(client, seed_article):
    html = client.get(seed_article.get_absolute_url()).content.decode()
    assert '<html lang="zh-Hans">' in html and '<meta property="og:locale" content="zh_CN">' in html
    url = f"/zh-hant{seed_article.get_absolute_url()}"
    assert f'<a class="edition-switch" href="{url}" hreflang="zh-Hant-TW" lang="zh-Hant-TW">繁體</a>' in html


def test_the_hong_kong_standard_is_a_setting(client, seed_article, settings):
    settings.TRADITIONAL_CHINESE = "hk"
    response = client.get("/zh-hant" + seed_article.get_absolute_url())
    html = response.content.decode()
    assert '<html lang="zh-Hant-HK">' in html and '<meta property="og:locale" content="zh_HK">' in html
    assert client.get(seed_article.get_absolute_url()).content.decode().count('hreflang="zh-Hant-HK"') == 2


def test_the_traditional_page_has_its_own_cache_entry_made_cold_with_the_simplified_one(client, cache_backend):
    article = ArticleFactory(title="发展新篇章")
    url = article.get_absolute_url()
    assert client.get(url)["X-Cache"] == "miss"
    response = client.get("/zh-hant" + url)
    assert response["X-Cache"] == "miss" and "發展新篇章" in page_text(response)
    response = client.get("/zh-hant" + url)
    assert response["X-Cache"] == "hit" and "發展新篇章" in page_text(response)
    assert "发展新篇章" in page_text(client.get(url))
    article.title = "改过的标题"
    article.save()
    workflow.article_saved(article)
    response = client.get("/zh-hant" + url)
    assert response["X-Cache"] == "miss" and "改過的標題" in page_text(response)
    home = client.get("/zh-hant/")
    assert "改過的標題" in page_text(home)


def test_feeds_have_one_address(client, seed_article):
    for path in ("/feeds/rss.xml", "/feeds/feed.json", seed_article.section.get_absolute_url() + "atom.xml"):
        response = client.get("/zh-hant" + path)
        assert response.status_code == 301 and response["Location"] == path


@pytest.mark.parametrize("query", ["黨建", "党建"])
def test_search_in_the_traditional_edition_accepts_both_scripts(client, seed_article, query):
    response = client.get("/zh-hant/search/", {"q": query})
    assert response.status_code == 200
    assert squeeze(SEED_TITLE_HANT) in squeeze(page_text(response))
    html = response.content.decode()
    assert "<mark>黨建</mark>" in html
    assert f'value="{query}"' in html  # what the reader typed stays as typed
    # The switch keeps the query.
    assert re.search(r'class="edition-switch" href="/search/\?q=%E[^"]*"', html)


def test_a_missing_page_in_the_traditional_edition(client):
    response = client.get("/zh-hant/no-such-page/")
    assert response.status_code == 404
    assert "頁面不存在" in page_text(response)  # the site's words converted, not Django's 找不到頁面
    assert '<a class="edition-switch" href="/"' in response.content.decode()


def test_the_traditional_edition_says_what_the_simplified_one_says(client, seed_article):
    """Its words are the simplified edition's, converted: not Django's own traditional translations of
    the same messages (導覽路徑 for 当前位置, 搜尋 for 搜索, 顯示全部 for 展开全文)."""
    simplified = client.get("/search/", {"q": "党建"}).content.decode()  # aria-labels too
    traditional = client.get("/zh-hant/search/", {"q": "党建"}).content.decode()
    for word, converted, django_s in [("当前位置", "當前位置", "導覽路徑"), (">搜索<", ">搜索<", ">搜尋<")]:
        assert word in simplified and converted in traditional and django_s not in traditional
