"""PostgreSQL: the figures' counts kept up to date in a small table, ``cases_figure_cell``, and their sort indexes.

The figures explorer, ``/api/figures/`` and the compare page count published figures by indicator,
province, city, year and qualifier. Counting them is a pass over every figure (a million at
100,000 cases, joined to its case for the status, the place and the date: 200–600 ms). The table
holds the number of published figures per indicator, year and qualifier for each province or
province and city ("grain": bit 1 province, 2 city; a dimension outside the grain is 0, and so is
a figure without an indicator, a case without a province, city or date), so a count reads a few
thousand rows whatever the size of the archive (``cases/figure_cells.py``).

Statement-level triggers on ``cases_metric`` and ``cases_case`` apply every change in the same
transaction as the change itself, as migration 0018 does for the cases' own counts; a TRUNCATE
rebuilds the table. SQLite keeps counting the figures themselves.

The indexes give the figures in the lists' order (largest value first, then id) overall and within
an indicator, so a page of 50 is the first entries of an index instead of a sort of every figure;
the compare page orders an indicator's largest figures by their cases' dates from two indexes
(the figure's case, the published case's date) without reading either table's rows.
"""

from django.db import migrations

TABLE = """
CREATE TABLE cases_figure_cell (
    grain smallint NOT NULL,
    indicator_id bigint NOT NULL,
    province_id bigint NOT NULL,
    city_id bigint NOT NULL,
    year integer NOT NULL,
    qualifier varchar(10) NOT NULL,
    n integer NOT NULL,
    PRIMARY KEY (grain, indicator_id, province_id, city_id, year, qualifier)
);
-- a province's or a city's cells (the indicator facet under a place filter) come by these
CREATE INDEX cases_figure_cell_province ON cases_figure_cell (grain, province_id, indicator_id) INCLUDE (year, qualifier, n);
CREATE INDEX cases_figure_cell_city ON cases_figure_cell (grain, city_id, indicator_id) INCLUDE (year, qualifier, n);
"""

# The published figures of ``rows`` (a figure table) joined to their cases, as deltas; ``{sign}`` is 1 or -1.
FIGURE_DELTA = """
SELECT coalesce(f.indicator_id, 0) AS indicator_id, coalesce(c.province_id, 0) AS province_id,
       coalesce(c.city_id, 0) AS city_id, coalesce(extract(year FROM c.published_on)::integer, 0) AS year,
       f.qualifier AS qualifier, {sign} AS n
FROM {rows} f JOIN cases_case c ON c.id = f.case_id WHERE c.status = 'published'
"""

# The figures of ``rows`` (a case table) whose case is published, as deltas.
CASE_DELTA = """
SELECT coalesce(f.indicator_id, 0), coalesce(c.province_id, 0), coalesce(c.city_id, 0),
       coalesce(extract(year FROM c.published_on)::integer, 0), f.qualifier, {sign}
FROM {rows} c JOIN cases_metric f ON f.case_id = c.id WHERE c.status = 'published'
"""

# Deltas spread over the grains (0, province, province+city), locked in key order so that two
# writers never wait for each other in a cycle.
APPLY = """
INSERT INTO cases_figure_cell AS c (grain, indicator_id, province_id, city_id, year, qualifier, n)
SELECT g.grain, d.indicator_id,
       CASE WHEN g.grain & 1 = 1 THEN d.province_id ELSE 0 END,
       CASE WHEN g.grain & 2 = 2 THEN d.city_id ELSE 0 END,
       d.year, d.qualifier, sum(d.n)
FROM ({deltas}) AS d (indicator_id, province_id, city_id, year, qualifier, n)
CROSS JOIN (VALUES (0), (1), (3)) AS g (grain)
GROUP BY 1, 2, 3, 4, 5, 6
HAVING sum(d.n) <> 0
ORDER BY 1, 2, 3, 4, 5, 6
ON CONFLICT (grain, indicator_id, province_id, city_id, year, qualifier) DO UPDATE SET n = c.n + excluded.n
"""


def apply(*deltas: str) -> str:
    return APPLY.format(deltas=" UNION ALL ".join(deltas))


def changed(delta: str) -> str:
    """The body of a trigger function applying ``delta`` (FIGURE_DELTA or CASE_DELTA) to its transition tables."""
    return f"""
    IF TG_OP = 'INSERT' THEN
        {apply(delta.format(rows="new_rows", sign=1))};
    ELSIF TG_OP = 'DELETE' THEN
        {apply(delta.format(rows="old_rows", sign=-1))};
    ELSE
        {apply(delta.format(rows="old_rows", sign=-1), delta.format(rows="new_rows", sign=1))};
    END IF;
    RETURN NULL;"""


FUNCTIONS = f"""
CREATE FUNCTION cases_figure_cells_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM cases_figure_cell;
    {apply(FIGURE_DELTA.format(rows="cases_metric", sign=1))};
END $$;

CREATE FUNCTION cases_figure_cells_figure_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {changed(FIGURE_DELTA)}
END $$;

CREATE FUNCTION cases_figure_cells_case_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {changed(CASE_DELTA)}
END $$;

CREATE FUNCTION cases_figure_cells_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM cases_figure_cells_rebuild();
    RETURN NULL;
END $$;
"""

TRIGGERS = []
for table, short, function in (("cases_metric", "figure", "cases_figure_cells_figure_changed"),
                               ("cases_case", "case", "cases_figure_cells_case_changed")):
    TRIGGERS += [
        f"CREATE TRIGGER cases_figure_cells_{short}_insert AFTER INSERT ON {table} "
        f"REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER cases_figure_cells_{short}_update AFTER UPDATE ON {table} "
        f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER cases_figure_cells_{short}_delete AFTER DELETE ON {table} "
        f"REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER cases_figure_cells_{short}_truncate AFTER TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION cases_figure_cells_truncated()",
    ]

INDEXES = [
    "CREATE INDEX IF NOT EXISTS metric_value_order ON cases_metric (value DESC, id)",
    # the compare page's largest figures of an indicator with their cases, read from indexes alone
    "CREATE INDEX IF NOT EXISTS metric_indicator_value_order ON cases_metric (indicator_id, value DESC, id) "
    "INCLUDE (case_id)",
    # and a practice's page orders its cases by place and date from the links and this index alone
    "CREATE INDEX IF NOT EXISTS case_published_id_date ON cases_case (id) INCLUDE (published_on, province_id, city_id) "
    "WHERE status = 'published'",
]

DROP = """
DROP INDEX IF EXISTS metric_value_order;
DROP INDEX IF EXISTS metric_indicator_value_order;
DROP INDEX IF EXISTS case_published_id_date;
DROP TRIGGER IF EXISTS cases_figure_cells_figure_insert ON cases_metric;
DROP TRIGGER IF EXISTS cases_figure_cells_figure_update ON cases_metric;
DROP TRIGGER IF EXISTS cases_figure_cells_figure_delete ON cases_metric;
DROP TRIGGER IF EXISTS cases_figure_cells_figure_truncate ON cases_metric;
DROP TRIGGER IF EXISTS cases_figure_cells_case_insert ON cases_case;
DROP TRIGGER IF EXISTS cases_figure_cells_case_update ON cases_case;
DROP TRIGGER IF EXISTS cases_figure_cells_case_delete ON cases_case;
DROP TRIGGER IF EXISTS cases_figure_cells_case_truncate ON cases_case;
DROP FUNCTION IF EXISTS cases_figure_cells_truncated();
DROP FUNCTION IF EXISTS cases_figure_cells_case_changed();
DROP FUNCTION IF EXISTS cases_figure_cells_figure_changed();
DROP FUNCTION IF EXISTS cases_figure_cells_rebuild();
DROP TABLE IF EXISTS cases_figure_cell;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(TABLE)
    schema_editor.execute(FUNCTIONS)
    for statement in TRIGGERS:
        schema_editor.execute(statement)
    for statement in INDEXES:
        schema_editor.execute(statement)
    schema_editor.execute("SELECT cases_figure_cells_rebuild()")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("cases", "0021_fullwidth_help_texts")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
