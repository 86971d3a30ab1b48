"""What the admin's JavaScript shows is Chinese too: the prose editor's toolbar, its dialogs and its
block type list, select2's messages, the calendar and clock, the actions bar, the permission picker.

In headless Chromium, each page (and each dialog, once opened) is read as a person and a screen
reader get it: the text of rendered elements, option texts, and the title, aria-label, alt and
placeholder attributes of every element; the editor's content (the article itself) is left out.
``SCREENSHOTS=docs`` also saves the README's screenshots to docs/screenshots/.
"""

import os
from pathlib import Path

import pytest
from django.templatetags.static import static
from django.urls import reverse
from playwright.sync_api import expect
from reversion.models import Version

from articles import workflow

from .conftest import member
from .factories import (
    ArticleFactory,
    ArticleImageFactory,
    ArticleUnitFactory,
    ColumnFactory,
    SectionFactory,
    UnitFactory,
)
from .uitext import english_words

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-browser-tests"
DOCS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"

READ_PAGE = """() => {
  // Code, the article's own text (in the editor), and values Django marks as data (<bdi>: a password hash).
  const silent = "script, style, template, textarea, noscript, .prose-editor > .ProseMirror, bdi";
  const found = [];
  for (const element of document.querySelectorAll("body, body *")) {
    if (element.closest(silent)) continue;
    const where = element.tagName.toLowerCase() + (element.className && typeof element.className === "string"
      ? "." + element.className.trim().split(/\\s+/).join(".") : "");
    for (const name of ["title", "aria-label", "alt", "placeholder", "aria-description", "label"]) {
      const value = element.getAttribute(name);
      if (value) found.push([`${where}[${name}]`, value]);
    }
    if (element.matches("input[type=submit], input[type=button], input[type=reset]")) {
      found.push([`${where}[value]`, element.value]);
    }
    const shown = element.matches("option, optgroup") || element.checkVisibility({ checkVisibilityCSS: true });
    if (!shown) continue;
    for (const node of element.childNodes) {
      if (node.nodeType === Node.TEXT_NODE && node.textContent.trim()) found.push([where, node.textContent.trim()]);
    }
  }
  return found;
}"""


def english_on(page):
    """Where English shows on the page as it is now: element → words."""
    found = {}
    for where, text in page.evaluate(READ_PAGE):
        words = english_words(text)
        if words:
            found.setdefault(where, set()).update(words)
    return found


class Reader:
    def __init__(self, page):
        self.page, self.found = page, {}

    def read(self, label):
        for where, words in english_on(self.page).items():
            self.found.setdefault(f"{label}: {where}", set()).update(words)

    def assert_none(self):
        report = "\n".join(f"{where}: {' '.join(sorted(words))}" for where, words in sorted(self.found.items()))
        assert not self.found, f"English in the browser:\n{report}"


@pytest.fixture
def newsroom(django_user_model):
    editor = member(django_user_model, "编辑甲", "编辑")
    editor.set_password(PASSWORD)
    editor.save()
    chief = django_user_model.objects.create_superuser("主编丙", "", PASSWORD)
    section = SectionFactory(name="协会")
    column = ColumnFactory(name="党建好故事")
    article = ArticleFactory(
        title="党建引领聚合力 智能建造筑精品",
        subtitle="浙江一建杭州医学院临安二期项目举行党建共建签约仪式",
        section=section,
        column=column,
        status="draft",
        publish_at=None,
        author="江风",
        source="《国企》杂志融媒浙江讯",
        body="<p>近日，六家单位举行党建共建签约仪式。</p><p>双方将在党建、人才等方面深入合作。</p>",
        created_by=editor,
    )
    ArticleImageFactory(article=article, caption="六家共建单位共同签署协议", alt_text="签约现场")
    ArticleUnitFactory(article=article, unit=UnitFactory(name="浙江一建"))
    article.tags.add("党建", "智能建造")
    workflow.article_saved(article, editor)
    article.body += "<p>项目将打造党建引领下的精品工程。</p>"
    article.summary = "六家单位签署《支部共建协议书》。"
    article.save()
    workflow.article_saved(article, editor)
    workflow.publish(article, user=editor)
    for n, title in enumerate(["浙江一建召开季度安全生产会议", "临安二期项目主体结构顺利封顶", "杭州医学院新校区启用"]):
        ArticleFactory(title=title, section=section, column=column if n % 2 else None)
    ArticleFactory(title="撰稿人提交的稿件", section=section, status="review", publish_at=None)
    return {"editor": editor, "chief": chief, "article": article}


def log_in(page, live_server, username, url):
    page.goto(live_server.url + url)
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"**{url}")


def test_the_article_form_its_editor_and_dialogs_are_chinese(live_server, page, newsroom):
    article = newsroom["article"]
    reader = Reader(page)
    log_in(page, live_server, "编辑甲", reverse("admin:articles_article_change", args=[article.pk]))
    toolbar = page.locator(".prose-menubar")
    expect(toolbar).to_be_visible()
    reader.read("form")

    # The link dialog, on a selection.
    page.locator(".prose-editor > .ProseMirror p").first.click(click_count=3)
    toolbar.locator("button[data-name='link']").click()
    dialog = page.locator("dialog.prose-editor-dialog")
    expect(dialog).to_be_visible()
    reader.read("link dialog")
    link_dialog = dialog.inner_text()
    dialog.locator("button[value='cancel']").click()

    # The list properties dialog, inside an ordered list.
    page.locator(".prose-editor > .ProseMirror p").first.click()
    toolbar.locator("button[data-name='orderedList']").click()
    toolbar.locator("button[data-name='orderedListProperties']").click()
    expect(dialog).to_be_visible()
    reader.read("list dialog")
    dialog.locator("button[value='cancel']").click()

    # The block type list, and the image dialog.
    toolbar.locator(".prose-menubar__selected").click()
    expect(page.locator(".prose-menubar__picker")).to_be_visible()
    reader.read("block types")
    page.keyboard.press("Escape")
    toolbar.locator("button[data-name='articleFigure']").click()
    picker = page.locator("dialog.article-image-picker")
    expect(picker).to_be_visible()
    reader.read("image picker")
    picker.locator(".picker-upload-button").click()  # nothing chosen: it says what is missing
    expect(picker.locator(".picker-status")).not_to_be_empty()
    reader.read("image picker, nothing chosen")
    picker.locator(".picker-close").click()

    # A table, with its toolbar buttons.
    page.locator(".prose-editor > .ProseMirror p").first.click()
    toolbar.locator("button[data-name='table']").click()
    expect(dialog).to_be_visible()
    reader.read("table dialog")
    dialog.locator("button[type=submit]").click()
    expect(page.locator(".ProseMirror table")).to_be_visible()
    reader.read("table buttons")

    # The preview of the form, beside it, at both widths.
    page.get_by_role("button", name="预览当前内容").click()
    expect(page.frame_locator("iframe[name='article-preview']").locator("h1")).to_be_visible()
    reader.read("form preview")
    page.get_by_role("button", name="手机").click()
    reader.read("form preview, phone")
    page.get_by_role("button", name="关闭预览").click()

    # select2 boxes: tags (searching, a new name) and units.
    page.locator(".field-tags .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("党")
    expect(page.locator(".select2-results__option").first).to_be_visible()
    reader.read("tags box")
    page.locator(".select2-container--open .select2-search__field").fill("没有的标签")
    expect(page.locator(".select2-results__option", has_text="没有的标签")).to_be_visible()
    reader.read("tags box, a new name")
    page.keyboard.press("Escape")
    page.locator("#unit_links-0 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("浙")
    expect(page.locator(".select2-results__option").first).to_be_visible()
    reader.read("units box")
    page.keyboard.press("Escape")

    # The calendar and the clock of the publish time.
    page.locator(".field-publish_at .datetimeshortcuts a").first.click()
    reader.read("calendar")
    page.keyboard.press("Escape")
    reader.assert_none()
    assert toolbar.locator("button[aria-label='加粗']").count() == 1
    assert "网址" in link_dialog


def test_the_toolbar_icons_are_the_same_pictures_without_their_names(live_server, page, newsroom):
    log_in(page, live_server, "编辑甲", reverse("admin:articles_article_add"))
    expect(page.locator(".prose-menubar")).to_be_visible()
    names = page.evaluate(
        """async (module) => {
      const { ICONS } = await import(module)
      await document.fonts.load("24px 'Material Icons'")
      const draw = (text) => {
        const canvas = document.createElement("canvas")
        canvas.width = canvas.height = 32
        const context = canvas.getContext("2d")
        context.font = "24px 'Material Icons'"
        context.fillText(text, 2, 28)
        return Array.from(context.getImageData(0, 0, 32, 32).data).join()
      }
      const blank = draw("")
      return Object.entries(ICONS).filter(([name, glyph]) => draw(glyph) === blank || draw(glyph) !== draw(name))
        .map(([name]) => name)
    }""",
        live_server.url + static("js/admin/prose-editor-zh.js"),
    )
    assert names == []  # each code point draws what its ligature drew
    buttons = page.locator(".prose-menubar .prose-menubar__button")
    for index in range(buttons.count()):
        button = buttons.nth(index)
        assert button.get_attribute("aria-label") and not english_words(button.get_attribute("aria-label"))
        assert not english_words(button.inner_text())


def test_lists_actions_and_permission_picker_are_chinese(live_server, page, newsroom):
    reader = Reader(page)
    log_in(page, live_server, "主编丙", reverse("admin:articles_article_changelist"))
    page.locator("input.action-select").first.check()
    reader.read("article list, one ticked")
    group = newsroom["editor"].groups.get()
    page.goto(live_server.url + reverse("admin:auth_group_change", args=[group.pk]))
    expect(page.locator(".selector")).to_be_visible()
    reader.read("role form")
    page.goto(live_server.url + reverse("admin:auth_user_change", args=[newsroom["editor"].pk]))
    reader.read("user form")
    reader.assert_none()


def screenshot_to(page, name):
    """The README's screenshots, when SCREENSHOTS=docs; else under test-artifacts/ like the others."""
    folder = (
        DOCS if os.environ.get("SCREENSHOTS") == "docs" else Path(__file__).resolve().parent.parent / "test-artifacts"
    )
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=folder / f"{name}.png")


def test_screenshots_of_the_list_the_form_and_the_compare_view(live_server, page, newsroom):
    """Regenerate with `make screenshots`: 1280 px wide, the top of each page."""
    article = newsroom["article"]
    page.set_viewport_size({"width": 1280, "height": 860})
    log_in(page, live_server, "编辑甲", reverse("admin:articles_article_changelist"))
    expect(page.locator("#result_list")).to_be_visible()
    screenshot_to(page, "admin-article-list")

    page.set_viewport_size({"width": 1280, "height": 1280})  # down to the body's editor
    page.goto(live_server.url + reverse("admin:articles_article_change", args=[article.pk]))
    expect(page.locator(".prose-menubar")).to_be_visible()
    screenshot_to(page, "admin-article-form")
    page.set_viewport_size({"width": 1280, "height": 860})

    # The form's preview beside it, at a phone's width, before anything is saved.
    page.locator(".ProseMirror[contenteditable='true'] p").first.click()
    page.keyboard.press("End")
    page.keyboard.type("（这句还没保存）")
    page.locator("[data-preview-width=phone]").evaluate("button => button.click()")  # the panel is hidden yet
    page.get_by_role("button", name="预览当前内容").click()
    frame = page.frame_locator("iframe[name='article-preview']")
    expect(frame.locator(".article-body")).to_contain_text("（这句还没保存）")
    screenshot_to(page, "admin-form-preview")

    first, second = Version.objects.get_for_object(article).order_by("pk")[:2]  # the two drafts
    compare = reverse("admin:articles_article_compare", args=[article.pk])
    page.goto(f"{live_server.url}{compare}?from={first.pk}&to={second.pk}")
    expect(page.locator(".revision-compare")).to_be_visible()
    assert not english_on(page)
    screenshot_to(page, "admin-compare")
