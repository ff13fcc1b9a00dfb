"""PostgreSQL's maintained facet counts (``cases_facet_cell``) give the counts of counting the cases.

Both ways are compared on the same archive for every kind of list the cells answer, and the cells
are compared with a rebuild from the cases after every kind of change a curator or the loader
makes. Each case row also holds the ids of its practices (migration 0026), compared with the links
after the same changes. On SQLite there are neither: the list counts the cases (and these tests skip).
"""

from __future__ import annotations

import datetime
import random

import pytest
from django.db import connection
from django.http import QueryDict
from django.test import Client

from cases import facet_cells
from cases.filters import CaseFilter
from cases.models import Case, Place, Practice
from tests.site_factories import make_case

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the facet cells are PostgreSQL's"),
]

PLACES = ("210000", "210700", "210702", "210200", "110000", "110101", None)
PRACTICES = ("网格化管理", "党建联盟", "红色物业", "双报到")
ANSWERED = [
    "", "province=210000", "city=210700", "city=210200&year_from=2019", "province=210000&practice=grid-management",
    "practice=party-alliance", "year_from=2018&year_to=2020", "year_to=2019", "year_from=2021",
    "province=210000&city=210700&practice=grid-management&year_from=2017&year_to=2022", "sort=title&page=2",
    "province=110000&year_to=2016", "city=999999",  # an unknown city is ignored, as the filter ignores it
]
NOT_ANSWERED = ["q=红色物业", "city=210702", "practice=grid-management&practice=party-alliance", "source=日报",
                "has_figures=true"]


@pytest.fixture
def archive():
    rng = random.Random(5)
    for i in range(50):
        make_case(
            f"案例{i}", "正文提到红色物业。", place_code=rng.choice(PLACES),
            published_on=None if i % 9 == 0 else datetime.date(2015 + i % 9, 1 + i % 12, 1),
            practices=tuple(rng.sample(PRACTICES, rng.randint(0, 3))),
            status=Case.Status.DRAFT if i % 6 == 0 else Case.Status.PUBLISHED, source="日报" if i % 4 else "网",
        )


def filterset(query: str, queryset=None) -> CaseFilter:
    return CaseFilter(QueryDict(query), queryset=queryset if queryset is not None else Case.objects.published())


def counted_over_the_cases(query: str, monkeypatch) -> dict:
    with monkeypatch.context() as patch:
        patch.setattr(facet_cells, "counts", lambda filterset: None)
        return filterset(query).counts


def cells() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT grain, province_id, city_id, practice_id, year, n FROM cases_facet_cell "
                       "WHERE n <> 0 ORDER BY 1, 2, 3, 4, 5")
        return cursor.fetchall()


def rebuilt() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT cases_facet_cells_rebuild()")
    return cells()


@pytest.mark.parametrize("query", ANSWERED)
def test_the_cells_count_what_counting_the_cases_counts(archive, monkeypatch, query):
    from_cells = facet_cells.counts(filterset(query))
    assert from_cells is not None
    assert from_cells == counted_over_the_cases(query, monkeypatch)
    assert from_cells["total"] > 0 or query in ("city=210200&year_from=2019", "province=110000&year_to=2016")


@pytest.mark.parametrize("query", NOT_ANSWERED)
def test_a_search_a_district_several_practices_or_other_filters_count_the_cases(archive, query):
    assert facet_cells.counts(filterset(query)) is None
    assert filterset(query).counts["total"] is not None


def test_only_the_published_cases_are_counted_from_the_cells(archive):
    assert facet_cells.counts(filterset("", Case.objects.all())) is None
    assert facet_cells.counts(filterset("", Case.objects.published()))["total"] == Case.objects.published().count()


def test_the_home_page_is_the_same_either_way(archive, monkeypatch):
    from django.core.cache import cache

    cache.clear()
    from_cells = Client().get("/?province=210000").content
    cache.clear()
    monkeypatch.setattr(facet_cells, "counts", lambda filterset: None)
    assert Client().get("/?province=210000").content == from_cells


def every_kind_of_change() -> list:
    """What a curator or the loader does to cases and their practices, as steps to run in turn."""
    case = Case.objects.published().exclude(place=None).filter(practices__isnull=False).first()
    grid, league = Practice.objects.get(name="网格化管理"), Practice.objects.get(name="党建联盟")
    return [
        lambda: make_case("新案例", "正文。", place_code="210700", published_on="2021-05-01", practices=PRACTICES[:2]),
        lambda: setattr(case, "place", Place.objects.get(code="110101")) or case.save(),
        lambda: setattr(case, "published_on", None) or case.save(),
        lambda: case.practices.set([grid]),
        lambda: case.practices.add(league),
        lambda: case.practices.remove(grid),
        lambda: setattr(case, "status", Case.Status.WITHDRAWN) or case.save(),
        lambda: case.practices.clear(),
        lambda: setattr(case, "status", Case.Status.PUBLISHED) or case.save(),
        lambda: Case.objects.filter(status=Case.Status.DRAFT).update(status=Case.Status.PUBLISHED),
        lambda: Case.objects.filter(place__code="210702").update(published_on=datetime.date(2012, 3, 3)),
        lambda: Case.objects.filter(pk=case.pk).delete(),
        lambda: grid.delete(),
        lambda: Case.objects.filter(pk__in=list(Case.objects.values_list("pk", flat=True)[:10])).delete(),
    ]


def test_the_cells_follow_every_change(archive):
    assert cells() == rebuilt()  # the triggers kept them while the archive was made
    for number, step in enumerate(every_kind_of_change()):
        step()
        assert cells() == rebuilt(), f"step {number}"
    assert cells(), "the archive still has published cases"


def held_practice_ids() -> dict[int, list[int]]:
    """{case id: the practice ids its row holds} (migration 0026)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, practice_ids FROM cases_case ORDER BY id")
        return dict(cursor.fetchall())


def linked_practice_ids() -> dict[int, list[int]]:
    linked = {pk: [] for pk in Case.objects.values_list("pk", flat=True)}
    for case_id, practice_id in Case.practices.through.objects.order_by("case_id", "practice_id").values_list(
            "case_id", "practice_id"):
        linked[case_id].append(practice_id)
    return linked


def test_each_case_row_holds_the_ids_of_its_practices_after_every_change(archive):
    assert any(held_practice_ids().values())
    assert held_practice_ids() == linked_practice_ids()
    for number, step in enumerate(every_kind_of_change()):
        step()
        assert held_practice_ids() == linked_practice_ids(), f"step {number}"


def test_a_truncate_of_the_links_empties_the_held_ids(archive):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {Case.practices.through._meta.db_table}")
    assert set(map(tuple, held_practice_ids().values())) == {()}


def test_a_truncate_empties_the_cells(archive):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's transaction holds deferred checks
        cursor.execute("TRUNCATE cases_case CASCADE")
    assert cells() == []


def test_a_practice_page_from_the_cells_is_the_page_of_ordering_every_case(archive):
    """A practice's page (province code, city code, newest first, then id) read place by place through the
    cells holds the same cases in the same order as ordering all of them, on every page."""
    make_case("省级", "正文。", place_code="210000", published_on="2020-01-01", practices=PRACTICES)
    make_case("无地区", "正文。", practices=PRACTICES)
    for practice in Practice.objects.all():
        every = list(Case.objects.published().filter(practices=practice)
                     .order_by("province__code", "city__code", "-published_on", "-pk").values_list("pk", flat=True))
        for size in (1, 7, 50):
            for start in range(0, len(every) + size, size):
                assert facet_cells.practice_page_ids(practice.pk, start, size) == every[start:start + size], \
                    (practice.name, size, start)


def test_a_practice_page_is_the_same_either_way(archive, monkeypatch):
    from django.core.cache import cache

    for page in (1, 2):
        cache.clear()
        from_cells = Client().get(f"/practices/grid-management/?page={page}").content
        with monkeypatch.context() as patch:
            patch.setattr(facet_cells, "practice_page_ids", lambda *args: None)
            patch.setattr(facet_cells, "cases_of_practice", lambda *args: None)
            patch.setattr(facet_cells, "cities_by_year", lambda *args: None)
            cache.clear()
            assert Client().get(f"/practices/grid-management/?page={page}").content == from_cells
