"""The WSGI application: Django's handler, with this process's copies of the bytes it sent for kept pages.

A page cache hit still walks Django's request handling: the request object, the middleware in front
of the page cache (HTTPS redirects and security headers, static files, sessions, conditional GET,
the edition's language), the lookup and the response object; that costs more than a one-query Django
view. Yet for a plain request (a GET with no query string, no session cookie and no conditional
header) everything in front of the page cache answers the same for the same address: the response
is the kept page with the same headers added. So once Django has sent a kept page for such a
request, this handler keeps the status, headers and body it sent, with the scopes and versions of
the page cache's entry; the next identical plain request gets them after one round trip to Redis
that finds those versions unchanged, and no Django code runs. Anything else (another request,
versions that moved, no copy in this process) goes through Django as before, which keeps the page
(``pages``) and makes it again when needed.

Only with Redis (``settings.SHARED_CACHE``): the versions are then read without the database.
"""

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpResponse

from .. import versions
from . import CACHE_ERRORS
from .localcopies import LocalCopies

# The bytes sent, within a quarter of this process's budget for copies.
sent = LocalCopies(settings.LOCAL_CACHE_BYTES // 4, pickled=False)

# What a response to a plain request can depend on besides its address: the scheme (and whatever a
# proxy says of it) and the host. Two requests that differ in any of these are kept apart.
ADDRESS = ("wsgi.url_scheme", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "SCRIPT_NAME", "PATH_INFO")
FORWARDED = ("HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PORT")


def plain_key(environ):
    """The key of a plain request (see above), or None."""
    if environ.get("REQUEST_METHOD") != "GET" or environ.get("QUERY_STRING"):
        return None
    if f"{settings.SESSION_COOKIE_NAME}=" in environ.get("HTTP_COOKIE", ""):
        return None
    if any(name.startswith("HTTP_IF_") for name in environ):  # conditional: Django answers 304 or 412
        return None
    if settings.PROXY_COUNT is None and "HTTP_X_FORWARDED_FOR" in environ:
        return None  # Django warns the operator about the proxies (articles.proxies)
    proxy_header = settings.SECURE_PROXY_SSL_HEADER[0] if settings.SECURE_PROXY_SSL_HEADER else None
    return tuple(environ.get(name) for name in (*ADDRESS, *FORWARDED, proxy_header))


class SentCopiesHandler(WSGIHandler):
    def __call__(self, environ, start_response):
        key = plain_key(environ) if settings.SHARED_CACHE else None
        copy = None if key is None else sent.get(key)
        if copy is not None:
            scopes, seen, headers, body = copy
            try:
                unchanged = versions.current(scopes) == seen
            except CACHE_ERRORS:
                unchanged = False
            if unchanged:
                start_response("200 OK", list(headers))
                return [body]
        response = super().__call__(environ, start_response)
        entry = getattr(response, "kept_entry", None)
        if key is not None and entry is not None and isinstance(response, HttpResponse):
            self.keep(key, response, entry)
        return response

    @staticmethod
    def keep(key, response, entry):
        # As sent for a kept page (a page just made says X-Cache: miss, and may set a cookie).
        if response.status_code != 200 or response.cookies or response.get("X-Cache") != "hit":
            return
        headers = tuple(response.items())  # kept as they are: never handed out to be changed
        body = response.content
        size = len(body) + sum(len(name) + len(value) for name, value in headers)
        sent.set(key, (entry.scopes, entry.versions, headers, body), entry.expires_at, size=size)


def forget_sent():
    sent.clear()
