"""/compare/: one indicator across places (sorted, bounds drawn as such, numbers in a table beside the
bars, each bar linking to the place's figures) and places side by side."""

from __future__ import annotations

import re

import pytest

from cases.models import Case, Metric
from ingest.vocabulary import APPROXIMATE, LOWER_BOUND, QUALIFIER_BOUND, QUALIFIERS, UPPER_BOUND

from .site_factories import make_case

pytestmark = pytest.mark.django_db


def test_every_qualifier_says_what_it_bounds():
    assert set(QUALIFIER_BOUND) == {q.word for q in QUALIFIERS}
    assert (QUALIFIER_BOUND["余"], QUALIFIER_BOUND["近"], QUALIFIER_BOUND["约"]) == (LOWER_BOUND, UPPER_BOUND, APPROXIMATE)


@pytest.fixture
def archive():
    make_case("锦州双报到", "锦州市在职党员1,120余名到社区报到。", place_code="210700", published_on="2019-06-12",
              practices=("双报到",), metrics=(("在职党员1,120余名", "1120", "名", "余", "在职党员"),), slug="jinzhou")
    make_case("宝鸡双报到", "宝鸡市在职党员3,500名到社区报到。", place_code="610300", published_on="2021-03-01",
              practices=("双报到", "网格化管理"), mechanisms=("在职党员3,500名到社区报到",),
              metrics=(("在职党员3,500名", "3500", "名", "", "在职党员"),), slug="baoji")
    make_case("贵阳双报到", "贵阳市近2,000名在职党员到社区报到。", place_code="520115", published_on="2020-01-01",
              metrics=(("近2,000名在职党员", "2000", "名", "近", "在职党员"),), slug="guiyang")
    make_case("草稿", "咸阳市在职党员9,999名到社区报到。", place_code="610400", status=Case.Status.DRAFT,
              metrics=(("在职党员9,999名", "9999", "名", "", "在职党员"),), slug="draft")
    Metric.objects.assign_indicators()


def bars(html: str) -> list[tuple[str, str, str]]:
    """(row class, label, value) of every bar, in order."""
    return [(cls, re.sub(r"\s+", " ", label).strip(), value) for cls, label, value in re.findall(
        r'<li class="bar-row (bound-\w+)">.*?<span class="bar-label">(.*?)</span>.*?<span class="bar-value">(.*?)</span>',
        html, re.S)]


def test_one_indicator_across_places_sorted_with_its_bounds(client, archive):
    html = client.get("/compare/?indicator=reporting-members").content.decode()
    assert bars(html) == [("bound-exact", "宝鸡市 · 2021", "3,500名"), ("bound-upper", "贵阳市 · 2020", "近2,000名"),
                          ("bound-lower", "锦州市 · 2019", "1,120余名")]
    # the lower bound is drawn with an open end; the largest bar is the full width
    assert 'class="beyond"' in html.split("锦州市 · 2019")[1].split("</li>")[0]
    assert '<rect width="100.00"' in html
    # the numbers are in a table too, with what each qualifier means, each linking to its sentence
    table = html[html.index("<table class=\"figure-table compare-table\""):]
    assert re.findall(r'data-label="含义">(\w+)<', table) == ["确数", "上限", "下限"]
    assert re.search(r'href="/cases/jinzhou/#f\d+">1,120余名<', table)
    # a bar leads to that place's figures of the indicator
    assert 'href="/figures/?indicator=reporting-members&amp;city=610300"' in html
    assert "9,999" not in html  # never a draft


def test_ratios_where_the_case_gives_the_base(client, archive):
    make_case("大连双报到", "大连市有社区400个，居民200万人，在职党员6,000名到社区报到。", place_code="210200",
              published_on="2022-01-01",
              metrics=(("社区400个", "400", "个", "", "社区"), ("居民200万人", "2000000", "人", "", "居民"),
                       ("在职党员6,000名", "6000", "名", "", "在职党员")))
    Metric.objects.assign_indicators()
    html = client.get("/compare/?indicator=reporting-members").content.decode()
    table = html[html.index('class="figure-table compare-table"'):]
    assert re.findall(r'data-label="每个社区">([^<]+)<', table) == ["15.0名", "—", "—", "—"]
    assert re.findall(r'data-label="每万名居民">([^<]+)<', table) == ["30.0名", "—", "—", "—"]
    # a share is already a ratio; an indicator is no base of itself
    assert "每个社区" not in client.get("/compare/?indicator=satisfaction").content.decode().split("<table")[-1]
    assert 'data-label="每个社区"' not in client.get("/compare/?indicator=communities").content.decode()


def test_a_bar_leads_to_the_filtered_figures(client, archive):
    html = client.get("/figures/?indicator=reporting-members&city=610300").content.decode()
    assert "3,500名" in html and "1,120余名" not in html


@pytest.mark.parametrize("query, message", [("?indicator=nothing", "没有这个比较指标"),
                                            ("?place=999999&place=abc", "有 2 个地区代码无效")])
def test_unknown_indicators_and_places_are_reported(client, archive, query, message):
    response = client.get(f"/compare/{query}")
    assert response.status_code == 200 and message in response.content.decode()


def test_places_side_by_side(client, archive):
    html = client.get("/compare/?place=610300&place=210700").content.decode()
    table = html[html.index('<table class="pinned-table">'):]
    heads = re.findall(r'<th scope="col">(\w+)<br>', table)
    assert heads == ["宝鸡市", "锦州市"]
    practices = table.split('<th scope="row">实践</th>')[1].split("</tr>")[0]
    assert "网格化管理" in practices.split("</td>")[0] and "网格化管理" not in practices.split("</td>")[1]
    assert "在职党员3,500名到社区报到" in table  # a mechanism in its place's column
    row = table.split("在职党员报到人数</a></th>")[1].split("</tr>")[0]
    assert re.findall(r">([\d,]+\w*名)</a>", row) == ["3,500名", "1,120余名"]  # aligned by indicator


def test_the_page_without_a_choice_offers_the_indicators_with_figures(client, archive):
    html = client.get("/compare/").content.decode()
    assert '<option value="reporting-members">在职党员报到人数（3）</option>' in html
    assert "bar-row" not in html


def test_the_page_draws_the_largest_figures_and_links_to_all_of_them(client, archive, monkeypatch):
    from cases import compare
    from cases.models import Indicator

    for i, value in enumerate((3500, 2000, 800, 3500, 1200)):  # ties with the largest: the older case first
        make_case(f"更多{i}", f"某市在职党员{value}名到社区报到。", place_code="210200", published_on=f"20{15 + i}-01-01",
                  metrics=((f"在职党员{value}名", str(value), "名", "", "在职党员"),))
    Metric.objects.assign_indicators()
    indicator = Indicator.objects.get(slug="reporting-members")
    every = [(r.metric.pk, r.percent) for r in compare.indicator_rows(indicator)]
    assert len(every) == 8
    for limit in (1, 2, 3, 5, 8, 20):
        assert [(r.metric.pk, r.percent) for r in compare.indicator_rows(indicator, limit=limit)] == every[:limit]
    monkeypatch.setattr(compare, "ROWS_SHOWN", 3)
    html = client.get("/compare/?indicator=reporting-members").content.decode()
    assert len(bars(html)) == 3
    assert "只列出数值最大的 3 个数字（共 8 个）" in html
    assert 'href="/figures/?indicator=reporting-members">数字浏览</a>' in html
    monkeypatch.setattr(compare, "ROWS_SHOWN", 8)
    assert "只列出" not in client.get("/compare/?indicator=reporting-members").content.decode()
