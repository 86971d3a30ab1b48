"""A full dump of a site, every row of every model field by field and every media file's hash, for
comparing two sites (tests/test_backup.py).

It reads rows through the ORM, not through ``articles.backups``, so it checks the backup rather than
repeating it. Rows that migrations make again with other ids (content types, permissions) are named
by their natural keys. ``python -m tests.sitedump`` prints the dump of the site of DATABASE_URL and
MEDIA_ROOT as JSON.
"""

import contextlib
import datetime
import hashlib
import json
import os
import sys

# What a backup leaves out on purpose: made again by migrate, rebuilt by restore, or not worth keeping.
LEFT_OUT = {
    "contenttypes.contenttype",
    "auth.permission",
    "sessions.session",
    "admin.logentry",
    "articles.searchentry",
    "articles.contentversion",
}
LEFT_OUT_APPS = {"axes"}


def site_models():
    from django.apps import apps

    return sorted(
        (
            model
            for model in apps.get_models()
            if not model._meta.proxy
            and model._meta.managed
            and model._meta.app_label not in LEFT_OUT_APPS
            and model._meta.label_lower not in LEFT_OUT
        ),
        key=lambda model: model._meta.label_lower,
    )


def plain(value):
    """A value as JSON keeps it exactly: times with their microseconds and offset, text as it is."""
    from django.db.models.fields.files import FieldFile

    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return [type(value).__name__, value.isoformat()]
    if isinstance(value, FieldFile):
        return value.name
    return value


def related_key(obj):
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    if isinstance(obj, ContentType | Permission):
        return list(obj.natural_key())
    return obj.pk


def dump_models():
    dump = {}
    for model in site_models():
        rows = []
        for obj in model._base_manager.order_by("pk"):
            row = {}
            for field in model._meta.concrete_fields:
                if field.is_relation and field.related_model._meta.label_lower in LEFT_OUT:
                    target = getattr(obj, field.name)
                    row[field.name] = None if target is None else related_key(target)
                else:
                    row[field.attname] = plain(field.value_from_object(obj))
            for field in model._meta.many_to_many:
                if field.remote_field.through._meta.auto_created:
                    row[field.name] = sorted(related_key(target) for target in getattr(obj, field.name).all())
            rows.append(row)
        dump[model._meta.label_lower] = rows
    return dump


def dump_media():
    from django.core.files.storage import default_storage

    files = {}

    def walk(folder):
        folders, names = default_storage.listdir(folder)
        for name in names:
            path = f"{folder}/{name}" if folder else name
            with default_storage.open(path, "rb") as file:
                files[path] = hashlib.sha256(file.read()).hexdigest()
        for sub in folders:
            walk(f"{folder}/{sub}" if folder else sub)

    with contextlib.suppress(FileNotFoundError):  # no media folder yet
        walk("")
    return files


def dump_site():
    from articles import search

    return {
        "models": dump_models(),
        "media": dump_media(),
        "search 智能建造": [article.title for article in search.search(search.parse("智能建造"))[:20]],
    }


if __name__ == "__main__":
    import django

    sys.path.insert(0, os.getcwd())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    django.setup()
    json.dump(dump_site(), sys.stdout, ensure_ascii=False)
