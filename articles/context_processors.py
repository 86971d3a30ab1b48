from typing import NamedTuple

from . import feed_formats
from .cache import versioned
from .models import Section, SiteSettings


class NavLink(NamedTuple):
    name: str
    url: str


def site_chrome():
    """What the header and footer of every page show, with its addresses worked out."""
    return {
        "site": SiteSettings.load(),
        "nav_sections": [NavLink(section.name, section.get_absolute_url()) for section in Section.objects.all()],
        "site_feed_links": feed_formats.links("articles:feed"),
    }


def site(request):
    """Site settings, the section links and the site's feeds, kept per content version."""
    return versioned("site", site_chrome)
