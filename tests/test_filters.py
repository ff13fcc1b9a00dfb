"""The case list's filters and facet counts: query string → the cases shown (both databases)."""

from __future__ import annotations

import re

import pytest

from cases.models import Case
from tests.site_factories import make_case

pytestmark = pytest.mark.django_db


FIGURE = ("共建协议1120余个", "1120", "个", "余", "共建协议")


@pytest.fixture
def cases():
    """Five published cases in known places, one draft and one withdrawn that the public never sees."""
    return {
        "jinzhou": make_case("锦州市推进网格化管理", "锦州市签订共建协议1120余个。", place_code="210700",
                             published_on="2019-05-01", practices=("网格化管理", "党建联盟"), metrics=(FIGURE,),
                             source="锦州日报"),
        "dalian": make_case("大连市中山区融合党建", "中山区建立党建联盟。", place_code="210202",
                            published_on="2020-03-01", practices=("党建联盟",), source="人民网"),
        "baoji": make_case("宝鸡市双报到", "宝鸡市共建协议1120余个。", place_code="610300",
                           published_on="2021-07-01", practices=("双报到",), metrics=(FIGURE,), source="人民网·陕西"),
        "guiyang": make_case("观山湖区红色物业", "观山湖区签订共建协议1120余个。", place_code="520115",
                             published_on="2021-01-10", practices=("网格化管理", "红色物业"), metrics=(FIGURE,),
                             source="贵阳日报"),
        "beijing": make_case("东城区街乡吹哨", "东城区吹哨报到。", place_code="110101", practices=("吹哨报到",)),
        "draft": make_case("锦州市草稿", "草稿共建协议1120余个。", place_code="210700", published_on="2021-01-01",
                           practices=("网格化管理",), status=Case.Status.DRAFT),
        "withdrawn": make_case("锦州市撤回", "撤回。", place_code="210700", published_on="2021-01-01",
                               status=Case.Status.WITHDRAWN),
    }


def shown(response) -> set[str]:
    return {case.slug for case in response.context["cases"]}


def slugs(cases, *names) -> set[str]:
    return {cases[name].slug for name in names}


ALL = ("jinzhou", "dalian", "baoji", "guiyang", "beijing")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ALL),
        ("province=210000", ("jinzhou", "dalian")),
        ("province=110000", ("beijing",)),
        ("city=210200", ("dalian",)),  # a city includes its districts
        ("city=210202", ("dalian",)),  # a district narrows to itself
        ("city=520100", ("guiyang",)),
        ("city=110100", ("beijing",)),  # a municipality's city row
        ("practice=grid-management", ("jinzhou", "guiyang")),
        ("practice=grid-management&practice=party-alliance", ("jinzhou", "dalian", "guiyang")),  # any of them
        ("year_from=2020", ("dalian", "baoji", "guiyang")),
        ("year_from=2020&year_to=2020", ("dalian",)),
        ("year_to=2019", ("jinzhou",)),
        ("year_from=2021&year_to=2021", ("baoji", "guiyang")),
        ("source=人民网", ("dalian", "baoji")),
        ("has_figures=true", ("jinzhou", "baoji", "guiyang")),
        ("has_figures=false", ("dalian", "beijing")),
        ("has_figures=1", ("jinzhou", "baoji", "guiyang")),  # "1" and "0" as the comment says
        ("undated=true", ("beijing",)),  # the one published case without a date
        ("undated=true&year_from=2019", ()),
        ("has_figures=0", ("dalian", "beijing")),
        ("province=210000&practice=party-alliance", ("jinzhou", "dalian")),
        ("province=610000&practice=grid-management", ()),
        ("province=520000&year_from=2021&has_figures=true", ("guiyang",)),
        ("q=共建协议&province=210000", ("jinzhou",)),
        ("q=共建协议&year_from=2021", ("baoji", "guiyang")),
        # invalid values are reported and ignored, the valid ones still apply
        ("province=999999", ALL),
        ("province=210700", ALL),  # a city code is not a province
        ("year_from=abc&province=210000", ("jinzhou", "dalian")),
        ("practice=no-such-practice", ALL),
        ("sort=sideways&city=210700", ("jinzhou",)),
    ],
)
def test_filters(client, cases, query, expected):
    response = client.get(f"/?{query}")
    assert response.status_code == 200
    assert shown(response) == slugs(cases, *expected)


def test_invalid_values_are_reported(client, cases):
    response = client.get("/?province=999999&year_from=abc")
    assert response.status_code == 200
    assert set(response.context["filter"].errors) == {"province", "year_from"}
    assert "以下条件无效" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["baoji", "guiyang", "dalian", "jinzhou", "beijing"]),  # newest first, undated last
        ("sort=newest", ["baoji", "guiyang", "dalian", "jinzhou", "beijing"]),
        ("sort=oldest", ["jinzhou", "dalian", "guiyang", "baoji", "beijing"]),
        ("sort=title&province=210000", ["dalian", "jinzhou"]),  # 大 before 锦 in code-point order
        ("sort=relevance", ["baoji", "guiyang", "dalian", "jinzhou", "beijing"]),  # nothing to be relevant to
    ],
)
def test_sort(client, cases, query, expected):
    response = client.get(f"/?{query}")
    assert [c.slug for c in response.context["cases"]] == [cases[n].slug for n in expected]


def test_sort_by_figures(client, cases):
    extra = make_case("多数据", "甲1个。乙2个。", place_code="210700", published_on="2018-01-01",
                      metrics=(("1个", "1", "个", "", "甲"), ("2个", "2", "个", "", "乙")))
    order = [c.slug for c in client.get("/?sort=figures").context["cases"]]
    assert order[0] == extra.slug
    assert set(order[-2:]) == slugs(cases, "dalian", "beijing")


def facet(response, name) -> dict[str, tuple[int | None, bool]]:
    group = next(g for g in response.context["facets"] if g["name"] == name)
    return {o["label"]: (o["count"], o["selected"]) for o in group["options"]}


def test_facet_counts_use_the_other_filters(client, cases):
    response = client.get("/?province=210000&practice=party-alliance")
    provinces = facet(response, "province")
    # the province facet ignores the province filter but keeps the practice one
    assert provinces["辽宁省"] == (2, True)
    assert provinces["陕西省"] == (0, False)
    assert provinces["上海市"] == (0, False)  # every province is listed, zero or not
    cities = facet(response, "city")
    assert cities == {name: (n, False) for name, n in _liaoning_cities(response).items()}
    assert cities["锦州市"] == (1, False) and cities["大连市"] == (1, False) and cities["沈阳市"] == (0, False)
    practices = facet(response, "practice")
    # the practice facet ignores the practice filter but keeps the province one
    assert practices["党建联盟"] == (2, True)
    assert practices["网格化管理"] == (1, False)
    assert practices["双报到"] == (0, False)
    assert facet(response, "year") == {"2020": (1, False), "2019": (1, False)}


def _liaoning_cities(response):
    group = next(g for g in response.context["facets"] if g["name"] == "city")
    return {o["label"]: o["count"] for o in group["options"]}


def test_facets_without_filters_count_published_cases_only(client, cases):
    response = client.get("/")
    assert facet(response, "province")["辽宁省"] == (2, False)  # the draft and the withdrawn case are not counted
    assert facet(response, "practice")["网格化管理"] == (2, False)
    assert facet(response, "year") == {"2021": (2, False), "2020": (1, False), "2019": (1, False),
                                       "日期不详": (1, False)}  # 东城 has no date
    cities = facet(response, "city")
    assert cities["锦州市"] == (1, False) and "沈阳市" not in cities  # busiest cities only, without a province


def test_zero_options_are_dimmed_and_links_toggle(client, cases):
    html = client.get("/?practice=grid-management").content.decode()
    shanghai = re.search(r'<a href="([^"]*)" data-value="310000" class="([^"]*)"', html)
    assert "zero" in shanghai.group(2)
    selected = re.search(r'<a href="([^"]*)" data-value="grid-management" class="([^"]*)"', html)
    assert "selected" in selected.group(2)
    assert "grid-management" not in selected.group(1)  # clicking a chosen practice removes it
    alliance = re.search(r'<a href="([^"]*)" data-value="party-alliance"', html)
    assert "practice=grid-management&amp;practice=party-alliance" in alliance.group(1)  # and adds another


def facet_values(html: str, name: str) -> list[tuple[str, str]]:
    """[(value, class)] of a facet's links in the page's order."""
    block = html.split(f'class="facet-{name}"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'data-value="([^"]*)" class="([^"]*)"', block)


def test_facet_values_by_count_zeros_after_and_the_chosen_pinned_first(client, cases):
    provinces = facet_values(client.get("/").content.decode(), "province")
    # 辽宁 has two cases; 北京, 贵州, 陕西 one each (in code order); then the zeros, dimmed, in code order
    assert [v for v, _ in provinces[:4]] == ["210000", "110000", "520000", "610000"]
    assert all("zero" not in c for _, c in provinces[:4]) and all("zero" in c for _, c in provinces[4:])
    assert [v for v, _ in provinces[4:6]] == ["120000", "130000"]  # 天津, 河北
    # a chosen value comes first, whatever its count
    html = client.get("/?province=610000&practice=dual-reporting&practice=party-alliance").content.decode()
    assert [v for v, _ in facet_values(html, "province")[:3]] == ["610000", "210000", "110000"]
    practices = facet_values(html, "practice")
    assert [v for v, _ in practices[:2]] == ["dual-reporting", "party-alliance"]  # both chosen: first
    assert all("selected" in c for _, c in practices[:2]) and "selected" not in practices[2][1]
    # the cities of a province: those with cases first (大连 before 锦州 by code on a tie), then the others
    cities = facet_values(client.get("/?province=210000").content.decode(), "city")
    assert [v for v, _ in cities[:2]] == ["210200", "210700"] and "zero" in cities[2][1]
    # a chosen year is pinned too; 日期不详 stays last among the others
    years = facet_values(client.get("/?year_from=2019&year_to=2019").content.decode(), "year")
    assert [v for v, _ in years] == ["2019", "2021", "2020", "undated"]


def test_long_facets_get_a_filter_box_that_a_script_shows(client, cases):
    html = client.get("/").content.decode()
    boxes = re.findall(r'<input type="search" class="facet-filter" hidden aria-controls="facet-(\w+)"', html)
    assert boxes == ["province", "practice"]  # 34 provinces and the taxonomy; 4 cities and 4 years are short
    assert '<script src="/static/js/list.js" defer></script>' in html
    # on a phone the facets open over the list from a button (a popover: no script needed)
    assert 'popovertarget="facet-panel"' in html and 'id="facet-panel" popover' in html


def test_choosing_a_province_clears_the_city(client, cases):
    html = client.get("/?city=210700").content.decode()
    link = re.search(r'<a href="([^"]*)" data-value="610000"', html).group(1)
    assert "province=610000" in link and "city=" not in link


def test_page_number_is_dropped_when_a_filter_changes(client, cases):
    html = client.get("/?page=1&practice=grid-management").content.decode()
    links = re.findall(r'<a href="(\?[^"]*)" data-value=', html)
    assert links and not any("page=" in link for link in links)


def test_only_published_cases_are_listed(client, cases):
    response = client.get("/?q=草稿")
    assert shown(response) == set()
    assert "没有找到符合条件的案例" in response.content.decode()
    assert "清除全部筛选" in response.content.decode()


# ----------------------------------------------------------------------------- cached counts


def test_a_search_is_counted_in_one_statement(client, cases, django_assert_max_num_queries):
    """Count and the four facets of a search read one match, not six."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/?q=共建协议")
    assert response.context["paginator"].count == 3
    counting = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert len(counting) == 1 and counting[0].startswith("WITH")


def test_counts_are_cached_and_reused_by_the_next_page(client, cases):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get("/?practice=grid-management")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/?practice=grid-management&sort=title")
    assert not [q for q in queries if "COUNT(" in q["sql"].upper()]
    assert response.context["paginator"].count == 2
    assert facet(response, "practice")["网格化管理"] == (2, True)


@pytest.mark.parametrize("change", ["save", "publish", "delete", "practices"])
def test_cached_counts_are_dropped_when_a_case_changes(client, cases, change):
    assert facet(client.get("/"), "practice")["网格化管理"] == (2, False)
    if change == "save":
        make_case("新的网格化管理", "新。", place_code="210700", published_on="2022-01-01", practices=("网格化管理",))
        expected = 3
    elif change == "publish":
        draft = cases["draft"]
        draft.status = Case.Status.PUBLISHED
        draft.save()
        expected = 3
    elif change == "delete":
        cases["guiyang"].delete()
        expected = 1
    else:
        from cases.models import Practice

        cases["dalian"].practices.add(Practice.objects.get(slug="grid-management"))
        expected = 3
    response = client.get("/")
    assert facet(response, "practice")["网格化管理"] == (expected, False)
    assert response.context["paginator"].count == {"save": 6, "publish": 6, "delete": 4, "practices": 5}[change]


def practice_links(html: str) -> dict[str, str]:
    """{practice slug: the count shown in its facet link} from a list page's HTML."""
    block = html.split('class="facet-practice"', 1)[1].split("</ul>", 1)[0]
    return dict(re.findall(r'data-value="([^"]+)"[^>]*>[^<]*<span class="count">([^<]+)</span>', block))


def test_the_facet_block_is_rendered_once_per_filter_state(client, cases):
    """The next page (or a re-sort's page 1) of the same filters reuses the rendered facet links."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = client.get("/?practice=grid-management&page=1").content.decode()
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/?practice=grid-management&page=2").content.decode()
    # the facets' own queries (the provinces, the practices) did not run again
    facet_options = ('"cases_practice"."slug" FROM "cases_practice" ORDER BY', "\"level\" = 'province'")
    assert not [q for q in queries if any(part in q["sql"] for part in facet_options)]
    assert practice_links(again) == practice_links(first)
    assert practice_links(first)["grid-management"] == "2"
    # another filter state renders its own block
    other = client.get("/?practice=grid-management&province=210000").content.decode()
    assert practice_links(other)["grid-management"] == "1"


def test_the_cached_facet_block_is_dropped_when_a_case_changes(client, cases):
    assert practice_links(client.get("/").content.decode())["grid-management"] == "2"
    make_case("新的网格化管理", "新。", place_code="210700", published_on="2022-01-01", practices=("网格化管理",))
    assert practice_links(client.get("/").content.decode())["grid-management"] == "3"


def test_cached_counts_expire(client, cases, monkeypatch):
    """Another process's change (the loader) is not signalled here: the counts are short-lived."""
    from cases import facets

    calls = []
    monkeypatch.setattr(facets.cache, "set", lambda key, value, timeout=None: calls.append((key, timeout)))
    client.get("/")
    assert calls and all(timeout == facets.FACET_CACHE_SECONDS <= 300 for key, timeout in calls)


def test_counts_when_nothing_can_match(client, cases):
    response = client.get("/?q=%21%21%21")  # no searchable term
    assert response.status_code == 200
    assert response.context["paginator"].count == 0
    assert facet(response, "practice")["网格化管理"] == (0, False)


@pytest.mark.parametrize("cap", [1, 2, 3, 4, 5, 6, 7, 8, 5000])
@pytest.mark.parametrize("query", ["q=共建协议&province=210000", "q=共建协议&province=610000",
                                   "q=共建协议&province=110000", "q=协议&province=520000&city=520100",
                                   "q=共建协议&province=210000&year_from=2020"])
def test_a_searchs_province_facet_counts_the_matches_outside_the_chosen_province(cases, monkeypatch, cap, query):
    """Within a province, a capped search counts only the other provinces' matches for the facet (the
    chosen one's are the list's total): the same counts, or the same None past the cap, as counting the
    whole set without the province."""
    from django.core.cache import cache
    from django.http import QueryDict

    from cases import search
    from cases.facets import count_sets
    from cases.filters import CaseFilter

    for n in range(4):  # more matches, in and out of Liaoning
        make_case(f"共建协议{n}", "共建协议。", place_code=("210200", "610300", "520115", None)[n])
    monkeypatch.setattr(search, "SEARCH_CAP", cap)
    cache.clear()
    filterset = CaseFilter(QueryDict(query), queryset=Case.objects.published())
    whole = count_sets(filterset.without("province"), ["province"], cap, cached=False)["province"]
    assert filterset.counts["province"] == whole
    if cap == 5000:
        assert whole, "the search has matches to count"


@pytest.mark.parametrize("others_match", [True, False])
def test_the_largest_other_provinces_can_prove_a_search_past_the_cap(monkeypatch, others_match):
    """PostgreSQL: a word common in the chosen province is looked for in the largest others first; when they
    alone pass what the cap leaves, the facet is past the cap without counting every match outside. When
    they do not, the matches outside are counted, and the counts are the whole set's."""
    from django.core.cache import cache
    from django.db import connection
    from django.http import QueryDict
    from django.test.utils import CaptureQueriesContext

    from cases import search
    from cases.facets import count_sets
    from cases.filters import CaseFilter

    if connection.vendor != "postgresql":
        pytest.skip("the province sizes come from PostgreSQL's facet cells")
    for n in range(6):
        make_case(f"锦州共建协议{n}", "共建协议。", place_code="210700")
    for n in range(6):  # the largest other province, with or without the word
        make_case(f"宝鸡案例{n}", "共建协议。" if others_match else "别的做法。", place_code="610300")
    make_case("贵阳共建协议", "共建协议。", place_code="520115")
    monkeypatch.setattr(search, "SEARCH_CAP", 8)
    cache.clear()
    filterset = CaseFilter(QueryDict("q=共建协议&province=210000"), queryset=Case.objects.published())
    with CaptureQueriesContext(connection) as queries:
        counted = filterset.counts["province"]
    outside_counted = any("NOT (" in q["sql"] for q in queries.captured_queries)
    assert outside_counted is not others_match
    assert counted == count_sets(filterset.without("province"), ["province"], 8, cached=False)["province"]
    assert (counted is None) is others_match
