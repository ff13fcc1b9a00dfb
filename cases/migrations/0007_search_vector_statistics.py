"""Finer planner statistics for the search vector (PostgreSQL only).

With the default statistics target, a two-character token that a third of all cases contain is
missing from PostgreSQL's list of most common elements, so the planner multiplies small guesses
for each bigram of a query and expects a handful of matches where there are tens of thousands;
it then picks plans that fetch and sort every match. A target of 1000 keeps such tokens in view.
"""

from django.db import migrations


def raise_target(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE cases_case ALTER COLUMN search_vector SET STATISTICS 1000")


def reset_target(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE cases_case ALTER COLUMN search_vector SET STATISTICS -1")


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_rank_vector")]

    operations = [migrations.RunPython(raise_target, reset_target)]
