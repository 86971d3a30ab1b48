"""纠错: readers report an error on an article (the text in question and a note); editors find the reports
in a queue in the admin. No token in the page (it is cached whole), no third-party captcha: the report
must come from the site's own pages (Origin), bots filling the hidden field are ignored, and each client
may send a few reports per window."""

import pytest
from django.urls import reverse

from articles import reports
from articles.models import Article, ErrorReport

from .factories import ArticleFactory
from .pagetext import page_text

pytestmark = pytest.mark.django_db

ORIGIN = {"origin": "http://testserver"}


@pytest.fixture
def article():
    return ArticleFactory(title="党建引领聚合力", body="<p>六家共建单位共同签署协议。</p>")


def report(client, article, headers=ORIGIN, json=True, **data):
    fields = {"selected_text": "六家共建单位", "note": "应为七家", "website": "", **data}
    accept = {"accept": "application/json"} if json else {}
    return client.post(reverse("articles:report_error", args=[article.pk]), fields, headers={**headers, **accept})


def test_a_reader_reports_an_error_with_the_selected_text_and_a_note(client, article):
    response = report(client, article)
    assert response.status_code == 200 and response.json()["message"] == "感谢指正！编辑会尽快核实。"
    (stored,) = ErrorReport.objects.all()
    assert (stored.article, stored.selected_text, stored.note, stored.status) == (
        article,
        "六家共建单位",
        "应为七家",
        "new",
    )


def test_without_javascript_the_form_posts_and_a_page_says_thank_you(client, article):
    response = report(client, article, json=False)
    assert response.status_code == 200
    text = page_text(response)
    assert "感谢指正！编辑会尽快核实。" in text and "返回文章" in text
    assert ErrorReport.objects.count() == 1


def test_the_article_page_carries_the_form_without_a_token_and_stays_cached(client, article, settings):
    settings.PAGE_CACHE_SECONDS = 300
    first = client.get(article.get_absolute_url())
    again = client.get(article.get_absolute_url())
    assert (first["X-Cache"], again["X-Cache"]) == ("miss", "hit") and not again.cookies
    html = again.content.decode()
    assert f'action="{reverse("articles:report_error", args=[article.pk])}"' in html
    assert "csrfmiddlewaretoken" not in html and 'name="selected_text"' in html and 'name="note"' in html
    assert report(client, article).status_code == 200  # no cookie, no token: the Origin check suffices


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "https://evil.example"},
        {"referer": "https://evil.example/page"},
        {},  # neither Origin nor Referer: not from a page of ours
        {"origin": "null"},
    ],
)
def test_a_report_from_another_site_is_refused(client, article, headers):
    assert report(client, article, headers=headers).status_code == 403
    assert not ErrorReport.objects.exists()


def test_a_report_from_one_of_our_pages_by_its_referer_is_accepted(client, article):
    response = report(client, article, headers={"referer": "http://testserver" + article.get_absolute_url()})
    assert response.status_code == 200 and ErrorReport.objects.count() == 1


def test_a_bot_filling_the_hidden_field_is_thanked_and_ignored(client, article):
    response = report(client, article, website="http://spam.example")
    assert response.status_code == 200 and response.json()["message"]
    assert not ErrorReport.objects.exists()


def test_each_client_may_send_a_few_reports_per_window(client, article):
    for _ in range(reports.LIMIT):
        assert report(client, article).status_code == 200
    refused = report(client, article)
    assert refused.status_code == 429 and "太频繁" in refused.json()["errors"][0]
    assert ErrorReport.objects.count() == reports.LIMIT
    other = client.post(
        reverse("articles:report_error", args=[article.pk]),
        {"selected_text": "另一位读者", "note": ""},
        headers={**ORIGIN, "accept": "application/json"},
        REMOTE_ADDR="10.0.0.9",
    )
    assert other.status_code == 200


@pytest.mark.parametrize(
    "data",
    [{"selected_text": "", "note": ""}, {"selected_text": "字" * 501}, {"note": "字" * 1001}],
)
def test_an_empty_or_overlong_report_is_a_form_error(client, article, data):
    response = report(client, article, **data)
    assert response.status_code == 400 and response.json()["errors"]
    page = report(client, article, json=False, **data)
    assert page.status_code == 400 and "纠错" in page_text(page)
    assert not ErrorReport.objects.exists()


@pytest.mark.parametrize(
    "data, said",
    [
        ({"selected_text": "", "note": " "}, "请选中有误的文字，或写明错在哪里。"),
        ({"note": "应为\x00七家"}, "不能包含空字符"),
    ],
)
def test_a_refused_report_says_why_in_words_a_reader_knows(client, article, data, said):
    errors = report(client, article, **data).json()["errors"]
    text = "".join(str(error) for error in (errors.values() if isinstance(errors, dict) else errors))
    assert said in text and "约束" not in text and "空字符串" not in text
    assert said in page_text(report(client, article, json=False, **data))


def test_only_published_articles_take_reports(client):
    draft = ArticleFactory(status=Article.Status.DRAFT, publish_at=None)
    assert report(client, draft).status_code == 404
    assert client.get(reverse("articles:report_error", args=[draft.pk])).status_code == 405


def test_reports_wait_in_a_queue_in_the_admin(editor_client, client, article):
    report(client, article)
    url = reverse("admin:articles_errorreport_changelist")
    listed = page_text(editor_client.get(url))
    assert "读者纠错" in listed and "党建引领聚合力" in listed and "六家共建单位" in listed and "应为七家" in listed
    assert "待处理" in listed
    stored = ErrorReport.objects.get()
    response = editor_client.post(url, {"action": "mark_handled", "_selected_action": [stored.pk]})
    assert response.status_code == 302
    stored.refresh_from_db()
    assert stored.status == "handled" and stored.handled_by.username == "bianji" and stored.handled_at
    assert "已处理" in page_text(editor_client.get(url + "?status__exact=handled"))


def test_the_traditional_edition_s_reader_is_answered_in_traditional_characters(client, article):
    url = "/zh-hant" + reverse("articles:report_error", args=[article.pk])
    headers = {**ORIGIN, "accept": "application/json"}
    fields = {"selected_text": "六家共建单位", "note": "应为七家", "website": ""}
    assert client.post(url, fields, headers=headers).json()["message"] == "感謝指正！編輯會盡快核實。"
    errors = client.post(url, {**fields, "selected_text": "", "note": ""}, headers=headers).json()["errors"]
    assert errors == ["請選中有誤的文字，或寫明錯在哪裡。"]
