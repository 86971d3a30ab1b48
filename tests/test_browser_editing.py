"""The article form in Chromium: pasting from Word, WPS and WeChat, autosave, the preview of the form,
an image uploaded and placed before the article is saved, the participating-units box; and the whole
three-level review walked with all of them (issue 14's "done when")."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from articles.models import Article, Section, SiteSettings, Unit

from .conftest import member
from .test_browser import photo
from .test_pasted import clipboard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-only"
EDITOR = ".ProseMirror[contenteditable='true']"
PREVIEW = "iframe[name='article-preview']"


def sign_in(browser, live_server, username, url=None):
    page = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + (url or reverse("admin:index")))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state()
    return page


def paste(page, html):
    """What a paste from another program does: a paste event carrying the clipboard's HTML."""
    body = page.locator(EDITOR)
    body.click()
    page.keyboard.press("Control+End")
    body.evaluate(
        """(element, html) => {
          const data = new DataTransfer()
          data.setData("text/html", html)
          data.setData("text/plain", "")
          element.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }))
        }""",
        html,
    )
    expect(page.locator(".prose-editor[data-pasting]")).to_have_count(0)


def autosaved(page):
    """What this browser keeps of the form, or None."""
    return page.evaluate(
        """() => {
          const key = document.querySelector("#autosave-offer")?.dataset.key
          return key ? JSON.parse(localStorage.getItem(key) || "null") : null
        }"""
    )


def wait_for_autosave(page, text):
    page.wait_for_function(
        """(text) => {
          const key = document.querySelector("#autosave-offer").dataset.key
          return (localStorage.getItem(key) || "").includes(text)
        }""",
        arg=text,
    )


def frame_width(page, width):
    """The preview's page width as it sees itself, once it is ``width``: read from the page around the
    frame, which a reload of the frame (switching widths reloads it) does not interrupt; read inside
    the frame, a reload destroyed the context being read."""
    return page.wait_for_function(
        """([frame, width]) => {
          const shown = document.querySelector(frame)?.contentWindow?.innerWidth
          return shown === width && shown
        }""",
        arg=[PREVIEW, width],
    ).json_value()


def upload_and_place(page, path, caption, alt_text):
    page.locator(".prose-menubar button[data-name='articleFigure']").click()
    picker = page.locator("dialog.article-image-picker")
    expect(picker).to_be_visible()
    picker.locator("input[name='picker-file']").set_input_files(str(path))
    picker.locator("input[name='picker-caption']").fill(caption)
    picker.locator("input[name='picker-alt']").fill(alt_text)
    picker.get_by_role("button", name="上传并插入").click()
    expect(picker).to_have_count(0)
    marker = page.locator(".ProseMirror figure.article-figure-marker", has_text=caption)
    expect(marker).to_be_visible()
    return marker


@pytest.fixture
def people(django_user_model):
    Section.objects.create(name="协会")
    return {
        name: member(django_user_model, name, role)
        for name, role in [("xiezhe", "撰稿"), ("shenhe_a", "审核"), ("shenhe_b", "审核"), ("bianji", "编辑")]
    }


def test_pasting_from_word_wps_and_wechat_keeps_structure_and_drops_styles(live_server, browser, people):
    page = sign_in(browser, live_server, "bianji", reverse("admin:articles_article_add"))
    page.select_option("#id_section", label="协会")
    page.fill("#id_title", "粘贴来的文章")
    for source in ["word", "wps", "wechat"]:
        paste(page, clipboard(source))
    editor = page.locator(EDITOR)
    expect(editor.locator("table")).to_have_count(3)
    expect(editor.locator("h2", has_text="智能建造推进会在杭州召开")).to_be_visible()
    expect(editor.locator("ol li", has_text="完成主体结构施工")).to_be_visible()
    expect(editor.locator("ol li", has_text="人才帮扶")).to_be_visible()
    expect(editor.locator("ul li", has_text="共育青年人才")).to_be_visible()
    expect(editor.locator("strong", has_text="六家单位")).to_be_visible()
    expect(editor.locator("a", has_text="会议通知")).to_have_attribute(
        "href", "https://www.example.com/news/2025/0612.html?id=7"
    )
    assert "1." not in editor.locator("ol").first.inner_text()  # Word's typed-out number is gone
    page.click("input[name='_continue']")
    expect(page.locator(".messagelist")).to_contain_text("成功添加")
    body = Article.objects.get(title="粘贴来的文章").body
    assert body.count("<table>") == 3 and "mso" not in body and "style=" not in body and "data-" not in body
    page.context.close()


def test_autosave_survives_an_expired_login_and_a_closed_tab(live_server, browser, people):
    page = sign_in(browser, live_server, "xiezhe", reverse("admin:articles_article_add"))
    context = page.context
    page.select_option("#id_section", label="协会")
    page.fill("#id_title", "没保存就掉线的文章")
    page.locator(EDITOR).click()
    page.keyboard.type("这段文字在登录过期时写下。")
    wait_for_autosave(page, "这段文字在登录过期时写下")

    # The login expires (the session is gone): saving sends the writer to log in again.
    context.clear_cookies(name="sessionid")
    page.click("input[name='_continue']")
    expect(page.locator("#id_username")).to_be_visible()
    page.fill("#id_username", "xiezhe")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/articles/article/add/")
    offer = page.locator("#autosave-offer")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("尚未保存的修改")
    offer.get_by_role("button", name="恢复").click()
    expect(offer).to_be_hidden()
    expect(page.locator("#id_title")).to_have_value("没保存就掉线的文章")
    expect(page.locator(EDITOR)).to_contain_text("这段文字在登录过期时写下。")
    assert Article.objects.count() == 0  # nothing was saved: the text came from the browser

    # A tab closed before saving: the next visit offers it again; discarding forgets it.
    page.locator(EDITOR).click()
    page.keyboard.press("Control+End")
    page.keyboard.type("又写了一句。")
    wait_for_autosave(page, "又写了一句")
    page.close()
    page = context.new_page()
    page.goto(live_server.url + reverse("admin:articles_article_add"))
    expect(page.locator("#autosave-offer")).to_be_visible()
    page.get_by_role("button", name="丢弃").click()
    expect(page.locator("#autosave-offer")).to_be_hidden()
    assert autosaved(page) is None
    page.reload()
    expect(page.locator("#autosave-offer")).to_be_hidden()
    context.close()


def test_a_refused_security_token_loses_nothing(live_server, browser, people):
    page = sign_in(browser, live_server, "bianji", reverse("admin:articles_article_add"))
    page.select_option("#id_section", label="协会")
    page.fill("#id_title", "安全令牌失效的文章")
    page.locator(EDITOR).click()
    page.keyboard.type("令牌失效前写的正文。")
    wait_for_autosave(page, "令牌失效前写的正文")
    page.locator("#article_form input[name=csrfmiddlewaretoken]").evaluate("input => { input.value = 'x'.repeat(64) }")
    page.click("input[name='_continue']")
    expect(page.locator("body")).to_contain_text("没有保存")  # the CSRF failure page says so
    page.goto(live_server.url + reverse("admin:articles_article_add"))
    page.get_by_role("button", name="恢复").click()
    expect(page.locator("#id_title")).to_have_value("安全令牌失效的文章")
    expect(page.locator(EDITOR)).to_contain_text("令牌失效前写的正文。")
    page.click("input[name='_continue']")
    expect(page.locator(".messagelist")).to_contain_text("成功添加")
    page.goto(live_server.url + reverse("admin:articles_article_add"))
    expect(page.locator("#autosave-offer")).to_be_hidden()  # saved: nothing more to offer
    page.context.close()


def test_the_form_is_previewed_beside_it_unsaved_at_phone_and_desktop_widths(live_server, browser, people):
    page = sign_in(browser, live_server, "xiezhe", reverse("admin:articles_article_add"))
    page.select_option("#id_section", label="协会")
    page.fill("#id_title", "还没保存的标题")
    page.locator(EDITOR).click()
    page.keyboard.type("预览里应当看到的正文。")
    page.get_by_role("button", name="预览当前内容").click()
    frame = page.frame_locator(PREVIEW)
    expect(frame.locator("h1")).to_have_text("还没保存的标题")
    expect(frame.locator(".article-body")).to_contain_text("预览里应当看到的正文。")
    expect(frame.locator(".preview-banner")).to_be_visible()
    form_box = page.locator("#article_form").bounding_box()
    panel_box = page.locator("#form-preview").bounding_box()
    assert form_box["x"] + form_box["width"] <= panel_box["x"] + 1  # side by side, not over the form
    assert frame_width(page, 1280) == 1280
    page.get_by_role("button", name="手机").click()
    with page.expect_response(lambda response: response.url.endswith("/preview/")) as posted:
        page.get_by_role("button", name="预览当前内容").click()  # the frame shows the last one meanwhile
    assert posted.value.ok
    expect(frame.locator("h1")).to_have_text("还没保存的标题")
    assert frame_width(page, 375) == 375
    assert Article.objects.count() == 0
    page.context.close()


def test_an_image_is_uploaded_and_placed_before_the_article_is_saved(live_server, browser, people, tmp_path):
    chosen = tmp_path / "签约.jpg"
    chosen.write_bytes(photo(900, 600, "#1d4ed8").read())
    page = sign_in(browser, live_server, "bianji", reverse("admin:articles_article_add"))
    page.select_option("#id_section", label="协会")
    page.fill("#id_title", "一步插图的文章")
    page.locator(EDITOR).click()
    page.keyboard.type("第一段。")
    marker = upload_and_place(page, chosen, "共建单位签署协议", "两位代表在台上签字")
    assert marker.locator("img").evaluate("img => img.naturalWidth") > 0  # its thumbnail, at once
    note = page.locator("#images-group .kept-upload")
    expect(note).to_contain_text("签约.jpg")

    # The picker shows it with its caption beside the thumbnail; editing the caption there edits the row.
    page.locator(".prose-menubar button[data-name='articleFigure']").click()
    picker = page.locator("dialog.article-image-picker")
    item = picker.locator(".picker-images li").first
    assert item.locator("img").evaluate("img => img.naturalWidth") > 0
    item.get_by_label("图注").fill("六家单位共同签署协议")
    expect(page.locator("input[name='images-0-caption']")).to_have_value("六家单位共同签署协议")
    picker.get_by_role("button", name="关闭").click()
    assert Article.objects.count() == 0

    page.click("input[name='_publish']")
    page.wait_for_url("**/admin/articles/article/")
    article = Article.objects.get(title="一步插图的文章")
    image = article.images.get()
    assert image.caption == "六家单位共同签署协议" and image.image
    assert f'<figure data-image="{image.pk}"></figure>' in article.body and "data-pending" not in article.body

    reader = browser.new_context(locale="zh-CN").new_page()
    reader.goto(live_server.url + article.get_absolute_url())
    figure = reader.locator(".article-body figure")
    expect(figure.locator("figcaption")).to_have_text("六家单位共同签署协议")
    assert figure.locator("img").get_attribute("alt") == "两位代表在台上签字"
    reader.context.close()
    page.context.close()


def test_the_units_box_is_wide_enough_and_long_names_wrap(live_server, browser, people):
    long_name = "中国建筑第八工程局有限公司浙江分公司杭州医学院临安校区二期工程项目经理部党支部"
    Unit.objects.create(name=long_name)
    page = sign_in(browser, live_server, "bianji", reverse("admin:articles_article_add"))
    box = page.locator("#unit_links-0 .select2-container")
    assert box.bounding_box()["width"] >= 300  # was 35 px
    page.locator("#unit_links-0 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("临安校区")
    page.locator(".select2-results__option", has_text=long_name).click()
    shown = page.locator("#unit_links-0 .select2-selection__rendered")
    expect(shown).to_have_text(re.compile(long_name))
    rendered = shown.bounding_box()
    assert rendered["height"] > 30  # wrapped onto more lines, not cut off
    assert shown.evaluate("el => el.scrollWidth <= el.clientWidth + 1")  # nothing hidden sideways
    page.context.close()


def test_three_level_review_with_autosave_paste_preview_and_an_image(live_server, browser, people, tmp_path):
    """Issue 14's walk: a contributor writes with pastes from Word, WPS and WeChat, places an image
    without saving, previews the form, loses the login and restores the autosaved text, submits; two
    reviewers do the first and second reviews, an editor the final one; readers see it all."""
    SiteSettings.objects.update_or_create(pk=1, defaults={"review_levels": 3})
    chosen = tmp_path / "现场.jpg"
    chosen.write_bytes(photo(1200, 800, "#a8071a").read())
    title = "三审走完的粘贴稿"
    changelist = live_server.url + reverse("admin:articles_article_changelist")

    def state_in_list(page):
        page.goto(changelist)
        return page.locator("#result_list tr", has_text=title).locator(".state").inner_text()

    def open_article(page):
        page.goto(changelist)
        page.locator("#result_list").get_by_role("link", name=title).click()

    # The contributor writes: pastes from each source, an image placed before any save.
    writer = sign_in(browser, live_server, "xiezhe", reverse("admin:articles_article_add"))
    writer.select_option("#id_section", label="协会")
    writer.fill("#id_title", title)
    writer.locator(EDITOR).click()
    writer.keyboard.type("近日，项目举行三审流程演练。")
    for source in ["word", "wps", "wechat"]:
        paste(writer, clipboard(source))
    expect(writer.locator(EDITOR).locator("table")).to_have_count(3)
    upload_and_place(writer, chosen, "演练现场", "工人在工地上演练")

    # The preview shows the unsaved form: pasted structure, the image with its caption.
    writer.get_by_role("button", name="预览当前内容").click()
    frame = writer.frame_locator(PREVIEW)
    expect(frame.locator("h1")).to_have_text(title)
    expect(frame.locator(".article-body table")).to_have_count(3)
    expect(frame.locator(".article-body figure figcaption")).to_have_text("演练现场")
    assert frame.locator(".article-body figure img").evaluate("img => img.naturalWidth") > 0
    expect(frame.locator(".article-body")).not_to_contain_text("mso")
    writer.get_by_role("button", name="关闭预览").click()
    assert Article.objects.count() == 0

    # The login expires; after logging in again the autosaved form is restored and saved.
    wait_for_autosave(writer, "近日，项目举行三审流程演练")
    writer.context.clear_cookies(name="sessionid")
    writer.click("input[name='_continue']")
    writer.fill("#id_username", "xiezhe")
    writer.fill("#id_password", PASSWORD)
    writer.click("input[type=submit]")
    writer.wait_for_url("**/admin/articles/article/add/")
    writer.get_by_role("button", name="恢复").click()
    expect(writer.locator("#id_title")).to_have_value(title)
    expect(writer.locator(EDITOR).locator("table")).to_have_count(3)
    # The uploaded image comes back too: its row (with the kept upload) and its place in the text.
    expect(writer.locator(".ProseMirror figure.article-figure-marker figcaption")).to_have_text("演练现场")
    expect(writer.locator("#images-group .kept-upload")).to_contain_text("现场.jpg")
    expect(writer.locator("input[name='images-0-alt_text']")).to_have_value("工人在工地上演练")
    writer.click("input[name='_continue']")
    expect(writer.locator(".messagelist")).to_contain_text("成功添加")
    article = Article.objects.get(title=title)
    image = article.images.get()
    assert f'<figure data-image="{image.pk}"></figure>' in article.body
    writer.click("input[name='_submit_review']")
    writer.wait_for_url(re.compile(r"/admin/articles/article/(\?.*)?$"))
    assert state_in_list(writer) == "待初审"

    # Reviewer A: the first review; reviewer B: the second; the editor: the final one, publishing.
    for username, button, state in [
        ("shenhe_a", "_pass_review", "待复审"),
        ("shenhe_b", "_pass_review", "待终审"),
        ("bianji", "_publish", "已发布"),
    ]:
        reviewer = sign_in(browser, live_server, username)
        open_article(reviewer)
        expect(reviewer.locator(".ProseMirror table")).to_have_count(3)
        reviewer.click(f"input[name='{button}']")
        reviewer.wait_for_url(re.compile(r"/admin/articles/article/(\?.*)?$"))
        assert state_in_list(reviewer) == state, username
        reviewer.context.close()

    reader = browser.new_context(locale="zh-CN").new_page()
    reader.goto(live_server.url + article.get_absolute_url())
    body = reader.locator(".article-body")
    expect(body.locator("table")).to_have_count(3)
    expect(body.locator("ol li", has_text="完成主体结构施工")).to_be_visible()
    expect(body.locator("figure figcaption")).to_have_text("演练现场")
    assert "mso" not in reader.content() and "data-itemshowtype" not in reader.content()
    reader.context.close()
    writer.context.close()
