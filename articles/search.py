"""Chinese full-text search: normalisation, indexing and querying.

Chinese has no spaces between words, so text is cut into *slots*: one per Han (or kana, hangul)
character and one per run of other letters and digits ("5g", "2025"). A run of anything else
(spaces, punctuation, emoji) is one separator slot. Before cutting, text is normalised: NFKC
(full-width to half-width), lower case, traditional to simplified characters (OpenCC).

A query is a list of terms that must all match (AND). A term matches where its slots occur one
after the other in the text: 党 and 智能建造 are found inside 党建引领智能建造. Words separated by
spaces are separate terms; a quoted phrase is one term in which a separator must stand where the
phrase has one.

On PostgreSQL an article's text is stored as a ``tsvector`` whose lexemes are every character and
every pair of adjacent characters (and the Latin/digit words), at the position of their slot and
weighted A (title, subtitle), B (tags, units), C (summary, body, captions) or D (author, source),
under a GIN index. A term of one character looks up that character; a longer term looks up its
pairs in a phrase (``'智能' <-> '能建' <-> '建造'``), so every query is an index lookup and no
parser or dictionary of PostgreSQL is involved. Elsewhere (SQLite) the slots are stored as text
and a term is a ``LIKE``: slower, the same results.

Relevance is a class: first the articles whose title or subtitle holds every term, then those
whose title, subtitle, tags or units hold each term, then the rest; newest first within each.
Two small vectors, ``head`` (title, subtitle) and ``labels`` (tags, units), have GIN indexes of
their own for the first two classes. A page of results is read without ranking every match:
see ``Results``.
"""

import re
import unicodedata
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from html.parser import HTMLParser

import opencc
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from .models import Article, DocumentField, SearchEntry

MAX_QUERY_LENGTH = 100  # characters; longer queries are refused by the form
MAX_RESULTS = 1000  # results counted and paged; more are reported as "more than 1000"
MAX_TOKEN_LENGTH = 40  # longer Latin/digit runs are cut to this (PostgreSQL limits lexemes to 2 kB)
MAX_POSITION = 16383  # PostgreSQL's largest tsvector position
MAX_POSITIONS_PER_LEXEME = 256  # PostgreSQL keeps no more
SEPARATOR = "|"  # the separator slot in stored text (never a letter, digit or Han character)
END_OF_FIELD = "‖"  # between the fields of stored text, so that no phrase runs from one into the next

CJK = (
    "\u3040-\u30fa\u30fc-\u30ff"  # kana (not the middle dot ・)
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # Han (extension A, unified, compatibility)
    "\uac00-\ud7af"  # hangul
    "\U00020000-\U0003134f"  # Han extensions B-H
)
SLOT_RE = re.compile(rf"(?P<cjk>[{CJK}])|(?P<word>[^\W_{CJK}]+)")
CJK_RE = re.compile(rf"[{CJK}]")
QUOTED_RE = re.compile(r'"([^"]*)"?|“([^”]*)”?|「([^」]*)」?|([^\s"“「]+)')

_t2s = opencc.OpenCC("t2s")


# --- normalisation -----------------------------------------------------------------------------


def normalize(text):
    """Full-width to half-width, lower case, traditional to simplified."""
    return _t2s.convert(unicodedata.normalize("NFKC", text).lower())


@lru_cache(maxsize=65536)
def _fold_char(char):
    return unicodedata.normalize("NFKC", char).lower()


def _normalize_with_offsets(text):
    """``normalize(text)``, character by character, and for each character of the result the
    index of the original one (to highlight a match in the original text)."""
    pieces = [_fold_char(char) for char in text]
    folded = "".join(pieces)
    offsets = [index for index, piece in enumerate(pieces) for _ in piece]
    converted = _t2s.convert(folded)
    if len(converted) != len(folded):  # t2s keeps the length; if it ever does not, convert less
        converted = "".join(_t2s.convert(char) for char in folded)
    return (converted, offsets) if len(converted) == len(folded) else (folded, offsets)


def _cut(normal, offsets=None):
    """(slot, is_cjk, start, end) of normalised text; with ``offsets``, start and end are indexes
    into the original text. A slot is a character or a word, or SEPARATOR between two of them."""
    result = []
    previous_end = 0
    for match in SLOT_RE.finditer(normal):
        start, end = match.span()
        if start > previous_end and result:
            gap = (offsets[previous_end], offsets[start]) if offsets else (previous_end, start)
            result.append((SEPARATOR, False, *gap))
        previous_end = end
        span = (offsets[start], offsets[end - 1] + 1) if offsets else (start, end)
        result.append((match.group()[:MAX_TOKEN_LENGTH], match.lastgroup == "cjk", *span))
    return result


def slots(text):
    """The slots of ``text``: normalised characters and words, and SEPARATOR between them."""
    return [slot for slot, _cjk, _start, _end in _cut(normalize(text))]


def _is_cjk(slot):
    return CJK_RE.fullmatch(slot) is not None


class _TextExtractor(HTMLParser):
    BLOCKS = {"p", "br", "div", "li", "td", "th", "tr", "h1", "h2", "h3", "h4", "blockquote", "pre", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_starttag(self, tag, attrs):
        self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def plain_text(body_html):
    """The text of sanitised body HTML, a line per block (inline markup does not split words)."""
    parser = _TextExtractor()
    parser.feed(body_html or "")
    parser.close()
    return "\n".join(line.strip() for line in "".join(parser.parts).splitlines() if line.strip())


# --- indexing ----------------------------------------------------------------------------------


def _fields(article):
    """What is searched in an article, by weight. Tags, units and images come from prefetches."""
    images = [text for image in article.images.all() for text in (image.caption, image.alt_text) if text]
    return [
        ("A", [article.title, article.subtitle]),
        ("B", [tag.name for tag in article.tags.all()] + [link.unit.name for link in article.unit_links.all()]),
        ("C", [article.summary, plain_text(article.body), *images]),
        ("D", [article.author, article.source]),
    ]


def _slotted(fields):
    """(weight, [cut of each non-empty text]) of each field."""
    return [(weight, [cut for cut in (_cut(normalize(text)) for text in texts) if cut]) for weight, texts in fields]


def tsvector_text(slotted):
    """PostgreSQL's text form of the tsvector of ``_slotted`` fields.

    Each slot takes a position, and so does the separator between two texts; one more position
    between fields (weights) keeps a phrase from running from one field into the next.
    """
    lexemes = defaultdict(list)
    position = 0
    for weight, texts in slotted:
        position += 1
        for cut in texts:
            position += 1
            previous = previous_place = None
            for slot, cjk, _start, _end in cut:
                position += 1
                if slot == SEPARATOR:
                    previous = None
                    continue
                place = f"{position if position < MAX_POSITION else MAX_POSITION}{weight}"
                lexemes[slot].append(place)
                if not cjk:
                    previous = None
                    continue
                if previous is not None:
                    lexemes[previous + slot].append(previous_place)
                previous, previous_place = slot, place
    return " ".join(
        f"{_quote(lexeme)}:{','.join(places[:MAX_POSITIONS_PER_LEXEME])}" for lexeme, places in lexemes.items()
    )


def slot_text(slotted):
    """The stored text of ``_slotted`` fields where there is no tsvector: ' 党 建 | 5g ‖ … ‖ '."""
    groups = [f" {SEPARATOR} ".join(" ".join(slot for slot, *_rest in cut) for cut in texts) for _w, texts in slotted]
    return " " + " ".join(f"{group} {END_OF_FIELD}".lstrip() for group in groups) + " "


def entry_for(article, vendor):
    """The SearchEntry of an article (not saved). ``vendor`` is the database's, e.g. "postgresql"."""
    slotted = _slotted(_fields(article))
    serialise = tsvector_text if vendor == "postgresql" else slot_text
    return SearchEntry(
        article_id=article.pk,
        head=serialise(slotted[:1]),
        labels=serialise(slotted[1:2]),
        document=serialise(slotted),
    )


def index_articles(pks):
    """Write the index entries of these articles (of any status: queries apply published())."""
    articles = Article.objects.prefetch_related("tags", "images", "unit_links__unit").filter(pk__in=list(pks))
    entries = [entry_for(article, connection.vendor) for article in articles]
    with transaction.atomic():
        SearchEntry.objects.filter(article_id__in=[entry.article_id for entry in entries]).delete()
        SearchEntry.objects.bulk_create(entries)
    return len(entries)


def remove_articles(pks):
    SearchEntry.objects.filter(article_id__in=list(pks)).delete()


def rebuild(batch_size=100, progress=None):
    """Index every article again, in batches. Returns the number of articles indexed."""
    SearchEntry.objects.all().delete()
    pks = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    done = 0
    for start in range(0, len(pks), batch_size):
        done += index_articles(pks[start : start + batch_size])
        if progress:
            progress(done, len(pks))
    return done


# --- querying ----------------------------------------------------------------------------------


def _quote(lexeme):
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


@dataclass(frozen=True)
class Term:
    """Slots that must occur one after the other (SEPARATOR where a separator must stand)."""

    slots: tuple

    def lexemes(self):
        """(lexeme, slot index) that find the term: the pairs along a run of Han characters (a
        single character for a run of one), the whole words."""
        found = []
        for index, slot in enumerate(self.slots):
            if slot == SEPARATOR:
                continue
            if not _is_cjk(slot):
                found.append((slot, index))
            elif index + 1 < len(self.slots) and _is_cjk(self.slots[index + 1]):
                found.append((slot + self.slots[index + 1], index))
            elif index == 0 or not _is_cjk(self.slots[index - 1]):
                found.append((slot, index))
        return found

    def tsquery(self):
        lexemes = self.lexemes()
        text = _quote(lexemes[0][0])
        for (lexeme, index), (_previous, previous_index) in zip(lexemes[1:], lexemes, strict=False):
            text += f" <{index - previous_index}> {_quote(lexeme)}"
        return f"({text})"

    def pattern(self):
        return f" {' '.join(self.slots)} "

    @cached_property
    def regex(self):
        """A regular expression that finds the term in normalised text."""
        parts = []
        for slot in self.slots:
            if slot == SEPARATOR:
                parts.append(r"[\W_]+")
            elif _is_cjk(slot):
                parts.append(re.escape(slot))
            else:  # a whole word: no letter or digit just before it, nor just after
                after = rf"(?![^\W_{CJK}])" if len(slot) < MAX_TOKEN_LENGTH else ""
                parts.append(rf"(?<![^\W_{CJK}]){re.escape(slot)}{after}")
        return re.compile("".join(parts))


@dataclass(frozen=True)
class Query:
    """A parsed query: terms that must all match.

    ``indexed`` False asks the database to check the query row by row rather than look it up in
    the GIN index (see ``Results``).
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

    def tsquery(self):
        return " & ".join(term.tsquery() for term in self.terms)

    def like_patterns(self):
        """LIKE patterns for stored slot text, one per term."""
        return [f"%{term.pattern()}%" for term in self.terms]


def _strip_separators(cut):
    while cut and cut[0] == SEPARATOR:
        cut = cut[1:]
    while cut and cut[-1] == SEPARATOR:
        cut = cut[:-1]
    return tuple(cut)


def parse(text):
    """The Query for what a reader typed. Words separated by spaces or punctuation are terms that
    must all match; "a quoted phrase" is one term. Anything without letters or digits is dropped."""
    terms = []
    for match in QUOTED_RE.finditer(unicodedata.normalize("NFKC", text or "")):
        *quoted, bare = match.groups()
        phrase = next((part for part in quoted if part is not None), None)
        cut = slots(phrase if phrase is not None else bare)
        if phrase is not None:
            pieces = [_strip_separators(cut)]
        else:
            pieces, piece = [], []
            for slot in [*cut, SEPARATOR]:
                if slot == SEPARATOR:
                    pieces.append(tuple(piece))
                    piece = []
                else:
                    piece.append(slot)
        for piece in pieces:
            term = Term(piece)
            if piece and term not in terms:
                terms.append(term)
    return Query(tuple(terms))


@DocumentField.register_lookup
class Matches(models.Lookup):
    """``document__matches=query``: the rows where every term of a ``Query`` occurs. ``@@`` on
    PostgreSQL (through a GIN index unless the query says ``indexed=False``), a ``LIKE`` per term
    elsewhere."""

    lookup_name = "matches"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            # ts_match_vq() is what @@ calls; spelled as a function, no index can serve it.
            template = "{} @@ %s::tsquery" if self.rhs.indexed else "ts_match_vq({}, %s::tsquery)"
            return template.format(lhs), [*params, self.rhs.tsquery()]
        patterns = self.rhs.like_patterns()
        return " AND ".join([f"{lhs} LIKE %s"] * len(patterns)), [
            value for pattern in patterns for value in (*params, pattern)
        ]


@contextmanager
def through_gin_indexes():
    """A transaction in which PostgreSQL finds matches through the GIN indexes, however many rows
    it expects (see ``Results``), and without parallel workers (not worth it for a few hundred)."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off;"
            " SET LOCAL max_parallel_workers_per_gather = 0"
        )
        yield


class Results:
    """Matching articles, as a Paginator wants them (``count()`` and slices), at most ``limit``.

    By relevance the articles fall in three classes: 3 when the title or subtitle holds every
    term, 2 when title, subtitle, tags or units hold each term, 1 for any match; newest first
    within each. The first ``stop`` results are among the ``stop`` newest of each class (an
    article of class c that is not is preceded by ``stop`` newer ones of class c or more), so
    merging three short lists gives the exact order, and no query ranks every match.

    Each list is read the cheaper of two ways. A class with few members is *looked up* whole
    through the GIN indexes (at most ``limit`` + 1 rows, in no order). A class with many is
    *walked*: the newest published articles are checked row by row, which stops after ``stop``
    members. PostgreSQL's estimates for these queries are far off (it has no idea how often
    characters occur together), so the choice is not left to it: a short walk is tried first,
    then the lookup, and a full walk only for a class of more than ``limit`` members that the
    short walk did not fill. The count is the lookup of class 1.
    """

    WALK, WALK_PER_RESULT = 1000, 5  # a short walk looks at max(WALK, WALK_PER_RESULT × stop) articles

    def __init__(self, query, articles=None, order="relevance", limit=None):
        self.query, self.order, self.limit = query, order, limit or MAX_RESULTS
        self.articles = Article.objects.published().for_list() if articles is None else articles
        self._looked_up = {}  # rank: up to limit + 1 members, in no order
        self._walk_starts = {}  # walk: where a walk of that many articles ends

    def _members(self, rank, indexed=True):
        """The articles of a class, matched through the GIN indexes or row by row."""
        query = self.query if indexed else self.query.row_by_row()
        if rank == 1:
            return self.articles.filter(search_entry__document__matches=query)
        if rank == 3:
            return self.articles.filter(search_entry__head__matches=query)
        each = [
            Q(search_entry__head__matches=term) | Q(search_entry__labels__matches=term) for term in query.each_term()
        ]
        return self.articles.filter(*each)

    def lookup(self, rank):
        """The query that looks up (up to ``limit`` + 1) members of a class, in no order."""
        return self._members(rank).order_by().values_list("pk", "publish_at")[: self.limit + 1]

    def _look_up(self, rank):
        if rank not in self._looked_up:
            with through_gin_indexes():
                self._looked_up[rank] = list(self.lookup(rank))
        return self._looked_up[rank]

    def _walk(self, rank, stop, walk=None):
        """The ``stop`` newest members of a class, found by checking the newest articles one by
        one; with ``walk``, only the newest ``walk`` articles are checked (so fewer may be found)."""
        members = self._members(rank, indexed=False).order_by("-publish_at", "-pk")
        if walk is not None:
            oldest = self._walk_start(walk)
            if oldest is not None:
                members = members.filter(publish_at__gte=oldest)
        return list(members.values_list("pk", "publish_at")[:stop])

    def _walk_start(self, walk):
        """The publish time of the ``walk``-th newest article (None if there are fewer)."""
        if walk not in self._walk_starts:
            times = self.articles.order_by("-publish_at", "-pk").values_list("publish_at", flat=True)
            self._walk_starts[walk] = next(iter(times[walk - 1 : walk]), None)
        return self._walk_starts[walk]

    def _newest(self, rank, stop):
        """The ``stop`` newest members of a class, or more."""
        if rank in self._looked_up and len(self._looked_up[rank]) <= self.limit:
            return self._looked_up[rank]
        if rank != 1:  # class 1 is looked up anyway, by count()
            walked = self._walk(rank, stop, walk=max(self.WALK, self.WALK_PER_RESULT * stop))
            if len(walked) == stop:
                return walked
        if len(self._look_up(rank)) <= self.limit:
            return self._looked_up[rank]
        return self._walk(rank, stop)

    def count(self):
        """The number of matches, counted up to ``limit`` (see ``more``)."""
        return min(len(self._look_up(1)), self.limit) if self.query else 0

    @property
    def more(self):
        """Whether more articles match than are counted and paged."""
        return bool(self.query) and len(self._look_up(1)) > self.limit

    def __len__(self):
        return self.count()

    def ranked_ids(self, stop):
        ranks = [1] if self.order == "date" else [1, 2, 3]
        best = {}
        for rank in ranks:
            for pk, publish_at in self._newest(rank, stop):
                best[pk] = (rank, publish_at, pk)
        return [key[2] for key in sorted(best.values(), reverse=True)][:stop]

    def __getitem__(self, key):
        if not isinstance(key, slice):
            raise TypeError("search results are read in slices")
        start, stop = key.start or 0, min(key.stop if key.stop is not None else self.limit, self.limit)
        if not self.query or start >= stop:
            return []
        ids = self.ranked_ids(stop)[start:stop]
        found = self.articles.in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]


def search(query, articles=None, order="relevance"):
    """Published articles (or ``articles``) that match every term of ``query``."""
    return Results(query, articles, order)


# --- showing results ---------------------------------------------------------------------------


def _match_spans(text, query):
    """(start, end) in ``text`` of every occurrence of a term of the query."""
    normal, offsets = _normalize_with_offsets(text)
    return sorted(
        (offsets[match.start()], offsets[match.end() - 1] + 1)
        for term in query.terms
        for match in term.regex.finditer(normal)
    )


def highlight(text, query):
    """``text`` escaped, with each match in <mark>: escape first, then mark."""
    pieces, position = [], 0
    for start, end in _match_spans(text, query):
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


def excerpt(article, query, length=120):
    """A passage of the body around the first match (or its beginning), highlighted."""
    text = " ".join(plain_text(article.body).split()) or article.summary
    normal = normalize(text)
    if len(normal) != len(text):  # rare (NFKC expanded something): find it the slow, exact way
        normal = _normalize_with_offsets(text)[0]
    found = [match.start() for term in query.terms if (match := term.regex.search(normal))]
    start = max(0, min(found) - length // 4) if found else 0
    passage = highlight(text[start : start + length], query)
    ellipsis = gettext("…")  # 省略号 in Chinese: ……
    return mark_safe((ellipsis if start else "") + passage + (ellipsis if start + length < len(text) else ""))
