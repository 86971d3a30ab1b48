"""Media contacts (新闻联系人) on articles and units (``MediaContact``, ``templatetags.press``)."""

import base64
import json
import re

import pytest
from django.db import IntegrityError
from django.urls import reverse
from reversion.models import Version

from articles import workflow
from articles.models import ArticleContact, MediaContact

from .factories import ArticleFactory, ArticleUnitFactory, UnitFactory
from .pagetext import page_text
from .test_admin import change_data, inline_management

pytestmark = pytest.mark.django_db

EMAIL = "zhang.san@press.example.cn"


@pytest.fixture
def contact():
    unit = UnitFactory(name="浙江一建")
    return MediaContact.objects.create(name="张三", role="宣传部 部长", unit=unit, phone="0571-8691 5636", email=EMAIL)


def json_ld_blocks(html):
    return [json.loads(b) for b in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)]


def assert_shown(html, text):
    assert "张三" in text and "宣传部 部长" in text
    assert '<a href="tel:057186915636">0571-8691 5636</a>' in html
    # The address is nowhere in the page as it is: neither as text nor in a mailto link.
    assert EMAIL not in html and "mailto:" not in html
    encoded = re.search(r'class="protected-email" data-e="([^"]+)"', html)[1]
    assert base64.b64decode(encoded).decode()[::-1] == EMAIL
    assert "zhang.san [at] press [dot] example [dot] cn" in text  # read without JavaScript
    points = [
        point
        for block in json_ld_blocks(html)
        for org in block.get("@graph", [])
        for point in org["contactPoint"]
        if org["name"] == "浙江一建"
    ]
    assert points == [
        {
            "@type": "ContactPoint",
            "contactType": "新闻联系",
            "name": "张三",
            "description": "宣传部 部长",
            "telephone": "0571-8691 5636",
            "availableLanguage": "zh-Hans",
        }
    ]


def test_an_editor_names_a_contact_on_an_article_and_readers_see_it(editor_client, client, contact):
    article = ArticleFactory(title="有联系人的新闻稿")
    workflow.article_saved(article)
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = {
        **change_data(article),
        **inline_management("contact_links", total=1),
        "contact_links-0-contact": contact.pk,
        "contact_links-0-order": "0",
    }
    response = editor_client.post(url, data)
    assert response.status_code == 302, page_text(response)[:2000]
    assert ArticleContact.objects.filter(article=article, contact=contact).exists()
    latest = Version.objects.get_for_object(article).first()
    assert "articlecontact" in {v.content_type.model for v in latest.revision.version_set.all()}
    page = client.get(article.get_absolute_url())
    assert_shown(page.content.decode(), page_text(page))


def test_the_units_page_lists_its_contacts_and_follows_their_changes(client, editor, contact):
    article = ArticleFactory()
    ArticleUnitFactory(article=article, unit=contact.unit)
    workflow.article_saved(article)
    page = client.get(contact.unit.get_absolute_url())
    assert_shown(page.content.decode(), page_text(page))
    contact.phone = "010-1234 5678"
    contact.save()
    workflow.contact_saved(contact, editor, old_unit=contact.unit_id)
    assert '<a href="tel:01012345678">010-1234 5678</a>' in client.get(contact.unit.get_absolute_url()).content.decode()


def test_a_contact_change_reaches_the_articles_that_name_them(client, editor, contact):
    article = ArticleFactory()
    ArticleContact.objects.create(article=article, contact=contact)
    workflow.article_saved(article)
    assert "张三" in page_text(client.get(article.get_absolute_url()))
    contact.name = "李四"
    contact.save()
    workflow.contact_saved(contact, editor)
    text = page_text(client.get(article.get_absolute_url()))
    assert "李四" in text and "张三" not in text
    assert "新闻联系人“李四”已修改" in Version.objects.get_for_object(article).first().revision.comment


def test_a_contact_needs_a_name_and_a_phone_or_an_email():
    with pytest.raises(IntegrityError):
        MediaContact.objects.create(name="王五")


def test_the_contact_admin_is_an_editors(client, contributor, editor, contact):
    client.force_login(contributor)
    assert client.get(reverse("admin:articles_mediacontact_add")).status_code == 403
    client.force_login(editor)
    add = reverse("admin:articles_mediacontact_add")
    response = client.post(add, {"name": "赵六", "role": "", "unit": "", "phone": "12ab", "email": ""})
    assert response.status_code == 200 and "只能包含数字" in page_text(response)
    response = client.post(add, {"name": "赵六", "role": "", "unit": "", "phone": "+86 571 8691 5636", "email": ""})
    assert response.status_code == 302 and MediaContact.objects.get(name="赵六").tel() == "tel:+8657186915636"


def test_a_phone_typed_with_full_width_digits_is_taken_as_digits(client, editor):
    client.force_login(editor)
    add = reverse("admin:articles_mediacontact_add")
    data = {"name": "钱七", "role": "", "unit": "", "phone": "０５７１－８６９１５６３６", "email": ""}
    assert client.post(add, data).status_code == 302
    assert MediaContact.objects.get(name="钱七").phone == "0571-86915636"


def test_a_contact_without_a_phone_or_an_address_is_told_so_in_chinese(client, editor):
    client.force_login(editor)
    response = client.post(
        reverse("admin:articles_mediacontact_add"), {"name": "孙八", "role": "", "unit": "", "phone": "", "email": ""}
    )
    text = page_text(response)
    assert response.status_code == 200 and "请填写电话或电子邮件地址" in text and "约束" not in text
