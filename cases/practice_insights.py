"""What a practice's page shows besides its cases: how it spread (the cities reporting it, year by year,
each city's first report marked), the practices reported with it most often, and its figures by
indicator. On PostgreSQL each is read from a table kept up to date as the cases change (the list's
facet cells, ``PracticePair``, migration 0024's practice cells), a few dozen rows whatever the size of
the archive; the co-occurrences come from ``PracticePair`` everywhere; the rest is counted on SQLite."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connections, router
from django.db.models import Count
from django.db.models.functions import ExtractYear

from . import facet_cells
from .models import Case, Indicator, Metric, Practice, PracticePair

CO_OCCURRING_SHOWN = 10
# A year lists every city reporting the practice for the first time, and at most this many of the cities
# reporting it again; the rest are counted and linked. Every city is thus named once, in its first year:
# the timeline grows with the number of cities, not with the number of cases.
RETURNING_CITIES_SHOWN = 12


@dataclass
class City:
    """A city on the timeline: what its links show (a Place built for each of hundreds of cities cost more)."""

    pk: int
    code: str
    name: str


@dataclass
class YearOfSpread:
    year: int
    cities: list[tuple[City, int, bool]] = field(default_factory=list)  # (city, cases that year, first report)
    more_cities: int = 0  # cities reporting again that year beyond RETURNING_CITIES_SHOWN, not listed

    @property
    def new_cities(self) -> int:
        return sum(1 for _c, _n, first in self.cities if first)


def spread(practice: Practice) -> list[YearOfSpread]:
    """Years (oldest first) with the cities whose published cases report the practice that year; a city's
    first year is marked and comes first. A year lists every city new to the practice and at most
    ``RETURNING_CITIES_SHOWN`` of the others (``more_cities`` counts the rest). Cases without a date or a
    city are not on the timeline."""
    rows = facet_cells.cities_by_year(practice.pk, router.db_for_read(Case))  # PostgreSQL's maintained counts
    if rows is None:
        rows = (Case.objects.published().filter(practices=practice, published_on__isnull=False, city__isnull=False)
                .annotate(year=ExtractYear("published_on")).values_list("city_id", "city__code", "city__name", "year")
                .annotate(n=Count("pk")).order_by())
    first: dict[int, int] = {}
    cities: dict[int, City] = {}
    by_year: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for city_id, code, name, year, n in rows:
        if city_id not in cities:  # one city object a city, however many years it reports
            cities[city_id] = City(city_id, code, name)
        by_year[year].append((city_id, n))
        first[city_id] = min(first.get(city_id, year), year)
    timeline = []
    for year in sorted(by_year):
        entry = YearOfSpread(year)
        returning = 0
        for city_id, n in sorted(by_year[year], key=lambda item: (first[item[0]] != year, cities[item[0]].code)):
            is_first = first[city_id] == year
            if not is_first:
                returning += 1
                if returning > RETURNING_CITIES_SHOWN:
                    entry.more_cities += 1
                    continue
            entry.cities.append((cities[city_id], n, is_first))
        timeline.append(entry)
    return timeline


def co_occurring(practice: Practice, limit: int = CO_OCCURRING_SHOWN) -> list[tuple[Practice, int]]:
    """The practices most often tagged on the same published cases, with how many cases share them.

    Read from the co-occurrence table (``PracticePair``, kept by ``practice_pairs``): counting them
    here read every case of the practice and all their practices, per request."""
    rows = (PracticePair.objects.filter(practice=practice, cases__gt=0)
            .values_list("other_id", "other__name", "other__slug", "cases").order_by("-cases", "other_id")[:limit])
    return [(Practice(pk=pk, name=name, slug=slug), n) for pk, name, slug, n in rows]


def figures_by_indicator(practice: Practice) -> list[tuple[Indicator, int, int]]:
    """The indicators the practice's published cases report: (indicator, figures, cases), most figures first.

    On PostgreSQL from the maintained table of migration 0024 (counting them read every figure of
    every case of the practice); elsewhere counted."""
    alias = router.db_for_read(Metric)
    if connections[alias].vendor == "postgresql":
        with connections[alias].cursor() as cursor:
            cursor.execute(
                "SELECT p.indicator_id, i.name, i.slug, p.figures, p.cases FROM cases_practice_indicator_cell p "
                "JOIN cases_indicator i ON i.id = p.indicator_id WHERE p.practice_id = %s AND p.figures > 0 "
                "ORDER BY p.figures DESC, p.indicator_id", [practice.pk])
            rows = cursor.fetchall()
    else:
        rows = (Metric.objects.published().filter(case__practices=practice, indicator__isnull=False)
                .values_list("indicator_id", "indicator__name", "indicator__slug")
                .annotate(n=Count("pk"), cases=Count("case", distinct=True)).order_by("-n", "indicator_id"))
    return [(Indicator(pk=pk, name=name, slug=slug), n, cases) for pk, name, slug, n, cases in rows]
