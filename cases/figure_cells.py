"""PostgreSQL: the figures' counts read from ``cases_figure_cell`` instead of counted over the figures.

The table (migration 0022, kept by triggers in every writing transaction) holds the number of
published figures per indicator, year and qualifier, for each province and each city ("grain").
It answers a set of figures whose filters are only indicators, a province, a city (not a district),
years and a qualifier: the figures explorer's facets and total, the API's figure count and the
compare page's counts per indicator. Each count reads at most a few thousand cells whatever the size
of the archive, where counting the figures reads every one of them with its case. Any other set (a
practice, a subject, a district) returns None here and is counted over the figures. Both give the
same counts (tests/test_figure_cells.py).
"""

from __future__ import annotations

from django.db import connections

from .facet_cells import count_select, read_counts, year_range
from .models import Indicator, Metric, Place

PROVINCE, CITY = 1, 2  # a grain's bits
TABLE = "cases_figure_cell"
CELL_FILTERS = frozenset({"indicator", "province", "city", "year_from", "year_to", "qualifier", "sort"})


def _given(value) -> bool:
    """A filter with a value (an empty choice of several arrives as an empty queryset or list)."""
    if value is None or isinstance(value, str):
        return bool(value)
    return len(value) > 0 if hasattr(value, "__len__") else True


def _place_id(value, levels) -> int | None | bool:
    """A chosen place's id (a Place, or a code as the API passes it); None for no filter, False for one
    the cells cannot answer (a district) and -1 for an unknown code (nothing matches)."""
    if value in (None, ""):
        return None
    if not isinstance(value, Place):
        value = Place.objects.filter(code=value, level__in=levels).only("pk", "level").first()
        if value is None:
            return -1
    if value.level == Place.Level.DISTRICT:
        return False
    return value.pk


def answerable(filterset) -> dict | None:
    """The filterset's filters as cell conditions, or None if the cells cannot count its figures.

    ``filterset`` is a ``FigureFilter`` (or the API's), bound and validated."""
    queryset = filterset.queryset
    if connections[queryset.db].vendor != "postgresql" or queryset.model is not Metric:
        return None
    if queryset.query.where != Metric.objects.published().query.where or queryset.query.is_sliced:
        return None
    filterset.errors  # noqa: B018 (validates the form, so cleaned_data holds every valid field)
    cleaned = {k: v for k, v in filterset.form.cleaned_data.items() if _given(v)}
    if set(cleaned) - CELL_FILTERS:
        return None
    province = _place_id(cleaned.get("province"), (Place.Level.PROVINCE,))
    city = _place_id(cleaned.get("city"), (Place.Level.CITY, Place.Level.DISTRICT))
    if province is False or city is False:
        return None
    indicators = None
    if "indicator" in cleaned:
        chosen = list(cleaned["indicator"])
        if all(isinstance(i, Indicator) for i in chosen):
            indicators = sorted({i.pk for i in chosen})
        else:  # slugs (the API's): unknown ones match nothing
            indicators = sorted(Indicator.objects.filter(slug__in=chosen).values_list("pk", flat=True)) or [-1]
    qualifier = cleaned.get("qualifier")
    if qualifier is not None:
        from .figure_filters import EXACT

        qualifier = "" if qualifier == EXACT else qualifier
    return {"indicator": indicators, "province": province, "city": city, "qualifier": qualifier,
            "year_from": cleaned.get("year_from"), "year_to": cleaned.get("year_to")}


# what each count groups by, and the filters it ignores (the explorer's facets: ``figure_filters.FIGURE_FACETS``)
_GROUP_BY = {"indicator": "indicator_id", "province": "province_id", "year": "year", "qualifier": "qualifier"}


def _select(kind: str, filters: dict, ignored: tuple[str, ...]) -> tuple[str, list]:
    active = {k: v for k, v in filters.items() if v is not None and k not in ignored}
    grain = ((PROVINCE if kind == "province" or "province" in active or "city" in active else 0)
             | (CITY if "city" in active else 0))
    conditions, params = ["grain = %s"], [grain]
    if "indicator" in active:
        conditions.append("indicator_id = ANY(%s)")
        params.append(active["indicator"])
    for name in ("province", "city", "qualifier"):
        if name in active:
            conditions.append(f"{name}_id = %s" if name != "qualifier" else "qualifier = %s")
            params.append(active[name])
    year_range(active, conditions, params)
    return count_select(TABLE, kind, _GROUP_BY.get(kind), conditions, params, "text")


def counts(filterset, facets: dict[str, tuple[str, ...]] | None = None) -> dict | None:
    """{"total": n, facet: {key: n}} keyed as ``FigureFilter.facet_counts`` keys them (an indicator's slug,
    a province's code, a year, a qualifier; None for none), or None if the cells cannot answer.

    ``facets``: {facet: the filters it ignores}; none: the total alone."""
    filters = answerable(filterset)
    if filters is None:
        return None
    facets = facets or {}
    parts = [_select("total", filters, ()), *(_select(kind, filters, ignored) for kind, ignored in facets.items())]
    result: dict = {"total": 0, **{kind: {} for kind in facets}}
    raw: dict[str, dict] = {kind: {} for kind in facets}
    for kind, key, n in read_counts(filterset.queryset.db, parts):
        if kind == "total":
            result["total"] = int(n)
        else:
            raw[kind][key] = int(n)
    slugs = dict(Indicator.objects.filter(pk__in=[int(k) for k in raw.get("indicator", {}) if k != "0"])
                 .values_list("pk", "slug")) if raw.get("indicator") else {}
    codes = dict(Place.objects.filter(pk__in=[int(k) for k in raw.get("province", {}) if k != "0"])
                 .values_list("pk", "code")) if raw.get("province") else {}
    for kind, values in raw.items():
        for key, n in values.items():
            if kind == "indicator":
                key = slugs.get(int(key)) if key != "0" else None
            elif kind == "province":
                key = codes.get(int(key)) if key != "0" else None
            elif kind == "year":
                key = int(key) or None
            result[kind][key] = result[kind].get(key, 0) + n
    return result


def per_indicator(using: str = "default") -> dict[int, int] | None:
    """{indicator id: published figures} (figures without an indicator left out), or None off PostgreSQL."""
    if connections[using].vendor != "postgresql":
        return None
    return {int(key): n for _kind, key, n in read_counts(using, [
        (f"SELECT 'i', indicator_id, sum(n) FROM {TABLE} WHERE grain = 0 AND indicator_id <> 0 "
         "GROUP BY indicator_id HAVING sum(n) > 0", [])])}
