"""What the machine, gunicorn and wrk cost, measured in the same run as the pages, so that figures taken
at different times (on a shared machine) or on other machines compare through them.

- ``app``: a WSGI application that does nothing but answer 15 KB (about an article page).
- ``django_app``: the minimal Django page: one view, one query (a row by primary key), 15 KB of HTML,
  Django's request handling with no middleware, on the benchmark's PostgreSQL (``DATABASE_URL``) with
  persistent connections. The cached article page is compared with it.

    gunicorn --pythonpath bench calibration:app
    DATABASE_URL=postgres://… gunicorn --pythonpath bench calibration:django_app
"""

import os

BODY = b"x" * 15_000  # about the size of an article page


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(BODY)))])
    return [BODY]


_django_handler = None


def page(request):
    from django.db import connection
    from django.http import HttpResponse

    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM django_migrations WHERE id = %s", [1])
        (row,) = cursor.fetchall()
    return HttpResponse(BODY.replace(b"x", str(row[0]).encode(), 1), content_type="text/html; charset=utf-8")


urlpatterns = []


def django_app(environ, start_response):
    """The minimal Django page, configured on first use (gunicorn imports this module before forking)."""
    global _django_handler
    if _django_handler is None:
        import dj_database_url
        import django
        from django.conf import settings
        from django.core.handlers.wsgi import WSGIHandler
        from django.urls import path

        urlpatterns.append(path("", page))
        settings.configure(
            DEBUG=False,
            SECRET_KEY="calibration",
            ALLOWED_HOSTS=["*"],
            ROOT_URLCONF=__name__,
            MIDDLEWARE=[],
            INSTALLED_APPS=[],
            DATABASES={"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)},
        )
        django.setup()
        _django_handler = WSGIHandler()
    return _django_handler(environ, start_response)
