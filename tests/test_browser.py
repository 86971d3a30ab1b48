"""Real-browser checks: headless Chromium through Playwright against the live server."""

import datetime
import re
from io import BytesIO

import feedparser
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from articles import workflow
from articles.models import Article, Section, SiteSettings

from .conftest import SEED
from .factories import ArticleFactory, ArticleImageFactory, ArticleUnitFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
SEED_TITLE = "【党建好故事】党建引领聚合力 智能建造筑精品"


def photo(width, height, colour):
    """A picture with something in it, so screenshots show how images sit on the page."""
    image = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(image)
    for i in range(0, width, 40):
        draw.line([(i, 0), (i + height // 2, height)], fill="white", width=6)
    draw.ellipse([width // 3, height // 4, width // 3 + height // 2, height // 4 + height // 2], fill="#f5c518")
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return ContentFile(buffer.getvalue(), name="photo.jpg")


def horizontal_overflow(page):
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.fixture
def archive():
    """The reference article with its two photos, and neighbours sharing its section, tag and units."""
    call_command("import_articles", str(SEED), verbosity=0)
    seed = Article.objects.get(import_key=SEED.name)
    SiteSettings.objects.filter(pk=1).update(
        icp_number="京ICP备00000000号-1",
        police_number="京公网安备11010502000000号",
        copyright_line="© 2026 《国企》杂志社 版权所有",
    )
    for image, colour in zip(seed.images.all(), ["#a8071a", "#1d4ed8"], strict=False):
        image.image = photo(1600, 1000, colour)
        image.save()
    seed.tags.add("党建")
    workflow.article_saved(seed)
    unit = seed.units.get(name="浙江一建")
    older = ArticleFactory(
        title="浙江一建召开季度安全生产会议",
        section=seed.section,
        column=seed.column,
        summary="会议总结了上季度安全生产情况，部署下一阶段重点工作。",
        publish_at=seed.publish_at - datetime.timedelta(days=1),
    )
    older.tags.add("党建")
    ArticleUnitFactory(article=older, unit=unit)
    ArticleImageFactory(article=older, image=photo(800, 600, "#2f855a"), alt_text="会议现场")
    workflow.article_saved(older)
    oldest = ArticleFactory(
        title="临安二期项目主体结构顺利封顶",
        section=seed.section,
        summary="项目克服工期紧、任务重等困难，提前十天实现主体结构封顶。",
        publish_at=seed.publish_at - datetime.timedelta(days=2),
    )
    ArticleUnitFactory(article=oldest, unit=unit)
    return seed, older, oldest, unit


def test_reader_walks_the_archive_on_desktop_and_phone(live_server, page, screenshot, archive):
    seed, older, oldest, unit = archive
    page.set_viewport_size(DESKTOP)
    visited = []

    def arrive(heading):
        assert page.get_by_role("heading", level=1).inner_text() == heading
        visited.append(page.url)

    page.goto(live_server.url + "/")
    arrive("《国企》杂志社官网")
    assert page.locator(".lead-story").get_by_role("link", name=SEED_TITLE).is_visible()
    screenshot(page, "home-desktop")

    page.get_by_role("navigation", name="频道").get_by_role("link", name="协会").click()
    arrive("协会")
    page.get_by_role("main").get_by_role("link", name=SEED_TITLE).click()
    arrive(SEED_TITLE)
    assert page.locator("figure figcaption").first.inner_text() == "六家共建单位共同签署《支部共建协议书》"
    assert page.get_by_role("region", name="相关阅读").get_by_role("link").first.inner_text().endswith(older.title)
    screenshot(page, "article-desktop")

    page.get_by_role("link", name="党建", exact=True).click()
    arrive("标签：党建")
    page.get_by_role("link", name=f"【党建好故事】{older.title}").click()
    arrive(f"【党建好故事】{older.title}")
    page.get_by_role("region", name="参与单位").get_by_role("link", name="浙江一建").click()
    arrive("浙江一建")
    page.get_by_role("main").get_by_role("link", name=oldest.title).click()
    arrive(oldest.title)
    page.get_by_role("navigation", name="更多文章").get_by_role("link", name=older.title).click()  # 下一篇
    arrive(f"【党建好故事】{older.title}")

    # The same pages on a phone: nothing scrolls sideways.
    page.set_viewport_size(PHONE)
    day = timezone.localtime(seed.publish_at)
    extra = [reverse("articles:archive"), reverse("articles:archive_month", args=[day.year, day.month]), "/nope/"]
    for url in visited + [live_server.url + path for path in extra]:
        page.goto(url)
        assert horizontal_overflow(page) == 0, url
    page.goto(live_server.url + "/")
    screenshot(page, "home-phone")
    page.goto(live_server.url + seed.get_absolute_url())
    screenshot(page, "article-phone")


def test_reader_copies_a_feed_address_on_the_subscribe_page(live_server, page, screenshot):
    call_command("import_articles", str(SEED), verbosity=0)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="订阅", exact=True).click()  # the lists also link "RSS 订阅"
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

    # Saved once, the image can be placed in the body with the editor's image button: its thumbnail.
    page.get_by_title("插入本文图片").first.click()
    page.locator("dialog.article-image-picker .picker-choose").first.click()
    assert page.locator(".ProseMirror figure.article-figure-marker figcaption").inner_text() == "共建单位签署协议"
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
    reader.get_by_role("link", name="浏览器里写的文章").first.click()  # the lead story; its section block too
    assert reader.locator(".preview-banner").count() == 0
    assert reader.locator("figure figcaption").inner_text().startswith("共建单位签署协议")
    feed = feedparser.parse(reader.request.get(live_server.url + reverse("articles:feed")).body())
    assert "浏览器里写的文章" in [entry.title for entry in feed.entries]
    reader.context.close()


def test_a_photo_chosen_before_a_failed_save_is_kept_and_published(
    live_server, page, browser, screenshot, django_user_model, tmp_path
):
    from .conftest import member

    Section.objects.create(name="协会")
    user = member(django_user_model, "bianji", "编辑")
    user.set_password("pw-for-browser-tests")
    user.save()
    chosen = tmp_path / "签约.jpg"
    chosen.write_bytes(photo(900, 600, "#1d4ed8").read())

    page.goto(live_server.url + reverse("admin:articles_article_add"))
    page.fill("#id_username", "bianji")
    page.fill("#id_password", "pw-for-browser-tests")
    page.click("input[type=submit]")
    page.select_option("#id_section", label="协会")
    page.locator(".ProseMirror[contenteditable='true']").click()
    page.keyboard.type("忘了写标题的文章正文。")
    page.locator("#images-group .add-row a").click()
    page.set_input_files("input[name='images-0-image']", str(chosen))
    page.fill("input[name='images-0-caption']", "共建单位签署协议")
    page.fill("input[name='images-0-alt_text']", "两位代表在台上签字")
    page.click("input[name='_continue']")  # no title: refused

    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator(".field-title .errorlist")).to_be_visible()
    note = page.locator("#images-0 .kept-upload")
    expect(note).to_contain_text("已选择的图片 签约.jpg 已保留，保存时将使用它")
    assert note.locator("img").evaluate("img => img.naturalWidth") > 0  # the thumbnail of the chosen photo
    assert page.locator("input[name='images-0-caption']").input_value() == "共建单位签署协议"
    screenshot(page, "editor-kept-photo")

    page.fill("#id_title", "补上标题的文章")
    page.click("input[name='_publish']")
    page.wait_for_url("**/admin/articles/article/")
    article = Article.objects.get(title="补上标题的文章")
    assert article.images.get().image

    reader = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    reader.goto(live_server.url + article.get_absolute_url())
    figure = reader.locator("figure img")
    figure.scroll_into_view_if_needed()
    assert (
        figure.evaluate(
            "img => img.complete ? img.naturalWidth : new Promise(done => img.onload = () => done(img.naturalWidth))"
        )
        > 0
    )
    assert figure.get_attribute("alt") == "两位代表在台上签字"
    assert reader.locator("figure figcaption").inner_text().startswith("共建单位签署协议")
    reader.context.close()


def test_images_load_a_rendition_sized_for_the_screen(live_server, page, archive):
    seed = archive[0]
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + seed.get_absolute_url())
    first = page.locator("figure img").first
    first.scroll_into_view_if_needed()
    # Waited for from the test's side: the page's CSP forbids the eval a polled predicate would need.
    first.evaluate("img => img.complete || new Promise(done => img.addEventListener('load', done, {once: true}))")
    current = first.evaluate("img => img.currentSrc")
    assert re.search(r"-(640|960|1280)\.webp$", current), current  # a WebP rendition, not the original
    box = first.bounding_box()
    assert box["width"] <= PHONE["width"] and box["height"] > 100  # sized from width and height, not collapsed


def test_font_size_switch_is_remembered(live_server, page, archive):
    seed = archive[0]
    page.goto(live_server.url + seed.get_absolute_url())
    paragraph = page.locator(".article-body p").nth(1)
    medium = paragraph.evaluate("p => parseFloat(getComputedStyle(p).fontSize)")
    page.get_by_role("button", name="大").click()
    assert page.get_by_role("button", name="大").get_attribute("aria-pressed") == "true"
    large = paragraph.evaluate("p => parseFloat(getComputedStyle(p).fontSize)")
    assert large > medium
    page.goto(live_server.url + archive[1].get_absolute_url())  # another article: still large
    assert page.evaluate("document.documentElement.dataset.fontSize") == "large"
    assert page.get_by_role("button", name="大").get_attribute("aria-pressed") == "true"
    page.get_by_role("button", name="小").click()
    page.reload()
    small = page.locator(".article-body p").first.evaluate("p => parseFloat(getComputedStyle(p).fontSize)")
    assert small < medium
    page.get_by_role("button", name="中").click()
    page.reload()
    assert page.evaluate("document.documentElement.dataset.fontSize") is None


def test_copy_link_puts_the_article_address_on_the_clipboard(live_server, browser, archive):
    seed = archive[0]
    context = browser.new_context(locale="zh-CN")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.goto(live_server.url + seed.get_absolute_url())
    page.get_by_role("button", name="复制链接").click()
    page.get_by_text("链接已复制").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == live_server.url + seed.get_absolute_url()
    page.get_by_text("微信", exact=True).click()
    qr = page.get_by_role("img", name="本页二维码：用微信扫码分享")
    qr.wait_for()
    loaded = "img => img.complete ? img.naturalWidth : new Promise(done => img.onload = () => done(img.naturalWidth))"
    assert qr.evaluate(loaded) > 0  # the server-made SVG decodes
    context.close()


def test_print_shows_the_article_and_notice_without_navigation(live_server, page, archive, screenshot):
    seed = archive[0]
    page.goto(live_server.url + seed.get_absolute_url())
    page.emulate_media(media="print")
    for hidden in [".site-nav", ".breadcrumbs", ".share", ".reading-tools", ".related", ".prev-next", ".site-footer"]:
        assert not page.locator(hidden).is_visible(), hidden
    for shown in ["h1", "figure img", "figcaption", ".notice"]:
        assert page.locator(shown).first.is_visible(), shown
    screenshot(page, "article-print")


def test_skip_link_is_the_first_stop_and_visible_when_focused(live_server, page, archive):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到正文")
    assert skip.evaluate("a => a === document.activeElement")
    box = skip.bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0
    outline = page.get_by_role("link", name="协会").first
    outline.focus()
    assert outline.evaluate("a => getComputedStyle(a).outlineStyle") == "solid"
    page.keyboard.press("Shift+Tab")
    page.get_by_role("link", name="跳到正文").press("Enter")
    assert page.url.endswith("#main")


@pytest.mark.parametrize("width", [DESKTOP["width"], PHONE["width"]])
def test_pages_have_no_accessibility_violations(live_server, page, archive, width):
    seed, older, _oldest, unit = archive
    page.set_viewport_size({"width": width, "height": 900})
    axe = Axe()
    for path in [
        "/",
        seed.get_absolute_url(),
        seed.section.get_absolute_url(),
        unit.get_absolute_url(),
        reverse("articles:tag", args=["党建"]),
        reverse("articles:archive"),
        "/nope/",
    ]:
        page.goto(live_server.url + path)
        results = axe.run(page)
        assert results.violations_count == 0, f"{path}\n{results.generate_report()}"


def test_three_level_review_walked_by_a_contributor_two_reviewers_and_an_editor(
    live_server, browser, screenshot, django_user_model
):
    """三审: a contributor writes and submits; reviewer A returns it with a reason, then does the first
    review; A may not do the second, B does; an editor does the final review, which publishes it. The
    list shows each state, the history each step with who and when."""
    from articles.models import FlaggedWord

    from .conftest import member

    SiteSettings.objects.update_or_create(pk=1, defaults={"review_levels": 3})
    Section.objects.create(name="协会")
    FlaggedWord.objects.create(word="既使", kind="misspelling", note="即使")
    for username, role in [("xiezhe", "撰稿"), ("shenhe_a", "审核"), ("shenhe_b", "审核"), ("bianji", "编辑")]:
        user = member(django_user_model, username, role)
        user.set_password("pw-for-browser-tests")
        user.save()
    title = "浏览器里三审的文章"
    LIST_URL = re.compile(r"/admin/articles/article/(\?.*)?$")  # noqa: N806 - the list, its filters kept
    changelist = live_server.url + reverse("admin:articles_article_changelist")

    def sign_in(username):
        page = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
        page.set_default_timeout(15_000)
        page.goto(live_server.url + reverse("admin:index"))
        page.fill("#id_username", username)
        page.fill("#id_password", "pw-for-browser-tests")
        page.click("input[type=submit]")
        return page

    def state_in_list(page):
        page.goto(changelist)
        return page.locator("#result_list tr", has_text=title).locator(".state").inner_text()

    def open_article(page):
        page.goto(changelist)
        page.locator("#result_list").get_by_role("link", name=title).click()

    # The contributor writes, saves twice (the second time without a change), then submits.
    writer = sign_in("xiezhe")
    writer.goto(live_server.url + reverse("admin:articles_article_add"))
    writer.select_option("#id_section", label="协会")
    writer.fill("#id_title", title)
    writer.locator(".ProseMirror[contenteditable='true']").click()
    writer.keyboard.type("近日，项目举行三审流程演练。")
    writer.click("input[name='_continue']")
    expect(writer.locator(".messagelist")).to_contain_text("成功添加")
    writer.click("input[name='_continue']")  # nothing changed: no new history entry
    writer.click("input[name='_submit_review']")
    writer.wait_for_url(LIST_URL)
    expect(writer.locator(".messagelist")).to_contain_text(f"“{title}”：已提交审核，等待初审。")
    assert state_in_list(writer) == "待初审"

    # Reviewer A finds it through the count beside 文章 and returns it with a reason.
    reviewer_a = sign_in("shenhe_a")
    badge = reviewer_a.locator(".review-badge").first
    expect(badge).to_have_text("1 篇待审核")
    badge.click()
    reviewer_a.locator("#result_list").get_by_role("link", name=title).click()
    reviewer_a.fill("#id_return_reason", "请补充演练的时间和地点。")
    reviewer_a.click("input[name='_return_draft']")
    reviewer_a.wait_for_url(LIST_URL)
    assert state_in_list(reviewer_a) == "退回修改"

    # The contributor sees why, corrects it and submits again; a flagged word is shown and confirmed.
    row = writer.locator("#result_list tr", has_text=title)
    writer.goto(changelist)
    expect(row.locator(".return-reason")).to_have_text("请补充演练的时间和地点。")
    open_article(writer)
    expect(writer.locator(".return-note")).to_contain_text("请补充演练的时间和地点。")
    screenshot(writer, "review-returned-to-the-writer")
    writer.locator(".ProseMirror[contenteditable='true']").click()
    writer.keyboard.press("End")
    writer.keyboard.type("演练于12月3日在杭州举行，既使下雨也按时完成。")
    writer.click("input[name='_submit_review']")
    flagged = writer.locator(".flagged-words")
    expect(flagged.locator("mark")).to_have_text("既使")
    expect(flagged).to_contain_text("即使")
    screenshot(writer, "review-flagged-word")
    flagged.get_by_role("button", name="仍然提交").click()
    writer.wait_for_url(LIST_URL)
    assert state_in_list(writer) == "待初审"
    article = Article.objects.get(title=title)
    assert "既使下雨" in article.body  # confirmed, never changed

    # First review by A; A may not do the second.
    open_article(reviewer_a)
    reviewer_a.click("input[name='_pass_review']")
    reviewer_a.wait_for_url(LIST_URL)
    assert state_in_list(reviewer_a) == "待复审"
    open_article(reviewer_a)
    assert reviewer_a.locator("input[name='_pass_review']").count() == 0
    assert reviewer_a.locator("input[name='_return_draft']").count() == 0

    # Second review by B.
    reviewer_b = sign_in("shenhe_b")
    open_article(reviewer_b)
    expect(reviewer_b.locator("input[name='_pass_review']")).to_have_value("保存并通过复审")
    reviewer_b.click("input[name='_pass_review']")
    reviewer_b.wait_for_url(LIST_URL)
    assert state_in_list(reviewer_b) == "待终审"

    # The final review by an editor publishes it.
    editor = sign_in("bianji")
    open_article(editor)
    editor.click("input[name='_publish']")
    expect(editor.locator(".flagged-words mark")).to_have_text("既使")  # asked again before publishing
    editor.get_by_role("button", name="仍然发布").click()
    editor.wait_for_url(LIST_URL)
    expect(editor.locator(".messagelist")).to_contain_text("终审通过，已发布。")
    assert state_in_list(editor) == "已发布"
    screenshot(editor, "review-published-in-the-list")

    # The history: each step, with who and when, and nothing for the save that changed nothing.
    editor.goto(live_server.url + reverse("admin:articles_article_history", args=[article.pk]))
    rows = editor.locator("#change-history tbody tr")
    steps = [
        ("xiezhe", "已添加"),
        ("xiezhe", "已提交审核，等待初审。"),
        ("shenhe_a", "退回修改：请补充演练的时间和地点。"),
        ("xiezhe", "已提交审核，等待初审。"),
        ("shenhe_a", "初审通过，等待复审。"),
        ("shenhe_b", "复审通过，等待终审。"),
        ("bianji", "终审通过，已发布。"),
    ]
    expect(rows).to_have_count(len(steps))
    for row, (who, what) in zip(reversed(rows.all()), steps, strict=True):
        cells = row.locator("td, th").all_inner_texts()
        assert cells[2] == who and what in cells[3], cells
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", cells[1]), cells
    screenshot(editor, "review-history")

    reader = browser.new_context(locale="zh-CN").new_page()
    reader.goto(live_server.url + article.get_absolute_url())
    expect(reader.get_by_role("heading", level=1)).to_have_text(title)
    for page in (writer, reviewer_a, reviewer_b, editor, reader):
        page.context.close()
