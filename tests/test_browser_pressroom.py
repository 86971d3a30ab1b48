"""The press room in a real browser: a journalist takes the press kit of an article, and finds images
in the media library (headless Chromium through Playwright against the live server)."""

import io
import os
import re
import zipfile
from pathlib import Path

import pypdf
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect

from articles.models import Album, AlbumImage

from .test_browser import DESKTOP, PHONE, archive  # noqa: F401 - the archive fixture: the reference article and its photos

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "党建引领聚合力 智能建造筑精品"
DOCS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def readme_picture(target, name):
    """The README's pictures of the press room, when SCREENSHOTS=docs (``make screenshots``)."""
    if os.environ.get("SCREENSHOTS") == "docs":
        target.screenshot(path=DOCS / f"{name}.png")


def take(page, link, folder):
    """Click ``link``, wait for the download it starts, and return (the name it suggests, its bytes)."""
    with page.expect_download() as started:
        link.click()
    download = started.value
    path = folder / download.suggested_filename
    download.save_as(path)
    return download.suggested_filename, path.read_bytes()


def test_a_journalist_downloads_the_press_kit_zip_and_pdf(live_server, page, archive, tmp_path, screenshot):  # noqa: F811
    seed, *_others = archive
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + seed.get_absolute_url())
    downloads = page.get_by_role("region", name="下载")
    expect(downloads).to_be_visible()
    downloads.scroll_into_view_if_needed()
    screenshot(page, "press-kit-section")
    readme_picture(downloads, "press-kit-section")

    name, data = take(page, downloads.get_by_role("link", name=re.compile("新闻资料包")), tmp_path)
    assert name == f"{TITLE}.zip"
    archive_file = zipfile.ZipFile(io.BytesIO(data))
    images = [image for image in seed.images.order_by("order", "pk") if image.image]
    assert archive_file.namelist() == [
        "01-六家共建单位共同签署《支部共建协议书》.jpg",
        "02-领导给党员突击队授旗.jpg",
        "新闻稿.txt",
    ]
    with images[0].image.open("rb") as original:
        assert archive_file.read(archive_file.namelist()[0]) == original.read()
    text = archive_file.read("新闻稿.txt").decode("utf-8")
    assert text.startswith(f"【党建好故事】{TITLE}") and "授旗仪式举行" in text and "支部共建协议书" in text

    name, data = take(page, downloads.get_by_role("link", name="新闻稿 PDF"), tmp_path)
    assert name == f"{TITLE}.pdf"
    reader = pypdf.PdfReader(io.BytesIO(data))
    pdf_text = "".join("".join(page_of.extract_text() for page_of in reader.pages).split())
    notice = "国企网-《国企》杂志社官网版权与免责声明"
    for expected in [TITLE, "六家共建单位共同签署《支部共建协议书》", "铁军出马、使命必达", notice]:
        assert "".join(expected.split()) in pdf_text, expected

    original_link = downloads.get_by_role("link", name=re.compile("^原图")).first
    # The name to save it under; the test's server (Django's static view) sends a name of its own, which
    # browsers prefer, where nginx in production sends none.
    expect(original_link).to_have_attribute("download", "01-六家共建单位共同签署《支部共建协议书》.jpg")
    _name, data = take(page, original_link, tmp_path)
    with images[0].image.open("rb") as original:
        assert data == original.read()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_media_library_and_an_album_lazy_load_and_pass_axe(live_server, page, archive, viewport, screenshot):  # noqa: F811
    seed, older, *_rest = archive
    album = Album.objects.create(title="临安二期项目图集", description="项目建设的影像记录。")
    for order, image in enumerate(seed.images.all()):
        AlbumImage.objects.create(album=album, image=image, order=order)
    page.set_viewport_size(viewport)
    page.goto(live_server.url + reverse("articles:library"))
    cards = page.locator(".image-card")
    expect(cards).to_have_count(3)
    assert page.locator(".image-card img[loading=lazy]").count() == 3
    expect(cards.first.locator("img")).to_have_js_property("complete", True)
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    screenshot(page, f"media-library-{viewport['width']}")
    if viewport == DESKTOP:
        readme_picture(page, "media-library")
    axe = Axe()
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()

    page.get_by_label("图注").fill("授旗")
    page.get_by_role("button", name="搜索图片").click()
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("领导给党员突击队授旗")
    cards.first.get_by_role("link", name=re.compile("党建引领聚合力")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)

    page.goto(live_server.url + album.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("临安二期项目图集")
    expect(page.locator(".image-card")).to_have_count(2)
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()
