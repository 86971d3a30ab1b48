from .models import Section, SiteSettings


def site(request):
    """Site settings and the section list, for the header and footer of every page."""
    return {"site": SiteSettings.load(), "nav_sections": Section.objects.all()}
