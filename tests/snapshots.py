"""Every row of every table, to prove a command changed nothing at all."""

from django.db import connection

from faq import search


def database_rows():
    """{table: sorted rows} for every table, history and search index included.

    SQLite's FTS5 keeps recent index writes in memory until a transaction or
    savepoint ends, so its shadow tables (faq_search_index_data, …) change when
    any later savepoint is released; the index's own rows are compared instead.
    """
    rows = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table.startswith(f"{search.TABLE}_"):
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows[table] = sorted(map(repr, cursor.fetchall()))
    return rows


def changed_tables(before, after):
    """The tables whose rows differ between two database_rows() snapshots."""
    tables = before.keys() | after.keys()
    return sorted(table for table in tables if before.get(table) != after.get(table))
