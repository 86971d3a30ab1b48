"""Reads article pages in the reference format (see demo/) and stores them as articles.

``parse_page`` turns the text into a ``ParsedPage`` without touching the database;
``import_page`` stores one, updating the article imported from the same file before unless an
editor has changed it since (machines never override people: see ``import_page``).
"""

import datetime
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from reversion.models import Version

from . import bodies, uploads, versions, workflow
from .digests import content_digest
from .models import (
    YEARS,
    Article,
    ArticleImage,
    ArticleUnit,
    Column,
    CopyrightNotice,
    PromoBlock,
    Section,
    SiteSettings,
    Unit,
)

# What import_page did with a page.
CREATED, UPDATED, UNCHANGED, OVERWRITTEN, SKIPPED = "created", "updated", "unchanged", "overwritten", "skipped"

MAX_PAGE_BYTES = 5 * 1024 * 1024
# Column, title and subtitle with their brackets and dash; longer lines are not a title line.
MAX_TITLE_LINE = 600
# Participating units linked to one article: a page naming more is not an article (8,000 were seen).
MAX_UNITS = 500

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".JPG", ".JPEG", ".PNG")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
SKIP_LINES = {"订阅", "分享到:", "分享到：", "分享到"}

TITLE_RE = re.compile(r"^(?:【(?P<column>[^】]{1,50})】)?(?P<title>.+?)(?:\s*——\s*(?P<subtitle>.+))?$")
DATE_RE = re.compile(
    r"(?P<y>\d{4})\s*[-/年.]\s*(?P<m>\d{1,2})\s*[-/月.]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
)
DATE_LINE_RE = re.compile(r"^(?:(?:发布|发表)?(?:时间|日期)\s*[:：]\s*)?" + DATE_RE.pattern + r"\s*$")
IMAGE_RE = re.compile(r"^(?P<name>IMG_\w+|图片?\s*\d+)\s*(?P<caption>.*)$", re.IGNORECASE)
PROMO_RE = re.compile(r"^【(?P<title>关注分享|[^】]{2,8}推广|[^】]{2,8}订阅)】(?P<text>.+)$")
NOTICE_TITLE_RE = re.compile(r"^(?P<title>.{2,80}?声明)\s*[:：]?\s*$")
CLAUSE_RE = re.compile(r"^[•·\-*]?\s*[①-⑳]\s*(?P<text>.+)$")
# "A、B、C及D等六家单位": an enumeration of organisations, names of 2 to 30 characters.
UNIT_NAME = r"[^\s,，。、；;：:“”\"（）()《》]{2,30}"
UNITS_END_RE = re.compile(r"等(?:[一二三四五六七八九十两\d]+)?(?:家|个)?(?:单位|企业|部门|机构|高校)")
# The enumeration read backwards from its “等”: “D及C” (or “D、C”) then names joined by “、”. Read
# forwards, a regex for it tried again at every character of a long list of names: quadratic.
UNITS_BACKWARDS_RE = re.compile(rf"(?:{UNIT_NAME}(?:及|和|与|、))?{UNIT_NAME}(?:、{UNIT_NAME})+")
UNIT_SPLIT_RE = re.compile(r"、|及|和|与")


class MalformedPage(ValueError):
    """The text is not an article page; the message says why."""


@dataclass
class ParsedImage:
    name: str
    caption: str
    position: int


@dataclass
class ParsedPage:
    site_name: str
    section: str
    title: str
    subtitle: str = ""
    column: str = ""
    source: str = ""
    author: str = ""
    publish_at: datetime.datetime | None = None
    paragraphs: list[str] = field(default_factory=list)
    images: list[ParsedImage] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    promo_title: str = ""
    promo_text: str = ""
    notice_title: str = ""
    notice_clauses: list[str] = field(default_factory=list)


def _clean(line):
    # Non-breaking and full-width spaces count as white space; keep inner spacing. Control characters
    # go: PostgreSQL refuses NUL in text, XML (feeds) refuses all of them but tab and line ends.
    return CONTROL_RE.sub("", line).replace("\u00a0", " ").replace("\u3000", " ").strip()


def _author(text):
    """`江 风` → `江风`: a space only pads a two-character name."""
    text = " ".join(text.split())
    if re.fullmatch(r"\S \S", text):
        return text.replace(" ", "")
    return text


def _split_dateline(paragraph, column):
    """Take the dateline off the first paragraph: (source, author, rest of paragraph)."""
    match = re.match(r"^(?P<source>[^(（\s]{2,40}?(?:讯|电))\s*[(（]", paragraph)
    if not match:
        return "", "", paragraph
    source = match["source"]
    rest = paragraph[match.end() :]
    closed = re.match(r"^(?P<inner>[^)）]{0,40})[)）]", rest)
    if closed:
        inner = closed["inner"].strip()
        if column and inner.startswith(column):
            inner = inner[len(column) :]
        return source, _author(inner), rest[closed.end() :].lstrip()
    # An open dateline runs into the text: column, padding, then the author's name.
    if column and rest.startswith(column):
        rest = rest[len(column) :]
    rest = rest.lstrip(" \u3000\u00a0")
    padded = re.match(r"^(\S)[ \u3000\u00a0](\S)", rest)
    if padded:
        return source, padded[1] + padded[2], rest[padded.end() :].lstrip()
    name = re.match(r"^(\S{2,4})\s+", rest)
    if name:
        return source, name[1], rest[name.end() :]
    return source, "", rest


def _units(text):
    """The names enumerated before each “等…单位” (“等六家单位”, “等企业”), in order, once each.

    Linear: each enumeration is matched once, backwards from its end (on the reversed text), and
    never reaches back past the previous one.
    """
    backwards, names, start = text[::-1], {}, 0
    for end in UNITS_END_RE.finditer(text):
        found = UNITS_BACKWARDS_RE.match(backwards, len(text) - end.start(), len(text) - start)
        if found:
            start = end.end()
            for name in UNIT_SPLIT_RE.split(found[0][::-1]):
                if len(name.strip()) >= 2:
                    names.setdefault(name.strip())
    return list(names)


def check_publish_time(value, text=None):
    """``value`` if its year is a plausible one (see ``YEARS``), else MalformedPage."""
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise MalformedPage(
            f"the date {text or value.isoformat()!r} is not between the years {YEARS[0]} and {YEARS[1]}"
        )
    return value


def _parse_date(match):
    parts = {k: int(v) for k, v in match.groupdict().items() if v}
    try:
        naive = datetime.datetime(
            parts["y"], parts["m"], parts["d"], parts.get("H", 0), parts.get("M", 0), parts.get("S", 0)
        )
    except ValueError as exc:
        raise MalformedPage(f"impossible date {match.group(0)!r}") from exc
    return timezone.make_aware(check_publish_time(naive, match.group(0)))


def parse_page(text):
    lines = [_clean(line) for line in text.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise MalformedPage("the file is empty")
    header = lines.pop(0)
    site_name, dash, section = header.rpartition("-")
    if not dash or not site_name.strip() or not section.strip():
        raise MalformedPage(f"the first line should read “site name-section”, not {header[:40]!r}")
    site_name, section = site_name.strip(), section.strip()

    while lines and (lines[0] in SKIP_LINES or lines[0] == section):
        lines.pop(0)
    if not lines:
        raise MalformedPage("no title line after the header")
    if len(lines[0]) > MAX_TITLE_LINE:
        raise MalformedPage(f"the title line is longer than {MAX_TITLE_LINE} characters")
    title_match = TITLE_RE.match(lines.pop(0))
    page = ParsedPage(
        site_name=site_name,
        section=section,
        title=title_match["title"].strip(),
        subtitle=(title_match["subtitle"] or "").strip().lstrip("—").strip(),
        column=(title_match["column"] or "").strip(),
    )
    if len(page.title) > 200:
        raise MalformedPage("the title line is longer than 200 characters")

    body_lines, notice_started = [], False
    for line in lines:
        if line in SKIP_LINES:
            continue
        if notice_started:
            clause = CLAUSE_RE.match(line)
            if clause:
                page.notice_clauses.append(clause["text"].strip())
            continue
        date_line = DATE_LINE_RE.match(line)
        if date_line and not body_lines and page.publish_at is None:
            page.publish_at = _parse_date(date_line)
            continue
        promo = PROMO_RE.match(line)
        if promo:
            page.promo_title, page.promo_text = promo["title"], promo["text"].strip()
            continue
        notice = NOTICE_TITLE_RE.match(line)
        if notice:
            page.notice_title, notice_started = notice["title"], True
            continue
        image = IMAGE_RE.match(line)
        if image:
            page.images.append(ParsedImage(image["name"], image["caption"].strip(), len(body_lines)))
            continue
        body_lines.append(line)

    if not body_lines:
        raise MalformedPage("the page has no body paragraphs")
    page.source, page.author, body_lines[0] = _split_dateline(body_lines[0], page.column)
    page.paragraphs = [line for line in body_lines if line]
    page.units = _units("\n".join(page.paragraphs))
    return page


def read_file(path, folder, limit):
    """Up to ``limit + 1`` bytes of ``path``, a regular file inside ``folder`` (links followed only within it).

    Anything else raises MalformedPage without being read: a link to a file outside the folder
    (an /etc/passwd), a FIFO (opening one waits for ever for a writer), a device or a folder.
    """
    real = Path(os.path.realpath(path))
    if not real.is_relative_to(os.path.realpath(folder)):
        raise MalformedPage("a link to a file outside the folder; not read")
    if not stat.S_ISREG(os.stat(real).st_mode):
        raise MalformedPage("not a regular file (a FIFO, a device or a folder); not read")
    # Should it have become something else since: O_NONBLOCK opens a FIFO without waiting, fstat tells.
    with open(os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW), "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise MalformedPage("not a regular file (a FIFO, a device or a folder); not read")
        return handle.read(limit + 1)


def _read_page(path, folder):
    longest = Article._meta.get_field("import_key").max_length
    if len(path.name) > longest:
        raise MalformedPage(f"the file name is longer than {longest} characters")
    data = read_file(path, folder, MAX_PAGE_BYTES)
    if len(data) > MAX_PAGE_BYTES:
        raise MalformedPage(f"the file is larger than {MAX_PAGE_BYTES // 1024 // 1024} MB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MalformedPage("the file is not UTF-8 text") from exc


def _image_file(folder, root, name):
    """The image for slot ``name`` beside the page (IMG_256.jpg, .png…), checked like an upload; or None."""
    for suffix in IMAGE_SUFFIXES:
        candidate = folder / f"{name}{suffix}"
        if not os.path.lexists(candidate):
            continue
        try:
            data = read_file(candidate, root, uploads.MAX_BYTES)
            return uploads.clean_image(ContentFile(data, name=candidate.name))
        except MalformedPage as exc:
            raise MalformedPage(f"{candidate.name}: {exc}") from exc
        except ValidationError as exc:
            raise MalformedPage(f"{candidate.name}: {' '.join(exc.messages)}") from exc
    return None


def _fits(obj):
    """``obj`` if each of its texts fits its column; else MalformedPage (PostgreSQL would refuse the row)."""
    for f in obj._meta.concrete_fields:
        value = getattr(obj, f.attname)
        if isinstance(f, models.CharField) and f.max_length and isinstance(value, str) and len(value) > f.max_length:
            raise MalformedPage(
                f"the {obj._meta.model_name}'s {f.name.replace('_', ' ')} has {len(value)} characters, more than "
                f"the {f.max_length} that fit: {value[:20]!r}…"
            )
    return obj


def _promo(page, section):
    existing = PromoBlock.objects.filter(section=section).first() or PromoBlock.objects.filter(section=None).first()
    if existing is None:
        _fits(PromoBlock(title=page.promo_title, text=page.promo_text)).save()
        versions.site_changed()  # shown under every article (kept with the site's version)


def _notice(page):
    notice = CopyrightNotice.objects.filter(title=page.notice_title).first()
    if notice is None:
        notice = _fits(
            CopyrightNotice(
                title=page.notice_title,
                clauses="\n".join(page.notice_clauses),
                is_default=not CopyrightNotice.objects.filter(is_default=True).exists(),
            )
        )
        notice.save()
        versions.site_changed()  # the default one is shown under every article
    return notice


def _named(model, name):
    found, created = model.objects.get_or_create(name=_fits(model(name=name)).name)
    if created:  # every page's navigation lists the sections, the search form sections and columns
        versions.site_changed()
    return found


def _unit(name):
    return Unit.named(name) or Unit.objects.create(name=_fits(Unit(name=name)).name)


# What the importer wrote last is kept on the article as its content digest (``import_digest``); a
# re-import compares the article as it is now with it (the importer's own save moves ``updated_at``).
def edited_since_import(article):
    """True if someone other than the importer changed ``article`` since it was last imported."""
    if article.import_digest:
        return content_digest(article) != article.import_digest
    # Imported before digests were kept: edited if a person ever saved it (revisions name them).
    return Version.objects.get_for_object(article).filter(revision__user__isnull=False).exists()


class _Unchanged(Exception):
    """Rolls back a re-import that changed nothing (no revision, no new content version)."""

    def __init__(self, article):
        self.article = article


def import_page(path, published=None, store_files=True, overwrite=False, folder=None):
    """Store the page at ``path``; returns (article, what was done: CREATED, UPDATED, …). Raises MalformedPage.

    Only a regular file inside ``folder`` (by default the page's own) is read, and the images beside it.
    A new page becomes a published article. A page imported before updates its article (UPDATED, or
    UNCHANGED if nothing changed) unless an editor changed the article since (see ``content_digest``):
    then it is left as it is (SKIPPED), or with ``overwrite`` the file's content replaces the editor's
    (OVERWRITTEN). The status of an article imported before never changes, nor does what the file
    does not say (tags, the summary and alt texts of an article an editor changed).

    With ``store_files=False`` (a dry run, rolled back by the caller) images beside the page are
    checked but not written to storage, which no transaction can undo.
    """
    path = Path(path)
    page = parse_page(_read_page(path, folder or path.parent))
    try:
        with transaction.atomic():
            return _store(page, path, Path(folder or path.parent), published, store_files, overwrite)
    except _Unchanged as unchanged:
        return unchanged.article, UNCHANGED


def _store(page, path, root, published, store_files, overwrite):
    # Locked: an editor's save (which locks the row too) cannot slip in between the check and the write.
    article = Article.objects.select_for_update().filter(import_key=path.name).first()
    created = article is None
    edited = not created and edited_since_import(article)
    if edited and not overwrite:
        return article, SKIPPED
    if created:
        article = Article(import_key=path.name, status=Article.Status.PUBLISHED)
    previous = article.import_digest
    # The units the page lists, then the known units its text names.
    text, listed = "".join(page.paragraphs), set(page.units)
    names = page.units + [
        unit.name for unit in Unit.objects.only("name") if unit.name not in listed and unit.name in text
    ]
    if len(names) > MAX_UNITS:
        raise MalformedPage(f"the page names {len(names)} participating units; an article takes at most {MAX_UNITS}")

    SiteSettings.load()
    section = _named(Section, page.section)
    column = _named(Column, page.column) if page.column else None
    article.title, article.subtitle = page.title, page.subtitle
    article.section, article.column = section, column
    article.source, article.author = page.source, page.author
    article.body = bodies.sanitize_html("\n".join(f"<p>{escape(p)}</p>" for p in page.paragraphs))
    if not edited or not article.summary:
        article.summary = Truncator(page.paragraphs[0]).chars(120)
    # Whole minutes, as earlier imports stored them: the admin's form keeps seconds but not microseconds,
    # so the time survives its round trip unchanged.
    now = timezone.now().replace(second=0, microsecond=0)
    article.publish_at = page.publish_at or published or article.publish_at or now
    article.show_promo = bool(page.promo_title)
    if page.promo_title:
        _promo(page, section)
    article.copyright_notice = _notice(page) if page.notice_title else None
    _fits(article).save()

    _store_images(article, page, path.parent, root, store_files, derive=not edited)
    article.unit_links.all().delete()
    units = dict.fromkeys(_unit(name) for name in names)  # a unit named by its name and its short name: once
    ArticleUnit.objects.bulk_create(ArticleUnit(article=article, unit=unit, order=i) for i, unit in enumerate(units))

    digest = content_digest(article)
    if not created and not edited and digest == previous:
        raise _Unchanged(article)
    Article.objects.filter(pk=article.pk).update(import_digest=digest)
    article.import_digest = digest  # before the revision is kept: restoring it restores the digest too
    if edited:
        comment = _("Re-imported from %(file)s with --overwrite, replacing changes made in the admin.")
    else:
        comment = _("Imported from %(file)s.")
    workflow.article_saved(article, comment=comment % {"file": path.name})
    return article, CREATED if created else OVERWRITTEN if edited else UPDATED


def _store_images(article, page, folder, root, store_files=True, derive=True):
    """Images are matched by name: a re-import keeps a file an editor already attached.

    Files go through the same checks as uploads in the admin (``uploads.clean_image``), all of them
    before any is stored. ``derive``: alt texts follow the captions (else only new images get one).
    """
    existing = {image.name: image for image in article.images.all()}
    rows = []
    for order, parsed in enumerate(page.images):
        image = existing.pop(parsed.name, None) or ArticleImage(article=article, name=parsed.name)
        image.caption = parsed.caption
        if derive or not image.alt_text:
            image.alt_text = parsed.caption or parsed.name
        image.order, image.position = order, parsed.position
        rows.append((_fits(image), None if image.image else _image_file(folder, root, parsed.name)))
    for image, cleaned in rows:
        if cleaned is not None and store_files:
            image.image.save(cleaned.name, cleaned, save=False)
        image.save()
    for stale in existing.values():
        stale.delete()
