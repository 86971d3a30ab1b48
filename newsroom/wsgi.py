import os

import django
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
if not settings.DEBUG and not os.environ.get("DJANGO_SECRET_KEY"):
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 for development).")
django.setup(set_prefix=False)  # as django.core.wsgi.get_wsgi_application() does

from articles.cache.handler import SentCopiesHandler  # noqa: E402 (after setup)

# Django's WSGI handler, which sends again what it sent for a kept page (articles/cache/handler.py).
application = SentCopiesHandler()
