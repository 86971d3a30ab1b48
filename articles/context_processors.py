from typing import NamedTuple

from django.utils import translation

from . import feed_formats, versions
from .cache.derived import derived_value
from .models import Section, SiteSettings


class NavLink(NamedTuple):
    name: str
    url: str
    pk: int


def site_chrome():
    """What the header and footer of every page show, with its addresses worked out."""
    return {
        "site": SiteSettings.load(),
        "nav_sections": [
            NavLink(section.name, section.get_absolute_url(), section.pk) for section in Section.objects.all()
        ],
        "site_feed_links": feed_formats.links("articles:feed"),
    }


def site(request):
    """Site settings, the section links and the site's feeds, kept until the site's own version moves;
    read once per request however many templates render with it (an article page renders three);
    one copy per edition: the links of the traditional one lead to its pages."""
    if request is None:  # a template rendered outside a request
        return derived_value(f"site:{translation.get_language()}", site_chrome, depends_on=[versions.SITE])
    if not hasattr(request, "site_chrome"):
        request.site_chrome = derived_value(
            f"site:{translation.get_language()}", site_chrome, depends_on=[versions.SITE]
        )
    return request.site_chrome
