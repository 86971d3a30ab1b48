"""A journalist's walk through an embargoed preview link, in headless Chromium (``articles.previews``)."""

import datetime
import io
import re
import time
import zipfile

import pypdf
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
    until = timezone.localtime(embargo).strftime("%Y-%m-%d %H:%M:%S")
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


def test_a_reader_gets_a_contacts_email_as_a_link_made_by_the_script(live_server, browser, screenshot):
    """The page holds the address encoded; the site's script makes the mailto link, and without
    JavaScript the reader sees the readable fallback."""
    from articles.models import ArticleContact, Correction, MediaContact

    article = ArticleFactory(title="有新闻联系人的文章")
    contact = MediaContact.objects.create(
        name="张三", role="宣传部 部长", phone="0571-86915636", email="zhang@press.example.cn"
    )
    ArticleContact.objects.create(article=article, contact=contact)
    Correction.objects.create(article=article, text="原稿将项目名称误写为“临安一期”，已更正。")
    workflow.article_saved(article)
    url = live_server.url + article.get_absolute_url()
    for javascript in (True, False):
        context = browser.new_context(locale="zh-CN", java_script_enabled=javascript)
        page = context.new_page()
        page.goto(url)
        contacts = page.locator(".media-contacts")
        if javascript:
            expect(contacts.locator('a[href="mailto:zhang@press.example.cn"]')).to_have_text("zhang@press.example.cn")
        else:
            expect(contacts).to_contain_text("zhang [at] press [dot] example [dot] cn")
            expect(contacts.locator('a[href^="mailto:"]')).to_have_count(0)
        expect(contacts.locator('a[href="tel:057186915636"]')).to_have_text("0571-86915636")
        if javascript:
            screenshot(page, "article-corrections-and-contacts")
        context.close()


def test_a_journalist_takes_the_press_kit_from_an_embargoed_preview(live_server, page, tmp_path, screenshot):
    """Through the link, before the embargo: the 下载 section gives the ZIP and the PDF of the release,
    each saying 禁发至 …; the text of the PDF is the Chinese of the release."""
    from .test_browser_pressroom import take

    embargo = timezone.now() + datetime.timedelta(days=1)
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
    until = f"禁发至 {timezone.localtime(embargo).strftime('%Y-%m-%d %H:%M')}"

    page.goto(live_server.url + previews.address(link))
    downloads = page.get_by_role("region", name="下载")
    expect(downloads).to_be_visible()
    downloads.scroll_into_view_if_needed()
    screenshot(page, "preview-link-press-kit")

    name, data = take(page, downloads.get_by_role("link", name=re.compile("新闻资料包")), tmp_path)
    assert name == "某集团发布年度社会责任报告.zip"
    members = zipfile.ZipFile(io.BytesIO(data))
    assert members.namelist() == ["01-发布会现场.jpg", "新闻稿.txt"]
    release = members.read("新闻稿.txt").decode("utf-8")
    assert release.startswith(until) and "报告显示，全年公益投入同比增长。" in release
    with article.images.get().image.open("rb") as original:
        assert members.read("01-发布会现场.jpg") == original.read()

    name, data = take(page, downloads.get_by_role("link", name="新闻稿 PDF"), tmp_path)
    assert name == "某集团发布年度社会责任报告.pdf"
    text = "".join("".join(part.extract_text() for part in pypdf.PdfReader(io.BytesIO(data)).pages).split())
    for expected in [until, "某集团发布年度社会责任报告", "报告显示，全年公益投入同比增长。", "发布会现场"]:
        assert "".join(expected.split()) in text, expected

    _name, data = take(page, downloads.get_by_role("link", name=re.compile("^原图")).first, tmp_path)
    with article.images.get().image.open("rb") as original:
        assert data == original.read()
    assert not Article.objects.published().filter(pk=article.pk).exists()  # still embargoed throughout
