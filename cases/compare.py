"""Comparing places: one indicator across places, and several places side by side. No views here.

``indicator_rows``: the published figures of an indicator (the largest ``ROWS_SHOWN`` on the page) as rows (place, value as the text counts
it, what its qualifier says of the true number, year, case), largest first, with the bar length
it is drawn with. ``pinned_places``: for places chosen by code, their practices, their cases' top
mechanisms in parallel columns and their figures aligned by indicator.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q

from ingest.vocabulary import QUALIFIER_BOUND

from . import figure_cells
from .models import Case, Indicator, Mechanism, Metric, Place, Practice, in_order

MAX_PINNED = 4  # columns side by side that still read on a laptop


# The bases a figure can be set against when its own case gives them: per community, per 10,000 residents.
# A base is the largest figure of that indicator in the case (the total, not one district's part).
BASES = (("communities", Decimal(1), "每个社区"), ("residents", Decimal(10000), "每万名居民"))
NO_RATIO_FAMILIES = frozenset({"%"})  # a share is already a ratio


@dataclass
class Row:
    metric: Metric
    place: Place | None
    bound: str  # "" (exact), "lower", "upper" or "approximate"
    percent: float = 0.0  # bar length, of the largest value shown
    ratios: dict[str, Decimal | None] = field(default_factory=dict)  # base label → value per base, None without one


ROWS_SHOWN = 100  # bars a comparison draws: the largest figures; every figure is in the figures explorer


def _with_shown_columns(metrics):
    """What a compare row shows of a figure, its case and the case's places, and nothing else."""
    return metrics.select_related("case__province", "case__city", "case__place").only(
        "id", "value", "unit", "qualifier", "magnitude", "subject", "text", "start", "end", "case_id",
        "case__slug", "case__title", "case__published_on", "case__province__code", "case__province__name",
        "case__province__level", "case__city__code", "case__city__name", "case__city__level", "case__place__code",
        "case__place__name", "case__place__level",
    )


def indicator_rows(indicator: Indicator, cases=None, limit: int | None = None) -> list[Row]:
    """The published figures of ``indicator`` (optionally within ``cases``), largest first, at most ``limit``."""
    metrics = Metric.objects.published().filter(indicator=indicator)
    if cases is not None:
        metrics = metrics.filter(case__in=cases)
    # equal values in the order their figures were recorded: the (indicator, value, id) index gives that
    # order, while a tie broken by the case's date had to fetch and sort every tie (thousands on a
    # common round figure) to show a hundred
    order = ("-value", "pk")
    if limit is not None:
        # The ``limit``-th largest value, by the (indicator, value) index: the rows shown are among those
        # at least as large, so only they (ties included) are joined to their cases and sorted.
        threshold = list(metrics.order_by(*order).values_list("value", flat=True)[limit - 1:limit])
        if threshold:
            metrics = metrics.filter(value__gte=threshold[0])
    metrics = metrics.order_by(*order)
    if limit is None:
        metrics = _with_shown_columns(metrics)
    else:
        # the shown rows' ids first (narrow, from indexes), then those rows whole
        metrics = in_order(_with_shown_columns(Metric.objects.all()), list(metrics.values_list("pk", flat=True)[:limit]))
    rows = [Row(m, m.case.city or m.case.province, QUALIFIER_BOUND.get(m.qualifier, "")) for m in metrics]
    largest = max((r.metric.value for r in rows), default=Decimal(0))
    for row in rows:
        row.percent = float(row.metric.value / largest * 100) if largest > 0 else 0.0
    if indicator.unit_family not in NO_RATIO_FAMILIES:
        add_ratios(rows, indicator)
    return rows


def figure_counts() -> dict[int, int]:
    """{indicator id: its published figures}, for the indicators that have any."""
    counted = figure_cells.per_indicator()
    if counted is not None:
        return counted
    return dict(Metric.objects.published().filter(indicator__isnull=False).values_list("indicator_id")
                .annotate(n=Count("pk")).order_by())


def indicators_with_figures() -> list[Indicator]:
    """The indicators that published figures carry, each with ``n`` (its figures), the most first."""
    counts = figure_counts()
    indicators = list(Indicator.objects.filter(pk__in=list(counts)).order_by("name"))
    for indicator in indicators:
        indicator.n = counts[indicator.pk]
    return sorted(indicators, key=lambda i: -i.n)  # stable: the database's name order among equals


def base_labels(indicator: Indicator) -> list[str]:
    """The ratio columns a comparison of ``indicator`` shows (none for a share, none against itself)."""
    if indicator.unit_family in NO_RATIO_FAMILIES:
        return []
    return [label for slug, _per, label in BASES if slug != indicator.slug]


def add_ratios(rows: list[Row], indicator: Indicator) -> None:
    """Each row's value per community and per 10,000 residents, where its own case gives the base."""
    wanted = [(slug, per, label) for slug, per, label in BASES if slug != indicator.slug]
    bases: dict[tuple[int, str], Decimal] = {}
    figures = Metric.objects.filter(case_id__in={r.metric.case_id for r in rows},
                                    indicator__slug__in=[slug for slug, _per, _label in wanted])
    for case_id, slug, value in figures.values_list("case_id", "indicator__slug", "value"):
        bases[case_id, slug] = max(bases.get((case_id, slug), Decimal(0)), value)
    for row in rows:
        for slug, per, label in wanted:
            base = bases.get((row.metric.case_id, slug))
            row.ratios[label] = (row.metric.value / base * per).quantize(Decimal("0.1")) if base else None


@dataclass
class PinnedPlace:
    place: Place
    cases: int = 0
    practices: list[tuple[Practice, int]] = field(default_factory=list)
    mechanisms: list[tuple[str, Case]] = field(default_factory=list)  # (heading, case)


@dataclass
class Pinned:
    places: list[PinnedPlace]
    # indicator → one cell per place: the figures of that place for the indicator, largest first
    figures: list[tuple[Indicator, list[list[Metric]]]]


MECHANISMS_SHOWN = 12


def pinned_places(codes: list[str]) -> Pinned:
    """The places named by ``codes`` (unknown codes are skipped, at most MAX_PINNED), compared."""
    known = {p.code: p for p in Place.objects.filter(code__in=codes[:MAX_PINNED])}
    places = [PinnedPlace(known[c]) for c in dict.fromkeys(codes[:MAX_PINNED]) if c in known]
    by_place: dict[str, list[Metric]] = defaultdict(list)
    for pinned in places:
        cases = Case.objects.published().in_place(pinned.place)
        pinned.cases = cases.count()
        pinned.practices = [
            (p, p.n) for p in Practice.objects.filter(cases__in=cases).annotate(n=Count("cases", filter=Q(
                cases__in=cases))).order_by("-n", "name")
        ]
        headings = (Mechanism.objects.filter(case__in=cases, parent__isnull=True).select_related("case")
                    .only("heading", "case__slug", "case__title").order_by("-case__published_on", "case_id", "order"))
        pinned.mechanisms = [(m.heading, m.case) for m in headings[:MECHANISMS_SHOWN]]
        by_place[pinned.place.code] = list(
            Metric.objects.filter(case__in=cases, indicator__isnull=False).select_related("indicator", "case")
            .only("id", "value", "unit", "qualifier", "magnitude", "indicator__name", "indicator__slug",
                  "case__slug", "case__published_on").order_by("-value"))
    indicators: Counter = Counter()
    for metrics in by_place.values():
        indicators.update({m.indicator for m in metrics})
    aligned = []
    # indicators several places report first: those are the comparisons
    for indicator, _n in sorted(indicators.items(), key=lambda kv: (-kv[1], kv[0].name)):
        cells = [[m for m in by_place[p.place.code] if m.indicator_id == indicator.pk] for p in places]
        aligned.append((indicator, cells))
    return Pinned(places, aligned)
