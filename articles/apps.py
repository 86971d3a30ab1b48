from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    default = True  # the app's own config, among the classes of this module
    name = "articles"
    verbose_name = _("newsroom")

    def ready(self):
        from . import proxies

        checks.register(proxies.check_proxy_count, checks.Tags.security, deploy=True)
        from . import admin_texts

        admin_texts.install()


class AxesConfig(AxesAppConfig):
    """django-axes (login throttling) with a name editors can read in the admin's app list."""

    default = False
    verbose_name = _("login protection")
