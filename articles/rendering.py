"""What readers see of an article, made when it is saved, not when it is read.

``store(article)`` runs from the workflow after every change of an article (the admin, the importer,
the workflow steps all go through ``workflow.article_saved``): it reads each image's file type and
size (Pillow, once) and stores the body as pages and feeds show it (sanitised HTML with the figures,
their captions and renditions in place) in ``Article.body_html``. A cold page or a feed then reads
one column and opens no file. ``manage.py render_articles`` does it for articles stored before (or
bulk-loaded: ``generate_articles`` calls ``store_many``).

Where the dateline goes (the first paragraph with text) is marked in the stored HTML with a comment,
``<!--dateline-->``, that a sanitised body cannot contain: the dateline names the column, which an
editor may rename without touching the article, so it is put in when the body is shown.

The article as lists show it (``includes/article_item.html``) is stored the same way, in
``Article.item_html``: a list then reads one column per article and renders no template and no
picture for it. What may change without a save of the article is marked and put in when the list is
shown (``list_items``): the names of its section and column, the address's prefix (the edition,
/zh-hant/, and where the site is mounted), the heading's level. The marks are characters of Unicode's
private use area that escaping leaves alone; the names put in are escaped.

The article page's own HTML around the body is ``article_page``'s.
"""

import copy
import mimetypes
import re

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from PIL import Image, UnidentifiedImageError

from . import bodies
from .models import Article, ArticleImage, Column, Section

DATELINE = "<!--dateline-->"
SECTION_NAME, COLUMN_NAME, PREFIX, LEVEL = (f"\ue000{name}\ue001" for name in ("section", "column", "prefix", "level"))


# At save time


def read_file(image):
    """The image file's MIME type (read from its content, not guessed from its name) and size, or
    ("", None) when there is no file or it cannot be read."""
    if not image.image:
        return "", None
    try:
        with image.image.open("rb") as file:
            file_type = Image.open(file).get_format_mimetype()
        size = image.image.size
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError):
        return "", None
    return file_type or mimetypes.guess_type(image.image.name)[0] or "application/octet-stream", size


def render_body(article, images):
    """The body as shown: blocks, figures (with renditions, captions), the dateline's place marked."""
    return render_to_string(
        "includes/article_body.html", {"body_parts": bodies.body_parts(article, images), "dateline": DATELINE}
    ).strip()


def render_item(article, images):
    """The article as lists show it, marked where ``list_items`` puts in what may change without a save
    of the article. Rendered from a stand-in that holds the marks for names and address."""
    stand_in = copy.copy(article)
    stand_in.section = Section(pk=article.section_id, name=SECTION_NAME)
    stand_in.column = Column(pk=article.column_id, name=COLUMN_NAME) if article.column_id else None
    stand_in._prefetched_objects_cache = {"images": images}
    with translation.override(settings.LANGUAGE_CODE):
        path = article.get_absolute_url().removeprefix(get_script_prefix())
    stand_in.get_absolute_url = lambda: f"{PREFIX}/{path}"
    return render_to_string("includes/article_item.html", {"article": stand_in, "level": LEVEL}).strip()


def _prepare(article, images, read=read_file):
    """Set the article's ``body_html`` and ``item_html`` and its images' file facts; returns the images
    whose facts changed."""
    changed = []
    for image in images:
        facts = read(image)
        if facts != (image.file_type, image.file_size):
            image.file_type, image.file_size = facts
            changed.append(image)
    article.body_html = render_body(article, images)
    article.item_html = render_item(article, images)
    return changed


def ordered_images():
    """Images in the article's order, with their renditions."""
    return ArticleImage.objects.prefetch_related("renditions").order_by("order", "pk")


def store(article):
    """Read the article's image files and store its body and list item as shown."""
    for image in _prepare(article, list(ordered_images().filter(article=article))):
        ArticleImage.objects.filter(pk=image.pk).update(file_type=image.file_type, file_size=image.file_size)
    Article.objects.filter(pk=article.pk).update(body_html=article.body_html, item_html=article.item_html)


def store_many(articles, batch_size=500, progress=None):
    """``store`` for many articles (a queryset), a batch per transaction; each file is read once
    (bulk-loaded articles share files). Returns how many were stored."""
    facts = {}

    def read(image):
        if image.image.name not in facts:
            facts[image.image.name] = read_file(image)
        return facts[image.image.name]

    pks = list(articles.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), batch_size):
        batch = list(
            Article.objects.filter(pk__in=pks[start : start + batch_size]).prefetch_related(
                Prefetch("images", ordered_images())
            )
        )
        changed = [image for article in batch for image in _prepare(article, list(article.images.all()), read)]
        with transaction.atomic():
            Article.objects.bulk_update(batch, ["body_html", "item_html"])
            ArticleImage.objects.bulk_update(changed, ["file_type", "file_size"])
        if progress:
            progress(start + len(batch), len(pks))
    return len(pks)


# At read time


def body_html(article, dateline=""):
    """The stored body with the dateline in place. An article stored before the column existed is
    rendered here (``manage.py render_articles`` stores it)."""
    stored = article.body_html
    if not stored and article.body:
        stored = render_body(article, article.images.all())
    return stored.replace(DATELINE, dateline, 1)


def list_items(articles, level=2):
    """The stored list items of ``articles`` (with their section and column), the marks filled in. An
    article stored before ``item_html`` existed is rendered here (``manage.py render_articles --missing``
    stores it)."""
    prefix = reverse("articles:home").removesuffix("/")
    items = []
    for article in articles:
        stored = article.item_html or render_item(article, list(article.images.all()))
        stored = stored.replace(SECTION_NAME, conditional_escape(article.section.name))
        if article.column_id:
            stored = stored.replace(COLUMN_NAME, conditional_escape(article.column.name))
        items.append(stored.replace(PREFIX, prefix).replace(LEVEL, str(level)))
    return mark_safe("\n".join(items))


def dateline_html(article):
    """The dateline: the source, then the column and the author in brackets (新华社（国企 张三）).
    Made in Python, not by a template: a feed writes fifty of them."""
    if not article.source:
        return ""
    names = " ".join(name for name in (article.column and article.column.name, article.author) if name)
    return format_html(
        '<span class="dateline">{}{}</span>', article.source, format_html("（{}）", names) if names else ""
    )


# A figure whose image is still to come: pages show a placeholder, feeds leave it out.
PLACEHOLDER_RE = re.compile(r'<figure class="article-image placeholder">.*?</figure>\s*', re.S)
URL_ATTRIBUTE_RE = re.compile(r'\b(src|href|srcset)="([^"]*)"')


def feed_body(article, base_url):
    """The body as feeds show it: the page's, without placeholders, every address absolute
    (``base_url``: scheme and host, no trailing slash)."""

    def absolute(url):
        return base_url + url if url.startswith("/") and not url.startswith("//") else url

    def attribute(match):
        name, value = match.groups()
        if name == "srcset":
            value = ", ".join(absolute(candidate.strip()) for candidate in value.split(","))
        else:
            value = absolute(value)
        return f'{name}="{value}"'

    html = PLACEHOLDER_RE.sub("", body_html(article, dateline_html(article)))
    return URL_ATTRIBUTE_RE.sub(attribute, html)
