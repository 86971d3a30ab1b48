"""Real-browser checks: headless Chromium through Playwright against the live server."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

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
