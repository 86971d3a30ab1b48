from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("newsroom")

    def ready(self):
        from . import proxies

        checks.register(proxies.check_proxy_count, checks.Tags.security, deploy=True)
