"""Every word an editor reads or hears in the admin is Chinese.

Each test renders pages as an editor (编辑), a contributor (撰稿) and a superuser would get them (every
admin URL of every registered model, the workflow's own pages, login, logout, password change and
reset, the lockout page, 403, 404 and CSRF failures, and the site's error pages) and fails on any
word in Latin letters outside a short allow-list (``uitext.ALLOWED_WORDS``). The data put in is
Chinese, so whatever English shows comes from the code, a template or a translation catalogue.
What needs JavaScript (the prose editor, select2) is checked in ``test_browser_language.py``.
"""

import re

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.core import mail
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import get_resolver, reverse
from reversion.models import Version
from taggit.models import Tag

from articles import workflow
from articles.models import (
    Article,
    ArticleContact,
    Correction,
    MediaContact,
    PreviewLink,
    PreviewOpen,
    Section,
    TrashedArticle,
    Unit,
)

from .conftest import member
from .factories import (
    ArticleFactory,
    ArticleImageFactory,
    ArticleUnitFactory,
    ColumnFactory,
    CopyrightNoticeFactory,
    PromoBlockFactory,
    SectionFactory,
    UnitFactory,
)
from .formdata import form_data
from .test_admin import change_data
from .uitext import english_words, spoken_text

pytestmark = pytest.mark.django_db

PASSWORD = "密码-for-tests-only-7"
BROWSER = "某浏览器"  # user agent and Accept header: login records show them; a real browser's are data


class Pages:
    """Visits pages and keeps, per address, the English words found on them."""

    def __init__(self):
        self.found = {}
        self.visited = 0

    def check(self, label, response):
        self.visited += 1
        kind = response.get("Content-Type", "")
        if kind.startswith(("text/html", "text/plain")):
            text = response.content.decode()
            words = english_words(spoken_text(text) if kind.startswith("text/html") else text)
            if words:
                self.found[f"{label} ({response.status_code})"] = words
        return response

    def get(self, client, url, **kwargs):
        return self.check(f"GET {url}", client.get(url, follow=True, **kwargs))

    def post(self, client, url, data, **kwargs):
        return self.check(f"POST {url}", client.post(url, data, follow=True, **kwargs))

    def assert_none(self):
        report = "\n".join(f"{label}: {' '.join(words)}" for label, words in sorted(self.found.items()))
        assert not self.found, f"English on {len(self.found)} of {self.visited} pages:\n{report}"


@pytest.fixture
def newsroom(db, django_user_model):
    """A small newsroom in Chinese: people in each role, and something of every kind to open."""
    editor = member(django_user_model, "编辑甲", "编辑")
    contributor = member(django_user_model, "撰稿乙", "撰稿")
    chief = django_user_model.objects.create_superuser("主编丙", "", PASSWORD)
    for user in (editor, contributor):
        user.email = ""
        user.set_unusable_password()  # tests log in with force_login; the password page shows no hash
        user.save()
    section = SectionFactory(name="协会")
    column = ColumnFactory(name="党建好故事")
    CopyrightNoticeFactory(title="版权与免责声明", is_default=True)
    PromoBlockFactory(title="关注分享", text="征订电话")
    units = [UnitFactory(name="浙江一建"), UnitFactory(name="浙江一建集团")]
    article = ArticleFactory(
        title="党建引领聚合力", section=section, column=column, status="draft", publish_at=None, created_by=editor
    )
    ArticleImageFactory(article=article, caption="签署协议", alt_text="六家单位签署协议")
    ArticleUnitFactory(article=article, unit=units[0])
    article.tags.add("党建", "智能建造")
    workflow.article_saved(article, editor)
    article.title = "党建引领聚合力 智能建造筑精品"
    article.body = "<p>改过的正文。</p>"
    article.save()
    workflow.article_saved(article, editor)
    workflow.publish(article, user=editor)
    draft = ArticleFactory(
        title="撰稿人的草稿", section=section, status="draft", publish_at=None, created_by=contributor
    )
    workflow.article_saved(draft, contributor)
    trashed = ArticleFactory(title="删掉的文章", section=section)
    workflow.article_saved(trashed, editor)
    workflow.trash(trashed, editor)
    link = PreviewLink.objects.create(article=draft, recipient="某报社 记者", created_by=editor)
    PreviewOpen.objects.create(link=link)
    contact = MediaContact.objects.create(
        name="张三", role="宣传部 部长", unit=Unit.objects.first(), phone="0571-86915636"
    )
    ArticleContact.objects.create(article=article, contact=contact)
    Correction.objects.create(article=article, text="原稿有一处错字，已更正。")
    workflow.article_saved(article, editor)
    return {"editor": editor, "contributor": contributor, "chief": chief, "article": article, "draft": draft}


def browser(**kwargs):
    return Client(HTTP_USER_AGENT=BROWSER, HTTP_ACCEPT=BROWSER, **kwargs)


def logged_in(user, **kwargs):
    client = browser(**kwargs)
    client.force_login(user)
    # force_login has no request: its login record says "<unknown>" where a browser's names itself.
    AccessLog.objects.filter(user_agent="<unknown>").delete()
    return client


def an_object_of(model):
    if model is Article:
        return Article.objects.not_in_trash().order_by("pk").first()
    if model is TrashedArticle:
        return TrashedArticle.objects.in_trash().first()
    return model._default_manager.order_by("pk").first()


def admin_urls(model, obj):
    info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    urls = [reverse(f"{info}_changelist"), reverse(f"{info}_add"), f"{reverse(f'{info}_add')}?_popup=1"]
    if obj is not None:
        urls += [reverse(f"{info}_{view}", args=[obj.pk]) for view in ("change", "history", "delete")]
    return urls


def walk_admin(pages, client):
    """Every page of every registered model, for whoever ``client`` is."""
    pages.get(client, reverse("admin:index"))
    for app_label in {model._meta.app_label for model in admin.site._registry}:
        pages.get(client, reverse("admin:app_list", args=[app_label]))
    for model in admin.site._registry:
        for url in admin_urls(model, an_object_of(model)):
            pages.get(client, url)


def walk_article_pages(pages, client, article):
    changelist = reverse("admin:articles_article_changelist")
    pages.get(client, changelist, data={"q": "党建"})
    pages.get(client, changelist, data={"q": "没有这样的文章"})
    pages.get(client, changelist, data={"status__exact": "draft"})
    add = reverse("admin:articles_article_add")
    pages.post(client, add, {**form_data(client.get(add)), "title": ""})  # a form with errors
    versions = list(Version.objects.get_for_object(article).order_by("pk"))
    compare = reverse("admin:articles_article_compare", args=[article.pk])
    pages.get(client, compare, data={"from": versions[0].pk, "to": versions[-1].pk})
    pages.get(client, compare)  # nothing chosen: the page says what to do
    pages.get(client, reverse("admin:articles_article_revision", args=[article.pk, versions[0].pk]))
    pages.get(client, reverse("admin:articles_article_change", args=[999999]))  # gone: a message
    pages.get(client, reverse("admin:index") + "articles/nothing-here/")  # the admin's 404
    pages.post(client, changelist, {"action": "delete_selected", "_selected_action": [article.pk]})
    pages.post(client, changelist, {"action": "publish_selected", "_selected_action": [article.pk]})
    pages.post(client, changelist, {"action": "submit_selected", "_selected_action": [article.pk]})


def test_every_admin_page_is_chinese_for_each_role(newsroom):
    pages = Pages()
    for role in ("editor", "contributor", "chief"):
        client = logged_in(newsroom[role])
        walk_admin(pages, client)
        walk_article_pages(pages, client, newsroom["article"])
        walk_article_pages(pages, client, newsroom["draft"])
        pages.get(client, reverse("admin:password_change"))
        pages.post(client, reverse("admin:password_change"), {"old_password": "x"})  # errors
        short = {"old_password": PASSWORD, "new_password1": "短1", "new_password2": "短1"}
        refused = pages.post(client, reverse("admin:password_change"), short)  # the validators' errors
        assert "太短" in spoken_text(refused.content.decode())
        pages.get(client, reverse("admin:password_change_done"))
    pages.assert_none()
    assert pages.visited > 150


def test_merge_trash_and_bulk_pages_are_chinese(newsroom):
    pages = Pages()
    client = logged_in(newsroom["editor"])
    tags = list(Tag.objects.order_by("pk").values_list("pk", flat=True))
    units = list(Unit.objects.order_by("pk").values_list("pk", flat=True))
    pages.post(client, reverse("admin:taggit_tag_changelist"), {"action": "merge_selected", "_selected_action": tags})
    pages.post(client, reverse("admin:taggit_tag_changelist"), {"action": "merge_selected", "_selected_action": []})
    pages.post(
        client, reverse("admin:articles_unit_changelist"), {"action": "merge_selected", "_selected_action": units}
    )
    pages.post(
        client,
        reverse("admin:articles_unit_changelist"),
        {"action": "merge_selected", "_selected_action": units, "post": "yes", "kept": units[0]},
    )
    trashed = TrashedArticle.objects.in_trash().get()
    pages.post(
        client,
        reverse("admin:articles_trashedarticle_changelist"),
        {"action": "restore_selected", "_selected_action": [trashed.pk]},
    )
    pages.post(
        client,
        reverse("admin:articles_section_changelist"),
        {"action": "delete_selected", "_selected_action": list(Section.objects.values_list("pk", flat=True))},
    )
    # Saving a change: the message, and the history's record of which fields changed.
    article = newsroom["article"]
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = change_data(article, title="又改了标题", body="<p>又改了正文。</p>", summary="新的摘要", tags="党建")
    data.update({"publish_at_0": "2025-06-12", "publish_at_1": "10:30:00"})
    saved = pages.post(client, url, data)
    assert saved.redirect_chain, saved.context and saved.context["adminform"].form.errors
    history = pages.get(client, reverse("admin:articles_article_history", args=[article.pk]))
    latest = Version.objects.get_for_object(article).first().revision.get_comment()
    assert "标题" in latest and "正文" in latest and latest in spoken_text(history.content.decode())
    pages.assert_none()


def test_forbidden_pages_are_chinese(newsroom):
    pages = Pages()
    client = logged_in(newsroom["contributor"])
    forbidden = pages.get(client, reverse("admin:articles_section_add"))
    assert forbidden.status_code == 403
    assert "权限" in spoken_text(forbidden.content.decode())
    published = pages.post(
        client, reverse("admin:articles_article_change", args=[newsroom["article"].pk]), {"title": "偷改"}
    )
    assert published.status_code == 403
    pages.assert_none()


def test_csrf_failure_page_is_chinese_and_says_what_to_do(newsroom):
    pages = Pages()
    client = logged_in(newsroom["editor"], enforce_csrf_checks=True)
    refused = pages.post(client, reverse("admin:articles_article_add"), {"title": "没有令牌"})
    assert refused.status_code == 403
    text = spoken_text(refused.content.decode())
    assert "DEBUG" not in text and "返回" in text and "登录" in text
    anonymous = pages.post(Client(enforce_csrf_checks=True), reverse("admin:login"), {"username": "编辑甲"})
    assert anonymous.status_code == 403
    pages.assert_none()


def test_login_logout_and_lockout_pages_are_chinese(newsroom, settings):
    pages = Pages()
    client = browser()
    login = reverse("admin:login")
    pages.get(client, login)
    pages.post(client, login, {"username": "主编丙", "password": PASSWORD})  # a login record
    pages.post(client, reverse("admin:logout"), {})
    wrong = pages.post(client, login, {"username": "主编丙", "password": "错误的密码"})
    assert "错误" in spoken_text(wrong.content.decode())
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        locked = pages.post(client, login, {"username": "主编丙", "password": "错误的密码"})
    assert locked.status_code == 429
    text = spoken_text(locked.content.decode())
    assert "1 小时" in text and "管理员" in text
    assert AccessAttempt.objects.exists()
    chief = logged_in(newsroom["chief"])
    assert AccessLog.objects.exists()
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        for url in admin_urls(model, an_object_of(model)):
            pages.get(chief, url)
    pages.post(chief, reverse("admin:logout"), {})
    pages.assert_none()


def test_password_reset_pages_and_email_are_chinese(newsroom):
    pages = Pages()
    chief = newsroom["chief"]
    chief.email = "chief@example.com"
    chief.save()
    client = Client()
    login = pages.get(client, reverse("admin:login"))
    assert reverse("admin_password_reset") in login.content.decode()
    pages.get(client, reverse("admin_password_reset"))
    pages.post(client, reverse("admin_password_reset"), {"email": "chief@example.com"})
    (message,) = mail.outbox
    assert not english_words(message.subject + message.body, allowed={"chief", "example", "com"})
    link = re.search(r"https?://[^/\s]+(/\S+)", message.body)[1]
    form = pages.get(client, link)
    assert form.context["validlink"]
    pages.post(client, form.redirect_chain[-1][0] if form.redirect_chain else link, {"new_password1": "x"})
    done = pages.post(
        client,
        form.redirect_chain[-1][0] if form.redirect_chain else link,
        {"new_password1": "新的密码-long-enough-9", "new_password2": "新的密码-long-enough-9"},
    )
    assert done.redirect_chain
    pages.get(client, link)  # used: an invalid link
    pages.assert_none()


def test_site_error_pages_are_chinese(newsroom, client):
    pages = Pages()
    pages.get(client, "/nothing-here/")
    pages.get(client, reverse("articles:search"), data={"q": "党" * 200})
    pages.get(client, "/", data={"q": "\x00"})
    refused = pages.post(Client(enforce_csrf_checks=True), reverse("articles:search"), {"q": "党建"})
    assert refused.status_code == 403 and "返回" in spoken_text(refused.content.decode())
    factory = RequestFactory()
    request = factory.get("/some/page/")
    resolver = get_resolver()
    pages.check("500", resolver.resolve_error_handler(500)(request))
    pages.check("403", resolver.resolve_error_handler(403)(request, PermissionDenied()))
    pages.check("400", resolver.resolve_error_handler(400)(request, SuspiciousOperation()))
    pages.check("503", HttpResponse(render_to_string("503.html")))  # the database is down
    pages.assert_none()


def test_the_form_preview_and_the_editor_s_helpers_answer_in_chinese(newsroom):
    """The preview of the form (a page of its own), and what the paste and upload helpers say back."""
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    pages = Pages()
    client = logged_in(newsroom["editor"])
    article = newsroom["article"]
    data = change_data(article, title="预览里的标题", body="<p>预览里的正文。</p>", tags="党建")
    pages.post(client, reverse("admin:articles_article_preview", args=[article.pk]), data)
    pages.post(client, reverse("admin:articles_article_preview_new"), {"title": "新文章的预览"})
    pages.get(client, reverse("admin:articles_article_add"))  # the autosave offer and the preview panel
    answers = [
        client.post(reverse("admin:articles_article_upload"), {"image": SimpleUploadedFile("a.jpg", b"no image")}),
        client.post(reverse("admin:articles_article_upload"), {}),
        client.post(reverse("admin:articles_article_paste"), {"html": "x" * 2_000_001}),
    ]
    for answer in answers:
        assert answer.status_code == 400
        error = json.loads(answer.content)["error"]
        assert error and not english_words(error), error
    pages.assert_none()
