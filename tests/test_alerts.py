"""Email alerts (alerts/): a real SMTP server (aiosmtpd on loopback) receives what a real RQ worker
sends from a real Redis; the tests follow the links in the messages it received."""

import csv
import datetime
import io
import re
import time
import uuid

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alerts import tasks
from alerts.models import Delivery, PendingAlert, Subscription
from alerts.queue import worker
from articles import workflow
from articles.models import Article, SiteSettings

from .factories import ArticleFactory, ArticleUnitFactory, ColumnFactory, SectionFactory, UnitFactory
from .servers import smtp_server

pytestmark = pytest.mark.django_db(transaction=True)

FROM = "alerts@news.example.com"


@pytest.fixture
def mailbox(settings):
    """Mail goes by SMTP to a server of the test's own."""
    with smtp_server() as (port, mailbox):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        settings.ALERTS_FROM_EMAIL = FROM
        settings.SITE_URL = "http://testserver"
        yield mailbox


@pytest.fixture
def queue(settings, private_redis):
    """Jobs go to an RQ queue of the test's own on this run's Redis; retries wait a second."""
    settings.ALERTS_REDIS_URL = private_redis
    settings.ALERTS_QUEUE = f"alerts-test-{uuid.uuid4().hex[:8]}"
    settings.ALERTS_RETRY_INTERVALS = [1, 1]


def work():
    """The worker of ``manage.py alerts_worker``, until the queue is empty (scheduled jobs that are due
    first, as its scheduler moves them)."""
    worker().work(burst=True, with_scheduler=True)


def subject(message):
    """The subject as a mail program shows it (Python folds a long encoded subject after "Subject:")."""
    return message["Subject"].strip()


def text(message):
    return message.get_body(("plain",)).get_content()


def html(message):
    return message.get_body(("html",)).get_content()


def link(message, kind):
    """The path of the confirm or unsubscribe link in the message's plain text."""
    return re.search(rf"http://testserver(/alerts/{kind}/[^\s/]+/)", text(message))[1]


def subscribe(client, email, scope="site", frequency="instant"):
    response = client.post(reverse("alerts:subscribe"), {"email": email, "scope": scope, "frequency": frequency})
    assert response.status_code == 302 and response["Location"] == reverse("alerts:sent")


def draft(**kwargs):
    return ArticleFactory(status=Article.Status.DRAFT, publish_at=None, **kwargs)


def test_a_subscriber_confirms_receives_an_alert_and_unsubscribes_in_one_click(client, mailbox, queue):
    section = SectionFactory(name="协会")
    subscribe(client, "Reader@Example.com", scope=f"section:{section.pk}")
    assert mailbox.messages == []  # nothing is sent in the request: the worker sends
    work()
    (confirmation,) = mailbox.messages
    assert confirmation["To"] == "reader@example.com"
    assert subject(confirmation) == f"请确认您在{SiteSettings.load().site_name}的邮件订阅"
    assert confirmation["From"].addresses[0].display_name == SiteSettings.load().site_name
    assert confirmation["From"].addresses[0].addr_spec == FROM
    assert confirmation["Message-ID"].endswith("@news.example.com>")
    assert "List-Unsubscribe" not in confirmation
    assert "频道：协会" in text(confirmation) and "即时" in text(confirmation)
    assert "确认订阅" in html(confirmation)

    # Nothing is sent before the address is confirmed.
    workflow.publish(draft(section=section, title="未确认时发布"))
    work()
    assert len(mailbox.messages) == 1

    page = client.get(link(confirmation, "confirm"))
    assert page.status_code == 200 and "订阅已确认" in page.text and "reader@example.com" in page.text
    assert Subscription.objects.get().confirmed_at is not None

    workflow.publish(draft(section=section, title="党建引领聚合力", subtitle="项目举行签约仪式"))
    workflow.publish(draft(section=SectionFactory(name="行业"), title="别的板块"))
    work()
    (alert,) = mailbox.messages[1:]
    assert subject(alert) == "国企网新文章：党建引领聚合力"
    assert "——项目举行签约仪式" in text(alert) and "党建引领聚合力" in html(alert)
    unsubscribe_url = re.search(r"<(http://testserver/alerts/unsubscribe/[^>]+)>", alert["List-Unsubscribe"])[1]
    assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe_url.removeprefix("http://testserver") == link(alert, "unsubscribe")
    assert alert["Message-ID"] != confirmation["Message-ID"]

    # RFC 8058: the mail program POSTs with no cookie and no CSRF token.
    mail_program = Client(enforce_csrf_checks=True)
    response = mail_program.post(link(alert, "unsubscribe"), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "已退订" in response.text
    assert not Subscription.objects.exists() and not Delivery.objects.exists()  # the address is gone
    workflow.publish(draft(section=section, title="退订之后"))
    work()
    assert len(mailbox.messages) == 2
    # The link still answers, and says so.
    assert "已退订" in client.get(link(alert, "unsubscribe")).text


def test_the_unsubscribe_link_opens_a_page_with_a_button(client, mailbox, queue):
    subscription = Subscription.objects.create(email="a@example.com", confirmed_at=timezone.now())
    from alerts import links

    path = links.unsubscribe_url(subscription).removeprefix("http://testserver")
    page = client.get(path)
    assert page.status_code == 200 and "退订并删除我的地址" in page.text and 'method="post"' in page.text
    assert "no-store" in page["Cache-Control"]
    assert Subscription.objects.exists()  # a GET (a link checker, a preview) unsubscribes nobody
    assert client.get(path[:-3] + "xx/").status_code == 404


def test_an_smtp_failure_is_retried_later_and_sends_once(client, mailbox, queue):
    subscription = Subscription.objects.create(email="a@example.com", confirmed_at=timezone.now())
    article = draft(title="重试")
    mailbox.refuse = 1
    workflow.publish(article)
    work()
    assert mailbox.refused == 1 and mailbox.messages == []
    assert not Delivery.objects.filter(sent_at__isnull=False).exists()  # the failed send claimed nothing
    time.sleep(1.2)  # the retry's interval
    work()
    assert [subject(message) for message in mailbox.messages] == ["国企网新文章：重试"]
    # Whatever runs again: the sweep, the same job enqueued twice, the job itself.
    call_command("send_alerts", stdout=io.StringIO())
    from alerts.queue import enqueue

    enqueue(tasks.send_alert, subscription.pk, article.pk)
    enqueue(tasks.send_alert, subscription.pk, article.pk)
    enqueue(tasks.dispatch_article, article.pk)
    work()
    assert tasks.send_alert(subscription.pk, article.pk) == 0
    assert len(mailbox.messages) == 1
    assert Delivery.objects.get().sent_at is not None


def test_one_mail_per_address_whatever_its_subscriptions_match(client, mailbox, queue):
    section, column, unit = SectionFactory(), ColumnFactory(), UnitFactory()
    now = timezone.now()
    for scope in [{}, {"section": section}, {"column": column}, {"unit": unit}]:
        Subscription.objects.create(email="a@example.com", confirmed_at=now, **scope)
    Subscription.objects.create(email="unit@example.com", confirmed_at=now, unit=unit)
    Subscription.objects.create(email="other@example.com", confirmed_at=now, unit=UnitFactory())
    article = draft(section=section, column=column)
    ArticleUnitFactory(article=article, unit=unit)
    workflow.publish(article)
    work()
    assert sorted(message["To"] for message in mailbox.messages) == ["a@example.com", "unit@example.com"]
    assert subject(mailbox.messages[0]).startswith(f"国企网新文章：【{column.name}】")


def test_a_scheduled_article_alerts_at_its_time(client, mailbox, queue):
    Subscription.objects.create(email="a@example.com", confirmed_at=timezone.now())
    workflow.publish(draft(title="定时发布"), at=timezone.now() + datetime.timedelta(seconds=2))
    work()
    assert mailbox.messages == []  # its time has not come: the job waits in the queue's scheduler
    time.sleep(2.2)
    work()
    assert [subject(message) for message in mailbox.messages] == ["国企网新文章：定时发布"]


def test_moving_a_scheduled_time_moves_the_alert(client, mailbox, queue):
    Subscription.objects.create(email="a@example.com", confirmed_at=timezone.now())
    article = draft(title="改时间")
    workflow.publish(article, at=timezone.now() + datetime.timedelta(seconds=1))
    article.publish_at = timezone.now() + datetime.timedelta(days=1)
    article.save()
    workflow.article_saved(article, comment="改期")
    time.sleep(1.2)
    work()
    assert mailbox.messages == []  # the first job came, saw the article not visible yet, and left it waiting
    assert PendingAlert.objects.get().due_at == article.publish_at


def test_an_article_withdrawn_before_its_time_sends_nothing(client, mailbox, queue):
    Subscription.objects.create(email="a@example.com", confirmed_at=timezone.now())
    article = draft(title="撤回")
    workflow.publish(article, at=timezone.now() + datetime.timedelta(seconds=1))
    workflow.unpublish(article)
    time.sleep(1.2)
    work()
    call_command("send_alerts", stdout=io.StringIO())
    assert mailbox.messages == []


def test_without_redis_jobs_run_in_process_and_send_alerts_catches_up_on_scheduled_ones(client, mailbox, settings):
    settings.ALERTS_REDIS_URL = ""
    subscribe(client, "a@example.com")
    (confirmation,) = mailbox.messages  # sent at once, in the request's process
    client.get(link(confirmation, "confirm"))
    workflow.publish(draft(title="现在"))
    assert len(mailbox.messages) == 2
    article = draft(title="稍后")
    workflow.publish(article, at=timezone.now() + datetime.timedelta(seconds=1))
    assert len(mailbox.messages) == 2
    call_command("send_alerts", stdout=io.StringIO())
    assert len(mailbox.messages) == 2  # not yet
    Article.objects.filter(pk=article.pk).update(publish_at=timezone.now() - datetime.timedelta(seconds=1))
    PendingAlert.objects.filter(pk=article.pk).update(due_at=timezone.now() - datetime.timedelta(seconds=1))
    out = io.StringIO()
    call_command("send_alerts", stdout=out)
    assert "1 instant alerts enqueued." in out.getvalue()
    assert [subject(message) for message in mailbox.messages[2:]] == ["国企网新文章：稍后"]
    mailbox.refuse = 1  # a failure in process is logged: the reader's request still succeeds
    subscribe(client, "b@example.com")
    assert mailbox.refused == 1


def test_the_daily_digest_lists_what_was_not_sent_once(client, mailbox, queue):
    subscription = Subscription.objects.create(
        email="a@example.com", frequency=Subscription.Frequency.DAILY, confirmed_at=timezone.now()
    )
    for title in ["第一篇", "第二篇"]:
        workflow.publish(draft(title=title))
    work()
    assert mailbox.messages == []  # a daily subscription gets no instant alerts
    out = io.StringIO()
    call_command("send_alerts", "--digest", stdout=out)
    assert "1 daily digests enqueued." in out.getvalue()
    work()
    (digest,) = mailbox.messages
    assert subject(digest) == "国企网每日摘要：2 篇新文章"
    assert re.search("1. 第一篇.*2. 第二篇", text(digest), re.DOTALL) and "第二篇" in html(digest)
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    call_command("send_alerts", "--digest", stdout=io.StringIO())
    work()
    assert len(mailbox.messages) == 1
    workflow.publish(draft(title="第三篇"))
    tasks.send_digests()
    work()
    assert subject(mailbox.messages[1]) == "国企网每日摘要：1 篇新文章" and "第三篇" in text(mailbox.messages[1])
    assert Delivery.objects.filter(subscription=subscription).count() == 3


def test_a_bot_filling_the_hidden_field_is_told_it_worked_and_nothing_is_kept(client, mailbox, queue):
    response = client.post(
        reverse("alerts:subscribe"),
        {"email": "bot@example.com", "scope": "site", "frequency": "instant", "website": "http://spam"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("alerts:sent")
    assert not Subscription.objects.exists()


def test_subscribing_is_limited_per_client_address(client, settings, mailbox, queue):
    settings.ALERTS_SUBSCRIBE_LIMIT = 3
    for number in range(3):
        subscribe(client, f"a{number}@example.com")
    data = {"email": "a9@example.com", "scope": "site", "frequency": "daily"}
    response = client.post(reverse("alerts:subscribe"), data)
    assert response.status_code == 429 and "请求过于频繁" in response.text
    assert Subscription.objects.count() == 3
    other = Client(REMOTE_ADDR="127.0.0.9")
    subscribe(other, "b@example.com")


def test_bad_input_is_a_form_error(client, mailbox, queue):
    for data in [{"email": "not-an-address", "scope": "site"}, {"email": "a@example.com", "scope": "section:999"}]:
        response = client.post(reverse("alerts:subscribe"), {**data, "frequency": "instant"})
        assert response.status_code == 200 and 'class="form-errors"' in response.text
    assert not Subscription.objects.exists()


def test_subscribing_again_sends_nothing_new_to_a_confirmed_address(client, mailbox, queue):
    subscribe(client, "a@example.com")
    work()
    client.get(link(mailbox.messages[0], "confirm"))
    subscribe(client, "a@example.com", frequency="daily")
    work()
    assert len(mailbox.messages) == 1
    assert Subscription.objects.get().frequency == "instant"  # only its owner changes it


def test_a_tampered_or_expired_confirmation_link_is_refused(client, mailbox, queue, settings):
    subscribe(client, "a@example.com")
    work()
    path = link(mailbox.messages[0], "confirm")
    response = client.get(path[:-2] + "x/")
    assert response.status_code == 404 and "链接无效" in response.text
    settings.ALERTS_UNCONFIRMED_DAYS = 0
    time.sleep(1.1)
    assert client.get(path).status_code == 404
    assert Subscription.objects.get().confirmed_at is None


def test_unconfirmed_addresses_are_purged_by_the_nightly_upkeep(db):
    old = timezone.now() - datetime.timedelta(days=8)
    Subscription.objects.create(email="old@example.com")
    Subscription.objects.create(email="new@example.com")
    Subscription.objects.create(email="confirmed@example.com", confirmed_at=old)
    Subscription.objects.filter(email__in=["old@example.com", "confirmed@example.com"]).update(created_at=old)
    out = io.StringIO()
    call_command("purge_subscriptions", stdout=out)
    assert "1 unconfirmed subscriptions deleted." in out.getvalue()
    assert set(Subscription.objects.values_list("email", flat=True)) == {"new@example.com", "confirmed@example.com"}


def test_the_admin_exports_and_erases_an_address(staff_client):
    section = SectionFactory(name="协会")
    now = timezone.now()
    kept = Subscription.objects.create(email="a@example.com", confirmed_at=now)
    Subscription.objects.create(email="a@example.com", section=section, frequency="daily")
    other = Subscription.objects.create(email="b@example.com", confirmed_at=now)
    Delivery.objects.create(subscription=kept, article=ArticleFactory(), sent_at=now)
    changelist = reverse("admin:alerts_subscription_changelist")
    page = staff_client.get(changelist)
    assert page.status_code == 200 and "邮件订阅" in page.text and "导出" in page.text
    response = staff_client.post(changelist, {"action": "export_csv", "_selected_action": [kept.pk]})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["电子邮件地址", "订阅内容", "频率"]
    assert [(row[0], row[1], row[2], row[5]) for row in rows[1:]] == [
        ("a@example.com", "全部文章", "即时", "1"),
        ("a@example.com", "频道：协会", "每日摘要", "0"),
    ]
    response = staff_client.post(changelist, {"action": "erase_addresses", "_selected_action": [kept.pk]}, follow=True)
    assert "已删除 1 个地址" in response.text
    assert list(Subscription.objects.all()) == [other] and not Delivery.objects.exists()


def test_the_subscribe_page_offers_email_feeds_and_the_wechat_account(client, settings):
    from django.core.files.base import ContentFile

    settings.PAGE_CACHE_SECONDS = 0
    site = SiteSettings.load()
    site.wechat_name = "国企杂志"
    site.wechat_qr.save("qr.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)
    page = client.get(reverse("articles:subscribe"))
    assert page.status_code == 200
    assert f'action="{reverse("alerts:subscribe")}"' in page.text and "邮件订阅" in page.text
    assert "/feeds/rss.xml" in page.text
    assert "国企杂志" in page.text and site.wechat_qr.url in page.text and "微信公众号" in page.text


def wechat_code():
    """A QR code image as an editor uploads it in the site settings."""
    import qrcode
    from django.core.files.base import ContentFile

    buffer = io.BytesIO()
    qrcode.make("https://weixin.qq.com/r/example").save(buffer)
    return ContentFile(buffer.getvalue(), name="qr.png")


@pytest.mark.browser
def test_a_subscriber_walks_from_the_subscribe_page_to_unsubscribing_in_a_browser(
    live_server, page, mailbox, queue, settings
):
    """In Chromium: the 订阅 page's form, the confirmation link from the message the SMTP server got,
    an alert, its unsubscribe link and button; each page without accessibility violations (axe)."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect

    from .test_browser_language import screenshot_to

    settings.SITE_URL = live_server.url
    axe = Axe()

    def accessible():
        results = axe.run(page)
        assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"

    section = SectionFactory(name="协会")
    site = SiteSettings.load()
    site.wechat_name = "国企杂志"
    site.wechat_qr.save("qr.png", wechat_code(), save=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + reverse("articles:subscribe"))
    form = page.locator("form.alert-form")
    expect(page.get_by_role("heading", name="邮件订阅")).to_be_visible()
    expect(page.get_by_label("此栏请留空")).not_to_be_in_viewport()  # the honeypot is off screen
    form.get_by_label("电子邮件地址").fill("reader@example.com")
    form.get_by_label("订阅内容").select_option(label="协会")
    form.get_by_label("每日摘要").check()
    form.get_by_label("即时").check()
    expect(page.get_by_alt_text("微信公众号“国企杂志”的二维码")).to_be_visible()
    accessible()
    page.set_viewport_size({"width": 1280, "height": 1180})
    screenshot_to(page, "alerts-subscribe")
    page.set_viewport_size({"width": 1280, "height": 900})
    form.get_by_role("button", name="邮件订阅").click()
    expect(page.get_by_role("heading", name="请查收确认邮件")).to_be_visible()
    accessible()

    work()
    (confirmation,) = mailbox.messages
    confirm_url = re.search(r"(http://\S+/alerts/confirm/\S+/)", text(confirmation))[1]
    page.goto(confirm_url)
    expect(page.get_by_role("heading", name="订阅已确认")).to_be_visible()
    expect(page.locator("main")).to_contain_text("reader@example.com 已开始接收邮件提醒：频道：协会，即时。")
    accessible()

    workflow.publish(draft(section=section, title="党建引领聚合力"))
    work()
    alert = mailbox.messages[1]
    assert subject(alert) == "国企网新文章：党建引领聚合力"
    unsubscribe_url = re.search(r"<(http://[^>]+)>", alert["List-Unsubscribe"])[1]
    page.goto(unsubscribe_url)
    expect(page.get_by_role("heading", name="退订")).to_be_visible()
    accessible()
    screenshot_to(page, "alerts-unsubscribe")
    page.get_by_role("button", name="退订并删除我的地址").click()
    expect(page.get_by_role("heading", name="您已退订")).to_be_visible()
    accessible()
    assert not Subscription.objects.exists()


def test_two_workers_sending_the_same_alert_at_once_send_it_once(mailbox, queue):
    """Two jobs for one subscription and article running at the same moment (two workers, or a retry
    overlapping a slow first try): the claim of the sent-record lets one send, the other finds it taken."""
    import threading

    from django.db import connection, connections

    if connection.vendor == "sqlite":
        pytest.skip("SQLite's in-memory test database cannot take writes from two threads at once")
    subscription = Subscription.objects.create(email="a@example.com", confirmed_at=timezone.now())
    article = ArticleFactory(title="同时")
    mailbox.delay = 0.5  # the server is slow: both jobs are inside their transaction together
    results, start = [], threading.Barrier(2)

    def job():
        try:
            start.wait()
            results.append(tasks.send_alert(subscription.pk, article.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=job) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 1]
    assert [subject(message) for message in mailbox.messages] == ["国企网新文章：同时"]


def test_a_section_column_or_unit_page_links_to_its_own_alerts(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    article = ArticleFactory(section=SectionFactory(name="协会"), column=ColumnFactory(name="党建好故事"))
    unit = ArticleUnitFactory(article=article, unit=UnitFactory(name="浙江一建")).unit
    for scope, name in [(article.section, "section"), (article.column, "column"), (unit, "unit")]:
        page = client.get(scope.get_absolute_url())
        href = f"{reverse('alerts:subscribe')}?scope={name}:{scope.pk}"
        assert f'<a href="{href}">邮件订阅本页的新文章</a>' in page.text
        form = client.get(href).text
        assert f'<option value="{name}:{scope.pk}" selected>{scope}</option>' in form
    article.tags.add("党建")
    tag_page = client.get(reverse("articles:tag", args=["党建"]))
    assert tag_page.status_code == 200 and "邮件订阅本页的新文章" not in tag_page.text  # no alerts per tag


def test_editors_set_the_wechat_account_in_the_site_settings(staff_client):
    page = staff_client.get(reverse("admin:articles_sitesettings_change", args=[SiteSettings.load().pk]))
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    assert "微信公众号" in page.text and "公众号二维码" in page.text and 'name="wechat_qr"' in page.text
