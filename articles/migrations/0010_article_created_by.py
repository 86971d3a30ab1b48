"""Who created an article and who last edited it: a contributor may change only their own drafts.

Articles written before this migration get both from their revisions (the first revision's user and
the latest's); imported articles, whose revisions have no user, get none.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def from_revisions(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Version = apps.get_model("reversion", "Version")
    Article = apps.get_model("articles", "Article")
    article_type = ContentType.objects.filter(app_label="articles", model="article").first()
    if article_type is None:
        return
    first, last = {}, {}
    rows = Version.objects.filter(content_type=article_type).order_by("pk")
    for object_id, user_id in rows.values_list("object_id", "revision__user_id").iterator():
        if object_id.isdigit():
            first.setdefault(int(object_id), user_id)
            last[int(object_id)] = user_id
    for field, users in [("created_by", first), ("last_edited_by", last)]:
        by_user = {}
        for article_id, user_id in users.items():
            if user_id is not None:
                by_user.setdefault(user_id, []).append(article_id)
        for user_id, article_ids in by_user.items():
            for start in range(0, len(article_ids), 1000):
                Article.objects.filter(pk__in=article_ids[start : start + 1000]).update(**{field: user_id})


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0009_search_entry_gin_index"),
        ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                help_text="Who added the article in the admin; a contributor may change only their own drafts.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="created by",
            ),
        ),
        migrations.AddField(
            model_name="article",
            name="last_edited_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                help_text="Who last saved the article or moved it along the workflow in the admin.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="last edited by",
            ),
        ),
        migrations.RunPython(from_revisions, migrations.RunPython.noop),
    ]
