from typing import NamedTuple

from .cache import versioned
from .feeds import feed_for
from .models import Section, SiteSettings


class NavLink(NamedTuple):
    name: str
    url: str


def site_chrome():
    """What the header and footer of every page show, with its addresses worked out."""
    return {
        "site": SiteSettings.load(),
        "nav_sections": [NavLink(section.name, section.get_absolute_url()) for section in Section.objects.all()],
        "site_feed_links": feed_for(None).links(),
    }


def site(request):
    """Site settings, the section links and the site's feeds, kept per content version."""
    return versioned("site", site_chrome)
