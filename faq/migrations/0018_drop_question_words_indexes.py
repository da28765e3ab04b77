"""PostgreSQL: the near-words tier now tests each match's own question_words
(faq/search_postgresql.py), so their GIN indexes, which only slowed saves, go."""

from django.db import migrations

INDEXES = ("faq_search_index_question_words", "faq_search_index_es_question_words")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, table in zip(INDEXES, ("faq_search_index", "faq_search_index_es"), strict=True):
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (question_words)"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("faq", "0017_search_visibility"),
    ]

    operations = [migrations.RunPython(drop_indexes, create_indexes)]
