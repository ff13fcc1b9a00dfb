"""PostgreSQL: a province's or a city's published cases in the list's order, for its first page.

A list filtered by a province or a city is shown newest first. With only the date-order index the
planner walks every published case by date and skips those elsewhere (2,000–5,000 rows for a
page of 20 at 100,000 cases, more as the archive grows); with the place first, the page is the
first 20 entries of the place's own range. SQLite keeps its own indexes (``Case.Meta.indexes``).
"""

from django.db import migrations

INDEXES = {
    "case_published_province_date": "province_id",
    "case_published_city_date": "city_id",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON cases_case "
                              f"({column}, published_on DESC NULLS LAST, id DESC) WHERE status = 'published'")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0019_postgresql_match_cost")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
