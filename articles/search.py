"""Chinese full-text search: normalisation, indexing and querying.

Text is *normalised* before it is stored or searched: NFKC (full-width forms to half-width, and
the other compatibility forms), lower case, traditional to simplified characters (OpenCC), every
run of white space to one space. Each run of Latin letters and digits (a *word*: ``5g``, ``2025``,
``covid``) is wrapped in ``MARK`` characters, so that a word matches only a whole word (``g`` is not
found in ``5g``, ``2.4%`` not in ``12.4%``); the texts of an article are joined by ``FIELD_END``,
so that no match runs from one into the next.

A query is a list of *terms* that must all match (AND), and a term matches where its normalised
text occurs in the normalised text of the article, character for character: 党 and 智能建造 are
found inside 党建引领智能建造. Words separated by spaces or punctuation are separate terms, except
that numbers and words joined by ``. , : / - ~`` or followed by ``%`` stay one term (``2.4%``,
``covid-19``, ``2020-2025``, ``2025年``); a quoted phrase is one term, its punctuation and spaces
included (``"上、下"`` finds 上、下 but not 上，下 nor 上下). A term in traditional characters is
also searched as typed and converted character by character, besides converted in context (吒 is
咤 to OpenCC alone, but stays 吒 in 哪吒).

Each article has a ``SearchEntry`` row holding that normalised text (``document``), and the
normalised title and subtitle (``head``) and tags and units (``labels``) for relevance. On
PostgreSQL a GIN index over ``search_keys(document)`` (a SQL function, see migration 0022: every
character and every pair of adjacent characters) finds the rows that hold every character pair of
a term, and ``strpos`` confirms the term; nothing else is stored, so the index is small and has no
length limit (a tsvector's positions end at 16,383). On SQLite the same text is scanned with
``instr``: slower, the same results.

Relevance is a class: first the articles whose title or subtitle holds every term, then those whose
title, subtitle, tags or units hold each term, then the rest. Within each, an article where every
term stands as a word (not the end of one word and the start of the next, as 党建 in 从严治党建设)
comes first, then newest first, within the first ``Results.WINDOW`` matches (see ``Results``).
"""

import math
import re
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from html import unescape
from typing import NamedTuple

import opencc
from django.db import connection, connections, models, router, transaction
from django.db.models import Q
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from . import planner, words
from .models import Article, DocumentField, SearchEntry

MAX_QUERY_LENGTH = 100  # characters; longer queries are refused by the form
MAX_RESULTS = 1000  # results counted exactly and paged; beyond, the count is estimated
MAX_KEYS = 16  # character pairs of a term looked up in the index (strpos checks the whole term)
MARK = "\x1f"  # around each Latin/digit word in stored text
FIELD_END = "\x1e"  # between the texts of an article

CJK = (
    "\u3040-\u30fa\u30fc-\u30ff"  # kana (not the middle dot ・)
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # Han (extension A, unified, compatibility)
    "\uac00-\ud7af"  # hangul
    "\U00020000-\U0003134f"  # Han extensions B-H
)
LETTER = rf"[^\W_{CJK}]"  # a letter or digit of a word (not CJK)
WORD_RE = re.compile(rf"{LETTER}+")
CJK_RE = re.compile(rf"[{CJK}]")
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
SPACE_RE = re.compile(r"\s+")
# A term outside quotes: CJK characters and words, words joined by connectors, a trailing %.
TERM_RE = re.compile(rf"(?:[{CJK}]|{LETTER}+(?:[.,:/\-~]{LETTER}+)*[%‰]?)+")
QUOTES_RE = re.compile(r'["“”「」]')
QUOTED_RE = re.compile(r'"([^"]*)"?|“([^”]*)”?|「([^」]*)」?|([^\s"“「]+)')

_t2s = opencc.OpenCC("t2s")


# --- normalisation -----------------------------------------------------------------------------


def fold(text):
    """NFKC (full-width to half-width) and lower case, control characters to spaces."""
    return CONTROL_RE.sub(" ", unicodedata.normalize("NFKC", text).lower())


def normalize(text):
    """Folded, traditional to simplified, white space runs to one space."""
    return SPACE_RE.sub(" ", _t2s.convert(fold(text))).strip()


def in_either_script(lookup, text):
    """A condition for a filter by name or caption (no index): ``lookup`` matches ``text`` as typed or
    in simplified characters, as stored (醫學院 finds 医学院, as search does)."""
    condition = Q(**{lookup: text})
    simplified = _t2s.convert(text)
    return condition | Q(**{lookup: simplified}) if simplified != text else condition


def mark_words(normal):
    """Normalised text with MARK around each Latin/digit word."""
    return WORD_RE.sub(f"{MARK}\\g<0>{MARK}", normal)


def stored(text):
    return mark_words(normalize(text))


_BLOCK_RE = re.compile(r"<(?:/?(?:p|div|li|td|th|tr|h[1-6]|blockquote|pre|figure|figcaption)|br|hr)\b[^>]*>", re.I)
_TAG_RE = re.compile(r"<[^>]*>")


def plain_text(body_html):
    """The text of sanitised body HTML, a line per block (inline markup does not split words)."""
    text = unescape(_TAG_RE.sub("", _BLOCK_RE.sub("\n", body_html or "")))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


# --- indexing ----------------------------------------------------------------------------------


def _fields(article):
    """What is searched in an article, by relevance. Tags, units and images come from prefetches."""
    images = [text for image in article.images.all() for text in (image.caption, image.alt_text) if text]
    return [
        [article.title, article.subtitle],
        [tag.name for tag in article.tags.all()] + [link.unit.name for link in article.unit_links.all()],
        [article.summary, plain_text(article.body), *images, article.author, article.source],
    ]


def joined(texts):
    """The stored text of several texts: each normalised, FIELD_END around each."""
    parts = [part for part in (stored(text) for text in texts if text) if part]
    return FIELD_END + FIELD_END.join(parts) + FIELD_END if parts else FIELD_END


def entry_for(article):
    """The SearchEntry of an article (not saved)."""
    head, labels, rest = _fields(article)
    return SearchEntry(
        article_id=article.pk,
        head=joined(head),
        labels=joined(labels),
        document=joined(head + labels + rest),
        publish_at=article.publish_at,
    )


def index_articles(pks):
    """Write the index entries of these articles (of any status: queries apply published())."""
    articles = Article.objects.prefetch_related("tags", "images", "unit_links__unit").filter(pk__in=list(pks))
    entries = [entry_for(article) for article in articles]
    with transaction.atomic():
        SearchEntry.objects.filter(article_id__in=[entry.article_id for entry in entries]).delete()
        SearchEntry.objects.bulk_create(entries)
    return len(entries)


def remove_articles(pks):
    SearchEntry.objects.filter(article_id__in=list(pks)).delete()


# The one GIN index (PostgreSQL): the documents' keys. Title, subtitle and labels are short and
# checked row by row on the rows it finds (``Results._field``), so they have none.
GIN_INDEX = "articles_searchentry_document_keys"


def create_gin_index(cursor):
    cursor.execute(f"CREATE INDEX IF NOT EXISTS {GIN_INDEX} ON articles_searchentry USING gin (search_keys(document))")


def rebuild(batch_size=100, progress=None):
    """Index every article again, in batches, then analyse the database (the planner's estimates
    of the new index and of the articles). On PostgreSQL the GIN index is dropped first and
    built once at the end, all in one transaction: searches wait until it is complete."""
    pks = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    done = 0
    with transaction.atomic():
        postgresql = connection.vendor == "postgresql"
        with connection.cursor() as cursor:
            if postgresql:
                cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
                cursor.execute(f"DROP INDEX IF EXISTS {GIN_INDEX}")
                # Rows changed earlier in the same transaction leave deferred foreign-key checks pending,
                # and PostgreSQL refuses TRUNCATE while any are: run them now.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("TRUNCATE articles_searchentry")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            else:
                SearchEntry.objects.all().delete()
        for start in range(0, len(pks), batch_size):
            articles = Article.objects.prefetch_related("tags", "images", "unit_links__unit").filter(
                pk__in=pks[start : start + batch_size]
            )
            entries = [entry_for(article) for article in articles]
            SearchEntry.objects.bulk_create(entries)
            done += len(entries)
            if progress:
                progress(done, len(pks))
        with connection.cursor() as cursor:
            if postgresql:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # check the foreign keys before indexing
                create_gin_index(cursor)
    # Every table of the project: after a bulk load the articles' statistics are as stale as the
    # index's, and with them the planner checks search_keys() row by row (2 s instead of milliseconds).
    planner.analyse()
    return done


# --- querying ----------------------------------------------------------------------------------


def keys(variant):
    """The index keys that every text holding ``variant`` has: its character pairs (spread over
    the term, at most MAX_KEYS), or its one character."""
    if len(variant) == 1:
        return [variant]
    pairs = list(dict.fromkeys(variant[i : i + 2] for i in range(len(variant) - 1)))
    step = math.ceil(len(pairs) / MAX_KEYS)
    return pairs[::step] if step > 1 else pairs


@dataclass(frozen=True)
class Term:
    """Stored text that must occur in an article, in one of its ``variants`` (the first is the
    term converted in context, as shown to the reader)."""

    variants: tuple

    @property
    def text(self):
        """The term as shown to the reader."""
        return self.variants[0].replace(MARK, "")

    @cached_property
    def regex(self):
        """A regular expression that finds the term (any variant) in folded or normalised text."""
        return re.compile("|".join(_variant_pattern(variant) for variant in self.variants))

    @cached_property
    def word_pattern(self):
        """A regular expression that finds the term where it stands as a word or words (see
        ``words.edges``), or None when every occurrence does."""
        patterns = []
        for variant in self.variants:
            before, after = words.edges(variant)
            if not before and not after:
                return None
            patterns.append(
                (f"(?<!{before})" if before else "") + re.escape(variant) + (f"(?!{after})" if after else "")
            )
        return "|".join(patterns)


def _variant_pattern(variant):
    """The regex of a stored variant over text that is not marked: MARK becomes a word boundary,
    a space any white space."""
    parts = []
    for index, char in enumerate(variant):
        if char == MARK:
            following = variant[index + 1 : index + 2]
            parts.append(
                rf"(?<!{LETTER})" if following and following != MARK and WORD_RE.match(following) else rf"(?!{LETTER})"
            )
        elif char == " ":
            parts.append(r"\s+")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


@dataclass(frozen=True)
class Query:
    """A parsed query: terms that must all match.

    ``indexed`` False asks the database to check the query row by row rather than look it up in
    the GIN index (for a few rows already chosen: see ``Results``).
    """

    terms: tuple
    indexed: bool = True

    def __bool__(self):
        return bool(self.terms)

    def row_by_row(self):
        return replace(self, indexed=False)

    def each_term(self):
        """A query for each term."""
        return [replace(self, terms=(term,)) for term in self.terms]

    @property
    def text(self):
        return " ".join(f'"{term.text}"' if " " in term.text else term.text for term in self.terms)


def _converted(text):
    """The forms of typed text to search for: converted in context, character by character, as typed."""
    folded = SPACE_RE.sub(" ", fold(text)).strip()
    forms = [_t2s.convert(folded), "".join(_t2s.convert(char) for char in folded), folded]
    return tuple(mark_words(form) for form in dict.fromkeys(forms))


def parse(text):
    """The Query for what a reader typed. Words separated by spaces or punctuation are terms that
    must all match; "a quoted phrase" is one term. Anything without letters or digits is dropped."""
    terms = []
    for match in QUOTED_RE.finditer(unicodedata.normalize("NFKC", text or "")):
        *quoted, bare = match.groups()
        phrase = next((part for part in quoted if part is not None), None)
        if phrase is not None:
            pieces = [phrase] if TERM_RE.search(fold(phrase)) else []
        else:
            pieces = TERM_RE.findall(fold(bare))
        for piece in pieces:
            term = Term(_converted(piece))
            if term.variants[0] and term not in terms:
                terms.append(term)
    return Query(tuple(terms))


@DocumentField.register_lookup
class Matches(models.Lookup):
    """``document__matches=query``: the rows where every term of a ``Query`` occurs. On PostgreSQL
    through the GIN index of ``search_keys()`` unless the query says ``indexed=False``, and
    ``strpos`` (not for a term of one or two characters: its key is the term, so the index alone
    is exact, and the documents are not read); elsewhere ``instr``."""

    lookup_name = "matches"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        postgresql = connection.vendor == "postgresql"
        find = "strpos({}, %s) > 0" if postgresql else "instr({}, %s) > 0"
        sql, params = [], []
        for term in self.rhs.terms:
            if postgresql and self.rhs.indexed:
                sql.append("(" + " OR ".join([f"search_keys({lhs}) @> %s::text[]"] * len(term.variants)) + ")")
                for variant in term.variants:
                    params += [*lhs_params, keys(variant)]
                if all(len(variant) <= 2 for variant in term.variants):
                    continue  # the key is the variant itself: the index is exact, no text to read
            sql.append("(" + " OR ".join([find.format(lhs)] * len(term.variants)) + ")")
            for variant in term.variants:
                params += [*lhs_params, variant]
        return " AND ".join(sql), params


@contextmanager
def through_gin_indexes():
    """A transaction in which PostgreSQL finds matches through the GIN index, however many rows it
    expects (see ``Results``), without parallel workers (not worth it for a few hundred) and without
    compiling the query (JIT): on the database the search reads from (a replica for a public
    request, see ``articles.routing``), where the search's statements run."""
    alias = router.db_for_read(SearchEntry)
    if connections[alias].vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        cursor.execute(
            "SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off;"
            " SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL jit = off"
        )
        yield


class Match(NamedTuple):
    """A match as the ranking query reads it: its relevance field and what the facets count."""

    pk: int
    field: int
    section_id: int
    column_id: int | None
    year: int  # of its publication, where the site is (the database says: no date parsed for a facet)


class Entry(NamedTuple):
    """An index entry as ``Results._from_entries`` reads it, in the order of the query."""

    pk: int  # its article's
    field: int
    untimed: bool  # a draft's entry, or one written by code older than the copy of the publish time
    counted: int  # the entries with a time that match: the same on every row (a window count)


class Results:
    """Matching articles, as a Paginator wants them (``count()`` and slices), at most ``limit``.

    One query reads the matches through the GIN indexes, up to ``limit`` + 1 of them, already in
    order: by relevance, the *field* first (3 when the title or subtitle holds every term, 2 when
    title, subtitle, tags or units hold each term, 1 for any match, checked with ``strpos`` on the
    short head and labels of the rows found), then newest first; or newest first alone. That gives
    the count (exact up to ``limit``), the facets (each match's section, column and year come with
    it) and the order of every page.

    Whether each term stands as a word (``Term.word_pattern``) is a long regular expression, too
    costly for every match: it is checked in Python on the documents of the first ``WINDOW``
    matches only (the *ranking window*), and within the window an article where every term stands
    as a word comes before the others of its field, newest first; the matches after the window keep
    the order of the query. Every page is a slice of that one ranking.
    """

    WINDOW = 200  # matches (in the order of the query) ranked by whether their terms stand as words
    SPARE = 250  # index entries read beyond the limit, for matches that turn out not to be published

    def __init__(self, query, articles=None, order="relevance", limit=None, narrowed=None):
        self.query, self.order, self.limit = query, order, limit or MAX_RESULTS
        self.articles = Article.objects.published().for_list() if articles is None else articles
        # Whether ``articles`` are fewer than the published ones (filters): then the index entries
        # cannot be ranked before the articles are read (see ``_matches``).
        self.narrowed = articles is not None if narrowed is None else narrowed

    def _field(self, entry="search_entry__"):
        """The relevance field of a match, as an SQL expression (row by row: on short texts), of the
        articles' entries (``entry`` the path to them; "" on the entries themselves)."""
        query = self.query.row_by_row()
        each = [
            Q(**{f"{entry}head__matches": term}) | Q(**{f"{entry}labels__matches": term}) for term in query.each_term()
        ]
        return models.Case(
            models.When(Q(**{f"{entry}head__matches": query}), then=3),
            models.When(Q(*each), then=2),
            default=1,
            output_field=models.IntegerField(),
        )

    @cached_property
    def _ranking(self):
        """Up to ``limit`` + 1 ``Match``es in the order of the query (see the class), and about how
        many match in all: ranked from the index entries when that gives the answer
        (``_from_entries``), else from the articles."""
        if not self.query:
            return [], 0
        ranked = None if self.narrowed else self._from_entries()
        return self._from_articles() if ranked is None else ranked

    @property
    def _matches(self):
        return self._ranking[0]

    # Every match is read to be ranked: the same statement counts them (a window over all its rows).
    # Of the index entries, those with a time (an entry without one is a draft's, at the very end).
    _COUNTED = models.Window(models.Count("*"))
    _TIMED = models.Window(models.Count("publish_at"))

    def _from_entries(self):
        """The matches ranked by their index entries, which hold each article's publish time (written
        with the article, in the same transaction), reading only the first ``limit`` + 1 + ``SPARE``
        articles by id (a common word matches tens of thousands: reading each one's row to rank them
        cost most of the query). None when that cannot give the answer: fewer than ``limit`` + 1 of
        those articles are published (trashed or unpublished ones among the newest), or a published
        one's entry has no time (written by code older than the copy)."""
        # An entry whose article is to appear later cannot be published yet: scheduled articles,
        # newest of all, would fill the window.
        entries = SearchEntry.objects.filter(
            Q(publish_at__lte=timezone.now()) | Q(publish_at=None), document__matches=self.query
        )
        newest = (models.F("publish_at").desc(nulls_last=True), "-article_id")
        if self.order == "date":
            entries = entries.annotate(field=models.Value(1)).order_by(*newest)
        else:
            entries = entries.annotate(field=self._field(entry="")).order_by("-field", *newest)
        window = self.limit + 1 + self.SPARE
        untimed = models.ExpressionWrapper(Q(publish_at=None), output_field=models.BooleanField())
        with through_gin_indexes():  # whether each has a time, not the time: no dates to convert
            found = [
                Entry(*row)
                for row in entries.annotate(untimed=untimed, counted=self._TIMED).values_list(
                    "article_id", *Entry._fields[1:]
                )[:window]
            ]
        # Which of them are published, and what the facets count: their articles by id, in the entries' order.
        published = {
            pk: facets
            for pk, *facets in self.articles.filter(pk__any_of=[entry.pk for entry in found])
            .annotate(year=ExtractYear("publish_at"))
            .order_by()
            .values_list("pk", "section_id", "column_id", "year")
        }
        if any(entry.untimed and entry.pk in published for entry in found):
            return None
        rows = [Match(entry.pk, entry.field, *published[entry.pk]) for entry in found if entry.pk in published]
        if len(rows) <= self.limit and len(found) == window:
            return None
        # The entries with a time, less those read that are not published (trashed or withdrawn articles
        # are among the newest: they were published until lately).
        unpublished = sum(1 for entry in found if not entry.untimed and entry.pk not in published)
        counted = found[0].counted - unpublished if found else 0
        return rows[: self.limit + 1], counted

    def _from_articles(self):
        """The matches ranked by reading every matching article (filters narrow them, or the entries
        could not say)."""
        matches = self.articles.filter(search_entry__document__matches=self.query).annotate(
            year=ExtractYear("publish_at")
        )
        if self.order == "date":
            matches = matches.annotate(field=models.Value(1)).order_by("-publish_at", "-pk")
        else:
            matches = matches.annotate(field=self._field()).order_by("-field", "-publish_at", "-pk")
        with through_gin_indexes():
            rows = list(
                matches.annotate(counted=self._COUNTED).values_list(*Match._fields, "counted")[: self.limit + 1]
            )
        return [Match(*row[:-1]) for row in rows], rows[0][-1] if rows else 0

    @cached_property
    def ranked(self):
        """The ids of the matches in the order shown, at most ``limit``."""
        matches = self._matches[: self.limit]
        patterns = [re.compile(term.word_pattern) for term in self.query.terms if term.word_pattern]
        if self.order == "date" or not patterns:
            return [match.pk for match in matches]
        window = matches[: self.WINDOW]
        documents = dict(
            SearchEntry.objects.filter(article_id__any_of=[match.pk for match in window]).values_list(
                "article_id", "document"
            )
        )
        as_words = {
            match.pk for match in window if all(pattern.search(documents.get(match.pk, "")) for pattern in patterns)
        }
        # Stable: newest first stays within (field, word).
        ordered = sorted(window, key=lambda match: (-match.field, match.pk not in as_words))
        return [match.pk for match in ordered + matches[self.WINDOW :]]

    def count(self):
        """The number of matches, counted up to ``limit`` (see ``more``)."""
        return min(len(self._matches), self.limit)

    @property
    def more(self):
        """Whether more articles match than are counted and paged."""
        return len(self._matches) > self.limit

    @cached_property
    def estimate(self):
        """About how many articles match, when ``more``: every match counted by the statement that
        ranked them (of the index entries, those with a time less the ones read that are not
        published: beyond those, an article in the trash or withdrawn would still be counted), in two
        significant digits; None when that is not more than the limit (the page then says "more
        than" the limit: 约 1001 would read as an exact count)."""
        counted = self._ranking[1]
        rounded = round(counted, -max(0, len(str(counted)) - 2))
        return rounded if rounded > self.limit else None

    def __len__(self):
        return self.count()

    def counted(self):
        """The ``Match``es counted (at most ``limit``), for facets."""
        return self._matches[: self.limit]

    def __getitem__(self, key):
        if not isinstance(key, slice):
            raise TypeError("search results are read in slices")
        start, stop = key.start or 0, min(key.stop if key.stop is not None else self.limit, self.limit)
        if not self.query or start >= stop:
            return []
        ids = self.ranked[start:stop]
        found = self.articles.in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]


def search(query, articles=None, order="relevance", narrowed=None):
    """Published articles (or ``articles``, ``narrowed`` by filters) that match every term of ``query``."""
    return Results(query, articles, order, narrowed=narrowed)


# --- showing results ---------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def _fold_char(char):
    return unicodedata.normalize("NFKC", char).lower()


def _normalize_with_offsets(text):
    """Text converted as stored text is (but white space kept as it is) and, when that changed
    its length, for each character of the result the index of the original one (else None)."""
    folded = unicodedata.normalize("NFKC", text).lower()
    if len(folded) == len(text):
        converted = _t2s.convert(folded)
        if len(converted) == len(folded):
            return converted, None
    pieces = [_fold_char(char) for char in text]
    folded = "".join(pieces)
    offsets = [index for index, piece in enumerate(pieces) for _ in piece]
    converted = _t2s.convert(folded)  # in context, as above; character by character if that changed the length
    if len(converted) != len(folded):
        converted = "".join(_t2s.convert(char) for char in folded)
    return (converted if len(converted) == len(folded) else folded), offsets


def _match_spans(text, query, first=False):
    """(start, end) in ``text`` of every occurrence of a term of the query (with ``first``, of the
    first occurrence of each term)."""
    normal, offsets = _normalize_with_offsets(text)
    spans = []
    for term in query.terms:
        found = [term.regex.search(normal)] if first else term.regex.finditer(normal)
        spans += [match.span() for match in found if match and match.end() > match.start()]
    if offsets is not None:
        spans = [(offsets[start], offsets[end - 1] + 1) for start, end in spans]
    return sorted(spans)


def highlight(text, query, spans=None):
    """``text`` escaped, with each match in <mark>: escape first, then mark."""
    pieces, position = [], 0
    for start, end in _match_spans(text, query) if spans is None else spans:
        if start < position:  # overlaps the mark before it: extend that mark
            if end > position:
                pieces[-1] = pieces[-1][: -len("</mark>")] + escape(text[position:end]) + "</mark>"
                position = end
            continue
        pieces.append(escape(text[position:start]))
        pieces.append(f"<mark>{escape(text[start:end])}</mark>")
        position = end
    pieces.append(escape(text[position:]))
    return mark_safe("".join(pieces))


def excerpt(article, query, length=160, context=30):
    """Passages of the body around the first occurrence of each term (or its beginning), each
    match highlighted, joined by an ellipsis: at most ``length`` characters in all."""
    text = " ".join(plain_text(article.body).split()) or article.summary
    windows = []
    for start, end in _match_spans(text, query, first=True):
        window = [max(0, start - context), min(len(text), end + context)]
        if windows and window[0] <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], window[1])
        else:
            windows.append(window)
    if not windows:
        windows = [[0, min(len(text), length)]]
    passages, left = [], length
    for start, end in windows:
        if left <= 0:
            break
        end = min(end, start + left)
        left -= end - start
        passages.append(highlight(text[start:end], query))
    ellipsis = gettext("…")  # 省略号 in Chinese: ……
    ellipsis_before = ellipsis if windows[0][0] > 0 else ""
    ellipsis_after = (
        ellipsis if windows[min(len(passages), len(windows)) - 1][1] < len(text) or len(passages) < len(windows) else ""
    )
    return mark_safe(ellipsis_before + ellipsis.join(passages) + ellipsis_after)


# --- suggestions -------------------------------------------------------------------------------

SUGGEST_BELOW = 3  # a query that finds fewer articles gets a suggestion
SUGGEST_CHECKS = 30  # candidate queries counted at most


def _hits(query, articles, cap=100):
    """How many of ``articles`` match (counted up to ``cap``), through the GIN indexes (else the
    planner may check ``search_keys()`` article by article: a second for a rare term)."""
    if not query:
        return 0
    with through_gin_indexes():
        return articles.filter(search_entry__document__matches=query).order_by()[:cap].count()


def suggest(typed, articles, found):
    """ "您是不是要找": a query the reader may have meant when ``typed`` found ``found`` (< SUGGEST_BELOW)
    articles: its words without quotes, or a mistyped word corrected (``words.candidates``), if that
    finds more; else the query in simplified characters if it was typed in traditional ones and finds
    as many (search already looks for both forms; OpenCC makes 咤 of 吒 alone, which finds fewer).
    None when there is nothing to say."""
    if found >= SUGGEST_BELOW:
        return None
    query = parse(typed)
    simplified = query.text
    best, best_hits, checked = None, found, 0
    # A phrase, or one left unclosed ("党建 临安), as its words.
    unquoted = parse(QUOTES_RE.sub(" ", unicodedata.normalize("NFKC", typed)))
    if unquoted.text != simplified and (hits := _hits(unquoted, articles)) > best_hits:
        best, best_hits = unquoted.text, hits
    for term in query.terms:
        if checked >= SUGGEST_CHECKS or _hits(Query((term,)), articles, cap=1):
            continue
        for word in words.candidates(term.text):
            if checked >= SUGGEST_CHECKS:
                break
            candidate = simplified.replace(term.text, word)
            hits = _hits(parse(candidate), articles)
            checked += 1
            if hits > best_hits:
                best, best_hits = candidate, hits
    traditional = _t2s.convert(fold(typed)) != fold(typed)
    if best is None and traditional and _hits(parse(simplified), articles) >= max(found, 1):
        best = simplified
    return best
