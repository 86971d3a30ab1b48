"""Forms: the article admin's (edit-conflict check, body editor, uploads, autocomplete) and search."""

import datetime
import operator
import unicodedata
from functools import cached_property, partial, reduce

from django import forms
from django.conf import settings
from django.contrib.admin.widgets import (
    AdminFileWidget,
    AutocompleteSelect,
    get_select2_language,
)
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import transaction
from django.db.models import BooleanField, Case, Exists, OuterRef, Q, When
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_prose_editor.widgets import AdminProseEditorWidget
from reversion.models import Version
from taggit.models import Tag
from taggit.utils import parse_tags

from . import bodies, flagged, pending_uploads, search, uploads, versions
from .cache.derived import derived_value
from .digests import links_digest
from .models import Article, ArticleImage, ArticleUnit, Column, Section, SiteSettings, Unit, is_id

NEW = "new:"  # prefix of a value typed into an autocomplete box that names nothing yet


class CreatingAutocompleteMixin:
    """An admin autocomplete box (select2) where a name not found can be typed to create it."""

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs)
        attrs["class"] = attrs["class"].replace("admin-autocomplete", "admin-autocomplete-create")
        attrs["data-create-label"] = gettext("(new)")
        return attrs

    @property
    def media(self):
        return super().media + forms.Media(js=["js/admin/autocomplete-create.js"])


class UnitSelect(CreatingAutocompleteMixin, AutocompleteSelect):
    def optgroups(self, name, value, attr=None):
        known = [v for v in value if is_id(str(v))]
        groups = super().optgroups(name, known, attr)
        for new in (v for v in value if str(v).startswith(NEW)):
            groups[0][1].append(self.create_option(name, new, new[len(NEW) :], True, len(groups[0][1])))
        return groups


# Latin letters and digits typed full-width (ＧＤＰ, ５Ｇ), as Chinese input methods may: the same tag or
# unit as the half-width ones (search folds them alike). Chinese punctuation keeps its full width.
HALF_WIDTH = str.maketrans(
    {
        chr(code): chr(code - 0xFEE0)
        for ranges in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
        for code in range(ranges[0], ranges[1] + 1)
    }
)
# The other way, for names kept full-width. Databases may fold only ASCII capitals (SQLite; PostgreSQL in
# the C locale): a full-width form is tried in capitals and in small letters.
FULL_WIDTH = {ord(half): chr(full) for full, half in HALF_WIDTH.items()}


class UnitChoiceField(forms.ModelChoiceField):
    """A unit chosen by id, or typed as ``new:name``: the unit is found by name or created."""

    def __init__(self, *args, can_create=False, **kwargs):
        self.can_create = can_create
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if isinstance(value, str) and value.startswith(NEW):
            name = " ".join(value[len(NEW) :].split()).translate(HALF_WIDTH)
            longest = Unit._meta.get_field("name").max_length
            if not name:
                raise forms.ValidationError(_("Type the unit's name."), code="empty")
            if len(name) > longest:
                raise forms.ValidationError(
                    _("A unit's name has at most %(limit)d characters; this one has %(count)d."),
                    code="max_length",
                    params={"limit": longest, "count": len(name)},
                )
            existing = Unit.named(name)
            if existing:
                return existing
            if not self.can_create:
                raise forms.ValidationError(_("You may not create units."), code="permission")
            return Unit.objects.create(name=name)
        return super().to_python(value)


class WidthFolded:
    """A field that takes text typed in full-width forms, as Chinese input methods type digits and
    signs (０５７１－８６９１５６３６, ｗａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ, ２０２５－０１－０１), as the characters
    they are (NFKC)."""

    def to_python(self, value):
        return super().to_python(unicodedata.normalize("NFKC", value) if isinstance(value, str) else value)


class WidthFoldedField(WidthFolded, forms.CharField):
    """Text in either width: for phones and addresses."""


class WidthFoldedDateField(WidthFolded, forms.DateField):
    """A date in either width."""


class UnitNamesField(forms.CharField):
    """A participating unit typed by a reader, cleaned to the ids of the units meant (None if empty):
    the unit so named (its name or short name, whatever the capitals of its Latin letters, in either
    script, its Latin letters and digits in either width), as a unit's page and the search's facets
    send it, else every unit whose name holds the text. A text that names none is an error. Ids, not
    a subquery: given one, PostgreSQL expects one unit and joins every article of them (2 s at 100,000
    articles for a common word such as 集团) where a walk down the newest articles stops soon."""

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        half = text.translate(HALF_WIDTH)  # names are kept as written: ＡＢＣ集团 too, found by ABC集团
        typed = {text, half, half.upper().translate(FULL_WIDTH), half.lower().translate(FULL_WIDTH)}
        lookups = [f"{field}__iexact" for field in ("name", "short_name")]
        named = reduce(operator.or_, (search.in_either_script(lookup, form) for form in typed for lookup in lookups))
        holding = reduce(operator.or_, (search.in_either_script("name__icontains", form) for form in typed))
        found = list(  # in one statement: the units so named first, then those whose name holds the text
            Unit.objects.filter(named | holding)
            .annotate(named=Case(When(named, then=True), default=False, output_field=BooleanField()))
            .order_by("-named", "pk")
            .values_list("pk", "named")
        )
        if not found:
            raise forms.ValidationError(_("No participating unit's name holds “%(text)s”."), params={"text": text})
        return [pk for pk, is_named in found if is_named or not found[0][1]]


class TagSelect(CreatingAutocompleteMixin, forms.SelectMultiple):
    """Tags by name in a select2 box fed by the article admin's tag search."""

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super(CreatingAutocompleteMixin, self).build_attrs(base_attrs, extra_attrs)
        attrs.update(
            {
                "class": "admin-autocomplete-create",
                "data-ajax--url": reverse("admin:articles_article_tag_autocomplete"),
                "data-ajax--delay": 250,
                "data-theme": "admin-autocomplete",
                "data-tags": "true",
                "data-create-label": gettext("(new)"),
                "data-width": "32em",
                "lang": get_select2_language(),  # select2's messages ("Searching…") in Chinese
            }
        )
        return attrs

    def format_value(self, value):
        if isinstance(value, str):
            value = parse_tags(value)
        names = [getattr(v, "name", v) for v in value or []]
        return [n[len(NEW) :] if n.startswith(NEW) else n for n in names]

    def optgroups(self, name, value, attr=None):
        self.choices = [(v, v) for v in value]
        return super().optgroups(name, value, attr)

    @property
    def media(self):
        return forms.Media(
            js=[
                "admin/js/vendor/jquery/jquery.min.js",
                "admin/js/vendor/select2/select2.full.min.js",
                f"admin/js/vendor/select2/i18n/{get_select2_language()}.js",
                "admin/js/jquery.init.js",
                "js/admin/autocomplete-create.js",
            ],
            css={"screen": ["admin/css/vendor/select2/select2.min.css", "admin/css/autocomplete.css"]},
        )


class TagNamesField(forms.Field):
    """Tag names from the select box (or typed comma-separated); unknown names become new tags."""

    widget = TagSelect

    def __init__(self, *args, can_create=True, **kwargs):
        self.can_create = can_create
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        values = value if isinstance(value, list | tuple) else [value or ""]
        names = []
        for item in values:
            item = item[len(NEW) :] if item.startswith(NEW) else item
            names.extend(parse_tags(item))
        return list(dict.fromkeys(name.translate(HALF_WIDTH)[:100] for name in names))

    def has_changed(self, initial, data):
        """The initial value is the article's tags (objects), the data their names: compare names, in any order."""
        before = (
            parse_tags(initial) if isinstance(initial, str) else [getattr(tag, "name", tag) for tag in initial or ()]
        )
        return sorted(before) != sorted(self.to_python(data))

    def validate(self, value):
        super().validate(value)
        new = self.new_names(value)
        if new and not self.can_create:
            raise forms.ValidationError(_("You may not create tags."), code="permission")
        # A tag's address is its slug: a name of punctuation or emoji alone has none (taggit's slugify),
        # and one that grows when normalised (㍿ is 株式会社) may not fit its column, with room for the
        # suffix taggit adds to a slug already taken (_1).
        longest = Tag._meta.get_field("slug").max_length - 3
        errors = []
        for name in new:
            slug = Tag().slugify(name)
            if not slug:
                message = _("The tag “%(name)s” has no letter or digit: choose another name.")
            elif len(slug) > longest:
                message = _("The tag “%(name)s” is too long: choose a shorter name.")
            else:
                continue
            errors.append(forms.ValidationError(message, code="slug", params={"name": name}))
        if errors:
            raise forms.ValidationError(errors)

    @staticmethod
    def new_names(names):
        """The names no tag has yet, as taggit finds tags when it saves them (TAGGIT_CASE_INSENSITIVE)."""
        if not names:
            return []
        lookup, fold = ("name__iexact", str.casefold) if settings.TAGGIT_CASE_INSENSITIVE else ("name", str)
        found = Tag.objects.filter(reduce(operator.or_, (Q(**{lookup: name}) for name in names)))
        known = {fold(name) for name in found.values_list("name", flat=True)}
        return [name for name in names if fold(name) not in known]


def body_widget(images=(), urls=None):
    """The rich-text editor (django-prose-editor); its image button inserts the article's images or
    uploads one (``urls["upload"]``), and what is pasted is cleaned on the server (``urls["paste"]``)."""
    urls = urls or {}
    choices = [
        {
            "id": image.pk,
            "label": f"{n}. {image.caption or image.name or image.alt_text}",
            "url": image.image.url if image.image else "",
        }
        for n, image in enumerate(images, start=1)
    ]
    extensions = {
        "Bold": True,
        "Italic": True,
        "Heading": {"levels": [2, 3, 4]},
        "BulletList": True,
        "OrderedList": True,
        "ListItem": True,
        "Blockquote": True,
        "HardBreak": True,
        "HorizontalRule": True,
        "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
        "Table": True,
        "TableRow": True,
        "TableHeader": True,
        "TableCell": True,
        "PasteCleaner": {"url": urls.get("paste", "")},
        "ArticleFigure": {
            "images": choices,
            "uploadUrl": urls.get("upload", ""),
            "title": gettext("Insert an image of this article"),
            "empty": gettext("Upload the image below and save once: then it can be placed in the text."),
            "missing": gettext("Image not found"),
        },
    }
    return AdminProseEditorWidget(preset="configurable", config={"extensions": extensions})


class BodyField(forms.CharField):
    """Rich text, sanitised when cleaned (``bodies.sanitize_html``); changed only if what would be stored
    differs from what is (an editor may write the same markup differently)."""

    def clean(self, value):
        return bodies.sanitize_html(super().clean(value))

    def has_changed(self, initial, data):
        return bodies.sanitize_html(data or "") != (initial or "")


class MessageField(forms.CharField):
    """Text that goes with a workflow step (the reason for a return): no change of the article."""

    def has_changed(self, initial, data):
        return False


def edit_token(article):
    """What the edit form carries to detect a change made by someone else since it was opened: the time
    of its last save, and the digest of the links the form posts back (a tag or unit merged, renamed or
    deleted elsewhere changes them without saving the article; the form would put them back)."""
    return f"{article.updated_at.isoformat()} {links_digest(article)}" if article.updated_at else ""


class ArticleForm(forms.ModelForm):
    """The article's form in the admin. Knows the workflow button pressed (``button``): returning an
    article for changes needs a reason; submitting or publishing text that holds flagged words shows the
    form again with them marked (``flagged``) until the editor presses the button again to confirm."""

    # The buttons that check flagged words, and the value the button of the confirmation sends.
    FLAG_CHECKED = ("_submit_review", "_publish")
    CONFIRMED = "confirmed"
    RETURN = "_return_draft"

    edit_token = forms.CharField(label=_("version opened"), widget=forms.HiddenInput, required=False)
    tags = TagNamesField(label=_("tags"), required=False, help_text=_("Type to search; a new name creates a tag."))
    return_reason = MessageField(
        label=_("Reason for returning it"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=_("Its writer sees this on the form and in the list."),
    )

    class Meta:
        model = Article
        fields = "__all__"  # noqa: DJ007 - the admin picks fields through its fieldsets
        field_classes = {"body": BodyField}
        widgets = {"body": forms.Textarea(attrs={"rows": 24, "cols": 100})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.flagged = []
        if self.instance.pk:
            self.fields["edit_token"].initial = edit_token(self.instance)

    @property
    def button(self):
        """The workflow button pressed, if one was (its name)."""
        return next((name for name in (*self.FLAG_CHECKED, self.RETURN) if name in self.data), None)

    def clean(self):
        cleaned = super().clean()
        # The status is read-only in the admin, so the database constraint on it is not checked by the
        # form: a published article whose publish time is cleared would fail on save (a 500).
        if (
            "publish_at" in self.fields
            and not cleaned.get("publish_at")
            and self.instance.status == Article.Status.PUBLISHED
            and "publish_at" not in self.errors
        ):
            self.add_error(
                "publish_at", _("A published article needs a publish time; to take it off the site, unpublish it.")
            )
        # The admin form always carries the token; a client that sends none claims no version.
        if self.instance.pk and cleaned.get("edit_token"):
            self.check_conflict(cleaned["edit_token"])
        if self.button == self.RETURN and not cleaned.get("return_reason", "").strip():
            self.add_error(
                "return_reason", gettext("Say why it goes back: its writer sees the reason and knows what to change.")
            )
        if self.button in self.FLAG_CHECKED and self.data.get(self.button) != self.CONFIRMED:
            self.check_flagged(cleaned)
        return cleaned

    def check_flagged(self, cleaned):
        """Flagged words in the text: shown marked, and the form asks for confirmation (nothing changes)."""
        texts = {
            self.fields[name].label: flagged.plain(cleaned.get(name) or "") if name == "body" else cleaned.get(name)
            for name in ("title", "subtitle", "summary", "body")
            if name in self.fields
        }
        self.flagged = flagged.find(texts)
        if self.flagged:
            raise forms.ValidationError(
                gettext(
                    "The text holds words on the list of flagged words (%(count)d, marked below). Nothing is "
                    "saved yet and nothing of your text is changed: correct them, or confirm below."
                )
                % {"count": len(self.flagged)},
                code="flagged",
            )

    def check_conflict(self, token):
        """Refuse a save based on an older state of the article than the one stored now."""
        # Locks the row until the save commits (PostgreSQL), so two saves cannot both pass.
        current = Article.objects.select_for_update().filter(pk=self.instance.pk).first()
        if current is None or edit_token(current) == token:
            return
        last = Version.objects.get_for_object(current).select_related("revision__user").first()
        who = last.revision.user if last and last.revision.user else None
        when = last.revision.date_created if last else current.updated_at  # a merge elsewhere saves no article
        # The form shown again carries the current token: saving once more, knowingly, replaces their changes.
        self.data = self.data.copy()
        self.data[self.add_prefix("edit_token")] = edit_token(current)
        raise forms.ValidationError(
            _(
                "Someone else (%(who)s) saved this article at %(when)s, after you opened it. Your changes are "
                "NOT saved and are still in this form. Open the article in another tab to see what changed; "
                "saving this form again will replace their changes with yours."
            )
            % {
                "who": who.get_username() if who else gettext("another editor"),
                "when": date_format(timezone.localtime(when), "Y-m-d H:i:s"),
            },
            code="conflict",
        )


class KeptReference(str):
    """A signed reference to a photo kept from a failed save, as the image input posts it back."""


class KeptImageInput(AdminFileWidget):
    """The file input of an image row; after a failed save it also carries and shows the photo kept.

    A browser never sends a file twice: the form keeps the cleaned upload (``pending_uploads``)
    and sets ``kept``; the row is rendered with a hidden reference and a note with a thumbnail.
    """

    kept = None

    def kept_name(self, name):
        return f"{name}-kept"

    def value_from_datadict(self, data, files, name):
        upload = super().value_from_datadict(data, files, name)
        reference = data.get(self.kept_name(name))
        if not reference or upload:  # a new file wins over the kept one
            return upload
        if upload is False:  # "clear" ticked while a photo is kept: say which one is meant
            return forms.widgets.FILE_INPUT_CONTRADICTION
        return KeptReference(reference)

    def value_omitted_from_data(self, data, files, name):
        return super().value_omitted_from_data(data, files, name) and self.kept_name(name) not in data

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        if self.kept is None:
            return html
        thumbnail = self.kept.thumbnail
        return html + format_html(
            '<input type="hidden" name="{}" value="{}"><p class="kept-upload" data-pending="{}">{}{}</p>',
            self.kept_name(name),
            self.kept.reference,
            self.kept.token,
            format_html('<img src="{}" alt="" class="article-image-preview">', thumbnail) if thumbnail else "",
            gettext("The photo you chose, %(name)s, is kept: saving will use it (or choose another).")
            % {"name": self.kept.name},
        )


class ImageUploadField(forms.FileField):
    """A file field whose new uploads go through ``uploads.clean_image`` (its messages name the problem),
    or whose value is a photo kept from a failed save for ``user``."""

    widget = KeptImageInput
    user = None

    def to_python(self, data):
        if isinstance(data, KeptReference):
            return pending_uploads.retrieve(data, self.user)
        upload = super().to_python(data)
        return uploads.clean_image(upload) if upload else upload


class ArticleImageForm(forms.ModelForm):
    """An image row of the article form. A chosen photo survives a failed save; a new row is saved
    without a photo only when the editor says so (imported slots such as IMG_256 are placeholders already)."""

    image = ImageUploadField(
        label=ArticleImage._meta.get_field("image").verbose_name,
        help_text=_("JPEG, PNG, WebP or GIF, at most 20 MB."),
        required=False,
    )
    placeholder = forms.BooleanField(
        label=_("No photo yet: keep a placeholder"),
        help_text=_(
            "Saves the image without a file: the page shows its caption in a placeholder until a photo is uploaded."
        ),
        required=False,
    )

    class Meta:
        model = ArticleImage
        fields = "__all__"  # noqa: DJ007 - the inline picks its fields

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = self.fields["image"].user = user
        if self.instance.pk:  # only a new row needs the editor's say
            self.fields["placeholder"].widget = forms.HiddenInput()

    def clean(self):
        cleaned = super().clean()
        image = cleaned.get("image")
        if isinstance(image, ContentFile) and not isinstance(image, pending_uploads.KeptFile):
            image = cleaned["image"] = pending_uploads.keep(image, self.user)  # a new upload, cleaned
        if isinstance(image, pending_uploads.KeptFile):
            self.fields["image"].widget.kept = image
        if self.instance.pk is None and "image" not in self.errors and not image and not cleaned.get("placeholder"):
            self.add_error(
                "image",
                forms.ValidationError(
                    _("Choose the photo for this image, or tick “%(placeholder)s” to save it without one.")
                    % {"placeholder": self.fields["placeholder"].label},
                    code="photo_missing",
                ),
            )
        return cleaned

    def save(self, commit=True):
        image = self.cleaned_data.get("image")
        if isinstance(image, pending_uploads.KeptFile):  # the article keeps its own copy
            transaction.on_commit(partial(pending_uploads.discard, image.path))
        return super().save(commit)


class SiteSettingsForm(forms.ModelForm):
    class Meta:
        model = SiteSettings
        fields = "__all__"  # noqa: DJ007 - every setting is the editors'

    def clean_logo(self):
        logo = self.cleaned_data["logo"]
        return uploads.clean_logo(logo) if isinstance(logo, UploadedFile) else logo

    def clean_about(self):
        return bodies.sanitize_html(self.cleaned_data["about"]) if self.cleaned_data["about"].strip() else ""

    def clean_contact(self):
        return bodies.sanitize_html(self.cleaned_data["contact"]) if self.cleaned_data["contact"].strip() else ""


class DateInput(forms.DateInput):
    """A date picker. A value that is not a date (a mistyped address, ?start=2025-13-01) is not written
    back into it: an ``<input type="date">`` may only hold a date, and the form's error says what was wrong."""

    input_type = "date"

    def format_value(self, value):
        if isinstance(value, str):
            try:
                datetime.date.fromisoformat(value)
            except ValueError:
                return None
        return super().format_value(value)


DATE_INPUT = DateInput()
# Dates far outside the archive would overflow when converted to UTC.
DATE_RANGE = [MinValueValidator(datetime.date(1900, 1, 1)), MaxValueValidator(datetime.date(2999, 12, 31))]


# What follows a form label: Django asks its catalogue for ":", which has no Chinese; ours says "：".
LABEL_SUFFIX = _(":")


def kept_choices(model):
    """(pk, name) of every section or column, in their order, kept until the site's version moves."""
    return derived_value(
        f"choices:{model._meta.label}", lambda: list(model.objects.values_list("pk", "name")), [versions.SITE]
    )


class SearchForm(forms.Form):
    """The reader's query, filters and order; ``results()`` applies them to published articles."""

    FILTERS = ("section", "column", "unit", "start", "end")  # what narrows the articles searched

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix=LABEL_SUFFIX, **kwargs)
        # The options shown, kept with the site's version (which an edit of a section or column moves);
        # a chosen value is still checked against the database.
        for name in ("section", "column"):
            field = self.fields[name]
            field.choices = [("", field.empty_label), *kept_choices(field.queryset.model)]

    q = forms.CharField(
        label=_("Search"),
        max_length=search.MAX_QUERY_LENGTH,
        required=False,
        error_messages={"max_length": _("A query can be at most %(limit_value)d characters long.")},
    )
    section = forms.ModelChoiceField(
        Section.objects.all(), label=_("Section"), required=False, empty_label=_("All sections")
    )
    column = forms.ModelChoiceField(
        Column.objects.all(), label=_("Column"), required=False, empty_label=_("All columns")
    )
    unit = UnitNamesField(label=_("Participating unit"), max_length=100, required=False)
    start = WidthFoldedDateField(label=_("From"), required=False, widget=DATE_INPUT, validators=DATE_RANGE)
    end = WidthFoldedDateField(label=_("To"), required=False, widget=DATE_INPUT, validators=DATE_RANGE)
    sort = forms.ChoiceField(
        label=_("Order"),
        choices=[("relevance", _("Relevance")), ("date", _("Newest first"))],
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    @cached_property
    def query(self):
        """The parsed query (empty when the form is invalid or nothing searchable was typed)."""
        return search.parse(self.cleaned_data["q"]) if self.is_valid() else search.Query(())

    @property
    def filtered(self):
        """Whether a filter or an order was chosen (the filters are then shown unfolded)."""
        return self.is_valid() and any(self.cleaned_data[name] not in (None, "") for name in self.fields if name != "q")

    def suggestion(self, results):
        """What the reader may have meant (see ``search.suggest``), or None."""
        return search.suggest(self.cleaned_data["q"], self.filtered_articles, results.count())

    def results(self, articles):
        if not self.query:
            return articles.none()
        data = self.cleaned_data
        if data["section"]:
            articles = articles.filter(section=data["section"])
        if data["column"]:
            articles = articles.filter(column=data["column"])
        if data["unit"] is not None:
            articles = articles.filter(
                Exists(ArticleUnit.objects.filter(unit_id__any_of=data["unit"], article=OuterRef("pk")))
            )
        if data["start"]:
            articles = articles.filter(publish_at__gte=_day_start(data["start"]))
        if data["end"]:
            articles = articles.filter(publish_at__lt=_day_start(data["end"] + datetime.timedelta(days=1)))
        self.filtered_articles = articles
        narrowed = any(data[name] is not None for name in self.FILTERS)
        return search.search(self.query, articles, order=data["sort"] or "relevance", narrowed=narrowed)


def _day_start(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
