"""The public pages through the test client: case page, practices, places, exports, 404, query counts."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from cases.models import Case, Metric
from tests.site_factories import make_case

pytestmark = pytest.mark.django_db


BODY = (
    "锦州市深入实施“五个一”工程。\n"
    "下好“一盘棋”,建立领导新机制\n"
    "全市签订共建协议1120余个,开展共建活动5800余次。市级层面成立领导小组。\n"
    "织密“一张网”,提升治理成效\n"
    "划分网格1.2万个;<b>网格员</b>持证上岗。"
)


@pytest.fixture
def case():
    return make_case(
        "锦州市全域党建", BODY, place_code="210700", published_on="2019-05-01", source="锦州日报",
        practices=("网格化管理", "党建联盟"), keywords=("全域党建", "一盘棋"),
        mechanisms=("下好“一盘棋”,建立领导新机制", "织密“一张网”,提升治理成效"),
        metrics=(("共建协议1120余个", "1120", "个", "余", "共建协议"),
                 ("共建活动5800余次", "5800", "次", "余", "共建活动"),
                 ("网格1.2万个", "12000", "个", "", "网格")),
        original_text="錦州市深入實施“五個一”工程。", script=Case.Script.TRADITIONAL,
        repairs=[{"stage": "repair", "kind": "pinyin", "count": 3, "examples": ["關(guān) → 關"]}],
    )


def test_case_page(client, case):
    response = client.get(case.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>锦州市全域党建</h1>" in html
    # the place as a breadcrumb, each part a link to the filtered list
    assert '<a href="/?province=210000">辽宁省</a>' in html
    assert '<a href="/?city=210700">锦州市</a>' in html
    assert '<a href="/?practice=grid-management">网格化管理</a>' in html
    assert "锦州日报" in html and "2019年5月1日" in html
    # the figures with qualifier and unit, each linked to its sentence
    for shown in ("1,120余个", "5,800余次", "12,000个"):
        assert shown in html
    links = re.findall(r'<a class="figure-link" href="#(s-\d+)"', html)
    assert len(links) == 3 and links[0] == links[1]  # two figures in one sentence share its anchor
    for anchor in set(links):
        sentence = re.search(rf'<span class="sentence" id="{anchor}">(.*?)</span>。?', html).group(1)
        assert "网格" in sentence or "共建协议" in sentence
    first = re.search(rf'<span class="sentence" id="{links[0]}">(.*?)。', html).group(1)
    assert first.startswith("全市签订") and '<span class="figure" id="f' in first
    # mechanism headings are anchored headings, and the outline links to them
    assert '<h3 class="mech-heading" id="m0">下好“一盘棋”,建立领导新机制</h3>' in html
    assert '<a href="#m1">织密“一张网”,提升治理成效</a>' in html
    # the body is escaped
    assert "&lt;b&gt;网格员&lt;/b&gt;" in html and "<b>网格员</b>" not in html
    # how the text was cleaned
    assert "这篇文本是如何整理的" in html and "关(guān) → 关" not in html and "關(guān) → 關" in html
    assert "拼音注音已去除 3 处" in html and "pinyin" not in html  # in words, not the pipeline's names


def test_a_figure_sentence_leads_back_to_its_row_and_every_figure_address_exists(client, case):
    html = client.get(case.get_absolute_url()).content.decode()
    rows = re.findall(r'<tr id="(row-f\d+)">', html)
    assert rows == [f"row-{m.anchor}" for m in case.metrics.order_by("start", "order")]
    # after each figure's sentence a link back to the table row (shown while the sentence is highlighted)
    backs = re.findall(r'</span><a class="back-to-table" href="#(row-f\d+)">返回数据表</a>', html)
    assert len(backs) == 2 and set(backs) <= set(rows)  # two sentences; the first holds two figures
    # the address the API and the figures page give a figure's sentence (#f<pk>) is on the page
    for metric in case.metrics.all():
        assert f'<span class="figure" id="{metric.anchor}" data-metric="{metric.pk}">' in html


@pytest.mark.parametrize(
    "repair, text",
    [
        ({"stage": "repair", "kind": "pinyin", "count": 683}, "拼音注音已去除 683 处"),
        ({"stage": "normalise", "kind": "t2s", "count": 1432}, "繁体字已转为简体 1432 处"),
        ({"stage": "clean", "kind": "breadcrumb", "count": 2}, "网页框架（导航、工具栏、版权声明等）2 行已删除"),
        ({"stage": "clean", "kind": "aggregator-note", "count": 1}, "网页框架（导航、工具栏、版权声明等）1 行已删除"),
        ({"stage": "decode", "kind": "html", "count": 1}, "从保存的网页中取出正文"),
        ({"stage": "somewhere", "kind": "new-kind", "count": 4}, "somewhere 4 处"),  # a kind nobody named yet
    ],
)
def test_repairs_read_as_sentences(repair, text):
    from cases.templatetags.case_text import repair_text

    assert repair_text(repair) == text


def test_original_text_switch(client, case):
    html = client.get(case.get_absolute_url()).content.decode()
    assert 'href="?text=original"' in html and "錦州市深入實施" not in html
    html = client.get(case.get_absolute_url() + "?text=original").content.decode()
    assert "錦州市深入實施“五個一”工程。" in html
    assert f'href="{case.get_absolute_url()}#s-' in html  # figures lead back to the clean text


def test_related_cases_share_practices_then_keywords(client, case):
    both = make_case("大连市网格化与党建联盟", "正文。", practices=("网格化管理", "党建联盟"))
    one_with_keywords = make_case("宝鸡市党建联盟", "正文。", practices=("党建联盟",), keywords=("一盘棋", "全域党建"))
    one = make_case("贵阳市网格化", "正文。", practices=("网格化管理",))
    make_case("无关", "正文。", practices=("双报到",))
    make_case("草稿", "正文。", practices=("网格化管理", "党建联盟"), status=Case.Status.DRAFT)
    related = client.get(case.get_absolute_url()).context["related"]
    assert [c.slug for c in related] == [both.slug, one_with_keywords.slug, one.slug]


@pytest.mark.parametrize("slug", ["no-such-case", "%E6%97%A0", "draft"])
def test_unknown_or_unpublished_case_is_a_404_in_the_site_style(client, slug):
    make_case("草稿", "正文。", status=Case.Status.DRAFT, slug="draft")
    response = client.get(f"/cases/{slug}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html and 'class="site-header"' in html


def test_list_page_shows_place_date_practices(client, case):
    html = client.get("/").content.decode()
    assert '<a href="/cases/' in html and "锦州市全域党建" in html
    assert "辽宁省 › 锦州市" in html and "2019年5月1日" in html and '<li><a href="/practices/grid-management/">网格化管理</a></li>' in html


def test_municipality_breadcrumb_does_not_repeat_the_city(client):
    case = make_case("东城区案例", "正文。", place_code="110101")
    html = client.get(case.get_absolute_url()).content.decode()
    assert html.count(">北京市</a>") == 1 and '<a href="/?city=110101">东城区</a>' in html
    assert "北京市 › 东城区" in client.get("/").content.decode()


def test_practice_pages(client, case):
    make_case("宝鸡市网格", "正文。", place_code="610300", practices=("网格化管理",))
    make_case("草稿", "正文。", place_code="610300", practices=("网格化管理",), status=Case.Status.DRAFT)
    response = client.get("/practices/")
    counts = {p.name: p.case_count for p in response.context["practices"]}
    assert counts["网格化管理"] == 2 and counts["党建联盟"] == 1 and counts["双报到"] == 0
    html = client.get("/practices/grid-management/").content.decode()
    assert "<h2>辽宁省</h2>" in html and "<h3>锦州市</h3>" in html and "<h2>陕西省</h2>" in html
    assert "草稿" not in html
    assert client.get("/practices/no-such/").status_code == 404


def test_places_page(client, case):
    make_case("东城区", "正文。", place_code="110101")
    make_case("大连", "正文。", place_code="210202")
    make_case("草稿", "正文。", place_code="210202", status=Case.Status.DRAFT)
    html = client.get("/places/").content.decode()
    assert re.search(r'href="/\?province=210000">辽宁省</a> <span class="count">2</span>', html)
    assert re.search(r'href="/\?city=210200">大连市</a> <span class="count">1</span>', html)
    assert re.search(r'href="/\?province=310000">上海市</a> <span class="count">0</span>', html)


def _content(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_exports_follow_the_filters(client, case):
    make_case("宝鸡市案例", "宝鸡正文。", place_code="610300", practices=("双报到",))
    rows = list(csv.DictReader(io.StringIO(_content(client.get("/cases.csv?province=210000")))))
    assert [r["slug"] for r in rows] == [case.slug] and rows[0]["city"] == "锦州市"
    assert rows[0]["practices"] == "党建联盟; 网格化管理"
    Metric.objects.assign_indicators()  # the loader's step; these cases were made without it
    data = json.loads(client.get("/?format=json&practice=grid-management").content)["results"]
    assert [d["slug"] for d in data] == [case.slug]
    assert data[0]["metrics"][0] == {"value": 1120, "unit": "个", "qualifier": "余", "magnitude": "",
                                     "subject": "共建协议", "indicator": "共建协议数",
                                     "text": "共建协议1120余个", "start": BODY.index("共建协议1120"),
                                     "end": BODY.index("共建协议1120") + len("共建协议1120余个")}
    all_cases = json.loads(client.get("/cases.json").content)["results"]
    assert len(all_cases) == 2
    figures = list(csv.DictReader(io.StringIO(_content(client.get("/figures.csv?q=锦州")))))
    assert [(f["subject"], f["display"]) for f in figures] == [
        ("共建协议", "1,120余个"), ("共建活动", "5,800余次"), ("网格", "12,000个")]
    assert figures[0]["sentence"] == "全市签订共建协议1120余个,开展共建活动5800余次。"
    assert figures[0]["city"] == "锦州市"
    assert client.get("/?format=xml").status_code == 400


def test_export_of_many_cases_streams_in_batches(client, django_assert_max_num_queries):
    for i in range(12):
        make_case(f"案例{i}", "正文1个。", metrics=(("1个", "1", "个", "", "甲"),), practices=("网格化管理",))
    with django_assert_max_num_queries(12):
        assert len(list(csv.DictReader(io.StringIO(_content(client.get("/figures.csv")))))) == 12
    with django_assert_max_num_queries(12):
        assert len(json.loads(client.get("/cases.json").content)["results"]) == 12


def _many(n: int):
    for i in range(n):
        make_case(f"网格案例{i}", f"网格正文{i}。共建协议{i}个。", place_code="210700",
                  published_on=f"20{10 + i % 10}-01-01", practices=("网格化管理", "党建联盟"),
                  metrics=((f"共建协议{i}个", str(i + 1), "个", "", "共建协议"),))


@pytest.mark.parametrize(
    "url", ["/", "/?q=网格", "/?province=210000&practice=grid-management", "/?sort=figures", "/?city=210700&q=網格"]
)
def test_list_query_count_does_not_grow_with_the_page(client, url, django_assert_num_queries):
    _many(3)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert len(client.get(url).context["cases"]) == 3
    _many(22)
    with django_assert_num_queries(len(small)):
        assert len(client.get(url).context["cases"]) == 20


def test_case_page_query_count_does_not_grow_with_figures(client, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small = make_case("少", "甲1个。", practices=("网格化管理",), metrics=(("1个", "1", "个", "", "甲"),),
                      mechanisms=("甲1个",))
    body = "".join(f"第{i}项{i}个。\n小标题{i}\n" for i in range(30))
    big = make_case("多", body, practices=("网格化管理", "党建联盟", "双报到"),
                    mechanisms=tuple(f"小标题{i}" for i in range(30)),
                    metrics=tuple((f"{i}个", str(i), "个", "", f"第{i}项") for i in range(10, 30)))
    with CaptureQueriesContext(connection) as queries:
        client.get(small.get_absolute_url())
    with django_assert_num_queries(len(queries)):
        assert len(client.get(big.get_absolute_url()).context["figures"]) == 20


def test_practice_page_query_count_does_not_grow(client, django_assert_max_num_queries):
    _many(30)
    # the cases' page (4), and one grouped query each for the timeline, the co-occurring practices
    # and the figures by indicator
    with django_assert_max_num_queries(9):
        assert len(client.get("/practices/grid-management/").context["cases"]) == 30
    with django_assert_max_num_queries(4):
        client.get("/practices/")
    with django_assert_max_num_queries(4):
        client.get("/places/")


def test_list_query_count_does_not_grow_with_the_facet_values(client, django_assert_num_queries):
    """More provinces, cities, practices and years with cases: more facet values, the same queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = "/?practice=grid-management&q=网格"
    make_case("网格一", "网格。", place_code="210700", published_on="2019-01-01", practices=("网格化管理",))
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    with CaptureQueriesContext(connection) as few_browsing:
        client.get("/?province=210000&fresh=1")
    places = ["610300", "520115", "110101", "210202", "130100", "320100", "440300", "510100"]
    practices = ["党建联盟", "双报到", "红色物业", "吹哨报到"]
    for i, code in enumerate(places):
        make_case(f"网格{i}", "网格。", place_code=code, published_on=f"20{10 + i}-01-01",
                  practices=("网格化管理", practices[i % len(practices)]))
    with django_assert_num_queries(len(few)):  # a search: counted over the cases, never a cached page
        response = client.get(url)
    assert len(response.context["cases"]) == 9
    assert sum(1 for g in response.context["facets"] for o in g["options"] if o["count"]) > 20
    with django_assert_num_queries(len(few_browsing)):
        client.get("/?province=210000&fresh=2")


def test_pagination(client):
    _many(25)
    first = client.get("/?practice=grid-management")
    assert len(first.context["cases"]) == 20 and first.context["is_paginated"]
    html = first.content.decode()
    assert 'href="?practice=grid-management&amp;page=2"' in html
    second = client.get("/?practice=grid-management&page=2")
    assert len(second.context["cases"]) == 5
    assert not {c.pk for c in first.context["cases"]} & {c.pk for c in second.context["cases"]}


@pytest.mark.parametrize(
    "query, chips",
    [
        ("", []),
        ("?province=210000&city=210700", [("省份：辽宁省", "?"), ("地区：锦州市", "?province=210000")]),
        ("?practice=grid-management&practice=dual-reporting&year_from=2019&year_to=2019",
         [("实践：网格化管理", "?practice=dual-reporting&year_from=2019&year_to=2019"),
          ("实践：双报到", "?practice=grid-management&year_from=2019&year_to=2019"),
          ("年份：2019", "?practice=grid-management&practice=dual-reporting")]),
        ("?q=網格&has_figures=true&source=人民网",
         [("检索：網格", "?has_figures=true&source=%E4%BA%BA%E6%B0%91%E7%BD%91"),
          ("来源：人民网", "?q=%E7%B6%B2%E6%A0%BC&has_figures=true"),
          ("只看含数据的案例", "?q=%E7%B6%B2%E6%A0%BC&source=%E4%BA%BA%E6%B0%91%E7%BD%91")]),
        ("?province=abc&year_from=2019", [("年份：2019–", "?province=abc")]),  # an invalid value makes no chip
    ],
)
def test_active_filters_as_chips_each_removing_itself(client, case, query, chips):
    html = client.get(f"/{query}").content.decode()
    got = [(label.strip(), url.replace("&amp;", "&"))
           for url, label in re.findall(r'<li><a href="([^"]*)" title="去掉这个条件">([^<]*) <span', html)]
    assert got == chips
    assert ('class="clear-all" href="/"' in html) is bool(chips)


def test_titles_of_a_search_are_highlighted_in_either_script(client, case):
    make_case("宝鸡市<b>双报到</b>", "宝鸡市推行双报到。网格。", place_code="610300", published_on="2021-01-01")
    for query in ("黨建", "党建 网格"):
        html = client.get("/", {"q": query}).content.decode()
        assert re.search(r'<h2><a href="/cases/[^"]+">锦州市全域<mark>党建</mark></a></h2>', html)
    escaped = client.get("/", {"q": "双报到"}).content.decode()
    assert "宝鸡市&lt;b&gt;<mark>双报到</mark>&lt;/b&gt;" in escaped  # the title stays escaped around its marks
    assert "<mark>" not in client.get("/?province=210000").content.decode()  # no query, no marks


def test_a_traditional_query_says_it_was_searched_in_simplified(client, case):
    assert "已按简体检索：网格" in client.get("/?q=網格").content.decode()
    assert "已按简体检索" not in client.get("/?q=网格").content.decode()


def test_undated_cases_have_a_year_choice_of_their_own(client, case):
    from .site_factories import make_case as make

    make("某市无日期案例", "某市推行网格化。", place_code="210700")
    html = client.get("/").content.decode()
    assert re.search(r'href="\?undated=true" data-value="undated"[^>]*>日期不详 <span class="count">1<', html)
    listed = client.get("/?undated=true").content.decode()
    assert "某市无日期案例" in listed and "锦州市全域党建" not in listed
    assert '<li><a href="?" title="去掉这个条件">日期不详 <span' in listed
