"""Subscribers in the admin: who is subscribed to what, exported as CSV or erased on request
(a subscriber's right to see and delete what is kept about them). Nobody adds or edits a
subscription here: only the address's owner does, through the confirmation link."""

import csv

from django.contrib import admin, messages
from django.db.models import Count, Max
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Subscription


class ConfirmedFilter(admin.SimpleListFilter):
    title = _("confirmed")
    parameter_name = "confirmed"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(confirmed_at__isnull=self.value() == "no")
        return queryset


def local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["email", "scope_name", "frequency", "created_at", "confirmed_at"]
    list_filter = [ConfirmedFilter, "frequency"]
    search_fields = ["email"]
    fields = ["email", "section", "column", "unit", "frequency", "created_at", "confirmed_at"]
    readonly_fields = fields
    actions = ["export_csv", "erase_addresses"]

    @admin.display(description=_("subscribed to"))
    def scope_name(self, obj):
        return obj.scope_name()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("section", "column", "unit")

    @admin.action(description=_("Export the selected addresses' subscriptions as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        """Everything kept about the selected addresses: each subscription of theirs, with what was sent."""
        emails = queryset.values("email")
        rows = (
            Subscription.objects.filter(email__in=emails)
            .select_related("section", "column", "unit")
            .annotate(sent=Count("deliveries__sent_at"), last_sent=Max("deliveries__sent_at"))
            .order_by("email", "pk")
        )
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="subscriptions-{timezone.localdate():%Y%m%d}.csv"'
        response.write("\ufeff")  # so that spreadsheet programs read the Chinese as UTF-8
        writer = csv.writer(response)
        writer.writerow(
            [
                _("email address"),
                _("subscribed to"),
                _("frequency"),
                _("subscribed"),
                _("confirmed"),
                _("articles sent"),
                _("last sent"),
            ]
        )
        for row in rows:
            writer.writerow(
                [
                    row.email,
                    row.scope_name(),
                    row.get_frequency_display(),
                    local(row.created_at),
                    local(row.confirmed_at),
                    row.sent,
                    local(row.last_sent),
                ]
            )
        return response

    @admin.action(
        description=_("Erase the selected addresses (every subscription and sent record)"), permissions=["delete"]
    )
    def erase_addresses(self, request, queryset):
        emails = set(queryset.values_list("email", flat=True))
        Subscription.objects.filter(email__in=emails).delete()  # their deliveries go with them
        self.message_user(
            request,
            ngettext("%(count)d address erased.", "%(count)d addresses erased.", len(emails)) % {"count": len(emails)},
            messages.SUCCESS,
        )
