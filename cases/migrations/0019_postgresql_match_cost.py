"""PostgreSQL: tell the planner what a full-text match on a row costs (``ts_match_vq``, the ``@@`` operator).

The planner counts ``search_vector @@ query`` at one operator's cost, but checking it on a row
unpacks the case's vector from TOAST (~19 KB). For a word most cases hold, searched within a
province, it then reads the province's cases by their btree index and checks each vector (250 ms
at 100,000 cases) instead of intersecting the btree and GIN bitmaps, which checks none (35 ms).
A cost of 500 operators (about what the unpacking takes against a comparison) makes it intersect.

A function's cost lives in this database's catalog and only its owner, a superuser, may change
it: run by another role the migration leaves it alone and says so (searches are as right, and as
slow as before, with a filter). A dump and restore does not carry it: migrate again afterwards
(``manage.py migrate cases 0016 && manage.py migrate``), or run the statement below as a superuser.
"""

import logging

from django.db import migrations

log = logging.getLogger(__name__)

MATCH_COST = 500
STATEMENT = "ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) COST {cost}"


def set_cost(cost: int):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            superuser = cursor.fetchone()[0]
        if not superuser:
            log.warning("not a superuser: left the cost of ts_match_vq alone; as a superuser run %s",
                        STATEMENT.format(cost=cost))
            return
        schema_editor.execute(STATEMENT.format(cost=cost))

    return run


class Migration(migrations.Migration):
    dependencies = [("cases", "0018_postgresql_facet_cells")]

    operations = [migrations.RunPython(set_cost(MATCH_COST), set_cost(1), elidable=False)]
