"""The figures explorer (/figures/): published figures filtered like the case list, facet counts,
sorting by value, rows linking to their sentences, and exports of exactly the selected rows."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case, Metric

from .site_factories import make_case

pytestmark = pytest.mark.django_db

BODY_A = "锦州市推行网格化管理。全市建立网格党支部120个，在职党员1,120余名到社区报到。"
BODY_B = "宝鸡市深化双报到。全市在职党员3,500名到社区报到，共建协议300个。"
BODY_C = "贵阳市观山湖区建立小区党支部46个。"


@pytest.fixture
def archive():
    make_case("锦州网格化", BODY_A, place_code="210700", published_on="2019-06-12", practices=("网格化管理",),
              metrics=(("网格党支部120个", "120", "个", "", "网格党支部"),
                       ("在职党员1,120余名", "1120", "名", "余", "在职党员")), slug="jinzhou")
    make_case("宝鸡双报到", BODY_B, place_code="610300", published_on="2021-03-01", practices=("双报到",),
              metrics=(("在职党员3,500名", "3500", "名", "", "在职党员"), ("共建协议300个", "300", "个", "", "共建协议")),
              slug="baoji")
    make_case("观山湖小区党支部", BODY_C, place_code="520115", metrics=(("小区党支部46个", "46", "个", "", "小区党支部"),),
              slug="guanshanhu")
    make_case("草稿", BODY_B.replace("宝鸡", "咸阳"), place_code="610400", status=Case.Status.DRAFT,
              metrics=(("在职党员3,500名", "9999", "名", "", "在职党员"),), slug="draft")
    Metric.objects.assign_indicators()


def rows(client, query: str) -> list[tuple[str, str]]:
    """(value as the text counts it, case slug) of every row of the page, in order."""
    html = client.get(f"/figures/{query}").content.decode()
    return re.findall(r'<td class="num"[^>]*><a href="/cases/([^/]+)/#f\d+"[^>]*>([^<]+)</a>', html)


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", [("baoji", "3,500名"), ("jinzhou", "1,120余名"), ("baoji", "300个"), ("jinzhou", "120个"),
              ("guanshanhu", "46个")]),  # the largest first; never the draft's 9999
        ("?sort=value", [("guanshanhu", "46个"), ("jinzhou", "120个"), ("baoji", "300个"), ("jinzhou", "1,120余名"),
                         ("baoji", "3,500名")]),
        ("?indicator=reporting-members", [("baoji", "3,500名"), ("jinzhou", "1,120余名")]),
        ("?indicator=reporting-members&indicator=residential-branches",
         [("baoji", "3,500名"), ("jinzhou", "1,120余名"), ("guanshanhu", "46个")]),
        ("?province=210000", [("jinzhou", "1,120余名"), ("jinzhou", "120个")]),
        ("?city=520100", [("guanshanhu", "46个")]),  # a city holds its districts
        ("?practice=dual-reporting", [("baoji", "3,500名"), ("baoji", "300个")]),
        ("?year_from=2020&year_to=2021", [("baoji", "3,500名"), ("baoji", "300个")]),
        ("?qualifier=余", [("jinzhou", "1,120余名")]),
        ("?qualifier=none&indicator=reporting-members", [("baoji", "3,500名")]),
        ("?subject=党支部", [("jinzhou", "120个"), ("guanshanhu", "46个")]),
        ("?sort=newest", [("baoji", "3,500名"), ("baoji", "300个"), ("jinzhou", "120个"), ("jinzhou", "1,120余名"),
                          ("guanshanhu", "46个")]),  # by the case's date, undated last, then as the text runs
    ],
)
def test_filters_and_sorts(client, archive, query, expected):
    assert [(slug, shown) for slug, shown in rows(client, query)] == expected


def test_facets_count_with_the_other_filters(client, archive):
    html = client.get("/figures/?indicator=reporting-members&province=610000").content.decode()
    # the indicator facet ignores its own filter but keeps the province: 宝鸡 has two figures, one each
    facet = html[html.index('class="facet-indicator"'):html.index('class="facet-province"')]
    assert re.search(r'data-value="reporting-members" class="selected"[^>]*>在职党员报到人数 <span class="count">1<', facet)
    assert re.search(r'data-value="partnership-agreements"[^>]*>共建协议数 <span class="count">1<', facet)
    province = html[html.index('class="facet-province"'):html.index('class="facet-year"')]
    assert re.search(r'>辽宁省 <span class="count">1<', province) and re.search(r'>陕西省 <span class="count">1<', province)


def test_a_bad_value_is_reported_and_the_others_still_apply(client, archive):
    response = client.get("/figures/?province=abc&qualifier=余")
    html = response.content.decode()
    assert response.status_code == 200 and "以下条件无效" in html
    assert rows(client, "?province=abc&qualifier=余") == [("jinzhou", "1,120余名")]
    assert client.get("/figures/?page=x").status_code == 200
    assert client.get("/figures/?format=xml").status_code == 400


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_exports_hold_exactly_the_selected_rows_in_order(client, archive, fmt):
    query = "?indicator=reporting-members&indicator=residential-branches&sort=value"
    response = client.get(f"/figures/{query}&format={fmt}")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    data = list(csv.DictReader(io.StringIO(body))) if fmt == "csv" else json.loads(body)
    shown = rows(client, query)
    assert [(row["url"].split("/cases/")[1].split("/")[0], row["display"]) for row in data] == shown
    assert {row["indicator"] for row in data} == {"在职党员报到人数", "小区党支部数"}
    assert client.get(f"/figures/?subject=无此对象&format={fmt}").status_code == 200


def test_the_page_takes_a_bounded_number_of_queries(client, archive):
    with CaptureQueriesContext(connection) as small:
        client.get("/figures/")
    for n in range(3):
        make_case(f"更多{n}", BODY_A, place_code="210700", published_on=f"201{n}-01-01",
                  metrics=(("网格党支部120个", "120", "个", "", "网格党支部"),))
    Metric.objects.assign_indicators()
    with CaptureQueriesContext(connection) as large:
        client.get("/figures/")
    assert len(large.captured_queries) == len(small.captured_queries) <= 10
