"""The subscribe form: an address, what to follow (the site, a section, a column or a unit) and how
often. No captcha: a field people do not see (a bot that fills it is told it worked, and nothing is
sent) and a limit per client address (``views``)."""

import datetime

from django import forms
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Column, Section, Unit, in_public_use

from . import tasks
from .models import Subscription
from .queue import enqueue

SITE = "site"
# What a scope is called in the form's values (``section:3``) and which field of a subscription holds it.
KINDS = {"section": Section, "column": Column, "unit": Unit}
# A confirmation is sent again for the same subscription at most this often.
RESEND_AFTER = datetime.timedelta(minutes=10)


def scope_choices():
    def group(queryset, kind):
        return [(f"{kind}:{obj.pk}", str(obj)) for obj in queryset]

    return [
        (SITE, _("All articles")),
        (_("Sections"), group(Section.objects.all(), "section")),
        (_("Columns"), group(Column.objects.all(), "column")),
        (_("Participating units"), group(in_public_use(Unit.objects.all(), "units"), "unit")),
    ]


class SubscribeForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    scope = forms.ChoiceField(label=_("Articles to receive"), initial=SITE)
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=Subscription.Frequency.choices,
        initial=Subscription.Frequency.INSTANT,
        widget=forms.RadioSelect,
    )
    # The honeypot: hidden from people (CSS and aria-hidden), left empty by them.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = scope_choices()
        self.fields["website"].widget.attrs.update(tabindex="-1", autocomplete="off")
        self.fields["email"].widget.attrs.update(autocomplete="email")

    @property
    def unconfirmed_days(self):
        return settings.ALERTS_UNCONFIRMED_DAYS

    def is_bot(self):
        return bool(self.cleaned_data.get("website"))

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_scope(self):
        value = self.cleaned_data["scope"]
        if value == SITE:
            return {}
        kind, _sep, pk = value.partition(":")
        return {kind: KINDS[kind].objects.get(pk=pk)}  # the choices hold only existing ones

    def save(self):
        """Records the subscription, unconfirmed, and asks the address to confirm it (after the commit,
        on the queue). One already confirmed is left as it is and nothing is sent: the page says the
        same either way, so it tells nobody which addresses are subscribed."""
        data = self.cleaned_data
        subscription, created = Subscription.objects.get_or_create(
            email=data["email"],
            section=data["scope"].get("section"),
            column=data["scope"].get("column"),
            unit=data["scope"].get("unit"),
            defaults={"frequency": data["frequency"]},
        )
        if subscription.confirmed_at is not None:
            return subscription
        if subscription.frequency != data["frequency"]:
            subscription.frequency = data["frequency"]
            subscription.save(update_fields=["frequency"])
        sent = subscription.confirmation_sent_at
        if created or sent is None or sent < timezone.now() - RESEND_AFTER:
            transaction.on_commit(lambda: enqueue(tasks.send_confirmation, subscription.pk, retry=True))
        return subscription
