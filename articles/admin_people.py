"""The admin of people: users, groups (the roles) and django-axes' login records, in Chinese.

Django's user and group admins and django-axes' are used as they are, with permissions named in
Chinese, change messages that keep Chinese field labels, and axes' clean-up message and status
column written so they can be translated. axes names its records in English f-strings (with UTC
times), shown in the admin's lists, titles and breadcrumbs: they are named here in Chinese.
"""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.conf import settings as axes_settings
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext, gettext_lazy, ngettext

from .admin_lists import DateFilterChecked
from .admin_texts import ChineseChangeMessage, ChinesePermissions, LinkRowsUnlisted


def _when(moment):
    return date_format(localtime(moment), "DATETIME_FORMAT") if moment else ""


def _attempt_str(attempt):
    return gettext("Failed logins of %(user)s, the last at %(time)s") % {
        "user": attempt.username,
        "time": _when(attempt.attempt_time),
    }


def _failure_str(failure):
    return gettext("Failed login of %(user)s at %(time)s") % {
        "user": failure.username,
        "time": _when(failure.attempt_time),
    }


def _log_str(log):
    return gettext("Login of %(user)s at %(time)s") % {"user": log.username, "time": _when(log.attempt_time)}


AccessAttempt.__str__ = _attempt_str
AccessFailureLog.__str__ = _failure_str
AccessLog.__str__ = _log_str

for model in (User, Group, AccessAttempt, AccessLog, AccessFailureLog):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(User)
class PersonAdmin(ChinesePermissions, ChineseChangeMessage, LinkRowsUnlisted, UserAdmin):
    pass


@admin.register(Group)
class RoleAdmin(ChinesePermissions, ChineseChangeMessage, LinkRowsUnlisted, GroupAdmin):
    pass


@admin.register(AccessAttempt)
class LoginAttemptAdmin(DateFilterChecked, AccessAttemptAdmin):
    actions = ["clean_up_expired"]
    # Without axes' "form data" (the login form's field names, and the password as asterisks).
    fieldsets = [fieldset for fieldset in AccessAttemptAdmin.fieldsets if "post_data" not in fieldset[1]["fields"]]

    @admin.display(description=gettext_lazy("Expires At"))
    def expiration(self, obj):
        return super().expiration(obj)

    @admin.display(description=gettext_lazy("status"))
    def status(self, obj):
        left = axes_settings.AXES_FAILURE_LIMIT - obj.failures_since_start
        if left <= 0:
            return gettext("Locked Out")
        return ngettext("%(count)d attempt left", "%(count)d attempts left", left) % {"count": left}

    @admin.action(description=gettext_lazy("Clean up expired attempts"))
    def clean_up_expired(self, request, queryset):
        count = self.handler.clean_expired_user_attempts(request=request)
        self.message_user(
            request,
            ngettext(
                "%(count)d expired access attempt cleaned up.", "%(count)d expired access attempts cleaned up.", count
            )
            % {"count": count},
        )


class LoginLogAdmin(DateFilterChecked, AccessLogAdmin):
    pass


class FailedLoginLogAdmin(DateFilterChecked, AccessFailureLogAdmin):
    pass


admin.site.register(AccessLog, LoginLogAdmin)
admin.site.register(AccessFailureLog, FailedLoginLogAdmin)
