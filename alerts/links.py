"""The signed links of alert e-mails: confirming a subscription (expires with it) and unsubscribing
(never expires). Each signs the subscription's random key, so a link names one subscription and
nothing can be guessed or changed in it."""

import datetime

from django.conf import settings
from django.core import signing
from django.db import DEFAULT_DB_ALIAS
from django.urls import reverse

from .models import Subscription

CONFIRM = "alerts.confirm"
UNSUBSCRIBE = "alerts.unsubscribe"


def primary():
    """Subscriptions as the primary database has them: a link opened seconds after the subscription
    was made must find it, whatever a read replica has replayed (``articles.routing``)."""
    return Subscription.objects.using(DEFAULT_DB_ALIAS)


def absolute(path):
    return settings.SITE_URL + path


def confirm_url(subscription):
    token = signing.TimestampSigner(salt=CONFIRM).sign(subscription.key)
    return absolute(reverse("alerts:confirm", args=[token]))


def unsubscribe_url(subscription):
    token = signing.Signer(salt=UNSUBSCRIBE).sign(subscription.key)
    return absolute(reverse("alerts:unsubscribe", args=[token]))


def confirming(token):
    """The subscription a confirmation token names, or None (altered, expired, or gone)."""
    try:
        key = signing.TimestampSigner(salt=CONFIRM).unsign(
            token, max_age=datetime.timedelta(days=settings.ALERTS_UNCONFIRMED_DAYS)
        )
    except signing.BadSignature:
        return None
    return primary().filter(key=key).first()


def unsubscribing(token):
    """The key an unsubscribe token names (its subscription may be gone already), or None if altered."""
    try:
        return signing.Signer(salt=UNSUBSCRIBE).unsign(token)
    except signing.BadSignature:
        return None
