"""Word edges, for relevance: where a term found in a text is the end of one word and the start of
the next (党建 in 从严治党建设 is 治党 + 建设) rather than a word or words of its own.

Chinese has no spaces, so this asks jieba's dictionary (word frequencies from a large corpus)
rather than segmenting every article, which would cost ~13 ms per article at indexing. The test
is local: after a term T comes a character n such that T's last character and n make a word more
frequent than T (建设 after 党建), and n does not start a word with the character after it (设施
would: 党建设施 is 党建 + 设施); before T comes a character p such that p and T's first character
make a word far more frequent than T. ``edges()`` gives both as regular expression parts; the
search module turns them into look-arounds.
"""

import os
from functools import lru_cache

import jieba

MIN_FREQUENCY = 100  # words rarer than this in jieba's dictionary are ignored
BEFORE_RATIO = 10  # p + T[0] must be this many times more frequent than T
CANDIDATES = 5  # suggestions looked at for each character of a mistyped word


@lru_cache(maxsize=1)
def _dictionary():
    """(frequency of each word, {c: {n: frequency}} of two-character words cn) of the words at
    least MIN_FREQUENCY frequent. Read once per process (about a second)."""
    frequency, starting = {}, {}
    with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as lines:
        for line in lines:
            word, count, *_rest = line.split(" ")
            count = int(count)
            if count < MIN_FREQUENCY:
                continue
            frequency[word] = count
            if len(word) == 2:
                starting.setdefault(word[0], {})[word[1]] = count
    return frequency, starting


def _is_han(char):
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


@lru_cache(maxsize=4096)
def edges(term):
    """(before, after): regular expression parts that, found just before or just after ``term``,
    make it part of other words; empty strings when nothing does (or the term is not two Han
    characters or more at both ends)."""
    if len(term) < 2 or not (_is_han(term[0]) and _is_han(term[-1])):
        return "", ""
    frequency, starting = _dictionary()
    own = frequency.get(term, 0)
    after = []
    for follower, count in sorted(starting.get(term[-1], {}).items()):
        if count > own:
            words_on = "".join(sorted(starting.get(follower, {})))
            after.append(f"{follower}(?![{words_on}])" if words_on else follower)
    before = sorted(
        char
        for char, following in ((char, starting[char]) for char in starting if term[0] in starting[char])
        if following[term[0]] > BEFORE_RATIO * max(own, MIN_FREQUENCY)
    )
    return ("[" + "".join(before) + "]") if before else "", "|".join(after)


@lru_cache(maxsize=1)
def _patterns():
    """{word with one character replaced by "?": the CANDIDATES most frequent such words} for words
    of two to four Han characters (built once per process, on the first suggestion)."""
    frequency, _starting = _dictionary()
    found = {}
    for word, count in frequency.items():
        if 2 <= len(word) <= 4 and all(_is_han(char) for char in word):
            for index in range(len(word)):
                found.setdefault(word[:index] + "?" + word[index + 1 :], []).append((count, word))
    return {
        pattern: [word for _count, word in sorted(words, reverse=True)[:CANDIDATES]] for pattern, words in found.items()
    }


def candidates(term):
    """Words a reader may have meant by ``term`` (two to four Han characters, not a dictionary
    word): dictionary words that differ from it in one character, and the term with one of its
    two-character parts so corrected; the most frequent first."""
    if not 2 <= len(term) <= 4 or not all(_is_han(char) for char in term) or term in _dictionary()[0]:
        return []
    patterns = _patterns()
    found = []
    for index in range(len(term)):
        found += patterns.get(term[:index] + "?" + term[index + 1 :], [])
    for start in range(len(term) - 1) if len(term) > 2 else []:
        part = term[start : start + 2]
        for corrected in candidates(part):
            found.append(term[:start] + corrected + term[start + 2 :])
    return list(dict.fromkeys(found))
