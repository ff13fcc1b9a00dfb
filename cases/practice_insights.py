"""What a practice's page shows besides its cases: how it spread (the cities reporting it, year by year,
each city's first report marked), the practices reported with it most often, and its figures by
indicator. Each is one grouped query over published cases."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.db.models.functions import ExtractYear

from .models import Case, Indicator, Metric, Place, Practice, PracticePair

CO_OCCURRING_SHOWN = 10


@dataclass
class YearOfSpread:
    year: int
    cities: list[tuple[Place, int, bool]] = field(default_factory=list)  # (city, cases that year, first report)

    @property
    def new_cities(self) -> int:
        return sum(1 for _c, _n, first in self.cities if first)


def spread(practice: Practice) -> list[YearOfSpread]:
    """Years (oldest first) with the cities whose published cases report the practice that year; a city's
    first year is marked. Cases without a date or a city are not on the timeline."""
    rows = (Case.objects.published().filter(practices=practice, published_on__isnull=False, city__isnull=False)
            .annotate(year=ExtractYear("published_on")).values_list("city_id", "city__code", "city__name", "year")
            .annotate(n=Count("pk")).order_by())
    first: dict[int, int] = {}
    cities: dict[int, Place] = {}
    by_year: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for city_id, code, name, year, n in rows:
        cities[city_id] = Place(pk=city_id, code=code, name=name)
        by_year[year].append((city_id, n))
        first[city_id] = min(first.get(city_id, year), year)
    timeline = []
    for year in sorted(by_year):
        entry = YearOfSpread(year)
        for city_id, n in sorted(by_year[year], key=lambda item: (first[item[0]] != year, cities[item[0]].code)):
            entry.cities.append((cities[city_id], n, first[city_id] == year))
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
    """The indicators the practice's published cases report: (indicator, figures, cases), most figures first."""
    rows = (Metric.objects.published().filter(case__practices=practice, indicator__isnull=False)
            .values_list("indicator_id", "indicator__name", "indicator__slug")
            .annotate(n=Count("pk"), cases=Count("case", distinct=True)).order_by("-n", "indicator_id"))
    return [(Indicator(pk=pk, name=name, slug=slug), n, cases) for pk, name, slug, n, cases in rows]
