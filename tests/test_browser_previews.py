"""A journalist's walk through an embargoed preview link, in headless Chromium (``articles.previews``)."""

import datetime
import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from articles import previews, workflow
from articles.models import Article, PreviewLink

from .factories import ArticleFactory, ArticleImageFactory
from .test_browser import photo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMBARGO_SECONDS = 8


def test_a_journalist_reads_an_embargoed_release_then_the_link_leads_to_the_public_page(live_server, page, screenshot):
    embargo = timezone.now() + datetime.timedelta(seconds=EMBARGO_SECONDS)
    article = ArticleFactory(
        title="某集团发布年度社会责任报告",
        status=Article.Status.DRAFT,
        publish_at=None,
        embargo_until=embargo,
        body="<p>某集团今日发布年度社会责任报告。</p><p>报告显示，全年公益投入同比增长。</p>",
    )
    ArticleImageFactory(article=article, image=photo(1200, 800, "#1d4ed8"), caption="发布会现场", alt_text="发布会现场")
    workflow.article_saved(article)
    workflow.publish(article, at=timezone.now() - datetime.timedelta(minutes=5))
    link = PreviewLink.objects.create(article=article, recipient="某报社 记者 张三")
    url = live_server.url + previews.address(link)

    # Before the embargo: the public address is nothing, the link shows the article with its banner.
    assert page.goto(live_server.url + article.get_absolute_url()).status == 404
    response = page.goto(url)
    assert response.status == 200
    assert "no-store" in response.headers["cache-control"]
    until = timezone.localtime(embargo).strftime("%Y-%m-%d %H:%M")
    expect(page.locator(".embargo-banner")).to_contain_text(f"禁发至 {until}")
    expect(page.locator(".embargo-banner")).to_contain_text("某报社 记者 张三")
    expect(page.locator("h1")).to_contain_text("某集团发布年度社会责任报告")
    expect(page.locator('meta[name="robots"]')).to_have_attribute("content", "noindex, nofollow")
    image = page.locator("figure img").first
    image.evaluate("img => img.complete || new Promise(done => img.addEventListener('load', done, {once: true}))")
    assert image.evaluate("img => img.naturalWidth") > 0
    source = image.evaluate("img => img.currentSrc")
    assert "/preview/" in source and "/media/" not in source
    screenshot(page, "preview-link-embargoed")
    assert link.opens.count() == 1

    # After the embargo, with no job run: the same link leads to the public page.
    time.sleep(max(0, (embargo - timezone.now()).total_seconds()) + 0.5)
    response = page.goto(url)
    assert response.status == 200 and page.url == live_server.url + article.get_absolute_url()
    expect(page.locator("h1")).to_contain_text("某集团发布年度社会责任报告")
    expect(page.locator(".embargo-banner")).to_have_count(0)
    public = page.locator("figure img").first
    public.evaluate("img => img.complete || new Promise(done => img.addEventListener('load', done, {once: true}))")
    assert public.evaluate("img => img.naturalWidth") > 0 and "/media/" in public.evaluate("img => img.currentSrc")
