"""Comparing two revisions of an article (django-reversion versions), field by field.

A revision holds the article and, through ``follow``, its images, unit links and tag links;
``snapshot`` reads them back as text an editor recognises, ``compare`` lines two snapshots up.
"""

import difflib
import re
from dataclasses import dataclass
from html import unescape

from django.contrib.contenttypes.models import ContentType
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from taggit.models import Tag, TaggedItem

from .models import Article, ArticleImage, ArticleUnit, Column, CopyrightNotice, Section, Unit

FIELDS = [
    "title",
    "subtitle",
    "section",
    "column",
    "source",
    "author",
    "editor",
    "summary",
    "body",
    "status",
    "publish_at",
    "copyright_notice",
    "show_promo",
]
FOREIGN = {"section": Section, "column": Column, "copyright_notice": CopyrightNotice}
MARKER_RE = re.compile(r'<figure data-image="(\d+)"></figure>')


@dataclass
class Row:
    label: str
    old: str
    new: str
    diff: str

    @property
    def changed(self):
        return self.old != self.new


def _body_lines(html):
    html = MARKER_RE.sub(lambda m: f"\n[{_('image')} #{m[1]}]\n", html or "")
    html = re.sub(r"</(p|h\d|li|blockquote)>|<br\s*/?>", "\n", html)
    return [line.strip() for line in unescape(strip_tags(html)).splitlines() if line.strip()]


def _related(version, model, **match):
    content_type = ContentType.objects.get_for_model(model)
    found = []
    for related in version.revision.version_set.filter(content_type=content_type):
        fields = related.field_dict
        if all(str(fields.get(key)) == str(value) for key, value in match.items()):
            found.append(fields)
    return found


def snapshot(version):
    """The article as it was in ``version``: field label → list of text lines."""
    fields = version.field_dict
    article_id = version.object_id
    values = {}
    for name in FIELDS:
        field = Article._meta.get_field(name)
        value = fields.get(field.attname)
        if name in FOREIGN:
            value = str(FOREIGN[name].objects.filter(pk=value).first() or "") if value else ""
        elif name == "status":
            value = str(Article.Status(value).label) if value in Article.Status.values else value
        elif name == "body":
            values[str(field.verbose_name)] = _body_lines(value)
            continue
        elif value is None:
            value = ""
        values[str(field.verbose_name)] = [str(value)] if str(value) else []
    images = sorted(_related(version, ArticleImage, article_id=article_id), key=lambda f: (f["order"], f["id"]))
    values[_("images")] = [
        f"#{f['id']} {f['caption'] or f['name']} · {f['alt_text']} · {f['image'] or _('no file')}" for f in images
    ]
    links = sorted(_related(version, ArticleUnit, article_id=article_id), key=lambda f: (f["order"], f["id"]))
    units = Unit.objects.in_bulk([f["unit_id"] for f in links])
    values[_("participating units")] = [str(units.get(f["unit_id"], f"#{f['unit_id']}")) for f in links]
    article_type = ContentType.objects.get_for_model(Article)
    tag_links = _related(version, TaggedItem, object_id=article_id, content_type_id=article_type.pk)
    tags = Tag.objects.in_bulk([f["tag_id"] for f in tag_links])
    values[_("tags")] = sorted(str(tags.get(f["tag_id"], f"#{f['tag_id']}")) for f in tag_links)
    return values


def _diff(old_lines, new_lines):
    """Lines removed in <del>, added in <ins>, the rest as they are (all escaped)."""
    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False).get_opcodes():
        if tag == "equal":
            out.extend(f"<div>{escape(line)}</div>" for line in old_lines[i1:i2])
            continue
        out.extend(f"<div><del>{escape(line)}</del></div>" for line in old_lines[i1:i2])
        out.extend(f"<div><ins>{escape(line)}</ins></div>" for line in new_lines[j1:j2])
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above


def compare(older, newer):
    """Rows for every field, images, units and tags; ``Row.changed`` says which differ."""
    before, after = snapshot(older), snapshot(newer)
    rows = []
    for label, new in after.items():
        old = before.get(label, [])
        rows.append(Row(label, "\n".join(old), "\n".join(new), _diff(old, new)))
    return rows
