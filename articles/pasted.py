"""HTML pasted from Word, WPS and the WeChat 公众号 editor, made plain before it is sanitised.

Word and WPS copy their own markup: list items are paragraphs with an ``mso-list`` style and a
typed-out bullet or number inside a conditional comment, headings may be ``h1`` or a title style,
bold may be a style, and everything carries ``mso-*`` styles, ``o:p`` elements, VML and comments.
WeChat's editor wraps every paragraph in ``section`` and ``span`` elements with inline styles and
``data-*`` tracking attributes. ``normalize`` turns all of that into the plain structure the body
keeps (paragraphs, ``h2``–``h4``, real lists, bold and italics, links, simple tables); then
``bodies.sanitize_html`` (nh3) removes every attribute and element it does not allow, as for any
input. Markup that shows none of these sources' marks is left to the sanitiser alone.
"""

import re

from bs4 import BeautifulSoup, Comment, Declaration, Doctype, NavigableString, ProcessingInstruction

# Marks of the three sources (and of a heading level the body does not keep).
PASTED_RE = re.compile(
    r"mso-|<o:p|class=\"?'?Mso|<!\[if|<!--\[if|<section\b|<h[156]\b|font-weight|font-style|urn:schemas-microsoft|"
    r"^Version:\d",
    re.IGNORECASE,
)
# Word's "HTML Format" clipboard header (Version:0.9 StartHTML:… EndFragment:…), before the markup.
CLIPBOARD_HEADER_RE = re.compile(r"^Version:\d[^<]*", re.IGNORECASE)
# The typed-out bullet or number of a Word/WPS list item, shown only by programs that know no lists.
LIST_MARKER_RE = re.compile(
    r"<!--\[if !supportLists\]-->(.*?)<!--\[endif\]-->|<!\[if !supportLists\]>(.*?)<!\[endif\]>",
    re.IGNORECASE | re.DOTALL,
)
ORDERED_MARKER_RE = re.compile(r"^\(?[0-9a-zA-Z一二三四五六七八九十百]{1,4}[.)、．）]")
MSO_LIST_RE = re.compile(r"mso-list:\s*(?!ignore|none)l\d+\s+level(\d)", re.IGNORECASE)
BOLD_RE = re.compile(r"font-weight:\s*(bold|bolder|[6-9]00)\b", re.IGNORECASE)
ITALIC_RE = re.compile(r"font-style:\s*italic\b", re.IGNORECASE)
BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table", "blockquote", "section", "div", "pre"}
EMPHASIS = {"strong": ["b", "strong"], "em": ["i", "em"]}
HEADINGS = {"h1": "h2", "h5": "h4", "h6": "h4", "MsoTitle": "h2", "MsoSubtitle": "h3"}
# Query parameters that only track who clicked (WeChat's checksum and scene, the utm_ family).
TRACKING_PARAMETERS = {"chksm", "scene", "sessionid", "clicktime", "enterid", "from", "isappinstalled"}


def looks_pasted(html):
    return bool(PASTED_RE.search(html))


def normalize(html):
    """Word's, WPS's and WeChat's markup as plain structure (still to be sanitised)."""
    html = CLIPBOARD_HEADER_RE.sub("", html)
    html = LIST_MARKER_RE.sub(lambda m: f"<mso-marker>{m[1] or m[2]}</mso-marker>", html)
    soup = BeautifulSoup(html, "html.parser")
    for node in soup.find_all(string=lambda s: isinstance(s, Comment | Declaration | Doctype | ProcessingInstruction)):
        node.extract()
    for element in _each(soup, ["style", "script", "xml", "head", "meta", "link", "title", "o:p", "img"]):
        element.decompose()
    for element in _each(soup, lambda tag: ":" in tag.name):  # VML and other Office namespaces
        if element.name.startswith(("v:", "w:", "m:")):  # drawings, Word's own data
            element.decompose()
        else:
            element.unwrap()
    for element in _each(soup, True):
        _inline_styles(soup, element)
    _lists(soup)
    for element in _each(soup, "mso-marker"):
        element.decompose()
    for element in _each(soup, True):
        _rename(element)
    _wrappers(soup)
    for element in _each(soup, "span"):
        element.unwrap()
    for element in _each(soup, "a"):
        if element.get("href"):
            element["href"] = _untracked(element["href"])
        else:  # a bookmark (Word's _Toc anchors)
            element.unwrap()
    for element in _each(soup, ["b", "strong", "i", "em", "u", "a", "p", "h2", "h3", "h4", "li"]):
        if not element.get_text().replace("\xa0", "").strip() and not element.find("table"):
            element.decompose()  # Word's and WeChat's spacing paragraphs, emphasis of nothing
    for cell in _each(soup, ["td", "th"]):
        blocks = cell.find_all(True, recursive=False)
        if len(blocks) == 1 and blocks[0].name == "p":
            blocks[0].unwrap()  # a cell holds its text, not a paragraph
        for end in (cell.contents[:1] + cell.contents[-1:]) if cell.contents else []:
            if isinstance(end, NavigableString) and not end.strip():
                end.extract()
    body = soup.find("body")
    return (body.decode_contents() if body else str(soup)).strip()


def _each(soup, *args, **kwargs):
    """The elements ``find_all`` finds, skipping those removed along the way (inside one removed)."""
    return (element for element in soup.find_all(*args, **kwargs) if not element.decomposed)


def _inline_styles(soup, element):
    """Bold and italics given by a style (WeChat's spans, WPS's) become strong and em inside it."""
    style = element.get("style", "")
    if not style or not element.get_text().strip():
        return
    for pattern, name in ((BOLD_RE, "strong"), (ITALIC_RE, "em")):
        if pattern.search(style) and not element.find_parent(EMPHASIS[name]) and element.name not in EMPHASIS[name]:
            inner = soup.new_tag(name)
            for child in list(element.contents):
                inner.append(child.extract())
            element.append(inner)


def _rename(element):
    """Headings the body keeps (h2 to h4), Word's title styles as headings."""
    if element.name in HEADINGS:
        element.name = HEADINGS[element.name]
    elif element.name == "p":
        for name in element.get("class", []):
            if name in HEADINGS:
                element.name = HEADINGS[name]


def _lists(soup):
    """Runs of Word/WPS list paragraphs (style ``mso-list``) as nested ``ul``/``ol`` lists."""
    for first in _each(soup, "p"):
        if first.parent is None or not _list_level(first):
            continue
        run, node = [first], first.next_sibling
        while node is not None:
            if isinstance(node, str) and not node.strip():
                node = node.next_sibling
                continue
            if getattr(node, "name", None) == "p" and _list_level(node):
                run.append(node)
                node = node.next_sibling
                continue
            break
        _make_list(soup, run)


def _list_level(paragraph):
    match = MSO_LIST_RE.search(paragraph.get("style", ""))
    return int(match[1]) if match else 0


def _marker(paragraph):
    marker = paragraph.find("mso-marker") or paragraph.find(
        "span", style=re.compile(r"mso-list:\s*ignore", re.IGNORECASE)
    )
    if marker is None:
        return ""
    text = marker.get_text().replace("\xa0", " ").strip()
    marker.decompose()
    return text


def _make_list(soup, paragraphs):
    stack = []  # (level, list element)
    top = None
    for paragraph in paragraphs:
        level = _list_level(paragraph)
        kind = "ol" if ORDERED_MARKER_RE.match(_marker(paragraph)) else "ul"
        while stack and stack[-1][0] > level:
            stack.pop()
        if not stack or stack[-1][0] < level:
            new = soup.new_tag(kind)
            if stack:  # nested in the last item of the list above
                items = stack[-1][1].find_all("li", recursive=False)
                (items[-1] if items else stack[-1][1]).append(new)
            else:
                top = new
                paragraph.insert_before(new)
            stack.append((level, new))
        item = soup.new_tag("li")
        for child in list(paragraph.contents):
            item.append(child.extract())
        stack[-1][1].append(item)
        paragraph.decompose()
    return top


def _wrappers(soup):
    """WeChat's sections and any divs: a wrapper of blocks goes, one of text becomes a paragraph."""
    for element in reversed(soup.find_all(["section", "div"])):
        if element.find(BLOCKS - {"section", "div"}) or element.find(["section", "div"]):
            element.unwrap()
        elif element.get_text().strip():
            element.attrs = {}
            element.name = "p"
        else:
            element.decompose()
    for paragraph in _each(soup, "p"):
        if paragraph.find("p"):  # a paragraph holding paragraphs (a section inside a p)
            paragraph.unwrap()


def _untracked(href):
    """A link without the parameters that only track the click (the others as they were written)."""
    base, mark, rest = href.partition("?")
    if not mark:
        return href
    query, hash_mark, fragment = rest.partition("#")
    kept = [
        pair
        for pair in query.split("&")
        if pair and pair.split("=")[0] not in TRACKING_PARAMETERS and not pair.startswith("utm_")
    ]
    return base + ("?" + "&".join(kept) if kept else "") + hash_mark + fragment
