"""The admin's count of articles waiting for the user's review (beside 文章 in the index and the sidebar)."""

from django import template

from .. import roles
from ..models import Article

register = template.Library()


@register.simple_tag(takes_context=True)
def waiting_for_review(context):
    """How many articles wait for a review the user may do: one COUNT query per page, however often shown."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return 0
    if not hasattr(request, "waiting_for_review"):
        request.waiting_for_review = roles.awaiting_review(request.user, Article.objects.all()).count()
    return request.waiting_for_review
