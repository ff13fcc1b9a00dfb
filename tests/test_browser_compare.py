"""Compare and explore in Debian's Chromium: pick an indicator, read the sorted bars and their numbers,
click a bar to reach the filtered figures; the explorer's facets; the API page; at 1280 and 375 px,
with no CSP violation."""

from __future__ import annotations

import pytest

from cases.models import Metric
from tests.site_factories import make_case

# Browser tests run against a live server; tests/conftest.py makes them transactional with serialized rollback.
pytestmark = [pytest.mark.browser]


@pytest.fixture
def archive():
    make_case("锦州双报到", "锦州市在职党员1,120余名到社区报到。", place_code="210700", published_on="2019-06-12",
              metrics=(("在职党员1,120余名", "1120", "名", "余", "在职党员"),))
    make_case("宝鸡双报到", "宝鸡市在职党员3,500名到社区报到，共建协议300个。", place_code="610300",
              published_on="2021-03-01",
              metrics=(("在职党员3,500名", "3500", "名", "", "在职党员"), ("共建协议300个", "300", "个", "", "共建协议")))
    Metric.objects.assign_indicators()


@pytest.mark.parametrize("width", [1280, 375])
def test_pick_an_indicator_read_the_bars_and_follow_one(live_server, page, archive, width, tmp_path):
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/compare/")
    page.select_option("#indicator", "reporting-members")
    page.get_by_role("button", name="比较各地").click()
    page.wait_for_url("**/compare/?indicator=reporting-members")
    assert page.locator(".bar-row .bar-label").all_inner_texts() == ["宝鸡市 · 2021", "锦州市 · 2019"]
    assert page.locator(".bar-row .bar-value").all_inner_texts() == ["3,500名", "1,120余名"]
    # the bars fit the window and the largest is drawn longest
    widths = [box["width"] for box in (r.bounding_box() for r in page.locator(".bar rect:not(.beyond)").all())]
    assert widths[0] > widths[1] > 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # the same numbers in the table
    assert page.locator('.compare-table td.num[data-label="数值"]').all_inner_texts() == ["3,500名", "1,120余名"]
    page.screenshot(path=str(tmp_path / f"compare-{width}.png"), full_page=True)
    page.locator(".bar-row a").first.click()
    page.wait_for_url("**/figures/?indicator=reporting-members&city=610300")
    assert page.locator(".figure-table td.num").all_inner_texts() == ["3,500名"]
    assert [m for m in messages if "Content Security Policy" in m] == []


def test_the_explorers_facets_narrow_the_table(live_server, page, archive):
    page.goto(live_server.url + "/figures/")
    assert page.locator(".figure-table td.num").all_inner_texts() == ["3,500名", "1,120余名", "300个"]
    page.locator(".facet-indicator a", has_text="共建协议数").click()
    page.wait_for_url("**/figures/?indicator=partnership-agreements")
    assert page.locator(".figure-table td.num").all_inner_texts() == ["300个"]
    page.goto(live_server.url + "/api/")
    assert "GET /api/figures/" in page.locator("h2 code").all_inner_texts()  # (and /api/figures/{id}/)


@pytest.mark.parametrize("width", [1280, 375])
def test_the_map_shades_provinces_with_cases_and_links_to_their_list(live_server, page, archive, width, tmp_path):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/map/")
    shaded = page.locator("a.shape:not(.shade-0)")
    assert sorted(shaded.evaluate_all("els => els.map(e => e.dataset.code)")) == ["210000", "610000"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(tmp_path / f"map-{width}.png"), full_page=True)
    # a click where the shape is (the centre of its box may lie in a neighbour)
    point = page.locator('a.shape[data-code="610000"] path').evaluate(
        """path => { const svg = path.ownerSVGElement, box = path.getBBox();
                    for (let fy = .5; fy < 1; fy += .05) for (let fx = .3; fx < .8; fx += .05) {
                      const p = svg.createSVGPoint(); p.x = box.x + box.width * fx; p.y = box.y + box.height * fy;
                      if (path.isPointInFill(p)) { const s = p.matrixTransform(svg.getScreenCTM()); return [s.x, s.y]; } }
                    return null; }""")
    page.mouse.click(*point)
    page.wait_for_url("**/?province=610000")
    assert page.locator("article.result h2 a").all_inner_texts() == ["宝鸡双报到"]
