# Indexes that related articles (QuerySet.related_to) read instead of table rows: a unit's and a tag's
# newest links in index order (the unit's were a bitmap scan over a page per link, a tag's a walk of
# every tagged item newest first), and the publication rule's columns beside the article's id.
# taggit's TaggedItem is not ours to change: its index is made here, by name.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# PostgreSQL only: SQLite has no covering indexes (an index of the id alone would repeat the primary key).
PUBLICATION = (
    "CREATE INDEX article_publication ON articles_article (id) INCLUDE (status, publish_at, embargo_until, deleted_at)"
)


def add_publication_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PUBLICATION)


def drop_publication_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX article_publication")


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0023_stored_list_items'),
        ('taggit', '0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX tagged_items_by_object ON taggit_taggeditem (tag_id, content_type_id, object_id)",
            "DROP INDEX tagged_items_by_object",
        ),
        migrations.AlterField(
            model_name='articleunit',
            name='unit',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='article_links', to='articles.unit', verbose_name='unit'),
        ),
        migrations.RunPython(add_publication_index, drop_publication_index, elidable=False),
        migrations.AddIndex(
            model_name='articleunit',
            index=models.Index(fields=['unit', 'article'], name='unit_links_by_article'),
        ),
    ]
