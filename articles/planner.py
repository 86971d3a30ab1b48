"""Fresh planner statistics after a bulk load (ANALYZE), for the project's own tables only.

After a bulk load the planner's estimates are stale, and with them PostgreSQL checks the search
index's keys row by row (seconds instead of milliseconds). A bare ``ANALYZE`` would also analyse the
cluster's shared catalogs (pg_authid, pg_database, …) and keep a lock on them until its transaction
ends: run inside a transaction (a restore's, a test's), it held back every other session's
``ANALYZE`` in every database of the cluster until then (a restore run in another process waited
for it forever). So only the tables of this project's models are named.
"""

from django.db import DEFAULT_DB_ALIAS, connections


def analyse(using=DEFAULT_DB_ALIAS):
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":  # SQLite's ANALYZE takes one name, and has no shared catalogs
            cursor.execute("ANALYZE")
            return
        tables = sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(table) for table in tables))
