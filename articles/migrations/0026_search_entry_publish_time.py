# Search entries hold their article's publish time, so that the matches of a common word are ranked
# from the index before their articles are read (articles/search.py, Results._matches). Existing
# entries get it from their articles here; `rebuild_search_index` and every save write it after.

from django.db import migrations, models

FILL = """
UPDATE articles_searchentry SET publish_at = (
    SELECT publish_at FROM articles_article WHERE articles_article.id = articles_searchentry.article_id
)
"""


class Migration(migrations.Migration):
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
        migrations.RunSQL(FILL, migrations.RunSQL.noop, elidable=False),
    ]
