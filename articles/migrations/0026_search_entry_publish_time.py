# Search entries hold their article's publish time, so that the matches of a common word are ranked
# from the index before their articles are read (articles/search.py, Results._matches). Existing
# entries get it from their articles here; `rebuild_search_index` and every save write it after.
# An UPDATE writes every row anew, and with it a new entry in the GIN index for each (the index
# doubled and stayed so): on PostgreSQL the index is dropped first and built again after the UPDATE
# has committed (built in the same transaction, it took in the rows' old versions too: 212 MB instead
# of 130 at 100,000 articles), and the planner's statistics are taken afresh, as
# `rebuild_search_index` does. So the migration is not atomic: each step commits on its own, and run
# again after a failure it does them all again (the drop says IF EXISTS, the fill is the same).
# While it runs, searches find matches without the index (slower, the same results).

from django.db import migrations, models

FILL = """
UPDATE articles_searchentry SET publish_at = (
    SELECT publish_at FROM articles_article WHERE articles_article.id = articles_searchentry.article_id
)
"""
GIN = "articles_searchentry_document_keys"


def fill(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        schema_editor.execute(f"DROP INDEX IF EXISTS {GIN}")
    schema_editor.execute(FILL)
    if postgresql:
        schema_editor.execute("SET maintenance_work_mem = '256MB'")
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {GIN} ON articles_searchentry USING gin (search_keys(document))")
        schema_editor.execute("RESET maintenance_work_mem")
        schema_editor.execute("ANALYZE articles_searchentry, articles_article")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("articles", "0025_drop_unused_search_keys"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="publish_at",
            field=models.DateTimeField(
                blank=True,
                help_text="The article's, copied when it is indexed: matches are ranked by it before their articles are read.",
                null=True,
                verbose_name="publish time",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
    ]
