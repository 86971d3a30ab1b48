from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string


class DatabaseUnavailableMiddleware:
    """While the database is down, readers get a short 503 page (and load balancers a Retry-After),
    not a traceback. Django drops the broken connection at the end of the request, so the next
    request reconnects by itself once the database is back: no restart needed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        # Rendered without the request's context processors: the page must not need the database.
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        response["Cache-Control"] = "no-store"
        return response


class RejectNullBytesMiddleware:
    """A NUL byte in the path or the query string is never a real request (and PostgreSQL text
    cannot hold one): answer 400 before any view sees it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.GET.lists()
        if "\x00" in request.path or any("\x00" in key + "".join(values) for key, values in query):
            return HttpResponseBadRequest(render_to_string("400.html"))
        return self.get_response(request)
