"""Preview links of embargoed articles (``articles.previews``, ``articles.admin_press``)."""

import datetime
import io
import re
import zipfile

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import previews, workflow
from articles.models import Article, PreviewLink, PreviewOpen

from .factories import ArticleFactory, ArticleImageFactory
from .pagetext import page_text

pytestmark = pytest.mark.django_db

LATER = datetime.timedelta(days=1)


@pytest.fixture
def embargoed():
    """A published article whose embargo (禁发时间) has not ended, with an image and its renditions."""
    article = ArticleFactory(title="禁发中的新闻稿", embargo_until=timezone.now() + LATER)
    ArticleImageFactory(article=article, caption="签约仪式现场", image__width=800, image__height=600)
    workflow.article_saved(article)  # makes the renditions
    return article


def make_link(article, **fields):
    return PreviewLink.objects.create(article=article, recipient="某报社 记者 张三", **fields)


def media_names(article):
    image = article.images.get()
    return [image.image.name, *(r.file.name for r in image.renditions.all())]


def test_a_journalist_opens_the_link_and_sees_the_article_with_its_banner(client, embargoed):
    link = make_link(embargoed)
    url = previews.address(link)
    response = client.get(url)
    assert response.status_code == 200
    text = page_text(response)
    until = timezone.localtime(embargoed.embargo_until).strftime("%Y-%m-%d %H:%M:%S")
    assert f"禁发至 {until}" in text and "禁发中的新闻稿" in text and "签约仪式现场" in text
    html = response.content.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow" and response["Referrer-Policy"] == "no-referrer"
    assert {"private", "no-store"} <= set(re.split(r",\s*", response["Cache-Control"]))
    assert "application/ld+json" not in html
    # Nothing offers to pass it on: no share bar (its links and WeChat code lead to a 404 until the
    # embargo ends, and would send the title to Weibo or QQ before it).
    assert 'class="share"' not in html and "weibo.com" not in html and "qq.com" not in html
    assert reverse("articles:article_qr", args=[embargoed.pk]) not in html
    # No address of the article's files appears: each comes through the link, and is served there
    # (the original as the 下载 section's download, the renditions in the page).
    names = media_names(embargoed)
    assert len(names) > 2
    for name in names:
        assert f"/media/{name}" not in html
        served = reverse("articles:preview_file", args=[url.split("/")[2], name])
        assert served in html
        image = client.get(served)
        assert image.status_code == 200 and image["Content-Type"].startswith("image/")
        assert "no-store" in image["Cache-Control"] and b"".join(image.streaming_content)
    # The public address of the article and of its files are still nothing.
    assert client.get(embargoed.get_absolute_url()).status_code == 404


def test_each_opening_is_logged_with_its_time_and_the_page_is_never_cached(client, embargoed, editor):
    link = make_link(embargoed)
    before = timezone.now()
    for _ in range(2):
        response = client.get(previews.address(link))
        assert response.status_code == 200 and response.get("X-Cache") is None
    staff = Client()
    staff.force_login(editor)
    assert staff.get(previews.address(link)).status_code == 200  # an editor checking it: not an opening
    opens = list(link.opens.order_by("opened_at"))
    assert len(opens) == 2 and all(before <= opened.opened_at <= timezone.now() for opened in opens)
    # Images do not count as openings.
    assert PreviewOpen.objects.count() == 2


def test_forged_or_altered_addresses_are_404(client, embargoed):
    link = make_link(embargoed)
    token = previews.token(link)
    key, signature = token.split(":")

    def altered(text):  # its last character changed (one in 64 keys already ends with any given one)
        return text[:-1] + ("B" if text.endswith("A") else "A")

    for bad in [link.key, f"{key}:{altered(signature)}", f"{altered(key)}:{signature}", "x:y"]:
        assert client.get(reverse("articles:preview", args=[bad])).status_code == 404
    assert PreviewOpen.objects.count() == 0


def test_the_link_serves_only_its_own_articles_files(client, embargoed):
    other = ArticleFactory(title="另一篇禁发稿", embargo_until=timezone.now() + LATER)
    ArticleImageFactory(article=other)
    workflow.article_saved(other)
    token = previews.token(make_link(embargoed))
    for name in [*media_names(other), "articles/../../settings.py", "pending/x.jpg"]:
        assert client.get(reverse("articles:preview_file", args=[token, name])).status_code == 404


@pytest.mark.parametrize("state", ["revoked", "expired", "trashed"])
def test_a_revoked_or_expired_link_opens_nothing(client, embargoed, state):
    link = make_link(embargoed)
    name = media_names(embargoed)[0]
    token = previews.token(link)
    if state == "revoked":
        link.revoked_at = timezone.now()
        link.save()
    elif state == "expired":
        made = timezone.now() - datetime.timedelta(days=8)
        PreviewLink.objects.filter(pk=link.pk).update(
            created_at=made, expires_at=timezone.now() - datetime.timedelta(seconds=1)
        )
    else:
        workflow.trash(embargoed)
    response = client.get(previews.address(link))
    assert response.status_code == 410 and "此预览链接已失效" in page_text(response)
    assert "禁发中的新闻稿" not in response.content.decode()
    assert client.get(reverse("articles:preview_file", args=[token, name])).status_code == 404
    for kind in ("zip", "pdf"):
        assert client.get(reverse(f"articles:preview_kit_{kind}", args=[token])).status_code == 404
    assert PreviewOpen.objects.count() == 0


def test_the_press_kit_comes_through_the_link_and_says_it_is_embargoed(client, embargoed):
    """The 下载 section of the preview names the kit under the link; the public kit stays a 404."""
    link = make_link(embargoed)
    token = previews.token(link)
    html = client.get(previews.address(link)).content.decode()
    for kind in ("zip", "pdf"):
        assert reverse(f"articles:press_kit_{kind}", args=[embargoed.pk]) not in html
        assert reverse(f"articles:preview_kit_{kind}", args=[token]) in html
        assert client.get(reverse(f"articles:press_kit_{kind}", args=[embargoed.pk])).status_code == 404
    response = client.get(reverse("articles:preview_kit_zip", args=[token]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert {"private", "no-store"} <= set(re.split(r",\s*", response["Cache-Control"]))
    members = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    release = members.read("新闻稿.txt").decode()
    until = timezone.localtime(embargoed.embargo_until).strftime("%Y-%m-%d %H:%M:%S")
    assert release.startswith(f"禁发至 {until}（北京时间）\r\n") and "禁发中的新闻稿" in release
    assert [name for name in members.namelist() if name.endswith(".jpg")] == ["01-签约仪式现场.jpg"]
    assert PreviewOpen.objects.count() == 1  # the kit is not an opening of the page


def test_when_the_embargo_ends_the_link_leads_to_the_public_page_with_no_cron(client, embargoed, monkeypatch):
    link = make_link(embargoed)
    token = previews.token(link)
    assert client.get(previews.address(link)).status_code == 200
    later = timezone.now() + LATER + datetime.timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)  # no save, no job: only the time has come
    response = client.get(previews.address(link))
    assert response.status_code == 302 and response["Location"] == embargoed.get_absolute_url()
    assert "禁发中的新闻稿" in page_text(client.get(embargoed.get_absolute_url()))
    assert "禁发中的新闻稿" in page_text(client.get("/"))
    name = media_names(embargoed)[0]
    image = client.get(reverse("articles:preview_file", args=[token, name]))
    assert image.status_code == 302 and image["Location"].endswith(f"/media/{name}")
    kit = client.get(reverse("articles:preview_kit_zip", args=[token]))
    assert kit.status_code == 302 and kit["Location"] == reverse("articles:press_kit_zip", args=[embargoed.pk])
    public = zipfile.ZipFile(io.BytesIO(b"".join(client.get(kit["Location"]).streaming_content)))
    assert "禁发至" not in public.read("新闻稿.txt").decode()  # the public kit is another file


@pytest.mark.parametrize("state", ["revoked", "expired"])
def test_a_dead_link_to_an_article_now_public_leads_to_its_public_page(client, embargoed, monkeypatch, state):
    link = make_link(embargoed)
    token = previews.token(link)
    if state == "revoked":
        link.revoked_at = timezone.now()
        link.save()
    later = timezone.now() + LATER + datetime.timedelta(days=30)  # the embargo over, the link expired
    monkeypatch.setattr(timezone, "now", lambda: later)
    response = client.get(previews.address(link))
    assert response.status_code == 302 and response["Location"] == embargoed.get_absolute_url()
    kit = client.get(reverse("articles:preview_kit_pdf", args=[token]))
    assert kit.status_code == 302 and kit["Location"] == reverse("articles:press_kit_pdf", args=[embargoed.pk])
    image = client.get(reverse("articles:preview_file", args=[token, media_names(embargoed)[0]]))
    assert image.status_code == 302


def test_a_draft_without_an_embargo_can_be_previewed_too(client):
    draft = ArticleFactory(title="尚未发布的稿件", status=Article.Status.DRAFT, publish_at=None)
    response = client.get(previews.address(make_link(draft)))
    assert response.status_code == 200 and "预览" in page_text(response) and "尚未发布的稿件" in page_text(response)


# The admin: editors (who may publish) make and revoke links; nobody else sees them.


def test_an_editor_makes_a_link_in_the_admin_and_sees_its_openings(editor_client, editor, embargoed):
    add = reverse("admin:articles_previewlink_add")
    form = editor_client.get(f"{add}?article={embargoed.pk}")
    assert form.status_code == 200 and "禁发中的新闻稿" in form.content.decode()
    for junk in ("abc", "-1", "999999"):  # a form without the article, never a 500
        assert editor_client.get(f"{add}?article={junk}").status_code == 200
    expires = timezone.localtime(timezone.now() + datetime.timedelta(days=3))
    response = editor_client.post(
        add,
        {
            "article": embargoed.pk,
            "recipient": "新华社 记者 李四",
            "expires_at_0": expires.strftime("%Y-%m-%d"),
            "expires_at_1": expires.strftime("%H:%M:%S"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    link = PreviewLink.objects.get()
    assert link.recipient == "新华社 记者 李四" and link.created_by == editor and len(link.key) >= 43
    Client().get(previews.address(link))
    listing = editor_client.get(reverse("admin:articles_previewlink_changelist"))
    text = page_text(listing)
    assert "新华社 记者 李四" in text and "有效" in text and previews.address(link) in listing.content.decode()
    change = editor_client.get(reverse("admin:articles_previewlink_change", args=[link.pk]))
    opened = timezone.localtime(link.opens.get().opened_at)
    assert opened.strftime("%Y年%-m月%-d日") in page_text(change) or opened.strftime("%Y-%m-%d") in page_text(change)
    article_form = editor_client.get(reverse("admin:articles_article_change", args=[embargoed.pk]))
    assert "新华社 记者 李四" in page_text(article_form)


def test_an_editor_revokes_links_from_the_list(editor_client, embargoed):
    links = [make_link(embargoed), make_link(embargoed)]
    response = editor_client.post(
        reverse("admin:articles_previewlink_changelist"),
        {"action": "revoke_selected", "_selected_action": [link.pk for link in links]},
    )
    assert response.status_code == 302
    for link in links:
        link.refresh_from_db()
        assert link.revoked_at is not None
        assert Client().get(previews.address(link)).status_code == 410


@pytest.mark.parametrize("role", ["contributor", "reviewer"])
def test_only_roles_that_publish_make_or_revoke_links(client, embargoed, role, request):
    client.force_login(request.getfixturevalue(role))
    link = make_link(embargoed)
    add = reverse("admin:articles_previewlink_add")
    assert client.get(add).status_code == 403
    assert client.post(add, {"article": embargoed.pk, "recipient": "某人"}).status_code == 403
    assert client.get(reverse("admin:articles_previewlink_changelist")).status_code == 403
    client.post(
        reverse("admin:articles_previewlink_changelist"),
        {"action": "revoke_selected", "_selected_action": [link.pk]},
    )
    link.refresh_from_db()
    assert link.revoked_at is None and PreviewLink.objects.count() == 1


def test_a_link_cannot_be_set_to_expire_before_it_was_made(editor_client, embargoed):
    link = make_link(embargoed)
    change = reverse("admin:articles_previewlink_change", args=[link.pk])
    response = editor_client.post(change, {"expires_at_0": "2020-01-01", "expires_at_1": "10:00:00"})
    assert response.status_code == 200 and "失效时间须晚于创建时间" in page_text(response)
    link.refresh_from_db()
    assert link.expires_at > link.created_at
