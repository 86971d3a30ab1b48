"""The site as production serves it, plus its uploads under /media/ (nginx's job in production), for
runs of bench/lighthouse.py without nginx: `gunicorn --chdir bench media_wsgi:application`."""

from django.conf import settings
from whitenoise import WhiteNoise

from newsroom.wsgi import application as site

application = WhiteNoise(site, root=settings.MEDIA_ROOT, prefix=settings.MEDIA_URL, max_age=30 * 86400)
