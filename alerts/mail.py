"""The alert e-mails, in Chinese, as plain text with an HTML alternative: the confirmation request,
an instant alert, a daily digest. Each carries the site's name as its sender, a Message-ID of the
sender's domain and, but for the confirmation, the one-click unsubscribe headers of RFC 8058."""

from email.utils import formataddr, make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from articles.models import SiteSettings

from . import links


def _message(subscription, subject, template, context, unsubscribe=True):
    site = SiteSettings.load()
    context = {
        "site": site,
        "site_url": settings.SITE_URL,
        "subscription": subscription,
        "unsubscribe_url": links.unsubscribe_url(subscription),
        **context,
    }
    domain = settings.ALERTS_FROM_EMAIL.rpartition("@")[2] or "localhost"
    headers = {"Message-ID": make_msgid(domain=domain)}
    if unsubscribe:
        headers["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject,
        render_to_string(f"alerts/email/{template}.txt", context),
        formataddr((site.site_name, settings.ALERTS_FROM_EMAIL)),
        [subscription.email],
        headers=headers,
    )
    message.attach_alternative(render_to_string(f"alerts/email/{template}.html", context), "text/html")
    return message


def confirmation(subscription):
    with translation.override(settings.LANGUAGE_CODE):
        site = SiteSettings.load()
        subject = _("Please confirm your email alerts from %(site)s") % {"site": site.site_name}
        context = {"confirm_url": links.confirm_url(subscription), "days": settings.ALERTS_UNCONFIRMED_DAYS}
        return _message(subscription, subject, "confirm", context, unsubscribe=False)


def alert(subscription, article):
    with translation.override(settings.LANGUAGE_CODE):
        site = SiteSettings.load()
        subject = _("New on %(site)s: %(title)s") % {"site": site.short_name, "title": article.display_title()}
        context = {"article": article, "article_url": links.absolute(article.get_absolute_url())}
        return _message(subscription, subject, "alert", context)


def digest(subscription, articles):
    with translation.override(settings.LANGUAGE_CODE):
        site = SiteSettings.load()
        subject = _("%(site)s daily digest: %(count)d new articles") % {
            "site": site.short_name,
            "count": len(articles),
        }
        items = [(article, links.absolute(article.get_absolute_url())) for article in articles]
        return _message(subscription, subject, "digest", {"items": items})
