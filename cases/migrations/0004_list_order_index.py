"""An index for the public list's default order: published cases, newest first, undated last.

PostgreSQL puts NULLs first in a descending index unless told otherwise; SQLite puts them last
already and does not accept NULLS LAST in an index, so each backend gets its own statement.
"""

from django.db import migrations

NAME = "case_published_desc"
SQL = {
    "postgresql": f"CREATE INDEX IF NOT EXISTS {NAME} ON cases_case (published_on DESC NULLS LAST, id DESC) "
                  "WHERE status = 'published'",
    "sqlite": f"CREATE INDEX IF NOT EXISTS {NAME} ON cases_case (published_on DESC, id DESC) "
              "WHERE status = 'published'",
}


def create(apps, schema_editor):
    sql = SQL.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_search_index")]

    operations = [migrations.RunPython(create, drop)]
