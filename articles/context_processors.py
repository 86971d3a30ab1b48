from .cache import versioned
from .models import Section, SiteSettings


def site(request):
    """Site settings and the section list, for the header and footer of every page."""
    settings, sections = versioned("site", lambda: (SiteSettings.load(), list(Section.objects.all())))
    return {"site": settings, "nav_sections": sections}
