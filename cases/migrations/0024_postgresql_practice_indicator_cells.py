"""PostgreSQL: a practice's figures by indicator kept up to date, for its page (``practice_insights``).

A practice's page lists the indicators its published cases report: how many figures and how many
cases for each. Counting them reads every figure of every case of the practice (8,000 cases and
80,000 figures for a common practice at 100,000 cases: 400 ms). Two small tables hold the answer:

* ``cases_case_indicator``: per published case and indicator, its figures (a case counts once for
  an indicator however many figures it gives);
* ``cases_practice_indicator_cell``: per practice and indicator, the figures and the cases.

Statement-level triggers on ``cases_metric`` (a figure added, removed, re-assigned), ``cases_case``
(a case published, withdrawn, deleted) and ``cases_case_practices`` (a practice added or removed)
apply every change in the same transaction, as migrations 0018 and 0022 do; a TRUNCATE rebuilds
both. SQLite counts the figures per request.
"""

from django.db import migrations

TABLES = """
CREATE TABLE cases_case_indicator (
    case_id bigint NOT NULL,
    indicator_id bigint NOT NULL,
    n integer NOT NULL,
    PRIMARY KEY (case_id, indicator_id)
);
CREATE TABLE cases_practice_indicator_cell (
    practice_id bigint NOT NULL,
    indicator_id bigint NOT NULL,
    figures integer NOT NULL,
    cases integer NOT NULL,
    PRIMARY KEY (practice_id, indicator_id)
);
"""

# Figures of published cases as (case, indicator, ±1): ``{rows}`` a figure table joined to the cases,
# or a case table joined to its figures.
FIGURE_DELTA = """
SELECT f.case_id, f.indicator_id, {sign} FROM {rows} f JOIN cases_case c ON c.id = f.case_id
WHERE c.status = 'published' AND f.indicator_id IS NOT NULL
"""
CASE_DELTA = """
SELECT c.id, f.indicator_id, {sign} FROM {rows} c JOIN cases_metric f ON f.case_id = c.id
WHERE c.status = 'published' AND f.indicator_id IS NOT NULL
"""

# Apply (case, indicator, ±n) deltas: to the cases' counts, and through the cases' practices to the
# practices' (a case starts or stops counting for an indicator when its figures pass 0). In key order.
APPLY_FIGURES = """
WITH d AS (
    SELECT case_id, indicator_id, sum(n)::integer AS n FROM ({deltas}) AS x (case_id, indicator_id, n)
    GROUP BY 1, 2 HAVING sum(n) <> 0
), o AS (
    SELECT d.case_id, d.indicator_id, d.n, coalesce(ci.n, 0) AS old
    FROM d LEFT JOIN cases_case_indicator ci ON ci.case_id = d.case_id AND ci.indicator_id = d.indicator_id
), cases_changed AS (
    INSERT INTO cases_case_indicator AS ci (case_id, indicator_id, n)
    SELECT case_id, indicator_id, n FROM d ORDER BY 1, 2
    ON CONFLICT (case_id, indicator_id) DO UPDATE SET n = ci.n + excluded.n
)
INSERT INTO cases_practice_indicator_cell AS p (practice_id, indicator_id, figures, cases)
SELECT l.practice_id, o.indicator_id, sum(o.n),
       sum(CASE WHEN o.old = 0 AND o.old + o.n > 0 THEN 1 WHEN o.old > 0 AND o.old + o.n <= 0 THEN -1 ELSE 0 END)
FROM o JOIN cases_case_practices l ON l.case_id = o.case_id
GROUP BY 1, 2 ORDER BY 1, 2
ON CONFLICT (practice_id, indicator_id) DO UPDATE
SET figures = p.figures + excluded.figures, cases = p.cases + excluded.cases
"""

# Links added or removed (``{rows}`` a link table, ``{sign}`` ±1): the case's counted indicators, to the practice.
APPLY_LINKS = """
INSERT INTO cases_practice_indicator_cell AS p (practice_id, indicator_id, figures, cases)
SELECT l.practice_id, ci.indicator_id, {sign} * sum(ci.n), {sign} * count(*)
FROM {rows} l JOIN cases_case_indicator ci ON ci.case_id = l.case_id
GROUP BY 1, 2 ORDER BY 1, 2
ON CONFLICT (practice_id, indicator_id) DO UPDATE
SET figures = p.figures + excluded.figures, cases = p.cases + excluded.cases
"""

CLEAN = "DELETE FROM cases_case_indicator WHERE n <= 0; DELETE FROM cases_practice_indicator_cell WHERE figures <= 0"


def apply_figures(*deltas: str) -> str:
    return APPLY_FIGURES.format(deltas=" UNION ALL ".join(deltas))


def changed(delta: str) -> str:
    return f"""
    IF TG_OP = 'INSERT' THEN
        {apply_figures(delta.format(rows="new_rows", sign=1))};
    ELSIF TG_OP = 'DELETE' THEN
        {apply_figures(delta.format(rows="old_rows", sign=-1))};
    ELSE
        {apply_figures(delta.format(rows="old_rows", sign=-1), delta.format(rows="new_rows", sign=1))};
    END IF;
    {CLEAN};
    RETURN NULL;"""


FUNCTIONS = f"""
CREATE FUNCTION cases_practice_indicator_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM cases_case_indicator;
    DELETE FROM cases_practice_indicator_cell;
    INSERT INTO cases_case_indicator (case_id, indicator_id, n)
    SELECT f.case_id, f.indicator_id, count(*) FROM cases_metric f JOIN cases_case c ON c.id = f.case_id
    WHERE c.status = 'published' AND f.indicator_id IS NOT NULL GROUP BY 1, 2;
    INSERT INTO cases_practice_indicator_cell (practice_id, indicator_id, figures, cases)
    SELECT l.practice_id, ci.indicator_id, sum(ci.n), count(*)
    FROM cases_case_indicator ci JOIN cases_case_practices l ON l.case_id = ci.case_id GROUP BY 1, 2;
END $$;

CREATE FUNCTION cases_practice_indicator_figure_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {changed(FIGURE_DELTA)}
END $$;

CREATE FUNCTION cases_practice_indicator_case_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {changed(CASE_DELTA)}
END $$;

CREATE FUNCTION cases_practice_indicator_link_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {APPLY_LINKS.format(rows="new_rows", sign=1)};
    ELSIF TG_OP = 'DELETE' THEN
        {APPLY_LINKS.format(rows="old_rows", sign=-1)};
    ELSE
        {APPLY_LINKS.format(rows="old_rows", sign=-1)};
        {APPLY_LINKS.format(rows="new_rows", sign=1)};
    END IF;
    {CLEAN};
    RETURN NULL;
END $$;

CREATE FUNCTION cases_practice_indicator_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM cases_practice_indicator_rebuild();
    RETURN NULL;
END $$;
"""

TRIGGERS = []
for table, short, function in (("cases_metric", "figure", "cases_practice_indicator_figure_changed"),
                               ("cases_case", "case", "cases_practice_indicator_case_changed"),
                               ("cases_case_practices", "link", "cases_practice_indicator_link_changed")):
    TRIGGERS += [
        f"CREATE TRIGGER cases_practice_indicator_{short}_insert AFTER INSERT ON {table} "
        f"REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER cases_practice_indicator_{short}_update AFTER UPDATE ON {table} "
        f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER cases_practice_indicator_{short}_delete AFTER DELETE ON {table} "
        f"REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER cases_practice_indicator_{short}_truncate AFTER TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION cases_practice_indicator_truncated()",
    ]

DROP = "\n".join(
    [f"DROP TRIGGER IF EXISTS cases_practice_indicator_{short}_{op} ON {table};"
     for table, short in (("cases_metric", "figure"), ("cases_case", "case"), ("cases_case_practices", "link"))
     for op in ("insert", "update", "delete", "truncate")]
    + [f"DROP FUNCTION IF EXISTS {name}();" for name in (
        "cases_practice_indicator_truncated", "cases_practice_indicator_link_changed",
        "cases_practice_indicator_case_changed", "cases_practice_indicator_figure_changed",
        "cases_practice_indicator_rebuild")]
    + ["DROP TABLE IF EXISTS cases_practice_indicator_cell;", "DROP TABLE IF EXISTS cases_case_indicator;"]
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(TABLES)
    schema_editor.execute(FUNCTIONS)
    for statement in TRIGGERS:
        schema_editor.execute(statement)
    schema_editor.execute("SELECT cases_practice_indicator_rebuild()")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("cases", "0023_practice_pair")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
