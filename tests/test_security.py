import pytest
from axes.models import AccessAttempt
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


def login(client, password, ip="10.0.0.1"):
    return client.post(
        reverse("admin:login"),
        {"username": "editor", "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=ip,
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
