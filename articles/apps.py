from pathlib import Path

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    default = True  # the app's own config, among the classes of this module
    name = "articles"
    verbose_name = _("newsroom")

    def ready(self):
        from . import proxies

        checks.register(proxies.check_proxy_count, checks.Tags.security, deploy=True)
        checks.register(messages_compiled, checks.Tags.translation)
        from . import admin_texts

        admin_texts.install()


def messages_compiled(app_configs, **kwargs):
    """``manage.py check``: the site's catalogue is compiled (``.mo`` files are not in git). Without it
    every page and the admin speak English, and nothing else says so."""
    if any((Path(folder) / "zh_Hans" / "LC_MESSAGES" / "django.mo").exists() for folder in settings.LOCALE_PATHS):
        return []
    return [
        checks.Warning(
            "The site's translations are not compiled: pages and the admin would be in English.",
            hint="Run `python manage.py compilemessages` (make install and make run do).",
            id="newsroom.W002",
        )
    ]


class AxesConfig(AxesAppConfig):
    """django-axes (login throttling) with a name editors can read in the admin's app list."""

    default = False
    verbose_name = _("login protection")
