"""Facets of search results: how many of the matches are in each section, column, unit and year."""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from .models import ArticleUnit, Column, Section

SHOWN = 8  # values shown per facet, the most frequent first


@dataclass(frozen=True)
class Value:
    label: str
    count: int
    parameters: dict  # what the link sets in the query string

    def query_string(self, current):
        """``current`` (a QueryDict) with these parameters set, back on the first page."""
        changed = current.copy()
        changed.pop("page", None)
        for name, value in self.parameters.items():
            changed[name] = value
        return "?" + changed.urlencode()


@dataclass(frozen=True)
class Facet:
    title: str
    values: list


def _most(counts, model, parameter):
    """The SHOWN most frequent of ``counts`` ({pk: n}), named from ``model``: most first, then by name."""
    names = dict(model.objects.filter(pk__in=list(counts)).values_list("pk", "name"))
    ranked = sorted((-n, names[pk], pk) for pk, n in counts.items() if pk in names)
    return [Value(name, -n, {parameter: pk}) for n, name, pk in ranked[:SHOWN]]


def _year_range(year, start, end):
    """The dates of ``year`` within the reader's range (``start``, ``end``: dates or None), as the
    query string sets them: a year's link narrows the results, never widens them."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return {"start": max(first, start or first).isoformat(), "end": min(last, end or last).isoformat()}


def facets(matches, current, start=None, end=None):
    """The facets of ``matches`` (the ``search.Match``es a search counted: each brings its section,
    column and year): [(Facet, [(Value, link)])] where each link is ``current`` (the query string)
    narrowed to that value, within the dates ``start`` and ``end`` it has. Only the units are read
    again (an article has several)."""
    ids = [match.pk for match in matches]
    units = (
        ArticleUnit.objects.filter(article_id__any_of=ids)
        .values("unit__name")
        .annotate(n=Count("article", distinct=True))
        .order_by("-n", "unit__name")[:SHOWN]
    )
    years = Counter(match.year for match in matches)
    found = [
        Facet(_("Section"), _most(Counter(match.section_id for match in matches), Section, "section")),
        Facet(_("Column"), _most(Counter(match.column_id for match in matches if match.column_id), Column, "column")),
        Facet(
            _("Participating unit"), [Value(row["unit__name"], row["n"], {"unit": row["unit__name"]}) for row in units]
        ),
        Facet(
            _("Year"),
            [
                Value(str(year), n, _year_range(year, start, end))
                for year, n in sorted(years.items(), reverse=True)[:SHOWN]
            ],
        ),
    ]
    return [
        (facet, [(value, value.query_string(current)) for value in facet.values]) for facet in found if facet.values
    ]
