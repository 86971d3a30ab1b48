"""The reader's pages of email alerts: subscribe, confirm (the link of the confirmation e-mail),
unsubscribe (the link of every alert: a page with a button, and a POST without a CSRF token for
mail programs' one-click unsubscribe, RFC 8058)."""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import FormView, TemplateView

from articles import versions
from articles.proxies import client_ip

from . import links
from .forms import SITE, SubscribeForm

LIMIT_KEY = "newsroom:alerts:subscribe:"


def over_limit(request):
    """Counts this client's subscribe requests in the hour since its first; True past the limit."""
    key = LIMIT_KEY + (client_ip(request) or "")
    cache.add(key, 0, timeout=60 * 60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=60 * 60)
        count = 1
    return count > settings.ALERTS_SUBSCRIBE_LIMIT


def message(request, title, text, status=200):
    return render(request, "alerts/message.html", {"title": title, "text": text}, status=status)


# A subscribe form needs no CSRF token: a forged request can only ask an address to confirm, which
# anyone can do with the form, and without a token the form can stand on cached pages (the 订阅 page).
@method_decorator(csrf_exempt, name="dispatch")
class SubscribeView(FormView):
    form_class = SubscribeForm
    template_name = "alerts/subscribe.html"
    query_parameters = ("scope",)  # a list page's link chooses its scope

    def get_initial(self):
        return {"scope": self.request.GET.get("scope", SITE)}

    def get_context_data(self, **kwargs):
        versions.depends_on(versions.ARTICLES)  # units are offered while a published article names them
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        if over_limit(request):
            form = self.get_form()
            form.full_clean()
            form.add_error(None, _("Too many requests from your address. Please try again in an hour."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        if not form.is_bot():
            with transaction.atomic():
                form.save()
        return redirect("alerts:sent")


class SentView(TemplateView):
    template_name = "alerts/message.html"
    extra_context = {
        "title": _("Please check your mailbox"),
        "text": _(
            "We have sent a message to the address you gave. Open the link in it to confirm your subscription; "
            "nothing else is sent until you do. If it does not arrive within a few minutes, look in the spam folder."
        ),
    }


@never_cache
def confirm(request, token):
    subscription = links.confirming(token)
    if subscription is None:
        return message(
            request,
            _("This link is not valid"),
            _("The link is wrong or has expired. Please subscribe again."),
            status=404,
        )
    if subscription.confirmed_at is None:
        subscription.confirmed_at = timezone.now()
        subscription.save(update_fields=["confirmed_at"])
    return render(
        request,
        "alerts/confirmed.html",
        {"subscription": subscription, "unsubscribe_url": links.unsubscribe_url(subscription)},
    )


@never_cache
@csrf_exempt  # RFC 8058: mail programs POST "List-Unsubscribe=One-Click" with no token
def unsubscribe(request, token):
    key = links.unsubscribing(token)
    if key is None:
        return message(request, _("This link is not valid"), _("The link is wrong."), status=404)
    subscription = links.primary().filter(key=key).first()
    if request.method == "POST":
        if subscription is not None:
            subscription.delete()  # the address and what was sent to it go at once
        return message(
            request,
            _("You have unsubscribed"),
            _("Your address has been deleted from our list; you will receive no more alerts."),
        )
    if subscription is None:
        return message(request, _("You have unsubscribed"), _("This address receives no alerts from this link."))
    return render(request, "alerts/unsubscribe.html", {"subscription": subscription})
