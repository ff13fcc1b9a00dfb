"""PostgreSQL: each case row also holds the ids of its practices (``practice_ids``, kept by a trigger).

A search's practice facet counted the practices of every match by a join: one probe of
``cases_case_practices`` per match (9–14 ms for the 2,800 matches of a common word in a large
province at 100,000 cases, as much as finding them). The count statement reads each match's row
anyway, so with the ids on the row the facet is an ``unnest`` of what it already holds
(``facets.count_sets``).

The column is not a model field: only PostgreSQL has it, and nothing but this trigger writes it.
A statement-level trigger on ``cases_case_practices`` sets the column of every case whose links
an INSERT, UPDATE or DELETE changed (ids ascending), in the same transaction; a TRUNCATE of the
links empties it. A new case starts with none (the default), before its links are written.

Filling the column writes a new version of every case row (2 min 20 s at 100,000 cases, with the
kept tables' triggers); the old versions leave the table and its indexes about twice their size
until ``VACUUM FULL cases_case`` (or pg_repack) compacts them, which a large archive should run after.
"""

from django.db import migrations

IDS_OF = "ARRAY(SELECT l.practice_id FROM cases_case_practices l WHERE l.case_id = c.id ORDER BY 1)"

FUNCTIONS = f"""
CREATE FUNCTION cases_case_practice_ids_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE cases_case c SET practice_ids = {IDS_OF} WHERE c.id IN (SELECT case_id FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE cases_case c SET practice_ids = {IDS_OF} WHERE c.id IN (SELECT case_id FROM old_rows);
    ELSE
        UPDATE cases_case c SET practice_ids = {IDS_OF}
        WHERE c.id IN (SELECT case_id FROM old_rows UNION SELECT case_id FROM new_rows);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION cases_case_practice_ids_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cases_case SET practice_ids = '{{}}' WHERE practice_ids <> '{{}}';
    RETURN NULL;
END $$;
"""

TRIGGERS = [
    "CREATE TRIGGER cases_case_practice_ids_insert AFTER INSERT ON cases_case_practices "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cases_case_practice_ids_changed()",
    "CREATE TRIGGER cases_case_practice_ids_update AFTER UPDATE ON cases_case_practices "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION cases_case_practice_ids_changed()",
    "CREATE TRIGGER cases_case_practice_ids_delete AFTER DELETE ON cases_case_practices "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cases_case_practice_ids_changed()",
    "CREATE TRIGGER cases_case_practice_ids_truncate AFTER TRUNCATE ON cases_case_practices "
    "FOR EACH STATEMENT EXECUTE FUNCTION cases_case_practice_ids_truncated()",
]

FILL = (
    "UPDATE cases_case c SET practice_ids = l.ids FROM (SELECT case_id, array_agg(practice_id ORDER BY practice_id)"
    " AS ids FROM cases_case_practices GROUP BY case_id) l WHERE l.case_id = c.id"
)

DROP = """
DROP TRIGGER IF EXISTS cases_case_practice_ids_insert ON cases_case_practices;
DROP TRIGGER IF EXISTS cases_case_practice_ids_update ON cases_case_practices;
DROP TRIGGER IF EXISTS cases_case_practice_ids_delete ON cases_case_practices;
DROP TRIGGER IF EXISTS cases_case_practice_ids_truncate ON cases_case_practices;
DROP FUNCTION IF EXISTS cases_case_practice_ids_truncated();
DROP FUNCTION IF EXISTS cases_case_practice_ids_changed();
ALTER TABLE cases_case DROP COLUMN IF EXISTS practice_ids;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE cases_case ADD COLUMN IF NOT EXISTS practice_ids bigint[] NOT NULL DEFAULT '{}'")
    schema_editor.execute(FUNCTIONS)
    for statement in TRIGGERS:
        schema_editor.execute(statement)
    schema_editor.execute(FILL)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("cases", "0025_postgresql_search_place_index")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
