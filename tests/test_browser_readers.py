"""Readers II in a real browser (headless Chromium), on a phone (375 px) and a desktop (1280 px): 纠错 by
selecting text, the promo block on a phone, copying without the Clipboard API, dates that never break,
返回顶部, the logo and the current section."""

import pytest
from playwright.sync_api import expect

from articles.models import ErrorReport

from .test_browser import DESKTOP, PHONE, archive, horizontal_overflow  # noqa: F401 - archive is a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375px", "1280px"])
# What a browser without the Clipboard API (plain HTTP, an old or locked-down browser) offers.
NO_CLIPBOARD = "Object.defineProperty(Navigator.prototype, 'clipboard', {get: () => undefined});"


@WIDTHS
def test_a_reader_selects_text_and_reports_an_error(live_server, page, screenshot, archive, viewport):  # noqa: F811
    seed = archive[0]
    page.set_viewport_size(viewport)
    page.goto(live_server.url + seed.get_absolute_url())
    paragraph = page.locator(".article-body p").nth(1)
    paragraph.click(click_count=3)  # selects the paragraph, as a reader's drag would
    selected = page.evaluate("document.getSelection().toString().trim()")
    assert len(selected) > 10
    page.locator(".report-error summary").click()
    field = page.get_by_label("有误的文字")
    expect(field).to_have_value(selected[:500])
    page.get_by_label("错在哪里").fill("单位名称有误")
    screenshot(page, f"report-error-{viewport['width']}")
    page.get_by_role("button", name="提交纠错").click()
    expect(page.locator(".report-error .report-status")).to_have_text("感谢指正！编辑会尽快核实。")
    assert horizontal_overflow(page) == 0
    (report,) = ErrorReport.objects.all()
    assert (report.article_id, report.selected_text, report.note) == (seed.pk, selected[:500], "单位名称有误")


def test_the_promo_block_is_compact_on_a_phone_and_whole_on_a_desktop(live_server, page, archive):  # noqa: F811
    seed = archive[0]
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + seed.get_absolute_url())
    promo = page.locator(".promo")
    height = promo.bounding_box()["height"]
    assert height < 250, height  # it was 1,300 px tall
    more = promo.get_by_role("button", name="展开全文")
    more.click()
    assert promo.bounding_box()["height"] > 3 * height  # all of it, on demand
    expect(promo.get_by_role("button", name="收起")).to_have_attribute("aria-expanded", "true")
    page.set_viewport_size(DESKTOP)
    page.reload()
    expect(promo.get_by_role("button")).to_be_hidden()
    assert "《国企》杂志创办于2006年" in promo.inner_text()


@WIDTHS
def test_copy_link_without_the_clipboard_api_selects_the_address_and_says_so(live_server, browser, archive, viewport):  # noqa: F811
    seed = archive[0]
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    context.add_init_script(NO_CLIPBOARD)
    page = context.new_page()
    page.goto(live_server.url + seed.get_absolute_url())
    assert page.evaluate("navigator.clipboard === undefined")
    page.get_by_role("button", name="复制链接").click()
    expect(page.locator(".share .copy-status")).to_have_text("链接已复制")  # the browser's copy command did it
    box = page.get_by_role("textbox", name="本页地址")
    assert box.evaluate("box => box.value.slice(box.selectionStart, box.selectionEnd)") == page.url
    assert horizontal_overflow(page) == 0
    page.goto(live_server.url + "/subscribe/")
    button = page.get_by_role("button", name="复制 RSS 订阅地址", exact=True)
    button.click()
    expect(button).to_have_text("已复制")
    context.close()


@WIDTHS
def test_dates_stay_whole_and_long_pages_lead_back_to_the_top(live_server, page, archive, viewport):  # noqa: F811
    seed = archive[0]
    page.set_viewport_size(viewport)
    for url in ["/", seed.get_absolute_url(), seed.section.get_absolute_url()]:
        page.goto(live_server.url + url)
        for time in page.locator("main time").all():
            assert time.evaluate("t => t.getClientRects().length") == 1, (url, time.inner_text())
    page.goto(live_server.url + seed.get_absolute_url())
    back = page.get_by_role("link", name="返回顶部")
    expect(back).to_be_visible()
    back.click()
    assert page.evaluate("window.scrollY") == 0
    page.goto(live_server.url + "/nope/")  # a short page: nothing to go back up from
    expect(page.get_by_role("link", name="返回顶部")).to_be_hidden()


def test_the_masthead_shows_the_logo_and_the_navigation_marks_the_section(live_server, page, archive):  # noqa: F811
    seed = archive[0]
    page.goto(live_server.url + seed.get_absolute_url())
    logo = page.get_by_role("link", name="《国企》杂志社官网").first.locator("img")
    assert logo.evaluate("img => img.complete && img.naturalWidth") > 0
    current = page.get_by_role("navigation", name="频道").locator("[aria-current]")
    expect(current).to_have_text("协会")
    assert current.evaluate("a => getComputedStyle(a).fontWeight") == "700"
