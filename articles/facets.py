"""Facets of search results: how many of the matches are in each section, column, unit and year."""

from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from .models import Article, ArticleUnit

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


def facets(ids, current):
    """The facets of the articles ``ids`` (the matches a search counted): [(Facet, [(Value, link)])]
    where each link is ``current`` (the query string) narrowed to that value."""
    articles = Article.objects.filter(pk__in=ids).order_by()

    def by(field, name):
        rows = articles.exclude(**{field: None}).values(field, name).annotate(n=Count("pk")).order_by("-n", name)
        return [Value(row[name], row["n"], {field: row[field]}) for row in rows[:SHOWN]]

    units = (
        ArticleUnit.objects.filter(article_id__in=ids)
        .values("unit__name")
        .annotate(n=Count("article", distinct=True))
        .order_by("-n", "unit__name")[:SHOWN]
    )
    years = articles.annotate(year=ExtractYear("publish_at")).values("year").annotate(n=Count("pk")).order_by("-year")
    found = [
        Facet(_("Section"), by("section", "section__name")),
        Facet(_("Column"), by("column", "column__name")),
        Facet(
            _("Participating unit"), [Value(row["unit__name"], row["n"], {"unit": row["unit__name"]}) for row in units]
        ),
        Facet(
            _("Year"),
            [
                Value(str(row["year"]), row["n"], {"start": f"{row['year']}-01-01", "end": f"{row['year']}-12-31"})
                for row in years[:SHOWN]
            ],
        ),
    ]
    return [
        (facet, [(value, value.query_string(current)) for value in facet.values]) for facet in found if facet.values
    ]
