"""Facets as pure functions: counts and choices in, options out, with literal examples (no database)."""

from __future__ import annotations

from django.http import QueryDict

from cases.facets import (
    busiest,
    city_options,
    count_of,
    pinned,
    pinned_by_count,
    practice_options,
    province_options,
    query_string,
    year_options,
)
from cases.models import Place, Practice

LIAONING = Place(pk=1, code="210000", name="辽宁省", level="province")
JILIN = Place(pk=2, code="220000", name="吉林省", level="province")
JINZHOU = Place(pk=11, code="210700", name="锦州市", level="city", parent_id=1)
DALIAN = Place(pk=12, code="210200", name="大连市", level="city", parent_id=1)
GUTA = Place(pk=111, code="210702", name="古塔区", level="district", parent_id=11)
GRID = Practice(pk=5, slug="grid-management", name="网格化管理")
LEAGUE = Practice(pk=6, slug="party-league", name="党建联盟")


def test_query_string_sets_drops_and_replaces_and_never_keeps_the_page():
    params = QueryDict("q=党建&province=210000&page=3&practice=a&practice=b")
    assert query_string(params) == "?q=%E5%85%9A%E5%BB%BA&province=210000&practice=a&practice=b"
    assert query_string(params, province=None, q=None) == "?practice=a&practice=b"
    assert query_string(params, practice=["c"], q=None, province=None) == "?practice=c"
    assert query_string({"sort": ["title"]}, sort="newest") == "?sort=newest"
    assert query_string({}, page="2") == "?page=2"  # a page given as a change is kept
    assert query_string({"page": ["2"]}) == "?"


def test_count_of_an_uncounted_set_is_none():
    assert count_of({7: 3}, 7) == 3
    assert count_of({7: 3}, 8) == 0
    assert count_of(None, 7) is None


def test_province_options_toggle_and_drop_the_city():
    options = province_options([LIAONING, JILIN], {1: 4}, LIAONING, {"province": ["210000"], "city": ["210700"]})
    assert options == [
        {"label": "辽宁省", "count": 4, "selected": True, "url": "?", "value": "210000"},
        {"label": "吉林省", "count": 0, "selected": False, "url": "?province=220000", "value": "220000"},
    ]


def test_busiest_keeps_the_counts_order_on_ties_and_skips_unplaced():
    assert busiest({None: 99, 11: 2, 12: 5, 13: 2}, limit=2) == [12, 11]
    assert busiest({}, limit=2) == []


def test_city_options_count_cities_not_districts_and_keep_a_chosen_district():
    options = city_options([DALIAN, JINZHOU], {12: 3, 11: 1}, GUTA, {"city": ["210702"]})
    assert [(o["label"], o["count"], o["selected"], o["url"]) for o in options] == [
        ("古塔区", None, True, "?"),
        ("大连市", 3, False, "?city=210200"),
        ("锦州市", 1, False, "?city=210700"),
    ]
    assert city_options([JINZHOU], None, None, {})[0]["count"] is None  # a very common word's set


def test_practice_options_add_to_or_remove_from_the_chosen():
    options = practice_options([GRID, LEAGUE], {5: 2, 6: 1}, [GRID], {"practice": ["grid-management"]})
    assert options == [
        {"label": "网格化管理", "count": 2, "selected": True, "url": "?", "value": "grid-management"},
        {"label": "党建联盟", "count": 1, "selected": False,
         "url": "?practice=grid-management&practice=party-league", "value": "party-league"},
    ]


def test_year_options_newest_first_with_a_chosen_year_without_cases():
    options = year_options({2019: 2, 2021: 1, None: 5}, 2015, 2015, {"year_from": ["2015"], "year_to": ["2015"]})
    assert [(o["label"], o["count"], o["selected"], o["url"]) for o in options] == [
        ("2021", 1, False, "?year_from=2021&year_to=2021"),
        ("2019", 2, False, "?year_from=2019&year_to=2019"),
        ("2015", 0, True, "?"),
        ("日期不详", 5, False, "?undated=true"),  # the undated cases, which a year range leaves out
    ]
    chosen = year_options({2019: 2, None: 5}, None, None, {"undated": ["true"]}, undated=True)
    assert [(o["label"], o["selected"], o["url"]) for o in chosen] == [
        ("2019", False, "?year_from=2019&year_to=2019"), ("日期不详", True, "?")]
    assert [o["label"] for o in year_options({2019: 2}, None, None, {})] == ["2019"]  # none undated: no choice
    assert year_options(None, 2020, None, {}) == [
        {"label": "2020", "count": None, "selected": False, "url": "?year_from=2020&year_to=2020", "value": "2020"},
    ]


def _opt(label, count, selected=False):
    return {"label": label, "count": count, "selected": selected}


def test_pinned_by_count_puts_the_chosen_first_then_the_most_cases_then_the_zeros():
    options = [_opt("北京", 1), _opt("天津", 0), _opt("辽宁", 2), _opt("吉林", 0, True), _opt("陕西", 1)]
    assert [o["label"] for o in pinned_by_count(options)] == ["吉林", "辽宁", "北京", "陕西", "天津"]
    # a set too large to count keeps the order given, the chosen still first
    uncounted = [_opt("甲", None), _opt("乙", None, True), _opt("丙", None)]
    assert [o["label"] for o in pinned_by_count(uncounted)] == ["乙", "甲", "丙"]


def test_pinned_keeps_the_order_given_after_the_chosen():
    years = [_opt("2021", 2), _opt("2020", 5), _opt("2019", 1, True), _opt("日期不详", 3)]
    assert [o["label"] for o in pinned(years)] == ["2019", "2021", "2020", "日期不详"]
