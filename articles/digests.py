"""Digests of an article as stored now, which see changes that do not save it (``updated_at`` stays).

- ``content_digest``: everything an editor can change about it (its fields, its section, column and
  notice by name, its images, its unit links with the units' names, its tags). Merging, renaming or
  deleting a unit or a tag changes an article's links and names without saving the article, so it sees
  every change whatever door it came through; and a change undone leaves it as it was. The importer
  compares it with what it wrote last (``import_digest``: never change what it covers, or every
  imported article would look edited).
- ``links_digest``: what the edit form posts back of the article's links: its tag names and the ids of
  its units and media contacts. A tag merged, renamed or deleted elsewhere, a unit merged, a contact
  deleted, change it; a unit or section renamed does not (the form posts ids: it undoes nothing).
"""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder

from .models import Article, ArticleContact, ArticleImage, ArticleUnit

# Who created or last saved it is bookkeeping, not content: a save without a change is no edit.
NOT_EDITABLE = {"id", "created_at", "updated_at", "import_key", "import_digest", "created_by", "last_edited_by"}
# What ``rendering`` makes from the article when it is saved: nobody edits it.
MADE_WHEN_SAVED = {"body_html", "item_html", "file_type", "file_size"}


def content_digest(article):
    """A digest of ``article`` as stored now: everything an editor can change about it."""
    fields = [f.attname for f in Article._meta.concrete_fields if f.name not in NOT_EDITABLE | MADE_WHEN_SAVED]
    names = ["section__name", "column__name", "copyright_notice__title"]
    row = Article.objects.filter(pk=article.pk).values(*fields, *names).get()
    image_fields = [f.attname for f in ArticleImage._meta.concrete_fields if f.name not in MADE_WHEN_SAVED]
    images = list(ArticleImage.objects.filter(article=article.pk).order_by("pk").values_list(*image_fields))
    units = list(
        ArticleUnit.objects.filter(article=article.pk)
        .values_list("unit", "unit__name", "order")
        .order_by("order", "unit")
    )
    tags = sorted(article.tags.values_list("name", flat=True))
    text = json.dumps([row, images, units, tags], cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def links_digest(article):
    """A digest of the links of ``article`` that its edit form posts back (see above)."""
    tags = sorted(article.tags.values_list("name", flat=True))
    units = list(ArticleUnit.objects.filter(article=article.pk).order_by("pk").values_list("unit", "order"))
    contacts = list(ArticleContact.objects.filter(article=article.pk).order_by("pk").values_list("contact", "order"))
    text = json.dumps([tags, units, contacts], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()
