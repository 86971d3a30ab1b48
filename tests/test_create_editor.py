import getpass
import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from articles.management.commands.create_editor import PASSWORD_ALPHABET

pytestmark = pytest.mark.django_db


def create(*args, **options):
    out = StringIO()
    call_command("create_editor", *args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def test_creates_a_staff_account_in_the_role_and_prints_its_password_once_and_where_to_log_in(settings):
    settings.SITE_URL = "https://news.example.com"  # where the admin is, unless --site-url says otherwise
    out = create("王编辑", role="撰稿", email="wang@example.com", interactive=False)
    user = get_user_model().objects.get(username="王编辑")
    assert user.is_staff and not user.is_superuser and user.email == "wang@example.com"
    assert list(user.groups.values_list("name", flat=True)) == ["撰稿"]
    password = re.search(r"密码（仅显示这一次）：(\S+)", out)[1]
    assert len(password) >= 16 and set(password) <= set(PASSWORD_ALPHABET) | {"-"}
    assert out.count(password) == 1 and "https://news.example.com/admin/" in out
    # The account works: it logs in to the admin with that password, and may write a draft.
    assert user.check_password(password)
    client = Client()
    response = client.post(reverse("admin:login"), {"username": "王编辑", "password": password})
    assert response.status_code == 302
    assert client.get(reverse("admin:articles_article_add")).status_code == 200
    assert user.has_perm("articles.add_article") and not user.has_perm("articles.publish_article")


def test_the_editor_role_may_publish_and_the_address_follows_the_site():
    out = create("李编辑", role="编辑", site_url="https://news.example.com/", interactive=False)
    user = get_user_model().objects.get(username="李编辑")
    assert user.has_perm("articles.publish_article")
    assert "https://news.example.com/admin/" in out


def test_any_role_the_database_has_is_accepted():
    Group.objects.create(name="校对")  # a role added after the migrations' 编辑, 审核 and 撰稿
    create("赵校对", role="校对", interactive=False)
    assert get_user_model().objects.get(username="赵校对").groups.get().name == "校对"


def test_an_unknown_role_is_refused_naming_the_roles():
    with pytest.raises(CommandError) as refused:
        create("王编辑", role="主编", interactive=False)
    assert "“主编”" in str(refused.value) and "撰稿" in str(refused.value) and "编辑" in str(refused.value)
    assert not get_user_model().objects.exists()


def test_an_existing_account_is_left_alone():
    get_user_model().objects.create_user("王编辑", password="原来的密码-123456")
    with pytest.raises(CommandError, match="已存在"):
        create("王编辑", role="编辑", interactive=False)
    user = get_user_model().objects.get()
    assert user.check_password("原来的密码-123456") and not user.groups.exists() and not user.is_staff


def test_a_bad_name_or_email_is_refused():
    with pytest.raises(CommandError):
        create("王 编辑", role="编辑", interactive=False)
    with pytest.raises(CommandError):
        create("王编辑", role="编辑", email="不是邮件地址", interactive=False)
    assert not get_user_model().objects.exists()


def test_at_a_terminal_the_password_is_asked_twice_and_checked(monkeypatch):
    typed = iter(["123", "123", "newsroom-长密码-2025", "另一个", "newsroom-长密码-2025", "newsroom-长密码-2025"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt: next(typed))
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    err = StringIO()
    out = StringIO()
    call_command("create_editor", "王编辑", role="编辑", stdout=out, stderr=err)
    assert "太短" in err.getvalue() and "不一致" in err.getvalue()
    assert "newsroom-长密码-2025" not in out.getvalue() and "仅显示这一次" not in out.getvalue()
    assert get_user_model().objects.get().check_password("newsroom-长密码-2025")
