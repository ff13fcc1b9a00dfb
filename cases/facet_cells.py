"""PostgreSQL: the list's facet counts read from ``cases_facet_cell`` instead of counted over the cases.

The table (migration 0018, kept by triggers in every writing transaction) holds the number of
published cases per year for each province, city and practice combination ("grain"). It answers
a list whose filters are only province, city (not a district), one practice and years: the home
page, and the lists readers reach by clicking facets. Each count reads at most a few thousand
cells whatever the size of the archive, where counting the cases reads every one of them. Any
other list (a search, a source, figures, a district, several practices) returns None here and is
counted over the cases (``facets.count_sets``). Both give the same counts (tests/test_facet_cells.py).
"""

from __future__ import annotations

from django.db import connections, transaction

from .facets import FACET_PARAMS, FACETS
from .models import Case, Place

PROVINCE, CITY, PRACTICE = 1, 2, 4  # a grain's bits
TABLE = "cases_facet_cell"
_GROUP_BY = {"province": "province_id", "city": "city_id", "practice": "practice_id", "year": "year"}


def answerable(filterset) -> dict | None:
    """The filterset's filters as cell conditions, or None if the cells cannot count its lists."""
    queryset = filterset.queryset
    if connections[queryset.db].vendor != "postgresql" or queryset.model is not Case:
        return None
    if queryset.query.where != Case.objects.published().query.where or queryset.query.is_sliced:
        return None
    filterset.errors  # noqa: B018 (validates the form, so cleaned_data holds every valid field)
    cleaned = filterset.form.cleaned_data
    if cleaned.get("q") or cleaned.get("source") or cleaned.get("has_figures") is not None \
            or cleaned.get("undated") is not None:
        return None
    city, province = cleaned.get("city") or None, cleaned.get("province") or None
    practices = list(cleaned.get("practice") or ())
    # a filterset that names places and practices by code or slug (the API's) is counted, not looked up
    if not all(isinstance(v, Place) for v in (city, province) if v) or not all(hasattr(p, "pk") for p in practices):
        return None
    if (city is not None and city.level != Place.Level.CITY) or len(practices) > 1:
        return None
    return {"province": province.pk if province else None, "city": city.pk if city else None,
            "practice": practices[0].pk if practices else None,
            "year_from": cleaned.get("year_from"), "year_to": cleaned.get("year_to")}


def _select(kind: str, filters: dict) -> tuple[str, list]:
    """One count: ``kind`` ("total" or a facet) under ``filters`` less the facet's own."""
    active = {k: v for k, v in filters.items() if v is not None and k not in FACET_PARAMS.get(kind, ())}
    grain = ((PROVINCE if kind in ("province", "city") or "province" in active or "city" in active else 0)
             | (CITY if kind == "city" or "city" in active else 0)
             | (PRACTICE if kind == "practice" or "practice" in active else 0))
    conditions, params = ["grain = %s"], [grain]
    for name, column in (("province", "province_id"), ("city", "city_id"), ("practice", "practice_id")):
        if name in active:
            conditions.append(f"{column} = %s")
            params.append(active[name])
    year_range(active, conditions, params)
    return count_select(TABLE, kind, _GROUP_BY.get(kind), conditions, params, "bigint")


def year_range(active: dict, conditions: list[str], params: list) -> None:
    """Add a year range's conditions on a cells table: it leaves undated rows out, as the date filters do
    (year 0 is "undated")."""
    if "year_from" in active:
        conditions.append("year >= %s")
        params.append(active["year_from"])
    if "year_to" in active:
        conditions.append("year BETWEEN 1 AND %s")
        params.append(active["year_to"])


def count_select(table: str, kind: str, group_by: str | None, conditions: list[str], params: list,
                 key_type: str) -> tuple[str, list]:
    """One count of a cells table as rows (kind, key, n): the total (``group_by`` None) or one per value of
    ``group_by`` (its key as ``key_type``), under ``conditions``."""
    where = " AND ".join(conditions)
    if group_by is None:
        return f"SELECT %s, NULL::{key_type}, coalesce(sum(n), 0) FROM {table} WHERE {where}", [kind, *params]
    return (f"SELECT %s, {group_by}::{key_type}, sum(n) FROM {table} WHERE {where} GROUP BY {group_by} "
            "HAVING sum(n) > 0", [kind, *params])


def read_counts(alias: str, parts: list[tuple[str, list]]) -> list[tuple]:
    """The rows of several counts (``count_select``'s) read by one statement."""
    statement = " UNION ALL ".join(f"({sql})" for sql, _ in parts)
    # A few small reads: left to itself the planner hands them to parallel workers, whose start
    # costs more than the reads (0.5 ms of work took 15–40 ms on a busy machine).
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        cursor.execute(statement, [p for _, params in parts for p in params])
        return cursor.fetchall()


def counts(filterset) -> dict | None:
    """{"total": n, facet: {key: n}} as ``CaseFilter.counts`` gives them, or None if the cells cannot answer."""
    filters = answerable(filterset)
    if filters is None:
        return None
    parts = [_select(kind, filters) for kind in ("total", *FACETS)]
    result: dict = {"total": 0, **{facet: {} for facet in FACETS}}
    for kind, key, n in read_counts(filterset.queryset.db, parts):
        if kind == "total":
            result["total"] = int(n)
        else:  # 0 is "none" in a cell: a case without a province, city or date
            result[kind][int(key) or None] = int(n)
    return result


def cities_by_year(practice_id: int, alias: str = "default") -> list[tuple[int, str, str, int, int]] | None:
    """(city id, code, name, year, published cases) of one practice's dated cases with a city, or None off
    PostgreSQL.

    What a practice's timeline counts (``practice_insights.spread``), read from the cells that hold
    province, city and practice together, instead of grouping the practice's cases; the city's code and
    name joined in the same statement (a second one for the few hundred cities took as long)."""
    if connections[alias].vendor != "postgresql":
        return None
    with connections[alias].cursor() as cursor:
        cursor.execute(f"SELECT c.city_id, p.code, p.name, c.year, c.n FROM (SELECT city_id, year, sum(n) AS n "
                       f"FROM {TABLE} WHERE grain = %s AND practice_id = %s AND city_id <> 0 AND year <> 0 "
                       f"GROUP BY city_id, year HAVING sum(n) > 0) c JOIN {Place._meta.db_table} p ON p.id = c.city_id",
                       [PROVINCE | CITY | PRACTICE, practice_id])
        return [(city, code, name, year, int(n)) for city, code, name, year, n in cursor.fetchall()]


def province_sizes(alias: str = "default") -> dict[int, int] | None:
    """{province id: its published cases}, or None off PostgreSQL."""
    if connections[alias].vendor != "postgresql":
        return None
    with connections[alias].cursor() as cursor:
        cursor.execute(f"SELECT province_id, sum(n) FROM {TABLE} WHERE grain = %s AND province_id <> 0 "
                       "GROUP BY province_id HAVING sum(n) > 0", [PROVINCE])
        return {province: int(n) for province, n in cursor.fetchall()}


def cases_of_practice(practice_id: int, alias: str = "default") -> int | None:
    """The number of published cases tagged with the practice, or None off PostgreSQL."""
    if connections[alias].vendor != "postgresql":
        return None
    with connections[alias].cursor() as cursor:
        cursor.execute(f"SELECT coalesce(sum(n), 0) FROM {TABLE} WHERE grain = %s AND practice_id = %s",
                       [PRACTICE, practice_id])
        return int(cursor.fetchone()[0])


def practice_page_ids(practice_id: int, start: int, size: int, alias: str = "default") -> list[int] | None:
    """The ids of one page of a practice's published cases in its page's order (province code, city code,
    newest first, then id, as PostgreSQL orders them: no place last, no date first), or None off PostgreSQL.

    The cells give how many cases each (province, city) holds, so only the one or two places the page
    falls in are read, instead of ordering every case of the practice (7,600 for a common one at
    100,000 cases) to keep 50."""
    if connections[alias].vendor != "postgresql":
        return None
    with connections[alias].cursor() as cursor:
        cursor.execute(
            f"SELECT c.province_id, c.city_id, c.n, pp.code, cp.code FROM (SELECT province_id, city_id, sum(n) AS n "
            f"FROM {TABLE} WHERE grain = %s AND practice_id = %s GROUP BY 1, 2 HAVING sum(n) > 0) c "
            "LEFT JOIN cases_place pp ON pp.id = c.province_id LEFT JOIN cases_place cp ON cp.id = c.city_id "
            "ORDER BY pp.code NULLS LAST, cp.code NULLS LAST",
            [PROVINCE | CITY | PRACTICE, practice_id])
        groups = cursor.fetchall()
        ids: list[int] = []
        passed = 0
        for province_id, city_id, n, _province_code, _city_code in groups:
            if passed + n <= start:
                passed += n
                continue
            offset = max(0, start - passed)
            conditions = " AND ".join(f"c.{column} = %s" if value else f"c.{column} IS NULL"
                                      for column, value in (("province_id", province_id), ("city_id", city_id)))
            cursor.execute(
                "SELECT c.id FROM cases_case c JOIN cases_case_practices l ON l.case_id = c.id "
                f"WHERE c.status = 'published' AND l.practice_id = %s AND {conditions} "
                "ORDER BY c.published_on DESC NULLS FIRST, c.id DESC OFFSET %s LIMIT %s",
                [practice_id, *(v for v in (province_id, city_id) if v), offset, size - len(ids)])
            ids += [pk for (pk,) in cursor.fetchall()]
            passed += n
            if len(ids) >= size:
                break
        return ids
