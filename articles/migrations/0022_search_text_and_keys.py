# Search II: the index holds normalised text, no tsvector (positions end at 16,383). On PostgreSQL
# a GIN index over search_keys(column), every character and every pair of adjacent characters of
# the text, finds candidates; strpos() confirms them (see articles/search.py). The old entries are
# dropped: run `manage.py rebuild_search_index` after migrating.

from django.db import migrations

COLUMNS = ["document", "head", "labels"]

SEARCH_KEYS = """
CREATE OR REPLACE FUNCTION search_keys(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT regexp_split_to_array(t, '')
    || array(SELECT (regexp_matches(t, '..', 'g'))[1])
    || array(SELECT (regexp_matches(substr(t, 2), '..', 'g'))[1])
$$
"""


def forward(apps, schema_editor):
    apps.get_model("articles", "SearchEntry").objects.all().delete()
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS articles_searchentry_{column}_gin")
        schema_editor.execute(f"ALTER TABLE articles_searchentry ALTER COLUMN {column} TYPE text USING ''")
    schema_editor.execute(SEARCH_KEYS)
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX articles_searchentry_{column}_keys ON articles_searchentry USING gin (search_keys({column}))"
        )


def backward(apps, schema_editor):
    apps.get_model("articles", "SearchEntry").objects.all().delete()
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS articles_searchentry_{column}_keys")
        schema_editor.execute(f"ALTER TABLE articles_searchentry ALTER COLUMN {column} TYPE tsvector USING ''")
        schema_editor.execute(
            f"CREATE INDEX articles_searchentry_{column}_gin ON articles_searchentry USING gin ({column})"
        )
    schema_editor.execute("DROP FUNCTION IF EXISTS search_keys(text)")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0021_rendered_bodies"),
    ]

    operations = [
        migrations.RunPython(forward, backward, elidable=False),
    ]
