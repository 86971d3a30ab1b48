"""What a reader sees of a page: its text, in document order."""

from html.parser import HTMLParser


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style", "head"}:
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in {"script", "style", "head"}:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def page_text(response):
    parser = _Text()
    parser.feed(response.content.decode())
    return " ".join(" ".join(parser.parts).split())


def squeeze(text):
    """Text without white space, for comparing Chinese text whatever its spacing."""
    return "".join(text.split())


def assert_in_order(text, fragments):
    """Each fragment occurs in ``text``, each after the one before it."""
    position = 0
    for fragment in fragments:
        found = text.find(fragment, position)
        assert found >= 0, f"{fragment[:60]!r} missing after position {position}: …{text[position : position + 80]}…"
        position = found + len(fragment)
