"""Logging in to the admin: resetting a forgotten password, and the page of a locked-out login.

The password reset pages are Django's (``django.contrib.auth.views`` with the admin's templates,
which link to them from the login page once ``admin_password_reset`` exists); the e-mail names the
site as its settings do. django-axes calls ``lockout`` after too many failed logins.
"""

import datetime

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path
from django.utils import timezone
from django.utils.timesince import timeuntil
from django.utils.translation import gettext

from .errors import admin_page
from .models import SiteSettings


class AdminChrome:
    """The admin's header and title on pages that are not the admin site's own views."""

    def get_context_data(self, **kwargs):
        return {**admin.site.each_context(self.request), **super().get_context_data(**kwargs)}


class PasswordResetView(AdminChrome, auth_views.PasswordResetView):
    def form_valid(self, form):
        self.extra_email_context = {"site_name": SiteSettings.load().site_name}
        return super().form_valid(form)


class PasswordResetDoneView(AdminChrome, auth_views.PasswordResetDoneView):
    pass


class PasswordResetConfirmView(AdminChrome, auth_views.PasswordResetConfirmView):
    pass


class PasswordResetCompleteView(AdminChrome, auth_views.PasswordResetCompleteView):
    pass


def password_reset_urls(prefix):
    """The four pages, under the admin's address ``prefix``; the names are those Django's views use."""
    return [
        path(f"{prefix}password_reset/", PasswordResetView.as_view(), name="admin_password_reset"),
        path(f"{prefix}password_reset/done/", PasswordResetDoneView.as_view(), name="password_reset_done"),
        path(f"{prefix}reset/<uidb64>/<token>/", PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
        path(f"{prefix}reset/done/", PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    ]


def lockout(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out login (``AXES_LOCKOUT_CALLABLE``): when to try again,
    and who can lift it sooner."""
    now = timezone.now()
    until = now + (get_cool_off(request) or datetime.timedelta(0))
    context = {
        "title": gettext("Too many failed logins"),
        "username": get_client_username(request, credentials) or "",
        "wait": timeuntil(until, now),
        "until": until,
        "unlock_place": f"{apps.get_app_config('axes').verbose_name} › {AccessAttempt._meta.verbose_name_plural}",
    }
    return admin_page(request, "admin/lockout.html", 429, context)
