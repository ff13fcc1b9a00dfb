"""SQLite only: an index that covers the list's filters, order and facet counts, with ``status`` first.

On PostgreSQL the partial indexes of migration 0008 cover them with INCLUDE columns. SQLite has
no INCLUDE, and its planner prefers scanning the table to a partial index, unaware that a case's
province, city and status sit behind the body in overflow pages: every count read every body.
With ``status`` as the first column, ``status = 'published'`` is a range of this index, which
holds every column a count reads (the id is the rowid), in the list's order (newest first), so
a page walks it and reads only the rows it shows. Made by hand because it is for one
database; Django rebuilds a SQLite table without such indexes (``_remake_table``): the list's
date index of migration 0004 was lost that way, so it is made again here, and
``tests/test_speed_sqlite.py`` checks that both are there after every migration.
"""

from django.db import migrations

NAME = "case_facets_sqlite"
CREATE = (f"CREATE INDEX IF NOT EXISTS {NAME} ON cases_case "
          "(status, published_on DESC, id DESC, province_id, city_id)")
DATE_ORDER = ("CREATE INDEX IF NOT EXISTS case_published_desc ON cases_case (published_on DESC, id DESC) "
              "WHERE status = 'published'")  # migration 0004's, for SQLite


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(CREATE)
        schema_editor.execute(DATE_ORDER)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0016_indicator")]

    operations = [migrations.RunPython(create, drop)]
