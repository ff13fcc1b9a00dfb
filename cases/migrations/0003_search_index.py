"""The full-text index: a GIN index on the tsvector on PostgreSQL, an FTS5 table on SQLite.

Each is made only on its own backend, so the DDL is run by hand here rather than
declared on the model (a GIN index cannot be created on SQLite).
"""

from django.db import migrations

FTS5_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS cases_case_fts USING fts5("
    "title, headings, body, tokenize = 'unicode61 remove_diacritics 0')"
)
GIN_CREATE = "CREATE INDEX IF NOT EXISTS cases_case_search_vector_gin ON cases_case USING gin (search_vector)"


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(GIN_CREATE)
    elif vendor == "sqlite":
        schema_editor.execute(FTS5_CREATE)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS cases_case_search_vector_gin")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS cases_case_fts")


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_gazetteer_taxonomy_groups")]

    operations = [migrations.RunPython(create, drop)]
