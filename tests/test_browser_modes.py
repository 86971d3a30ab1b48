"""The reader's modes in a real browser, on a phone (375 px) and a desktop (1280 px): the 简/繁 switch,
长者模式 (elder mode) and the dark theme, as the reader sees them."""

import os

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from .test_browser import DESKTOP, PHONE, archive, horizontal_overflow  # noqa: F401 (archive: a fixture)
from .test_browser_language import screenshot_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [PHONE["width"], DESKTOP["width"]]
SEED_TITLE_HANT = "【黨建好故事】黨建引領聚合力 智能建造築精品"

# WCAG 2.x relative luminance and contrast ratio of two computed CSS colours (rgb(a) strings).
CONTRAST_JS = """
([selector, backgroundSelector]) => {
  const parse = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = (rgb) => {
    const [r, g, b] = rgb.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const c = getComputedStyle(el).backgroundColor;
      if (!/rgba\\(.*, 0\\)$/.test(c) && c !== "transparent") return c;
    }
    return "rgb(255, 255, 255)";
  };
  const el = document.querySelector(selector);
  const fg = lum(parse(getComputedStyle(el).color));
  const bg = lum(parse(background(backgroundSelector ? document.querySelector(backgroundSelector) : el)));
  return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
}
"""

# The main pairs of colours: text, secondary text, links, the current page number, highlighted matches.
PAIRS = {
    "body text": ("main h1", None),
    "secondary text (meta)": ("main .meta", None),
    "link": ("main .units a", None),
    "navigation link": (".site-nav a", None),
    "footer text": (".site-footer", None),
}


def size(page, width):
    page.set_viewport_size({"width": width, "height": 900})


@pytest.mark.parametrize("width", WIDTHS)
def test_reader_switches_to_traditional_characters_and_back(live_server, page, archive, width):  # noqa: F811
    seed, older, _oldest, _unit = archive
    size(page, width)
    page.goto(live_server.url + "/")
    page.locator(".modes").get_by_role("link", name="繁體").click()
    assert page.url == live_server.url + "/zh-hant/"
    assert page.get_by_role("heading", level=1).inner_text() == "《國企》雜誌社官網"
    assert page.evaluate("document.documentElement.lang") == "zh-Hant-TW"
    # Links stay in the traditional edition: a section, then an article.
    page.get_by_role("navigation", name="頻道").get_by_role("link", name="協會").click()
    assert page.url == live_server.url + "/zh-hant" + seed.section.get_absolute_url()
    page.get_by_role("main").get_by_role("link", name=SEED_TITLE_HANT).click()
    assert page.url == live_server.url + "/zh-hant" + seed.get_absolute_url()
    assert page.get_by_role("heading", level=1).inner_text() == SEED_TITLE_HANT
    assert "六家共建單位共同簽署《支部共建協議書》" in page.locator("figure figcaption").first.inner_text()
    assert horizontal_overflow(page) == 0
    # Search in the traditional edition, typed in simplified characters, finds and shows traditional.
    page.get_by_role("search").first.get_by_role("searchbox").fill("党建")
    page.get_by_role("search").first.get_by_role("button").click()
    assert page.url.startswith(live_server.url + "/zh-hant/search/")
    assert page.locator("main mark").first.inner_text() == "黨建"
    # And back to simplified, on the same page with the same query.
    page.locator(".modes").get_by_role("link", name="简体").click()
    assert page.url.startswith(live_server.url + "/search/?q=")
    assert page.locator("main mark").first.inner_text() == "党建"
    assert page.locator(".modes").get_by_role("link", name="繁體").is_visible()
    assert horizontal_overflow(page) == 0


@pytest.mark.parametrize("width", WIDTHS)
def test_elder_mode_is_larger_plainer_and_remembered(live_server, page, archive, width):  # noqa: F811
    seed, *_ = archive
    size(page, width)
    page.goto(live_server.url + seed.get_absolute_url())
    assert page.locator(".promo").is_visible()
    normal_size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.article-body p')).fontSize)")
    toggle = page.get_by_role("button", name="长者模式")
    assert toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    text = page.locator(".article-body p").first
    assert text.evaluate("p => parseFloat(getComputedStyle(p).fontSize)") >= normal_size * 1.2
    assert (
        text.evaluate("p => parseFloat(getComputedStyle(p).lineHeight) / parseFloat(getComputedStyle(p).fontSize)") >= 2
    )
    assert not page.locator(".promo").is_visible()
    # Every link and button of the header, navigation, tools and downloads is at least 44 px high and wide,
    # and a button's label stays on one line (搜索, not 搜 over 索).
    for control in page.locator(".site-header a, .site-header button, .breadcrumbs a, .share a, .press-kit a").all():
        if control.is_visible():
            box = control.bounding_box()
            assert box["height"] >= 44 and box["width"] >= 44, control.evaluate("e => e.outerHTML")
    lines = "b => { const r = document.createRange(); r.selectNodeContents(b); return r.getClientRects().length }"
    for button in page.locator(".site-header button").all():
        if button.is_visible():
            assert button.evaluate(lines) == 1, button.inner_text()
    assert horizontal_overflow(page) == 0
    # Remembered: the next page opens in elder mode, set before it is drawn (the page itself is the cached one).
    page.goto(live_server.url + "/")
    assert page.evaluate("document.documentElement.classList.contains('care')")
    assert page.get_by_role("button", name="长者模式").get_attribute("aria-pressed") == "true"
    assert horizontal_overflow(page) == 0
    assert Axe().run(page).violations_count == 0
    page.get_by_role("button", name="长者模式").click()
    page.reload()
    assert not page.evaluate("document.documentElement.classList.contains('care')")


def contrasts(page):
    return {name: page.evaluate(CONTRAST_JS, list(pair)) for name, pair in PAIRS.items()}


@pytest.mark.parametrize("width", WIDTHS)
def test_dark_theme_follows_the_system_with_the_contrast_of_the_light_one(live_server, page, archive, width):  # noqa: F811
    seed, *_ = archive
    size(page, width)
    page.emulate_media(color_scheme="light")
    page.goto(live_server.url + seed.get_absolute_url())
    light = contrasts(page)
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
    page.emulate_media(color_scheme="dark")
    page.reload()
    dark_background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert dark_background == "rgb(22, 22, 22)"
    dark = contrasts(page)
    for name in PAIRS:
        # At least 4.5:1 (WCAG AA), and no pair loses more than a tenth of its light-theme contrast.
        assert dark[name] >= 4.5 and dark[name] >= min(light[name], 7) * 0.9, (name, light[name], dark[name])
    axe = Axe()
    for path in ["/", seed.get_absolute_url(), reverse("articles:search") + "?q=党建"]:
        page.goto(live_server.url + path)
        results = axe.run(page)
        assert results.violations_count == 0, f"{path}\n{results.generate_report()}"
        assert horizontal_overflow(page) == 0
    # Elder mode in the dark: the strongest contrast.
    page.get_by_role("button", name="长者模式").click()
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(0, 0, 0)"
    assert page.evaluate(CONTRAST_JS, ["main", None]) >= 15
    assert Axe().run(page).violations_count == 0


# What the README shows: (name, address prefix, colour scheme, elder mode).
VIEWS = [
    ("default", "", "light", False),
    ("hant", "/zh-hant", "light", False),
    ("care", "", "light", True),
    ("dark", "", "dark", False),
]


def test_screenshots_of_the_reader_modes(live_server, page, archive):  # noqa: F811
    """`make screenshots` saves them to docs/screenshots/readers-<view>-<width>.png (else test-artifacts/):
    the top of the article page at 375 and 1280 px in each view. The README's "before" pictures
    (readers-before-<width>.png) were taken by this test copied onto the code before the modes (commit
    8f715d7), with READERS_BEFORE=1: the default view alone, under that name."""
    seed, *_ = archive
    before = os.environ.get("READERS_BEFORE") == "1"
    for width, height in ((PHONE["width"], PHONE["height"]), (DESKTOP["width"], DESKTOP["height"])):
        page.set_viewport_size({"width": width, "height": height})
        for name, prefix, scheme, care in VIEWS[:1] if before else VIEWS:
            page.emulate_media(color_scheme=scheme)
            page.goto(live_server.url + prefix + seed.get_absolute_url())
            if care:
                page.get_by_role("button", name="长者模式").click()
            screenshot_to(page, f"readers-{'before' if before else name}-{width}")
