"""Real-browser checks: headless Chromium through Playwright against the live server."""

import feedparser
import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from articles.models import Article, Section

from .conftest import SEED

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def horizontal_overflow(page):
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_reader_opens_the_reference_article_on_desktop_and_phone(live_server, page, screenshot):
    call_command("import_articles", str(SEED), verbosity=0)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="【党建好故事】党建引领聚合力 智能建造筑精品").click()
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "【党建好故事】党建引领聚合力 智能建造筑精品"
    assert page.locator("figure figcaption").first.inner_text() == "六家共建单位共同签署《支部共建协议书》"
    screenshot(page, "article-desktop")
    page.set_viewport_size({"width": 375, "height": 812})
    page.reload()
    assert horizontal_overflow(page) == 0
    screenshot(page, "article-phone")


def test_reader_copies_a_feed_address_on_the_subscribe_page(live_server, page, screenshot):
    call_command("import_articles", str(SEED), verbosity=0)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="订阅").click()
    assert page.get_by_role("heading", level=1).inner_text() == "订阅"
    button = page.get_by_role("button", name="复制 RSS 订阅地址", exact=True)
    button.click()
    expect(button).to_have_text("已复制")
    assert page.evaluate("navigator.clipboard.readText()") == live_server.url + "/feeds/rss.xml"
    section_feed = page.get_by_role("button", name="复制“协会”的 Atom 订阅地址")
    expect(section_feed).to_be_hidden()
    page.locator("summary", has_text="频道").click()  # open the list of section feeds
    expect(section_feed).to_be_visible()
    assert "征订电话" in page.locator(".print-subscription").inner_text()
    screenshot(page, "subscribe-desktop")
    page.set_viewport_size({"width": 375, "height": 812})
    assert horizontal_overflow(page) == 0
    screenshot(page, "subscribe-phone")


def test_editor_writes_previews_and_publishes_and_a_reader_sees_it(
    live_server, page, browser, screenshot, django_user_model, tmp_path
):
    from PIL import Image

    from .conftest import member

    Section.objects.create(name="协会")
    user = member(django_user_model, "bianji", "编辑")
    user.set_password("pw-for-browser-tests")
    user.save()
    photo = tmp_path / "签约.png"
    Image.new("RGB", (640, 400), (200, 30, 30)).save(photo)

    # The editor logs in and writes the article: text in the rich-text editor, an image, two new units.
    page.goto(live_server.url + reverse("admin:articles_article_add"))
    page.fill("#id_username", "bianji")
    page.fill("#id_password", "pw-for-browser-tests")
    page.click("input[type=submit]")
    page.select_option("#id_section", label="协会")
    page.fill("#id_title", "浏览器里写的文章")
    body = page.locator(".ProseMirror[contenteditable='true']")
    body.click()
    page.keyboard.type("近日，两家单位举行共建签约仪式。")
    page.keyboard.press("Enter")
    page.keyboard.type("双方将在党建、人才等方面深入合作。")
    page.locator("#images-group .add-row a").click()
    page.set_input_files("input[name='images-0-image']", str(photo))
    page.fill("input[name='images-0-caption']", "共建单位签署协议")
    page.fill("input[name='images-0-alt_text']", "两位代表在台上签字")
    page.locator("#unit_links-group .add-row a").click()
    for row, name in enumerate(["浏览器新单位甲", "浏览器新单位乙"]):
        page.locator(f"#unit_links-{row} .select2-selection").click()
        search = page.locator(".select2-container--open .select2-search__field")
        search.fill(name)
        page.locator(".select2-results__option", has_text=name).first.wait_for()
        search.press("Enter")
        assert name in page.locator(f"#unit_links-{row} .select2-selection").inner_text()
    page.click("input[name='_continue']")
    assert page.locator(".errornote").count() == 0, page.locator("#content-main").inner_text()

    # Saved once, the image can be placed in the body with the editor's image button.
    page.get_by_title("插入本文图片").first.click()
    page.locator("dialog.prose-editor-dialog button[type=submit]").click()
    assert page.locator(".ProseMirror figure.article-figure-marker figcaption").inner_text() == "1. 共建单位签署协议"
    page.click("input[name='_continue']")
    screenshot(page, "editor-article-form")

    # Preview: the reader's page, with the banner, the image in its place and the units.
    with page.context.expect_page() as preview_info:
        page.locator("a.previewlink").click()
    preview = preview_info.value
    preview.wait_for_load_state()
    assert "预览" in preview.locator(".preview-banner").inner_text()
    assert preview.locator("figure figcaption").inner_text().startswith("共建单位签署协议")
    assert preview.locator("figure img").get_attribute("alt") == "两位代表在台上签字"
    assert preview.locator("section.units").inner_text().count("浏览器新单位") == 2
    screenshot(preview, "editor-preview")
    preview.close()

    page.click("input[name='_publish']")
    page.wait_for_url("**/admin/articles/article/")
    article = Article.objects.get(title="浏览器里写的文章")
    assert article.is_published and article.body.count("<figure data-image=") == 1

    # A reader (no login) finds it on the home page and in the feed.
    reader = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    reader.goto(live_server.url + "/")
    reader.get_by_role("link", name="浏览器里写的文章").click()
    assert reader.locator(".preview-banner").count() == 0
    assert reader.locator("figure figcaption").inner_text().startswith("共建单位签署协议")
    feed = feedparser.parse(reader.request.get(live_server.url + reverse("articles:feed")).body())
    assert "浏览器里写的文章" in [entry.title for entry in feed.entries]
    reader.context.close()
