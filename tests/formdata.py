"""What a browser posts back when a page's form is submitted as it is shown (files are never re-sent)."""

from html.parser import HTMLParser

SKIPPED_INPUTS = {"file", "submit", "button", "image", "reset"}


class _Form(HTMLParser):
    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside = form_id, False
        self.pairs, self.select, self.textarea = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = {key: "" if value is None else value for key, value in attrs}
        if tag == "form":
            self.inside = self.form_id is None or attrs.get("id") == self.form_id
        if not self.inside or "disabled" in attrs:
            return
        if tag == "input" and "name" in attrs:
            kind = attrs.get("type", "text").lower()
            if kind in SKIPPED_INPUTS or (kind in ("checkbox", "radio") and "checked" not in attrs):
                return
            self.pairs.append((attrs["name"], attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and "name" in attrs:
            self.textarea = [attrs["name"], ""]
        elif tag == "select" and "name" in attrs:
            self.select = attrs["name"]
        elif tag == "option" and self.select and "selected" in attrs:
            self.pairs.append((self.select, attrs.get("value", "")))

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea is not None:
            self.pairs.append((self.textarea[0], self.textarea[1].removeprefix("\n")))
            self.textarea = None
        elif tag == "select":
            self.select = None


def form_data(response, form_id=None):
    """The fields of the form (the first one, or the one with ``form_id``) as the test client posts them."""
    parser = _Form(form_id)
    parser.feed(response.content.decode())
    data = {}
    for name, value in parser.pairs:
        data.setdefault(name, []).append(value)
    return {name: values[0] if len(values) == 1 else values for name, values in data.items()}
