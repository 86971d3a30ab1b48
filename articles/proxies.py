"""The client's address behind reverse proxies (what the login lockout counts), and the warnings
an operator gets while the proxies in front are not configured.

Each proxy appends the address it received the request from to ``X-Forwarded-For``. With
``PROXY_COUNT`` (``DJANGO_PROXY_COUNT``) proxies in front, the client's address is the one that
many places from the right: the last proxy wrote it. Whatever stands further left was sent by the
client and proves nothing. Without the setting the header is ignored and the address is the
connection's, so a client talking to the application directly cannot choose it.
"""

import ipaddress
import logging

from django.conf import settings
from django.core import checks
from django.core.exceptions import MiddlewareNotUsed

logger = logging.getLogger(__name__)


def client_ip(request):
    """The client's address (django-axes' AXES_CLIENT_IP_CALLABLE)."""
    count = settings.PROXY_COUNT or 0
    if count:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(forwarded) >= count:
            try:
                return str(ipaddress.ip_address(forwarded[-count]))
            except ValueError:
                pass  # not what a proxy writes: the proxies in front are not as configured
    return request.META.get("REMOTE_ADDR")


class ForwardedWithoutProxyMiddleware:
    """Logs a warning, once per process, when requests carry ``X-Forwarded-For`` while
    ``DJANGO_PROXY_COUNT`` is unset: a proxy is in front (the header says so) and every client has
    its address, so one client's failed logins lock everyone out. Set to ``0``, it means no proxy on
    purpose, and this middleware is left out."""

    def __init__(self, get_response):
        if settings.PROXY_COUNT is not None:
            raise MiddlewareNotUsed
        self.get_response = get_response
        self.warned = False

    def __call__(self, request):
        if not self.warned and "HTTP_X_FORWARDED_FOR" in request.META:
            self.warned = True
            logger.warning(
                "Requests carry X-Forwarded-For but DJANGO_PROXY_COUNT is not set: every client has the "
                "proxy's address %s, so failed logins lock out everyone. Behind nginx set DJANGO_PROXY_COUNT=1.",
                request.META.get("REMOTE_ADDR"),
            )
        return self.get_response(request)


def check_proxy_count(app_configs, **kwargs):
    """``manage.py check --deploy``: production runs behind a proxy (gunicorn listens on loopback)."""
    if settings.DEBUG or settings.PROXY_COUNT is not None:
        return []
    return [
        checks.Warning(
            "DJANGO_PROXY_COUNT is not set: behind a proxy every client has the proxy's address, and "
            "one client's failed logins lock the account out for everyone.",
            hint="Set DJANGO_PROXY_COUNT=1 behind nginx (deploy/newsroom.env), or 0 if clients connect directly.",
            id="newsroom.W001",
        )
    ]
