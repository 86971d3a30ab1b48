"""Flagged words (错别字, 敏感词): where an article's text holds words editors listed to look at twice.

The admin shows each match in its context before an article is submitted or published, and asks for
confirmation; nothing here changes the text or refuses anything.
"""

import re
from dataclasses import dataclass
from html import unescape

from django.utils.html import strip_tags

from .models import FlaggedWord

CONTEXT = 15  # characters shown on each side of a match


@dataclass(frozen=True)
class Match:
    field: str
    word: FlaggedWord
    before: str
    text: str
    after: str


def plain(html):
    """The text of rich text (tags out, entities read), paragraphs apart."""
    return unescape(strip_tags(re.sub(r"</(p|h\d|li|blockquote|figure)>|<br\s*/?>", "\n", html or "")))


def find(texts, words=None):
    """Every place a flagged word occurs in ``texts`` ({field label: plain text}), in order.

    Latin letters match whatever their case; a longer word is preferred where two overlap.
    """
    words = list(FlaggedWord.objects.all() if words is None else words)
    if not words:
        return []
    by_text = {word.word.lower(): word for word in words}
    pattern = re.compile("|".join(re.escape(word) for word in sorted(by_text, key=len, reverse=True)), re.IGNORECASE)
    matches = []
    for field, text in texts.items():
        text = text or ""
        for found in pattern.finditer(text):
            start, end = found.span()
            matches.append(
                Match(
                    field=str(field),
                    word=by_text.get(found.group().lower()) or _word_of(found.group(), words),
                    before=" ".join(text[max(0, start - CONTEXT) : start].split()),
                    text=found.group(),
                    after=" ".join(text[end : end + CONTEXT].split()),
                )
            )
    return matches


def _word_of(text, words):
    return next(word for word in words if re.fullmatch(re.escape(word.word), text, re.IGNORECASE))
