import logging

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.test import Client
from django.urls import reverse

from .factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_public_pages_have_a_strict_content_security_policy(client):
    article = ArticleFactory()
    for url in ["/", article.get_absolute_url(), reverse("articles:subscribe")]:
        policy = client.get(url)["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
        assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert directives["frame-ancestors"] == "'none'"


def test_public_pages_have_no_inline_scripts_or_styles(client):
    html = client.get(ArticleFactory().get_absolute_url()).content.decode()
    assert "style=" not in html and "onclick" not in html
    for chunk in html.split("<script")[1:]:
        tag = chunk.split(">", 1)[0]
        assert "src=" in tag or 'type="application/ld+json"' in tag, tag


def test_security_headers(client):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def login(client, password, ip="10.0.0.1", forwarded=None):
    headers = {"x-forwarded-for": forwarded} if forwarded else {}
    return client.post(
        reverse("admin:login"),
        {"username": "editor", "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=ip,
        headers=headers,
    )


def test_admin_login_locks_out_after_repeated_failures_and_a_superuser_lifts_it(client, django_user_model, settings):
    django_user_model.objects.create_user("editor", password="right-password-123", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "wrong").status_code == 200  # the form again, with an error
    locked = login(client, "wrong")
    assert locked.status_code == 429
    # Even the right password is refused now, for this user from this address…
    assert login(client, "right-password-123").status_code == 429
    # …but the same user from another address can still log in.
    assert login(client, "right-password-123", ip="10.0.0.2").status_code == 302
    client.logout()
    # A superuser lifts the lockout by deleting the access attempt in the admin.
    admin = django_user_model.objects.create_superuser("chief", password="chief-password-123")
    client.force_login(admin)
    attempt = AccessAttempt.objects.get(username="editor")
    delete_url = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 302
    client.logout()
    assert login(client, "right-password-123").status_code == 302


# Behind the proxy (nginx) every request comes from its address; the client's is in X-Forwarded-For.
PROXY = "127.0.0.1"


def test_behind_the_proxy_each_client_is_locked_out_on_its_own(django_user_model, settings):
    settings.PROXY_COUNT = 1  # DJANGO_PROXY_COUNT=1
    django_user_model.objects.create_user("editor", password="right-password-123", is_staff=True)
    attacker, colleague = Client(), Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(attacker, "wrong", ip=PROXY, forwarded="203.0.113.1")
    assert login(attacker, "right-password-123", ip=PROXY, forwarded="203.0.113.1").status_code == 429
    # The header the client sent is kept by nginx in front of the address it appends: no way out.
    assert login(attacker, "right-password-123", ip=PROXY, forwarded="198.51.100.7, 203.0.113.1").status_code == 429
    assert login(colleague, "right-password-123", ip=PROXY, forwarded="203.0.113.2").status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.1"}


def test_without_a_proxy_the_forwarded_header_is_ignored(client, django_user_model, settings):
    """A client talking to the application directly cannot pick its address with the header."""
    settings.PROXY_COUNT = None
    django_user_model.objects.create_user("editor", password="right-password-123", is_staff=True)
    for n in range(settings.AXES_FAILURE_LIMIT):
        login(client, "wrong", ip="10.0.0.9", forwarded=f"203.0.113.{n}")
    assert login(client, "right-password-123", ip="10.0.0.9", forwarded="203.0.113.99").status_code == 429


def test_a_forwarded_header_that_is_no_address_is_not_used(client, django_user_model, settings):
    settings.PROXY_COUNT = 1
    django_user_model.objects.create_user("editor", password="right-password-123", is_staff=True)
    assert login(client, "wrong", ip=PROXY, forwarded="not-an-address").status_code == 200
    assert login(client, "wrong", ip=PROXY, forwarded="").status_code == 200
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {PROXY}


def test_a_forwarded_header_without_a_proxy_setting_is_logged_once(client, settings, caplog):
    settings.PROXY_COUNT = None
    ArticleFactory()
    Client().get("/")  # the page is cached: the warning comes all the same
    with caplog.at_level(logging.WARNING, logger="articles.proxies"):
        assert client.get("/", headers={"x-forwarded-for": "203.0.113.1"})["X-Cache"] == "hit"
        client.get("/", headers={"x-forwarded-for": "203.0.113.2"})
    warnings = [record for record in caplog.records if record.name == "articles.proxies"]
    assert len(warnings) == 1 and "DJANGO_PROXY_COUNT" in warnings[0].getMessage()


@pytest.mark.parametrize("count", [0, 1])
def test_no_warning_once_the_proxies_are_configured(settings, caplog, count):
    settings.PROXY_COUNT = count
    with caplog.at_level(logging.WARNING, logger="articles.proxies"):
        Client().get("/", headers={"x-forwarded-for": "203.0.113.1"})
    assert not [record for record in caplog.records if record.name == "articles.proxies"]


def change_password(client, old, new="a-new-password-456"):
    data = {"old_password": old, "new_password1": new, "new_password2": new}
    return client.post(reverse("admin:password_change"), data, REMOTE_ADDR="10.0.0.5")


def test_wrong_old_passwords_lock_the_password_change_like_logins(client, django_user_model, settings):
    user = django_user_model.objects.create_user("editor", password="right-password-123", is_staff=True)
    client.force_login(user)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = change_password(client, "guess")
        assert response.status_code == 200 and response.context["form"].has_error("old_password", "password_incorrect")
    assert change_password(client, "guess").status_code == 429
    # The right one is refused too while the lockout lasts, and the password stays as it was.
    assert change_password(client, "right-password-123").status_code == 429
    user.refresh_from_db()
    assert user.check_password("right-password-123")


def test_the_password_change_still_works(client, django_user_model):
    user = django_user_model.objects.create_user("editor", password="right-password-123", is_staff=True)
    client.force_login(user)
    assert change_password(client, "right-password-123").status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-new-password-456")


@pytest.mark.django_db(transaction=True)
def test_the_documented_proxy_setting_works_in_a_running_server(django_user_model):
    """gunicorn started as deployed, with DJANGO_PROXY_COUNT=1: clients named by X-Forwarded-For
    are locked out one by one."""
    if connection.vendor != "postgresql":
        pytest.skip("the server needs a database the test can also open: runs in the PostgreSQL pass")
    from .servers import gunicorn
    from .test_cache import AdminSession

    django_user_model.objects.create_user("editor", password="right-password-123", is_staff=True)
    env = {
        "DATABASE_URL": f"postgres://root@127.0.0.1:5432/{connection.settings_dict['NAME']}",
        "DATABASE_CONN_MAX_AGE": "0",
        "DJANGO_PROXY_COUNT": "1",
    }

    def attempt(base, client_address, password):
        session = AdminSession(base, headers={"X-Forwarded-For": client_address})
        session.opener.open(base + reverse("admin:login"), timeout=20).read()
        try:
            credentials = {"username": "editor", "password": password, "next": reverse("admin:index")}
            return session.post(reverse("admin:login"), credentials)[0]
        except Exception as error:  # urllib raises for 4xx
            return getattr(error, "code", error)

    with gunicorn(env) as base:
        for _ in range(4):
            assert attempt(base, "203.0.113.1", "wrong") == 200
        assert attempt(base, "203.0.113.1", "wrong") == 429  # the fifth failure locks this client out
        assert attempt(base, "203.0.113.1", "right-password-123") == 429
        assert attempt(base, "203.0.113.2", "right-password-123") == 200  # logged in: the admin index
