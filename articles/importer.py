"""Reads article pages in the reference format (see demo/) and stores them as articles.

``parse_page`` turns the text into a ``ParsedPage`` without touching the database;
``import_page`` stores one, updating the article imported from the same file before.
"""

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import Truncator

from . import bodies, uploads, workflow
from .models import Article, ArticleImage, ArticleUnit, Column, CopyrightNotice, PromoBlock, Section, SiteSettings, Unit

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".JPG", ".JPEG", ".PNG")
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
# "A、B、C及D等六家单位": an enumeration of organisations.
UNIT_NAME = r"[^\s,，。、；;：:“”\"（）()《》]{2,30}?"
UNITS_RE = re.compile(
    rf"(?P<list>(?:{UNIT_NAME}、)+{UNIT_NAME}(?:(?:及|和|与|、){UNIT_NAME})?)等"
    r"(?:[一二三四五六七八九十两\d]+)?(?:家|个)?(?:单位|企业|部门|机构|高校)"
)
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
    # Non-breaking and full-width spaces count as white space; keep inner spacing.
    return line.replace("\u00a0", " ").replace("\u3000", " ").strip()


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
    names = []
    for match in UNITS_RE.finditer(text):
        for name in UNIT_SPLIT_RE.split(match["list"]):
            name = name.strip()
            if len(name) >= 2 and name not in names:
                names.append(name)
    return names


def _parse_date(match):
    parts = {k: int(v) for k, v in match.groupdict().items() if v}
    try:
        naive = datetime.datetime(
            parts["y"], parts["m"], parts["d"], parts.get("H", 0), parts.get("M", 0), parts.get("S", 0)
        )
    except ValueError as exc:
        raise MalformedPage(f"impossible date {match.group(0)!r}") from exc
    return timezone.make_aware(naive)


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


def _image_file(folder, name):
    for suffix in IMAGE_SUFFIXES:
        candidate = folder / f"{name}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def _promo(page, section):
    existing = PromoBlock.objects.filter(section=section).first() or PromoBlock.objects.filter(section=None).first()
    if existing is None:
        PromoBlock.objects.create(title=page.promo_title, text=page.promo_text)


def _notice(page):
    notice = CopyrightNotice.objects.filter(title=page.notice_title).first()
    if notice is None:
        notice = CopyrightNotice.objects.create(
            title=page.notice_title,
            clauses="\n".join(page.notice_clauses),
            is_default=not CopyrightNotice.objects.filter(is_default=True).exists(),
        )
    return notice


def _unit(name):
    return (
        Unit.objects.filter(name=name).first()
        or Unit.objects.filter(short_name=name).first()
        or Unit.objects.create(name=name)
    )


@transaction.atomic
def import_page(path, published=None, store_files=True):
    """Store the page at ``path``; returns (article, created). Raises MalformedPage.

    With ``store_files=False`` (a dry run, rolled back by the caller) images beside the page are
    checked but not written to storage, which no transaction can undo.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MalformedPage("the file is not UTF-8 text") from exc
    page = parse_page(text)

    SiteSettings.load()
    section, _ = Section.objects.get_or_create(name=page.section)
    column = Column.objects.get_or_create(name=page.column)[0] if page.column else None

    article = Article.objects.filter(import_key=path.name).first()
    created = article is None
    if created:
        article = Article(import_key=path.name)
    article.title, article.subtitle = page.title, page.subtitle
    article.section, article.column = section, column
    article.source, article.author = page.source, page.author
    article.body = bodies.sanitize_html("\n".join(f"<p>{escape(p)}</p>" for p in page.paragraphs))
    if not article.summary or created:
        article.summary = Truncator(page.paragraphs[0]).chars(120)
    article.status = Article.Status.PUBLISHED
    article.publish_at = page.publish_at or published or article.publish_at or timezone.now()
    article.show_promo = bool(page.promo_title)
    if page.promo_title:
        _promo(page, section)
    article.copyright_notice = _notice(page) if page.notice_title else None
    article.save()

    _store_images(article, page, path.parent, store_files)
    names = page.units + [
        unit.name for unit in Unit.objects.exclude(name__in=page.units) if unit.name in "".join(page.paragraphs)
    ]
    article.unit_links.all().delete()
    ArticleUnit.objects.bulk_create(
        ArticleUnit(article=article, unit=_unit(name), order=i) for i, name in enumerate(dict.fromkeys(names))
    )
    workflow.article_saved(article)
    return article, created


def _store_images(article, page, folder, store_files=True):
    """Images are matched by name: a re-import keeps a file an editor already attached.

    Files go through the same checks as uploads in the admin (``uploads.clean_image``).
    """
    kept = {image.name: image for image in article.images.all()}
    for order, parsed in enumerate(page.images):
        image = kept.pop(parsed.name, None) or ArticleImage(article=article, name=parsed.name)
        image.caption = parsed.caption
        image.alt_text = parsed.caption or parsed.name
        image.order, image.position = order, parsed.position
        source = _image_file(folder, parsed.name)
        if source and not image.image:
            with source.open("rb") as handle:
                try:
                    cleaned = uploads.clean_image(File(handle, name=source.name))
                except ValidationError as exc:
                    raise MalformedPage(f"{source.name}: {' '.join(exc.messages)}") from exc
            if store_files:
                image.image.save(source.name, cleaned, save=False)
        image.save()
    for stale in kept.values():
        stale.delete()
