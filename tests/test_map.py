"""/map/: provinces (or one province's cities) shaded by published cases under the filters, each linking to
the filtered list; the counts as JSON; bad input reported, never a 500."""

from __future__ import annotations

import json
import re

import pytest

from cases import maps
from cases.models import Case, Metric

from .site_factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive():
    make_case("锦州一", "锦州市在职党员1,120余名到社区报到。", place_code="210700", published_on="2018-03-01",
              practices=("双报到",), metrics=(("在职党员1,120余名", "1120", "名", "余", "在职党员"),))
    make_case("大连", "大连市推行网格化。", place_code="210200", published_on="2019-03-01", practices=("网格化管理",))
    make_case("宝鸡", "宝鸡市推行双报到。", place_code="610300", published_on="2021-05-01", practices=("双报到",))
    make_case("东城", "东城区推行双报到。", place_code="110101", published_on="2021-05-01", practices=("双报到",))
    make_case("草稿", "咸阳市推行双报到。", place_code="610400", status=Case.Status.DRAFT, practices=("双报到",))
    Metric.objects.assign_indicators()


def shaded(html: str) -> dict[str, tuple[int, str]]:
    """{code: (shade, link)} of every shape drawn with a case."""
    found = re.findall(r'<a href="([^"]+)" class="shape shade-(\d)" data-code="(\d+)">', html)
    return {code: (int(s), link.replace("&amp;", "&")) for link, s, code in found if s != "0"}


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", {"210000": 2, "610000": 1, "110000": 1}),
        ("?practice=dual-reporting", {"210000": 1, "610000": 1, "110000": 1}),
        ("?year_from=2020", {"610000": 1, "110000": 1}),
        ("?indicator=reporting-members", {"210000": 1}),
    ],
)
def test_provinces_shaded_by_filtered_counts(client, archive, query, expected):
    html = client.get(f"/map/{query}").content.decode()
    got = shaded(html)
    assert set(got) == set(expected)
    largest = max(expected.values())
    for code, n in expected.items():
        assert got[code][0] == maps.shade(n, largest)
        assert got[code][1].startswith("/?") and f"province={code}" in got[code][1]
    data = json.loads(client.get(f"/map/data.json{query}").content)
    assert data == {"level": "province", "province": None, "counts": expected}


def test_a_shape_links_to_the_list_with_the_same_filters(client, archive):
    html = client.get("/map/?practice=dual-reporting&year_from=2018").content.decode()
    link = shaded(html)["210000"][1]
    assert link == "/?practice=dual-reporting&year_from=2018&province=210000"
    assert [t for t in re.findall(r'<h2><a href="[^"]+">([^<]+)</a>', client.get(link).content.decode())] == ["锦州一"]


def test_a_province_zoomed_shows_its_cities(client, archive):
    html = client.get("/map/?province=210000").content.decode()
    assert {code: s for code, (s, _link) in shaded(html).items()} == {"210200": 5, "210700": 5}
    assert "city=210700" in shaded(html)["210700"][1]
    # a municipality is drawn by its districts
    beijing = shaded(client.get("/map/?province=110000").content.decode())
    assert set(beijing) == {"110101"}


def test_shades_run_on_a_log_scale():
    assert [maps.shade(n, 1000) for n in (0, 1, 10, 100, 1000)] == [0, 1, 2, 4, 5]
    assert maps.shade(1, 1) == maps.SHADES


@pytest.mark.parametrize("query", ["?year_from=abc", "?province=999999", "?indicator=nothing", "?practice=%00"])
def test_bad_input_is_reported_or_ignored(client, archive, query):
    response = client.get(f"/map/{query}")
    assert response.status_code == 200
    if "year_from" in query or "practice" in query:
        assert "以下条件无效" in response.content.decode()


def test_the_table_beside_the_map_holds_its_numbers(client, archive):
    html = client.get("/map/").content.decode()
    table = html[html.index('class="figure-table map-table"'):]
    assert re.findall(r'>(\w+省|\w+市)</a></td><td class="num"[^>]*>(\d+)<', table) == [
        ("辽宁省", "2"), ("北京市", "1"), ("陕西省", "1")]


@pytest.mark.parametrize("query", ["", "?practice=dual-reporting", "?year_from=2019", "?practice=grid-management&year_to=2019",
                                   "?indicator=reporting-members", "?practice=dual-reporting&practice=grid-management",
                                   "?year_from=2030"])
def test_the_counts_are_the_same_from_the_facet_cells(client, archive, monkeypatch, query):
    """On PostgreSQL the country's counts come from the list's maintained counts when the filters allow."""
    from cases import facet_cells

    from_cells = json.loads(client.get(f"/map/data.json{query}").content)
    monkeypatch.setattr(facet_cells, "counts", lambda filterset: None)
    assert json.loads(client.get(f"/map/data.json{query}").content) == from_cells
