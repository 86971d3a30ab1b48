# The GIN indexes that make search fast on PostgreSQL. Other databases have no GIN indexes (on
# SQLite the search scans the table), so they are not in SearchEntry.Meta.indexes.

from django.db import migrations

COLUMNS = ["document", "head", "labels"]


def create_indexes(apps, schema_editor):
    # Since 0015 DocumentField is text, so a new database gets text columns from 0008: these
    # indexes were for tsvector columns only (0015 drops them).
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT data_type FROM information_schema.columns"
                " WHERE table_name = 'articles_searchentry' AND column_name = 'document'"
            )
            if cursor.fetchone()[0] != "tsvector":
                return
        for column in COLUMNS:
            schema_editor.execute(
                f"CREATE INDEX articles_searchentry_{column}_gin ON articles_searchentry USING gin ({column})"
            )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for column in COLUMNS:
            schema_editor.execute(f"DROP INDEX IF EXISTS articles_searchentry_{column}_gin")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0008_search_entry"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
