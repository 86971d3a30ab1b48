"""Error pages in Chinese: the site's in the site's style, the admin's in the admin's.

Django's own views render the site's pages (``400.html``, ``403.html``, ``404.html``); under the
admin's address the same errors get ``admin/<code>.html``, with the admin's header and navigation.
A refused form (CSRF) says what happened and how to get the work back.
"""

from django.conf import settings
from django.contrib import admin
from django.shortcuts import render
from django.views import defaults


def in_admin(request):
    return request.path.startswith("/" + settings.ADMIN_PATH)


def admin_page(request, template, status, context=None):
    return render(request, template, {**admin.site.each_context(request), **(context or {})}, status=status)


def bad_request(request, exception):
    if in_admin(request):
        return admin_page(request, "admin/400.html", 400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if in_admin(request):
        return admin_page(request, "admin/403.html", 403, {"reason": _reason(exception)})
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if in_admin(request):
        return admin_page(request, "admin/404.html", 404)
    return defaults.page_not_found(request, exception)


def csrf_failure(request, reason=""):
    """A form sent without a valid security token (an expired session, another login since, a page
    kept open for long): Django's page tells the developer to turn DEBUG on; this one tells the editor
    where the work is and what to do."""
    if in_admin(request):
        return admin_page(request, "admin/403_csrf.html", 403)
    return render(request, "403_csrf.html", status=403)


def _reason(exception):
    """The message a PermissionDenied carries when the code gave one (the roles' refusals do)."""
    message = str(exception) if exception is not None else ""
    return "" if message in ("", "None") else message
