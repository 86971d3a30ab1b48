"""纠错: a reader reports an error in a published article (the text in question, a note); editors find the
reports in the admin (``ErrorReportAdmin``).

The article page is cached whole for every anonymous reader, so it can carry no CSRF token (a token is
per reader). The form needs none: the view takes a report only from the site's own pages, as the
browser says with ``Origin`` (sent with every POST by current browsers; ``Referer`` where it is not),
which another site cannot forge. Without a third-party captcha, bots are kept out by a field that
people do not see (a bot filling it is thanked and ignored) and each client address by a limit of
``LIMIT`` reports per ``WINDOW`` seconds (counted in the cache).
"""

from urllib.parse import urlsplit

from django import forms
from django.core.cache import cache
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .forms import LABEL_SUFFIX
from .hant import in_edition
from .models import Article, ErrorReport
from .proxies import client_ip

LIMIT = 5  # reports per client address …
WINDOW = 10 * 60  # … per this many seconds


class ErrorReportForm(forms.ModelForm):
    # A trap for bots: hidden from people (and screen readers), it must stay empty.
    website = forms.CharField(required=False, label=_("Leave this empty"))

    class Meta:
        model = ErrorReport
        fields = ["selected_text", "note"]
        labels = {"selected_text": _("Text in question"), "note": _("What is wrong")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix=LABEL_SUFFIX, **kwargs)


def from_our_pages(request):
    """Whether the POST comes from a page of this site, as the browser says (Origin, else Referer)."""
    ours = f"{request.scheme}://{request.get_host()}"
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin == ours
    referer = urlsplit(request.headers.get("Referer", ""))
    return bool(referer.netloc) and f"{referer.scheme}://{referer.netloc}" == ours


def within_limit(request):
    """Counts this report against its client address; False past ``LIMIT`` in the window."""
    key = f"newsroom:error-reports:{client_ip(request)}"
    cache.add(key, 0, WINDOW)
    try:
        return cache.incr(key) <= LIMIT
    except ValueError:  # expired between add and incr: this is the first of a new window
        cache.add(key, 1, WINDOW)
        return True


def answer(request, article, status=200, message=None, form=None, errors=()):
    """The JSON the page's script reads (``Accept: application/json``), else a page (no script)."""
    errors = [*errors, *(error for field in (form.errors.values() if form else ()) for error in field)]
    if "application/json" in request.headers.get("Accept", ""):
        # The page's script shows these as they come: in the reader's edition (HTML is converted on its way out).
        said = {"message": in_edition(message)} if message else {"errors": [in_edition(str(e)) for e in errors]}
        return JsonResponse(said, status=status)
    context = {"article": article, "message": message, "form": form, "errors": errors}
    return render(request, "articles/error_report.html", context, status=status)


@csrf_exempt  # no token in a page cached for everyone: the Origin check stands in for it
@require_POST
def report_error(request, pk):
    article = get_object_or_404(Article.objects.published().only("pk", "title"), pk=pk)
    if not from_our_pages(request):
        return refused(request, article)
    form = ErrorReportForm(request.POST)
    if not form.is_valid():
        return answer(request, article, 400, form=form)
    thanks = gettext("Thank you! An editor will check it soon.")
    if form.cleaned_data["website"]:
        return answer(request, article, message=thanks)  # a bot: nothing is stored
    if not within_limit(request):
        form.add_error(None, gettext("Too many reports from your network: please try again in a few minutes."))
        return answer(request, article, 429, form=form)
    report = form.save(commit=False)
    report.article = article
    report.save()
    return answer(request, article, message=thanks)


def refused(request, article):
    return answer(request, article, 403, errors=[gettext("Reports are taken only from the article's own page.")])
