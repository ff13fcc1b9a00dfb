"""PostgreSQL: the public list's facet counts kept up to date in a small table, ``cases_facet_cell``.

Counting the facets of an unfiltered or lightly filtered list is a pass over every case it holds
(the home page: 100,000 rows and 250,000 practice links at 100,000 cases, 250–450 ms). The table
holds the number of published cases per year for each combination of province, city and practice
a count can ask for (a "grain": bit 1 province, 2 city, 4 practice; a dimension outside the grain
is 0, a case without a province, city or date is 0 in it too), so a count reads a few hundred
rows whatever the size of the archive (``cases/facet_cells.py``).

Statement-level triggers on ``cases_case`` and ``cases_case_practices`` apply every change in
the same transaction as the change itself (a COPY of 5,000 cases is one aggregated update), so the
counts are never stale; a TRUNCATE (a test's flush) rebuilds the table from the cases. SQLite
keeps counting the cases themselves.
"""

from django.db import migrations

TABLE = """
CREATE TABLE cases_facet_cell (
    grain smallint NOT NULL,
    province_id bigint NOT NULL,
    city_id bigint NOT NULL,
    practice_id bigint NOT NULL,
    year integer NOT NULL,
    n integer NOT NULL,
    PRIMARY KEY (grain, practice_id, province_id, city_id, year)
);
-- a practice's cells come by the key; a province's or a city's (their practices, or their years) by these
CREATE INDEX cases_facet_cell_province ON cases_facet_cell (grain, province_id, practice_id, year) INCLUDE (n);
CREATE INDEX cases_facet_cell_city ON cases_facet_cell (grain, city_id, practice_id, year) INCLUDE (n);
"""

# The published cases of ``rows`` (a case table) as deltas: one row per case (practice 0) and one
# per practice link. ``{sign}`` is 1 or -1.
CASE_DELTA = """
SELECT coalesce(r.province_id, 0) AS province_id, coalesce(r.city_id, 0) AS city_id, 0::bigint AS practice_id,
       coalesce(extract(year FROM r.published_on)::integer, 0) AS year, {sign} AS n
FROM {rows} r WHERE r.status = 'published'
UNION ALL
SELECT coalesce(r.province_id, 0), coalesce(r.city_id, 0), l.practice_id,
       coalesce(extract(year FROM r.published_on)::integer, 0), {sign}
FROM {rows} r JOIN cases_case_practices l ON l.case_id = r.id WHERE r.status = 'published'
"""

# Links of ``rows`` (a link table) whose case is published, as deltas.
LINK_DELTA = """
SELECT coalesce(c.province_id, 0), coalesce(c.city_id, 0), l.practice_id,
       coalesce(extract(year FROM c.published_on)::integer, 0), {sign}
FROM {rows} l JOIN cases_case c ON c.id = l.case_id WHERE c.status = 'published'
"""

# Deltas spread over the grains: a case row to 0, province, province+city; a link to the same with
# the practice. Locked in key order, so that two writers never wait for each other in a cycle.
APPLY = """
INSERT INTO cases_facet_cell AS c (grain, province_id, city_id, practice_id, year, n)
SELECT g.grain,
       CASE WHEN g.grain & 1 = 1 THEN d.province_id ELSE 0 END,
       CASE WHEN g.grain & 2 = 2 THEN d.city_id ELSE 0 END,
       CASE WHEN g.grain & 4 = 4 THEN d.practice_id ELSE 0 END,
       d.year, sum(d.n)
FROM ({deltas}) AS d (province_id, city_id, practice_id, year, n)
JOIN (VALUES (0), (1), (3), (4), (5), (7)) AS g (grain) ON (g.grain & 4 = 4) = (d.practice_id <> 0)
GROUP BY 1, 2, 3, 4, 5
HAVING sum(d.n) <> 0
ORDER BY 1, 4, 2, 3, 5
ON CONFLICT (grain, practice_id, province_id, city_id, year) DO UPDATE SET n = c.n + excluded.n
"""


def apply(*deltas: str) -> str:
    return APPLY.format(deltas=" UNION ALL ".join(deltas))


FUNCTIONS = f"""
CREATE FUNCTION cases_facet_cells_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM cases_facet_cell;
    {apply(CASE_DELTA.format(rows="cases_case", sign=1))};
END $$;

CREATE FUNCTION cases_facet_cells_case_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {apply(CASE_DELTA.format(rows="new_rows", sign=1))};
    ELSIF TG_OP = 'DELETE' THEN
        {apply(CASE_DELTA.format(rows="old_rows", sign=-1))};
    ELSE
        {apply(CASE_DELTA.format(rows="old_rows", sign=-1), CASE_DELTA.format(rows="new_rows", sign=1))};
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION cases_facet_cells_link_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {apply(LINK_DELTA.format(rows="new_rows", sign=1))};
    ELSIF TG_OP = 'DELETE' THEN
        {apply(LINK_DELTA.format(rows="old_rows", sign=-1))};
    ELSE
        {apply(LINK_DELTA.format(rows="old_rows", sign=-1), LINK_DELTA.format(rows="new_rows", sign=1))};
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION cases_facet_cells_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM cases_facet_cells_rebuild();
    RETURN NULL;
END $$;
"""

TRIGGERS = []
for table, function in (("cases_case", "cases_facet_cells_case_changed"),
                        ("cases_case_practices", "cases_facet_cells_link_changed")):
    short = "case" if table == "cases_case" else "link"
    TRIGGERS += [
        f"CREATE TRIGGER cases_facet_cells_{short}_insert AFTER INSERT ON {table} "
        f"REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER cases_facet_cells_{short}_update AFTER UPDATE ON {table} "
        f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER cases_facet_cells_{short}_delete AFTER DELETE ON {table} "
        f"REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER cases_facet_cells_{short}_truncate AFTER TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION cases_facet_cells_truncated()",
    ]

DROP = """
DROP TRIGGER IF EXISTS cases_facet_cells_case_insert ON cases_case;
DROP TRIGGER IF EXISTS cases_facet_cells_case_update ON cases_case;
DROP TRIGGER IF EXISTS cases_facet_cells_case_delete ON cases_case;
DROP TRIGGER IF EXISTS cases_facet_cells_case_truncate ON cases_case;
DROP TRIGGER IF EXISTS cases_facet_cells_link_insert ON cases_case_practices;
DROP TRIGGER IF EXISTS cases_facet_cells_link_update ON cases_case_practices;
DROP TRIGGER IF EXISTS cases_facet_cells_link_delete ON cases_case_practices;
DROP TRIGGER IF EXISTS cases_facet_cells_link_truncate ON cases_case_practices;
DROP FUNCTION IF EXISTS cases_facet_cells_truncated();
DROP FUNCTION IF EXISTS cases_facet_cells_link_changed();
DROP FUNCTION IF EXISTS cases_facet_cells_case_changed();
DROP FUNCTION IF EXISTS cases_facet_cells_rebuild();
DROP TABLE IF EXISTS cases_facet_cell;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(TABLE)
    schema_editor.execute(FUNCTIONS)
    for statement in TRIGGERS:
        schema_editor.execute(statement)
    schema_editor.execute("SELECT cases_facet_cells_rebuild()")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("cases", "0017_sqlite_facet_covering_index")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
