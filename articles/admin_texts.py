"""Words Django's admin shows in English whatever the language, put into Chinese.

- A yes/no value is an icon whose ``alt`` is the Python value: a screen reader says "True".
  ``install()`` gives the icons 是/否/未知 (Django's own translations of Yes/No/Unknown).
- A change message keeps field labels untranslated, to translate them when it is read; but a label
  is the capitalised verbose name ("Body") and the catalogue knows the verbose name ("body"), so
  history and revision comments named fields in English. ``ChineseChangeMessage`` keeps the labels
  as the editor read them on the form (the site has one language).
- Permissions are named in English in the database ("Can add article"): ``permission_label`` names
  them in Chinese, for the user and group forms.
- Rows named twice in an inline (a unit, a contact) were refused naming the field in English
  ("请修改unit的重复数据"): ``LabelledFormSet`` names its label.
- Deleting a user or a group listed the rows linking it to groups and permissions, named by Django
  "Group_permissions object (1)": ``LinkRowsUnlisted`` leaves those links (gone with it) out.
"""

from django.apps import apps
from django.contrib.admin.templatetags import admin_list
from django.forms.models import BaseInlineFormSet
from django.templatetags.static import static
from django.utils import translation
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_lazy

ICONS = {
    True: ("yes", gettext_lazy("Yes")),
    False: ("no", gettext_lazy("No")),
    None: ("unknown", gettext_lazy("Unknown")),
}


def boolean_icon(value):
    name, text = ICONS[value]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{name}.svg"), text)


def install():
    # Django's callers import the function from the module each time they use it.
    admin_list._boolean_icon = boolean_icon


class ChineseChangeMessage:
    """A ModelAdmin mixin: the fields a change message names are kept with their Chinese labels."""

    def construct_change_message(self, request, form, formsets, add=False):
        message = super().construct_change_message(request, form, formsets, add)
        forms = [form, *(formset.forms[0] for formset in formsets or () if formset.forms)]
        labels = {}
        for each in forms:
            for name, field in each.fields.items():
                with translation.override(None):
                    untranslated = str(field.label or name)
                labels[untranslated] = str(field.label or name)
        for part in message:
            for details in part.values():
                if "fields" in details:
                    details["fields"] = [labels.get(label, label) for label in details["fields"]]
        return message


ACTIONS = {
    "add": gettext_lazy("Can add %(name)s"),
    "change": gettext_lazy("Can change %(name)s"),
    "delete": gettext_lazy("Can delete %(name)s"),
    "view": gettext_lazy("Can view %(name)s"),
}


def permission_label(permission):
    """'新闻中心 | 文章 | 可以修改文章' for the permission stored as 'Can change article'."""
    model = permission.content_type.model_class()
    action, _, model_name = permission.codename.partition("_")
    if model is None:
        return str(permission)
    if action in ACTIONS and model_name == model._meta.model_name:
        name = ACTIONS[action] % {"name": gettext(str(model._meta.verbose_name))}
    else:
        name = gettext(permission.name)  # a custom permission, named with a msgid
    # Some apps name their models or themselves without translation: their names are msgids here.
    app, model_name = gettext(str(model._meta.app_config.verbose_name)), gettext(str(model._meta.verbose_name))
    return f"{app} | {model_name} | {name}"


class ChinesePermissions:
    """A ModelAdmin mixin for forms that pick permissions (users, groups)."""

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and db_field.name in ("permissions", "user_permissions"):
            field.label_from_instance = permission_label
        return field


class LinkRowsUnlisted:
    """A ModelAdmin mixin: the delete confirmation leaves out the rows of many-to-many links."""

    def get_deleted_objects(self, objs, request):
        to_delete, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        links = [
            model._meta
            for model in apps.get_models(include_auto_created=True)
            if model._meta.auto_created and any(f.related_model is self.model for f in model._meta.fields)
        ]
        prefixes = tuple(f"{capfirst(opts.verbose_name)}: " for opts in links)
        plurals = {str(opts.verbose_name_plural) for opts in links}
        counts = {name: count for name, count in counts.items() if str(name) not in plurals}
        return _unlisted(to_delete, prefixes), counts, perms_needed, protected


def _unlisted(items, prefixes):
    kept = []
    for item in items:
        if isinstance(item, list):
            kept.append(_unlisted(item, prefixes))
        elif not str(item).startswith(prefixes):
            kept.append(item)
    return [item for item in kept if item != []]


class LabelledFormSet(BaseInlineFormSet):
    """An inline's formset whose error for rows named twice names the fields as the form does (their
    verbose names: the columns' headings), not by their names in the code."""

    def get_unique_error_message(self, unique_check):
        return super().get_unique_error_message(
            [str(self.model._meta.get_field(name).verbose_name) for name in unique_check]
        )
