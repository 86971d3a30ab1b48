"""Everything a person or a screen reader gets from a page, and the English words in it.

Used by the tests that render every admin page (``test_language.py``) and by the browser tests.
"""

import re
from html.parser import HTMLParser

# Words that may stay in Latin letters: names of formats and products an editor meets as such,
# written that way in Chinese too. Keep it short; anything else is translated.
ALLOWED_WORDS = {
    "RSS",  # feed formats, named by the subscribe page and the feed links (RSS 订阅)
    "Atom",  # (and JSON Feed, below)
    "JPEG",  # image formats, named by the upload help and its errors (only JPEG, PNG, WebP, GIF)
    "PNG",
    "WebP",
    "GIF",
    "SVG",  # the logo's format (站点设置 › 标志)
    "ICP",  # ICP备案号: the official name of the filing number
    "MB",  # the unit of file sizes (不超过 20 MB), written so in Chinese like kg or km
    "Ctrl",  # the key, as printed on keyboards (按住 Ctrl 键)
    "QQ",  # the messenger, named by the share bar of the article page (the preview of the form shows it)
}
ALLOWED_PHRASES = ["JSON Feed"]  # the name of a feed format, like RSS and Atom
WORD_RE = re.compile(r"[A-Za-z]{2,}")
# Addresses (an e-mail address, a URL) are data, not words of the page.
ADDRESS_RE = re.compile(
    r"\S+@\S+\.\S+"  # e-mail
    r"|https?://\S+"
    r"|(?<![\w/])/[\w\-./?=&%]+"  # a path
    r"|\b[\w\-]+(?:/[\w\-.]+)+\.\w+"  # a stored file's name (articles/2025/06/<hex>.jpg)
    r"|\b(?:[a-z0-9\-]+\.)+(?:cn|com|net|org)\b"  # a domain name
    r"|\b[A-Z]+_[0-9]+\b"  # an image slot of an imported page, such as IMG_256
)

SILENT = {"script", "style", "template", "textarea"}  # code, and a text area's content (the user's own)
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SPOKEN_ATTRIBUTES = {"title", "alt", "aria-label", "placeholder", "aria-description", "aria-valuetext"}
BUTTON_INPUTS = {"submit", "button", "reset"}


class _Spoken(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.stack, self.silent = [], [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag not in VOID:
            self.stack.append(tag)
            if tag in SILENT:
                self.silent += 1
        if self.silent:
            return
        if tag == "meta" and attrs.get("name") == "description":
            self.parts.append(attrs.get("content") or "")
        for name in SPOKEN_ATTRIBUTES & attrs.keys():
            self.parts.append(attrs[name] or "")
        if tag == "input" and (attrs.get("type") or "").lower() in BUTTON_INPUTS:
            self.parts.append(attrs.get("value") or "")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag not in self.stack:
            return
        while self.stack:
            top = self.stack.pop()
            if top in SILENT:
                self.silent -= 1
            if top == tag:
                break

    def handle_data(self, data):
        if not self.silent and self.stack and self.stack[-1] != "head":
            self.parts.append(data)


def spoken_text(html):
    """Text nodes (the title included), and the title, alt, aria-label and placeholder attributes
    and button values, with code and text areas left out."""
    parser = _Spoken()
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(parser.parts).split())


ROMAN_NUMERAL = re.compile(r"[ivxIVX]+")  # a list style's sample (i, ii, iii), not a word


def english_words(text, allowed=frozenset()):
    """Words of two or more Latin letters in ``text`` that are neither allowed nor addresses."""
    text = ADDRESS_RE.sub(" ", text)
    for phrase in ALLOWED_PHRASES:
        text = text.replace(phrase, " ")
    words = set(WORD_RE.findall(text)) - ALLOWED_WORDS - set(allowed)
    return sorted(word for word in words if not ROMAN_NUMERAL.fullmatch(word))
