"""A researcher on the public list in Chromium: three filters, one removed by its chip, all cleared, at
1280 px and on a 375 px phone (the 筛选 panel); the facets' order and filter box; a highlighted title;
a figure's sentence and the way back to its row. Screenshots go to a temporary folder, or to the folder
``SCREENSHOT_DIR`` names (``SCREENSHOT_DIR=docs/screenshots`` refreshes the README's)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.site_factories import make_case

pytestmark = [pytest.mark.browser]

LONG = "".join(f"第{i}段讲述社区治理的一般情况，内容较长，用来把下面的句子推到屏幕之外。\n" for i in range(30))


@pytest.fixture
def cases():
    made = [
        make_case("锦州市推进网格化管理", LONG + "全市划分网格1200个，配备网格员3000名。其余内容。", place_code="210700",
                  published_on="2020-05-01", practices=("网格化管理", "党建联盟"),
                  metrics=(("网格1200个", "1200", "个", "", "网格"), ("网格员3000名", "3000", "名", "", "网格员"))),
        make_case("大连市中山区网格化服务", "中山区网格化服务。", place_code="210202", published_on="2020-03-01",
                  practices=("网格化管理",)),
        make_case("大连市党建联盟共建", "大连市党建联盟。", place_code="210200", published_on="2021-03-01",
                  practices=("党建联盟",)),
        make_case("沈阳市网格员队伍建设", "沈阳市网格员。", place_code="210100", published_on="2019-03-01",
                  practices=("网格化管理",)),
        make_case("宝鸡市双报到", "宝鸡市推行在职党员双报到。", place_code="610300", published_on="2021-01-01",
                  practices=("双报到",)),
        make_case("贵阳市红色物业", "观山湖区红色物业。", place_code="520115", practices=("红色物业",)),
    ]
    return {case.title: case for case in made}


@pytest.fixture
def shots(tmp_path) -> Path:
    return Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)


def titles(page) -> list[str]:
    return sorted(page.locator("article.result h2 a").all_inner_texts())


def chips(page) -> list[str]:
    return [text.replace("×", "").strip() for text in page.locator(".chips li a").all_inner_texts()]


def choose(page, facet: str, label: str, phone: bool) -> None:
    """Click a facet option; on a phone, open the 筛选 panel first (it is hidden until then)."""
    option = page.locator(f".facet-{facet} a", has_text=label)
    if phone:
        assert not option.is_visible()
        page.get_by_role("button", name="筛选").click()
        assert page.locator("#facet-panel").is_visible()
    with page.expect_navigation():
        option.click()


@pytest.mark.parametrize("width", [1280, 375])
def test_three_filters_one_removed_by_its_chip_then_all_cleared(live_server, browser, cases, width, shots):
    phone = width == 375
    context = browser.new_context(viewport={"width": width, "height": 900 if not phone else 740}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(live_server.url + "/")
        assert len(titles(page)) == 6 and chips(page) == []
        if phone:  # the results come right under the search box and the 筛选 button, not after every facet
            button = page.get_by_role("button", name="筛选").bounding_box()
            first = page.locator("article.result").first.bounding_box()
            assert button["y"] < first["y"] < 740
        choose(page, "province", "辽宁省", phone)
        choose(page, "practice", "网格化管理", phone)
        choose(page, "year", "2020", phone)
        assert chips(page) == ["省份：辽宁省", "实践：网格化管理", "年份：2020"]
        assert titles(page) == ["大连市中山区网格化服务", "锦州市推进网格化管理"]
        if phone:
            assert page.locator(".filters-open .badge").inner_text() == "3"
            page.get_by_role("button", name="筛选").click()
            page.screenshot(path=str(shots / "list-panel-375.png"))
            # the chosen province is the first of its facet, not scrolled out of sight among 34
            assert page.locator(".facet-province li").first.inner_text().startswith("辽宁省")
            page.get_by_role("button", name="关闭").click()
            assert not page.locator("#facet-panel").is_visible()
        page.screenshot(path=str(shots / f"list-filtered-{width}.png"), full_page=not phone)

        with page.expect_navigation():
            page.locator(".chips a", has_text="实践：网格化管理").click()
        assert chips(page) == ["省份：辽宁省", "年份：2020"]
        assert titles(page) == ["大连市中山区网格化服务", "锦州市推进网格化管理"]
        with page.expect_navigation():
            page.locator(".chips a", has_text="年份：2020").click()
        assert titles(page) == ["大连市中山区网格化服务", "大连市党建联盟共建", "沈阳市网格员队伍建设", "锦州市推进网格化管理"]

        with page.expect_navigation():
            page.get_by_role("link", name="清除全部", exact=True).click()
        assert page.url == live_server.url + "/"
        assert chips(page) == [] and len(titles(page)) == 6
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
    finally:
        context.close()


def test_facets_pin_the_chosen_value_order_by_count_and_narrow_as_the_reader_types(live_server, page, cases, shots):
    page.goto(live_server.url + "/?province=610000")
    provinces = page.locator(".facet-province li a")
    # the chosen province first, then those with cases (most first), then the zeros, dimmed
    assert provinces.nth(0).inner_text().startswith("陕西省") and "selected" in provinces.nth(0).get_attribute("class")
    assert provinces.nth(1).inner_text().replace("\n", " ") == "辽宁省 4"
    assert "zero" not in provinces.nth(2).get_attribute("class")  # 贵州省 1
    assert "zero" in provinces.nth(3).get_attribute("class")
    zero_color = provinces.nth(3).evaluate("el => getComputedStyle(el).color")
    assert zero_color != provinces.nth(1).evaluate("el => getComputedStyle(el).color")

    box = page.get_by_label("在省份中查找")
    assert box.is_visible()  # the script shows the box of a long facet
    assert not page.get_by_label("在年份中查找").count()  # a short facet has none
    box.fill("江")
    visible = [t.split("\n")[0] for t in page.locator(".facet-province li:visible").all_inner_texts()]
    assert visible == ["陕西省", "黑龙江省", "江苏省", "浙江省", "江西省"]  # the chosen one stays
    box.fill("无此地")
    assert page.locator(".facet-province li.no-match").is_visible()
    box.fill("")
    assert page.locator(".facet-province li:visible").count() == 34
    page.screenshot(path=str(shots / "list-facets-1280.png"))


def test_facets_work_without_javascript(live_server, browser, cases):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 740})
    page = context.new_page()
    try:
        page.goto(live_server.url + "/")
        assert not page.locator(".facet-filter").first.is_visible()  # no script, no box: every option is listed
        page.get_by_role("button", name="筛选").click()  # the popover opens without a script
        with page.expect_navigation():
            page.locator(".facet-city a", has_text="大连市").click()
        assert titles(page) == ["大连市中山区网格化服务", "大连市党建联盟共建"]
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 375])
def test_search_titles_are_highlighted(live_server, browser, cases, width, shots):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(live_server.url + "/")
        page.fill("#q", "網格")
        with page.expect_navigation():
            page.locator(".search-row button").click()
        assert page.locator(".converted").inner_text() == "已按简体检索：网格"
        marked = page.locator("article.result h2 mark").all_inner_texts()
        assert marked and set(marked) == {"网格"}
        assert page.locator("article.result h2", has_text="锦州市推进网格化管理").locator("mark").count() == 1
        page.screenshot(path=str(shots / f"list-search-{width}.png"), full_page=width == 1280)
    finally:
        context.close()


def test_a_highlighted_sentence_leads_back_to_its_row_in_the_figures_table(live_server, page, cases, shots):
    case = cases["锦州市推进网格化管理"]
    page.goto(live_server.url + case.get_absolute_url())
    back = page.locator(".back-to-table")
    assert not back.first.is_visible()  # only beside a highlighted sentence
    page.locator("a.figure-link", has_text="3,000名").click()
    sentence = page.locator(".sentence.highlight")
    page.wait_for_function("() => { const r = document.querySelector('.sentence.highlight').getBoundingClientRect();"
                           " return r.top >= 0 && r.bottom <= window.innerHeight; }")
    link = page.locator(".sentence.highlight + .back-to-table")
    assert link.is_visible() and link.inner_text() == "返回数据表"
    metric = case.metrics.get(subject="网格员")
    assert link.get_attribute("href") == f"#row-f{metric.pk}"  # the row of the figure followed
    page.screenshot(path=str(shots / "case-back-to-table-1280.png"))
    link.click()
    row = page.locator(f"#row-f{metric.pk}")
    page.wait_for_function(f"() => {{ const r = document.getElementById('row-f{metric.pk}').getBoundingClientRect();"
                           " return r.top >= 0 && r.bottom <= window.innerHeight; }")
    assert "3,000名" in row.inner_text()
    assert row.evaluate("el => getComputedStyle(el).backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")
    assert sentence.count() == 1


def test_a_figure_address_from_the_figures_page_opens_its_sentence(live_server, browser, cases):
    """``#f<pk>`` (the figures page's and the API's link) highlights the figure's sentence, also without script."""
    case = cases["锦州市推进网格化管理"]
    metric = case.metrics.get(subject="网格")
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}{case.get_absolute_url()}#{metric.anchor}")
        sentence = page.locator(f"#{metric.anchor}").locator("xpath=..")
        assert "sentence" in sentence.get_attribute("class")
        assert sentence.evaluate("el => getComputedStyle(el).backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")
        assert page.locator(".back-to-table", has_text="返回数据表").first.is_visible()
        assert page.evaluate("window.scrollY") > 0  # scrolled down to it
    finally:
        context.close()
