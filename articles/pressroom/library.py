"""The public media library (图片库): every image of a published article, newest article first.

Pages are cut by a key, not an offset (``?before=`` the last image of the page before): each page
is an index walk of the articles by publish time (the ``status, publish_at`` index) joined to their
images by article, however deep the reader goes, and nothing counts the whole library. A page is
two queries: the images with their article and section, and their renditions (three with a unit
search: the units' ids come first).

What is public is the one rule (``models.published_when``), applied to the image's article; images
without a file (placeholders for a photo to come) are left out.
"""

import datetime
from dataclasses import dataclass

from django import forms
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import search
from ..forms import DATE_INPUT, DATE_RANGE, UnitNamesField, WidthFoldedDateField, _day_start
from ..models import Album, ArticleImage, ArticleUnit, ImageRendition, Section, published_when

PER_PAGE = 24
ORDER = ("-article__publish_at", "-article_id", "-pk")


def published_images(now=None):
    """Images with a file, of articles the public may read."""
    rule = published_when(now or timezone.now())
    public = {f"article__{field}": value for field, value in rule.items()}
    return ArticleImage.objects.exclude(image="").filter(**public)


def for_cards(images):
    """What a card shows: the article, its section, and the renditions of the thumbnail."""
    return images.select_related("article__section", "article__column").prefetch_related(
        Prefetch("renditions", queryset=ImageRendition.objects.order_by("width"))
    )


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: just after this image in the library's order."""

    publish_at: datetime.datetime
    article_id: int
    image_id: int

    def __str__(self):
        micros = int(self.publish_at.timestamp() * 1_000_000)
        return f"{micros}-{self.article_id}-{self.image_id}"

    @classmethod
    def after(cls, image):
        return cls(image.article.publish_at, image.article_id, image.pk)

    @classmethod
    def parse(cls, text):
        """The cursor written by ``__str__``; ValueError for anything else."""
        micros, article_id, image_id = (int(part) for part in text.split("-"))
        if min(micros, article_id, image_id) < 0:
            raise ValueError(text)
        moment = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(microseconds=micros)
        return cls(moment, article_id, image_id)

    def condition(self):
        """The images after this one in the library's order."""
        same_time = Q(article__publish_at=self.publish_at)
        # The first bound alone is what the database starts its index walk from (an OR is only a filter).
        return Q(article__publish_at__lte=self.publish_at) & (
            Q(article__publish_at__lt=self.publish_at)
            | (same_time & Q(article_id__lt=self.article_id))
            | (same_time & Q(article_id=self.article_id, pk__lt=self.image_id))
        )


def page(images, cursor=None, per_page=PER_PAGE):
    """(the images of one page, the cursor of the next page or None)."""
    if cursor is not None:
        images = images.filter(cursor.condition())
    rows = list(images.order_by(*ORDER)[: per_page + 1])
    if len(rows) > per_page:
        return rows[:per_page], Cursor.after(rows[per_page - 1])
    return rows, None


class LibraryForm(forms.Form):
    """The library's search: words of the caption, a unit, a section, a range of publish dates."""

    q = forms.CharField(label=_("Caption"), max_length=100, required=False)
    unit = UnitNamesField(label=_("Participating unit"), max_length=100, required=False)
    section = forms.ModelChoiceField(
        label=_("Section"), queryset=Section.objects.all(), required=False, empty_label=_("All sections")
    )
    start = WidthFoldedDateField(label=_("From"), required=False, widget=DATE_INPUT, validators=DATE_RANGE)
    end = WidthFoldedDateField(label=_("To"), required=False, widget=DATE_INPUT, validators=DATE_RANGE)
    before = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_before(self):
        text = self.cleaned_data["before"]
        if not text:
            return None
        try:
            return Cursor.parse(text)
        except (ValueError, OverflowError):
            raise forms.ValidationError(_("This page of the library does not exist."), code="cursor") from None

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error(None, forms.ValidationError(_("The start date is after the end date."), code="dates"))
        return cleaned

    def filtered(self, images):
        """``images`` narrowed to what the form asks (a form with errors finds nothing)."""
        if not self.is_valid():
            return images.none()
        data = self.cleaned_data
        if data["q"]:
            q = data["q"]
            images = images.filter(
                search.in_either_script("caption__icontains", q) | search.in_either_script("alt_text__icontains", q)
            )
        if data["unit"]:  # the ids of the units meant (see UnitNamesField)
            images = images.filter(
                Exists(ArticleUnit.objects.filter(article=OuterRef("article"), unit_id__any_of=data["unit"]))
            )
        if data["section"]:
            images = images.filter(article__section=data["section"])
        if data["start"]:
            images = images.filter(article__publish_at__gte=_day_start(data["start"]))
        if data["end"]:
            images = images.filter(article__publish_at__lt=_day_start(data["end"] + datetime.timedelta(days=1)))
        return images

    def is_filtered(self):
        return self.is_valid() and any(value for name, value in self.cleaned_data.items() if name != "before")


def public_albums():
    """Albums shown in the library."""
    return Album.objects.filter(is_public=True)


def album_images(album):
    """The public images of an album, in the album's order."""
    return published_images().filter(album_links__album=album).order_by("album_links__order", "album_links__pk")
