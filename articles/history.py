"""Revisions of an article (django-reversion versions): comparing two, restoring one.

A revision holds the article and, through ``follow``, its images, unit links and tag links;
``snapshot`` reads them back as text an editor recognises, ``compare`` lines two snapshots up
(changed paragraphs word by word), ``revert`` brings one article back to a revision, and
``matches_latest`` tells a save that changed nothing (which keeps no revision).
"""

import datetime
import difflib
import json
import re
from dataclasses import dataclass
from html import unescape

from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from reversion.errors import RevertError
from reversion.models import Version
from reversion.revisions import _get_options
from taggit.models import Tag, TaggedItem

from .models import (
    Article,
    ArticleContact,
    ArticleImage,
    ArticleUnit,
    Column,
    CopyrightNotice,
    Correction,
    Section,
    Unit,
)

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
    return [related.field_dict for related in _related_versions(version, model, **match)]


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
        elif isinstance(value, datetime.datetime):  # stored in UTC: shown in local time, as elsewhere
            value = date_format(timezone.localtime(value), "Y-m-d H:i:s")
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


# What a changed paragraph is compared by: a Latin word or number whole, any other character alone
# (Chinese has no spaces between words; a run of changed characters reads as the changed word).
TOKEN_RE = re.compile(r"[^\W_]+(?:[.,'’-][^\W_]+)*|\s+|.", re.ASCII | re.DOTALL)
CJK_RE = re.compile(r"[^\x00-\x7f]")
# Paragraphs less alike than this are shown removed and added whole, not word by word.
ALIKE = 0.5


def _tokens(line):
    """Latin words and numbers whole; every other character (Chinese, punctuation) on its own."""
    return [token for chunk in TOKEN_RE.findall(line) for token in (CJK_RE.findall(chunk) or [chunk])]


def _inline(old, new):
    """One paragraph changed into another: the changed runs in <del>/<ins>, or None if too unlike."""
    a, b = _tokens(old), _tokens(new)
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    if matcher.ratio() < ALIKE:
        return None
    out = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
    return "".join(out)


def _diff(old_lines, new_lines, inline=True):
    """Lines removed in <del>, added in <ins>, the rest as they are (all escaped). With ``inline``, a
    line changed into a like one shows only the changed words."""
    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False).get_opcodes():
        if tag == "equal":
            out.extend(f"<div>{escape(line)}</div>" for line in old_lines[i1:i2])
            continue
        old, new = old_lines[i1:i2], new_lines[j1:j2]
        if tag == "replace" and inline and len(old) == len(new):
            marked = [_inline(before, after) for before, after in zip(old, new, strict=True)]
            if all(line is not None for line in marked):
                out.extend(f"<div>{line}</div>" for line in marked)
                continue
        out.extend(f"<div><del>{escape(line)}</del></div>" for line in old)
        out.extend(f"<div><ins>{escape(line)}</ins></div>" for line in new)
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above


def compare(older, newer):
    """Rows for every field, images, units and tags; ``Row.changed`` says which differ."""
    before, after = snapshot(older), snapshot(newer)
    lists = {_("images"), _("participating units"), _("tags")}  # items, compared whole
    rows = []
    for label, new in after.items():
        old = before.get(label, [])
        rows.append(Row(label, "\n".join(old), "\n".join(new), _diff(old, new, inline=label not in lists)))
    return rows


# Whether a save changed anything: the article and what its revisions follow, as reversion stores
# them, against the latest revision. Who saved and when is no change.
NOT_CHANGES = {"updated_at", "last_edited_by"}


def _stored_fields(obj):
    options = _get_options(type(obj))
    data = serializers.serialize(
        options.format, (obj,), fields=options.fields, use_natural_foreign_keys=options.use_natural_foreign_keys
    )
    return json.loads(data)[0]["fields"]


def matches_latest(article):
    """Whether ``article``, its images, unit links, tag links and corrections are as its latest revision
    keeps them."""
    latest = Version.objects.get_for_object(article).select_related("revision").first()
    if latest is None:
        return False
    article_type = ContentType.objects.get_for_model(Article)
    parts = (ArticleImage, ArticleUnit, TaggedItem, Correction, ArticleContact)
    related = {ContentType.objects.get_for_model(model).pk for model in parts}
    stored = {}
    for version in latest.revision.version_set.filter(content_type__in=[article_type.pk, *related]):
        fields = json.loads(version.serialized_data)[0]["fields"]
        key = (version.content_type_id, version.object_id)
        if (
            key == (article_type.pk, str(article.pk))
            or fields.get("article") == article.pk
            or (fields.get("object_id") == article.pk and fields.get("content_type") == article_type.pk)
        ):
            stored[key] = fields
    now = {}
    rows = [
        *article.images.all(),
        *article.unit_links.all(),
        *article.tagged_items.all(),
        *article.corrections.all(),
        *article.contact_links.all(),
    ]
    for obj in [article, *rows]:
        now[(ContentType.objects.get_for_model(obj).pk, str(obj.pk))] = _stored_fields(obj)
    for fields in (stored.get((article_type.pk, str(article.pk)), {}), now[(article_type.pk, str(article.pk))]):
        for name in NOT_CHANGES:
            fields.pop(name, None)
    return stored == now


# Restoring. What a revert never changes: the workflow state (the workflow alone moves it: status,
# publish time, the reviews passed and a return's reason), who wrote
# the article, and the time it was last saved (the form's edit token: a save made by someone else
# after the revision form was opened is still detected).
NOT_REVERTED = [
    "status",
    "publish_at",
    "review_stage",
    "return_reason",
    "deleted_at",
    "created_by",
    "last_edited_by",
    "updated_at",
    "import_key",
]


def revert(version):
    """Bring the article of ``version`` back to it: text, images, units and tags, not ``NOT_REVERTED``.

    Only that article's part of the revision is reverted: a revision made before bulk actions kept
    one revision per article may hold other articles, which stay as they are. Images, unit links
    and tag links the article gained since are removed; links to units or tags deleted or merged
    away since cannot come back and are left out. Returns how many were left out.
    """
    article = Article.objects.get(pk=version.object_id)
    as_now = {name: getattr(article, Article._meta.get_field(name).attname) for name in NOT_REVERTED}
    article_type = ContentType.objects.get_for_model(Article)
    parts = {
        ArticleImage: _related_versions(version, ArticleImage, article_id=article.pk),
        ArticleUnit: _related_versions(version, ArticleUnit, article_id=article.pk),
        TaggedItem: _related_versions(version, TaggedItem, object_id=article.pk, content_type_id=article_type.pk),
    }
    now = {
        ArticleImage: article.images.all(),
        ArticleUnit: article.unit_links.all(),
        TaggedItem: TaggedItem.objects.filter(content_type=article_type, object_id=article.pk),
    }
    for model, rows in now.items():
        rows.exclude(pk__in=[int(part.object_id) for part in parts[model]]).delete()
    units = set(
        Unit.objects.filter(pk__in=[p.field_dict["unit_id"] for p in parts[ArticleUnit]]).values_list("pk", flat=True)
    )
    tags = set(
        Tag.objects.filter(pk__in=[p.field_dict["tag_id"] for p in parts[TaggedItem]]).values_list("pk", flat=True)
    )
    restorable = [
        *parts[ArticleImage],
        *(p for p in parts[ArticleUnit] if p.field_dict["unit_id"] in units),
        *(p for p in parts[TaggedItem] if p.field_dict["tag_id"] in tags),
    ]
    version.revert()
    # A section, column or notice deleted since cannot come back either: the article keeps its own.
    gone = {
        name: getattr(article, f"{name}_id")
        for name, model in FOREIGN.items()
        if version.field_dict.get(f"{name}_id")
        and not model.objects.filter(pk=version.field_dict[f"{name}_id"]).exists()
    }
    Article.objects.filter(pk=article.pk).update(**as_now, **gone)
    _revert_all(restorable)
    return sum(len(found) for found in parts.values()) - len(restorable) + len(gone)


def _related_versions(version, model, **match):
    content_type = ContentType.objects.get_for_model(model)
    return [
        related
        for related in version.revision.version_set.filter(content_type=content_type)
        if all(str(related.field_dict.get(key)) == str(value) for key, value in match.items())
    ]


def _revert_all(versions):
    """Revert each version; one that clashes with another not yet reverted (two unit links swapping
    units, say) is tried again after the others."""
    while versions:
        failed = []
        for version in versions:
            try:
                with transaction.atomic():
                    version.revert()
            except IntegrityError:
                failed.append(version)
        if len(failed) == len(versions):
            raise RevertError(
                _("This revision cannot be restored: %(part)s clashes with the article as it is now.")
                % {"part": failed[0]}
            )
        versions = failed
