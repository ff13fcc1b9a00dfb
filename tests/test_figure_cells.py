"""PostgreSQL's maintained figure counts (``cases_figure_cell``) give the counts of counting the figures.

Both ways are compared on the same archive for every kind of figure set the cells answer (the
explorer's facets and total, the API's total, the compare page's counts per indicator), and the
cells are compared with a rebuild from the figures after every kind of change. On SQLite there are
no cells: the figures are counted (and these tests skip).
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.http import QueryDict
from django.test import Client

from cases import compare, figure_cells
from cases.api.filters import ApiFigureFilter
from cases.figure_filters import FigureFilter
from cases.models import Case, Indicator, Metric, Place
from tests.site_factories import make_case

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the figure cells are PostgreSQL's"),
]

PLACES = ("210000", "210700", "210702", "210200", "110000", "110101", None)
FIGURES = [("在职党员{n}名", "名", "在职党员"), ("小区党支部{n}个", "个", "小区党支部"), ("网格{n}个", "个", "网格"),
           ("乔灌木{n}棵", "棵", "乔灌木"), ("社区{n}个", "个", "社区")]
QUALIFIERS = ("", "", "余", "近", "约")
ANSWERED = [
    "", "indicator=reporting-members", "indicator=reporting-members&indicator=grids", "province=210000",
    "city=210700", "indicator=grids&province=210000", "year_from=2018&year_to=2020", "year_to=2019",
    "qualifier=余", "qualifier=none", "indicator=reporting-members&year_from=2019&qualifier=none",
    "province=210000&city=210700&indicator=grids&year_from=2016", "sort=value&page=2", "indicator=nothing-like-it",
    "province=110000&year_to=2016",
]
NOT_ANSWERED = ["practice=grid-management", "city=210702", "subject=党员", "province=210000&subject=网格"]


@pytest.fixture
def archive():
    rng = random.Random(11)
    for i in range(40):
        body, metrics = "", []
        for text, unit, subject in rng.sample(FIGURES, rng.randint(0, 3)):
            n = rng.randint(2, 900)
            figure, qualifier = text.format(n=n), rng.choice(QUALIFIERS)
            body += f"全市{figure}{qualifier}。"
            metrics.append((figure, str(n), unit, qualifier, subject))
        make_case(f"案例{i}", body or "没有数字。", place_code=rng.choice(PLACES),
                  published_on=None if i % 9 == 0 else datetime.date(2015 + i % 9, 1 + i % 12, 1),
                  practices=("网格化管理",) if i % 3 else (), metrics=tuple(metrics),
                  status=Case.Status.DRAFT if i % 7 == 0 else Case.Status.PUBLISHED)
    Metric.objects.assign_indicators()


def explorer(query: str, filter_class=FigureFilter) -> FigureFilter:
    return filter_class(QueryDict(query), queryset=Metric.objects.published())


def counted_over_the_figures(query: str, monkeypatch, filter_class=FigureFilter) -> dict:
    with monkeypatch.context() as patch:
        patch.setattr(figure_cells, "counts", lambda filterset, facets=None: None)
        filterset = explorer(query, filter_class)
        return {"total": filterset.qs.count(), **filterset.facet_counts}


def cells() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT grain, indicator_id, province_id, city_id, year, qualifier, n FROM cases_figure_cell "
                       "WHERE n <> 0 ORDER BY 1, 2, 3, 4, 5, 6")
        return cursor.fetchall()


def rebuilt() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT cases_figure_cells_rebuild()")
    return cells()


@pytest.mark.parametrize("query", ANSWERED)
def test_the_cells_count_what_counting_the_figures_counts(archive, monkeypatch, query):
    filterset = explorer(query)
    assert filterset.cell_counts is not None
    assert {"total": filterset.total, **filterset.facet_counts} == counted_over_the_figures(query, monkeypatch)


@pytest.mark.parametrize("query", [*ANSWERED, "province=999999", "city=999999", "indicator=grids&indicator=nothing"])
def test_the_api_total_is_the_count(archive, monkeypatch, query):
    filterset = explorer(query, ApiFigureFilter)
    filterset.is_valid()
    assert filterset.total is not None
    assert filterset.total == filterset.qs.count()


@pytest.mark.parametrize("query", NOT_ANSWERED)
def test_a_practice_a_district_or_a_subject_count_the_figures(archive, query):
    assert figure_cells.counts(explorer(query)) is None
    assert explorer(query).facet_counts["indicator"]


def test_only_published_figures_are_counted_from_the_cells(archive):
    assert figure_cells.counts(FigureFilter(QueryDict(""), queryset=Metric.objects.all())) is None
    assert explorer("").total == Metric.objects.published().count()


def test_the_compare_counts_per_indicator(archive):
    counted = {i.pk: i.n for i in compare.indicators_with_figures()}
    assert counted == figure_cells.per_indicator()
    assert counted == {pk: Metric.objects.published().filter(indicator_id=pk).count()
                       for pk in Metric.objects.published().exclude(indicator=None).values_list("indicator_id",
                                                                                               flat=True)}


@pytest.mark.parametrize("query", ["", "?indicator=grids&province=210000", "?qualifier=余&page=2",
                                   "?year_from=2018&sort=value"])
def test_the_explorer_page_is_the_same_either_way(archive, monkeypatch, query):
    from_cells = Client().get(f"/figures/{query}").content
    monkeypatch.setattr(figure_cells, "counts", lambda filterset, facets=None: None)
    assert Client().get(f"/figures/{query}").content == from_cells


def test_the_cells_follow_every_change(archive):
    assert cells() == rebuilt()  # the triggers kept them while the archive was made
    case = Case.objects.published().exclude(place=None).filter(metrics__isnull=False).first()
    figure = case.metrics.first()
    grids = Indicator.objects.get(slug="grids")
    steps = [
        lambda: make_case("新案例", "全市网格120个。", place_code="210700", published_on="2021-05-01",
                          metrics=(("网格120个", "120", "个", "", "网格"),)),
        lambda: Metric.objects.assign_indicators(),
        lambda: setattr(case, "place", Place.objects.get(code="110101")) or case.save(),
        lambda: setattr(case, "published_on", None) or case.save(),
        lambda: setattr(figure, "qualifier", "约") or figure.save(),
        lambda: setattr(figure, "indicator", grids) or figure.save(),
        lambda: setattr(figure, "value", Decimal(7)) or figure.save(),
        lambda: setattr(case, "status", Case.Status.WITHDRAWN) or case.save(),
        lambda: Metric.objects.create(case=case, subject="网格", value=3, unit="个", text="网格3个", start=0, end=4),
        lambda: setattr(case, "status", Case.Status.PUBLISHED) or case.save(),
        lambda: figure.delete(),
        lambda: Case.objects.filter(status=Case.Status.DRAFT).update(status=Case.Status.PUBLISHED),
        lambda: Case.objects.filter(place__code="210702").update(published_on=datetime.date(2012, 3, 3)),
        lambda: grids.delete(),
        lambda: Case.objects.filter(pk=case.pk).delete(),
        lambda: Case.objects.filter(pk__in=list(Case.objects.values_list("pk", flat=True)[:10])).delete(),
    ]
    for number, step in enumerate(steps):
        step()
        assert cells() == rebuilt(), f"step {number}"
    assert cells(), "the archive still has published figures"


def test_a_truncate_empties_the_cells(archive):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's transaction holds deferred checks
        cursor.execute("TRUNCATE cases_metric CASCADE")
    assert cells() == []
