"""The case list's facets: province, city, practice and year, each option with its count and toggle link.

Three layers, each testable on its own (``tests/test_facets.py``):

* pure functions from counts and choices to options (``province_options``, ``city_options``,
  ``practice_options``, ``year_options``, ``query_string``): no database, literal examples;
* ``count_sets``: every count of one set of cases in one statement, cached (``FacetCache``);
* ``Facets``: a bound ``CaseFilter``'s facet groups (reads the places and practices to show;
  chosen options first, then by count: ``pinned_by_count``), ``facet_html`` their markup (the
  figures page's too) and ``facet_block`` the list's, cached like the counts.

An option is ``{"label", "count", "selected", "url", "value"}``; ``count`` is None when its set
was too large to count (a very common word, see ``search.SEARCH_CAP``) or for a district.
"""

from __future__ import annotations

import functools
import hashlib
from urllib.parse import urlencode

from django.contrib.humanize.templatetags.humanize import intcomma
from django.contrib.postgres.fields import ArrayField
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import BigIntegerField
from django.db.models.expressions import RawSQL
from django.db.models.functions import ExtractYear
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .models import Case, Mechanism, Metric, Place, Practice

FACETS = ("province", "city", "practice", "year")
# The filters each facet ignores when counting its own options ("with the other active filters").
FACET_PARAMS = {"province": ("province",), "city": ("city",), "practice": ("practice",),
                "year": ("year_from", "year_to", "undated")}
CITY_FACET_LIMIT = 15  # without a province, the busiest cities; the places page lists them all
PLACE_ROW = ("pk", "code", "name", "level")
LONG_FACET = 8  # a facet with more options than this gets a box that narrows them as the reader types
FACET_CACHE_SECONDS = 60


# ------------------------------------------------------------------------------------------- options


class Params:
    """A query string (less the page) encoded once, key by key: the facets make ~100 links from one.

    ``changed`` gives the query string with some parameters set (a value), dropped (None) or
    replaced (a list), re-encoding only those: a changed parameter keeps its place, a new one
    comes last, exactly as ``urlencode`` of the changed parameters would write them.
    """

    __slots__ = ("encoded",)

    def __init__(self, params):
        items = params.lists() if hasattr(params, "lists") else params.items()
        self.encoded = {key: _encode(key, values) for key, values in items if key != "page"}

    def changed(self, **changes) -> str:
        encoded = self.encoded
        if changes:
            encoded = dict(encoded)
            for key, value in changes.items():
                if value is None:
                    encoded.pop(key, None)
                else:
                    encoded[key] = _encode(key, value if isinstance(value, list) else [value])
        joined = "&".join(part for part in encoded.values() if part)
        return f"?{joined}" if joined else "?"


def _encode(key: str, values) -> str:
    return _encoded(key, tuple(values))


@functools.lru_cache(maxsize=4096)
def _encoded(key: str, values: tuple) -> str:
    """One parameter's part of a query string; remembered, as the same codes and slugs recur on every page."""
    return urlencode([(key, value) for value in values])


def query_string(params, **changes) -> str:
    """The query string with some parameters set (a value), dropped (None) or replaced (a list); no page.

    ``params`` is a QueryDict, a plain {key: [values]} or a ``Params`` (what the facets pass: one
    encoding for all their links).
    """
    return (params if isinstance(params, Params) else Params(params)).changed(**changes)


def option(params, label, count, selected, link, value="") -> dict:
    return {"label": label, "count": count, "selected": selected, "url": query_string(params, **link), "value": value}


def count_of(counts: dict | None, key) -> int | None:
    """An option's count, or None when its set was too large to count (``counts`` is None)."""
    return None if counts is None else counts.get(key, 0)


def pinned_by_count(options: list[dict]) -> list[dict]:
    """Chosen options first, then the most cases first, options without any case last.

    Ties (and a set too large to count, whose counts are all None) keep the order given: the
    gazetteer's codes for places, the taxonomy's names for practices.
    """
    return sorted(options, key=lambda o: (not o["selected"], -(o["count"] or 0)))


def pinned(options: list[dict]) -> list[dict]:
    """Chosen options first, the others in the order given (the years: newest first)."""
    return sorted(options, key=lambda o: not o["selected"])


def province_options(provinces, counts: dict | None, chosen, params) -> list[dict]:
    """Every province; choosing one drops the city, choosing it again drops it."""
    chosen_pk = getattr(chosen, "pk", None)
    return [
        option(params, p.name, count_of(counts, p.pk), p.pk == chosen_pk,
               {"province": None, "city": None} if p.pk == chosen_pk else {"province": p.code, "city": None}, p.code)
        for p in provinces
    ]


def busiest(counts: dict, limit: int = CITY_FACET_LIMIT) -> list[int]:
    """The keys with the most cases, most first (ties in the order of ``counts``); None is never one."""
    return sorted((key for key in counts if key), key=lambda key: -counts[key])[:limit]


def city_options(cities, counts: dict | None, chosen, params) -> list[dict]:
    """The given cities (a chosen district first if it is not among them); a district has no count."""
    cities = list(cities)
    chosen_pk = getattr(chosen, "pk", None)
    if chosen is not None and chosen.level == Place.Level.DISTRICT and all(c.pk != chosen_pk for c in cities):
        cities.insert(0, chosen)  # a district chosen from a case page's breadcrumb
    return [
        option(params, c.name, count_of(counts, c.pk) if c.level == Place.Level.CITY else None, c.pk == chosen_pk,
               {"city": None} if c.pk == chosen_pk else {"city": c.code}, c.code)
        for c in cities
    ]


def practice_options(practices, counts: dict | None, chosen, params) -> list[dict]:
    """Every practice; a link adds the practice to the chosen ones, or removes it if chosen."""
    chosen = set(chosen or [])
    chosen_slugs = [p.slug for p in chosen]
    chosen_pks = {p.pk for p in chosen}
    options = []
    for p in practices:
        picked = p.pk in chosen_pks
        slugs = [s for s in chosen_slugs if s != p.slug] if picked else [*chosen_slugs, p.slug]
        options.append(option(params, p.name, count_of(counts, p.pk), picked, {"practice": slugs}, p.slug))
    return options


def year_options(counts: dict | None, year_from: int | None, year_to: int | None, params,
                 undated: bool | None = None) -> list[dict]:
    """The years with cases, newest first, and a chosen year even without any; a link narrows to one year.
    Last, 日期不详 for the cases without a date (a year range leaves them out), when there are any."""
    known = counts or {}  # uncounted: only the chosen years are known to exist
    years = sorted((y for y in known if y), reverse=True)
    for y in (year_from, year_to):
        if y and y not in years:
            years.append(y)  # keep a chosen year visible even when it has no case
    years.sort(reverse=True)
    options = []
    for year in years:
        selected = year_from == year and year_to == year
        link = ({"year_from": None, "year_to": None} if selected
                else {"year_from": str(year), "year_to": str(year), "undated": None})
        options.append(option(params, str(year), count_of(counts, year), selected, link, str(year)))
    if undated or known.get(None):
        link = {"undated": None} if undated else {"undated": "true", "year_from": None, "year_to": None}
        options.append(option(params, _("日期不详"), count_of(counts, None), bool(undated), link, "undated"))
    return options


# ------------------------------------------------------------------------------------------- groups


class Facets:
    """The facet groups of a bound ``CaseFilter``: its counts, its choices and the places and practices to show."""

    def __init__(self, filterset):
        self.params = Params(filterset.data)
        self.counts = filterset.facet_counts()
        self.cleaned = filterset.form.cleaned_data

    @cached_property
    def groups(self) -> list[dict]:
        groups = [
            {"name": "province", "label": _("省份"), "options": pinned_by_count(self.provinces())},
            {"name": "city", "label": _("城市"), "options": pinned_by_count(self.cities())},
            {"name": "practice", "label": _("实践"), "options": pinned_by_count(self.practices())},
            {"name": "year", "label": _("年份"), "options": pinned(self.years())},
        ]
        for group in groups:
            group["long"] = len(group["options"]) > LONG_FACET
        return groups

    def provinces(self):
        # rows, not models: ~90 places and practices a page (anything with .pk, .code, .name, .level will do)
        provinces = Place.objects.provinces().values_list("pk", "code", "name", named=True)
        return province_options(provinces, self.counts["province"], self.cleaned.get("province"), self.params)

    def cities(self):
        chosen, province = self.cleaned.get("city"), self.cleaned.get("province")
        counts = self.counts["city"] or {}  # uncounted: no busiest cities to show, only a chosen one
        if province is not None:
            cities = list(Place.objects.cities().filter(parent=province).values_list(*PLACE_ROW, named=True))
        else:
            wanted = set(busiest(counts)) | ({chosen.pk} if chosen is not None and chosen.level == "city" else set())
            cities = sorted(Place.objects.filter(pk__in=wanted).values_list(*PLACE_ROW, named=True),
                            key=lambda p: (-counts.get(p.pk, 0), p.code))
        return city_options(cities, self.counts["city"], chosen, self.params)

    def practices(self):
        practices = Practice.objects.values_list("pk", "slug", "name", named=True)
        return practice_options(practices, self.counts["practice"], self.cleaned.get("practice"), self.params)

    def years(self):
        return year_options(self.counts["year"], self.cleaned.get("year_from"), self.cleaned.get("year_to"),
                            self.params, self.cleaned.get("undated"))


def facet_block(request, facets: Facets) -> str:
    """The rendered facet groups, cached like their counts (FacetCache: 60 s, any change to a case resets).

    The block depends only on the query string (less the page) and the language: paging through
    a list, or many readers on the same filters, render it once.
    """
    key = FacetCache.key("facet-block", (get_language(), query_string(request.GET)))
    html = cache.get(key)
    if html is None:
        html = facet_html(facets.groups)
        cache.set(key, html, FACET_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 (facet_html's markup, escaped there)


def facet_html(groups: list[dict]) -> SafeString:
    """The facet groups as HTML: a <details> each, its options as toggle links with their counts.

    Written here rather than in a template: a list page has ~100 options, and a template's loop
    with its tags and filters for each was ~40% of the time of a list rendered afresh. A long
    group gets a filter box that static/js/list.js shows and drives; without the script it stays
    hidden and every option is listed.
    """
    out = []
    for group in groups:
        name = escape(group["name"])
        out.append(f'<details class="facet" open>\n<summary>{escape(group["label"])}</summary>\n')
        if group.get("long"):
            out.append(
                f'<input type="search" class="facet-filter" hidden aria-controls="facet-{name}"'
                f' aria-label="{escape(_("在%(name)s中查找") % {"name": group["label"]})}"'
                f' placeholder="{escape(_("输入名称查找"))}" data-none="{escape(_("没有匹配的选项"))}">\n')
        out.append(f'<ul class="facet-{name}" id="facet-{name}">\n')
        for option in group["options"]:
            count, selected = option["count"], option["selected"]
            classes = "selected zero" if selected and count == 0 else "selected" if selected else \
                "zero" if count == 0 else ""
            current = ' aria-current="true"' if selected else ""
            shown = "" if count is None else f' <span class="count">{intcomma(count)}</span>'
            out.append(f'<li><a href="{escape(option["url"])}" data-value="{escape(option["value"])}"'
                       f' class="{classes}"{current}>{escape(option["label"])}{shown}</a></li>\n')
        if not group["options"]:
            out.append(f'<li class="zero">{escape(_("暂无"))}</li>\n')
        out.append("</ul>\n</details>\n")
    return mark_safe("".join(out))  # noqa: S308 (every text escaped above; the tags are ours)


# ------------------------------------------------------------------------------------------- counts


class PublishedYear(ExtractYear):
    """The year of ``published_on`` as an integer; on SQLite by ``strftime`` in SQL.

    Django's ExtractYear calls a Python function per row on SQLite (``django_date_extract``), most
    of the time of a facet count; a date is stored there as ``YYYY-MM-DD`` text, whose year SQLite
    reads itself (NULL stays NULL). PostgreSQL's EXTRACT gives a numeric, which made the counting
    statement's value column numeric: every row came back as a Decimal, the ids of a ranked search
    too (8 ms for the 4,000 ids of a common word within a province, in Python).
    """

    def __init__(self, expression="published_on", **extra):
        super().__init__(expression, **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.lhs)
        return f"CAST(strftime('%%Y', {sql}) AS integer)", params

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = super().as_sql(compiler, connection, **extra_context)
        return f"({sql})::integer", params


# The parts of the counting statement; ``m`` is the set being counted, ``n`` its size. ``{gate}``: a
# capped count computes its facets only when the set is within the cap (they would be thrown away otherwise).
_FACET_COLUMNS = {"province": "province_id", "city": "city_id", "year": "facet_year"}
_COUNT_PARTS = {
    "province": "SELECT 'province', province, COUNT(*) FROM m {gate} GROUP BY province",
    "city": "SELECT 'city', city, COUNT(*) FROM m {gate} GROUP BY city",
    "year": "SELECT 'year', year, COUNT(*) FROM m {gate} GROUP BY year",
    "practice": "SELECT 'practice', p.practice_id, COUNT(*) FROM m JOIN {through} p ON p.case_id = m.id"
                " {gate} GROUP BY p.practice_id",
    # PostgreSQL: the ids a case row holds (migration 0026), no probe of the links per match
    "practice_ids": "SELECT 'practice', p, COUNT(*) FROM m CROSS JOIN unnest(m.practice_ids) AS p {gate} GROUP BY p",
    "total": "SELECT 'total', NULL, n FROM n",
    # a search's first RANKED_IDS_COUNTED matches best first, as ``search.ranked`` orders them (its
    # position is the count column): a top-N sort, not a sort of every match
    "order": "SELECT 'order', id, row_number() OVER (ORDER BY rank DESC, published_on DESC NULLS LAST, id DESC)"
             " FROM (SELECT id, rank, published_on FROM m {gate}"
             " ORDER BY rank DESC, published_on DESC NULLS LAST, id DESC LIMIT %s) AS best",
}
# The ids a ranked search's counting statement returns best first: its first ten pages. A later page
# ranks every match by itself (``CaseList.page_by_rank``); sorting and sending all of up to SEARCH_CAP
# ids for every first page cost 3–4 ms at 4,000 matches.
RANKED_IDS_COUNTED = 200


def cached_count_sets(identity, make_queryset, wanted: list[str], cap: int | None = None,
                      ranked: bool = False) -> dict:
    """``count_sets(make_queryset(), wanted, cap)``, cached under ``identity`` (plain values that define the set).

    A hit costs one cache read: the queryset is neither built nor compiled to make the key.
    """
    key = FacetCache.key("count-sets", identity)
    result = cache.get(key)
    if result is None:
        result = count_sets(make_queryset(), wanted, cap, cached=False, ranked=ranked)
        cache.set(key, result, FACET_CACHE_SECONDS)
    return result


def count_sets(queryset, wanted: list[str], cap: int | None = None, cached: bool = True,
               ranked: bool = False) -> dict:
    """The ``wanted`` counts of ``queryset`` ("province", "city", "practice", "year": {key: n}; "total": n).

    ``cap``: count at most that many cases (a search's). A set with more gets None for each
    wanted count: its counts would cost a pass over every match (~3 µs a row, plus a join per
    row for the practices), and counts of an arbitrary ``cap`` of them would be wrong. With the
    LIMIT the scan stops after ``cap + 1`` rows, so a very common word costs no more than a
    rare one.

    All of them come from one statement whose CTE matches the set once (PostgreSQL materialises a
    CTE read more than once, and inlines one read once), instead of once per count: for a
    search, the full-text match and its heap visits are most of a list page's time. Only the
    wanted parts are computed: a facet whose own filter is active counts a different set, alone.
    Cached for FACET_CACHE_SECONDS under the statement's text and the generation (``FacetCache``),
    unless ``cached`` is False (``cached_count_sets`` caches it under the set's identity).

    ``ranked``: ``queryset`` is a search's matches annotated with ``rank`` (``search.ranked``); the
    same statement also gives the first RANKED_IDS_COUNTED matches' ids best first (``"order"``,
    when within the cap): their pages then need no second pass over the matches (PostgreSQL).
    """
    result: dict = {kind: 0 if kind == "total" else {} for kind in wanted}
    total = 0
    # the set's columns the wanted parts read, as (queryset column, name in ``m``): each is computed for every row
    columns = [("pk", "id"), *((_FACET_COLUMNS[kind], kind) for kind in ("province", "city", "year") if kind in wanted),
               *((("rank", "rank"), ("published_on", "published_on")) if ranked else ())]
    base = queryset.order_by().annotate(facet_year=PublishedYear())
    held_ids = "practice" in wanted and connections[queryset.db].vendor == "postgresql"
    if held_ids:
        held = RawSQL(f'"{Case._meta.db_table}"."practice_ids"', (), output_field=ArrayField(BigIntegerField()))
        base, columns = base.annotate(practice_ids=held), [*columns, ("practice_ids", "practice_ids")]
    base = base.values_list(*(column for column, _name in columns))
    try:
        sql, params = base.query.sql_with_params()
    except EmptyResultSet:  # e.g. a query without a searchable term: nothing matches
        return result
    through = Case.practices.through._meta.db_table
    # A capped count needs the set's size to know whether it passed the cap.
    kinds = [*wanted, "total"] if cap is not None and "total" not in wanted else wanted
    gate = "" if cap is None else f"WHERE (SELECT n FROM n) <= {int(cap)}"
    parts = " UNION ALL ".join(
        _COUNT_PARTS["practice_ids" if kind == "practice" and held_ids else kind].format(through=through, gate=gate)
        for kind in [*kinds, *(["order"] if ranked else [])])
    if cap is not None:
        sql, params = f"{sql} LIMIT %s", (*params, cap + 1)
    if ranked:
        params = (*params, RANKED_IDS_COUNTED)  # the parts' only parameter, the last of the statement
    # ``n``, the set's size, counted once for the total and every part's gate
    statement = (f"WITH m ({', '.join(name for _column, name in columns)}) AS ({sql}),"
                 f" n AS MATERIALIZED (SELECT COUNT(*) AS n FROM m) {parts}")
    key = FacetCache.key(statement, params) if cached else None
    hit = cache.get(key) if cached else None
    if hit is not None:
        return hit
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(statement, params)
        order = []
        for kind, value, n in cursor.fetchall():
            if kind == "total":
                total = n
            elif kind == "order":
                order.append((n, value))
            else:
                result[kind][value] = n
    if "total" in wanted:
        result["total"] = total
    if ranked:
        result["order"] = [pk for _position, pk in sorted(order)]
    if cap is not None and total > cap:
        result = {kind: None for kind in wanted}
    if cached:
        cache.set(key, result, FACET_CACHE_SECONDS)
    return result


class FacetCache:
    """Keys for cached counts and pages: a generation number that any change to a case moves on.

    The counts are cached per process (LocMemCache by default). A save or delete of a case, or a
    change of its practices, in this process bumps the generation, so the next page counts
    afresh; a change made by another process (the loader, the admin in another worker) is seen
    within FACET_CACHE_SECONDS, which bounds how stale a count can be.
    """

    GENERATION = "cases:facets:generation"

    @classmethod
    def key(cls, sql: str, params) -> str:
        generation = cache.get_or_set(cls.GENERATION, 0, None)
        digest = hashlib.sha1(f"{sql}\x00{params!r}".encode(), usedforsecurity=False).hexdigest()
        return f"cases:facets:{generation}:{digest}"

    @classmethod
    def invalidate(cls, **kwargs) -> None:
        try:
            cache.incr(cls.GENERATION)
        except ValueError:  # not set yet (or evicted): nothing cached under it can be reached either
            cache.set(cls.GENERATION, 1, None)

    @classmethod
    def connect_signals(cls) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        uid = "cases.facets.FacetCache"
        post_save.connect(cls.invalidate, sender=Case, dispatch_uid=f"{uid}.save")
        post_delete.connect(cls.invalidate, sender=Case, dispatch_uid=f"{uid}.delete")
        # what a cached case page shows besides the case's own row (views.CachedPage)
        for model in (Mechanism, Metric, Practice):
            post_save.connect(cls.invalidate, sender=model, dispatch_uid=f"{uid}.save.{model.__name__}")
            post_delete.connect(cls.invalidate, sender=model, dispatch_uid=f"{uid}.delete.{model.__name__}")
        m2m_changed.connect(cls.invalidate, sender=Case.practices.through, dispatch_uid=f"{uid}.practices")


FacetCache.connect_signals()
