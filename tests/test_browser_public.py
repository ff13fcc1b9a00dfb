"""The public site in Debian's Chromium: filter by city, search in traditional script, follow a figure, a phone."""

from __future__ import annotations

import pytest

from tests.site_factories import make_case

# Browser tests run against a live server; tests/conftest.py makes them transactional with serialized rollback.
pytestmark = [pytest.mark.browser]

LONG = "".join(f"第{i}段讲述社区治理的一般情况,内容较长,用来把下面的句子推到屏幕之外。\n" for i in range(40))


@pytest.fixture
def cases():
    jinzhou = make_case(
        "锦州市推进网格化管理", LONG + "织密“一张网”\n全市划分网格1200个,配备网格员3000名。其余内容。",
        place_code="210700", published_on="2020-05-01", practices=("网格化管理",),
        mechanisms=("织密“一张网”",),
        metrics=(("网格1200个", "1200", "个", "", "网格"), ("网格员3000名", "3000", "名", "", "网格员")),
    )
    baoji = make_case("宝鸡市双报到", "宝鸡市推行在职党员双报到。", place_code="610300", published_on="2021-01-01",
                      practices=("双报到",))
    return jinzhou, baoji


def titles(page) -> list[str]:
    return page.locator("article.result h2 a").all_inner_texts()


def test_filter_by_city(live_server, page, cases):
    page.goto(live_server.url + "/")
    assert sorted(titles(page)) == ["宝鸡市双报到", "锦州市推进网格化管理"]
    page.locator(".facet-city a", has_text="锦州市").click()
    page.wait_for_url("**/?city=210700")
    assert titles(page) == ["锦州市推进网格化管理"]
    assert page.locator(".facet-city a.selected").inner_text().startswith("锦州市")
    page.go_back()  # every state is in the URL, so the back button restores the list
    page.wait_for_url(live_server.url + "/")
    assert len(titles(page)) == 2


def test_search_in_traditional_script_then_open_a_case_and_follow_a_figure(live_server, page, cases):
    page.goto(live_server.url + "/")
    page.fill("#q", "網格化管理")
    page.locator(".search-row button").click()
    page.wait_for_load_state()
    assert titles(page) == ["锦州市推进网格化管理"]
    assert page.locator("article.result mark").first.inner_text() in {"网格化管理", "网格"}
    page.locator("article.result h2 a").click()
    page.wait_for_selector("h1")
    assert page.locator("h1").inner_text() == "锦州市推进网格化管理"

    link = page.locator("a.figure-link", has_text="3,000名")
    target = link.get_attribute("data-target")
    sentence = page.locator(f"#{target}")
    assert not sentence.evaluate("el => el.getBoundingClientRect().top < window.innerHeight")  # below the fold
    link.click()
    page.wait_for_function(
        "id => { const r = document.getElementById(id).getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= window.innerHeight; }", arg=target)
    assert "highlight" in sentence.get_attribute("class")
    assert "配备网格员3000名" in sentence.inner_text()
    assert page.locator(".sentence.highlight .figure.active").inner_text() == "网格员3000名"
    background = sentence.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")


def test_figure_anchor_works_without_javascript(live_server, browser, cases):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(live_server.url + cases[0].get_absolute_url())
        link = page.locator("a.figure-link").first
        target = link.get_attribute("href").lstrip("#")
        link.click()
        page.wait_for_url(f"**#{target}")
        background = page.locator(f"#{target}").evaluate("el => getComputedStyle(el).backgroundColor")
        assert background not in ("rgba(0, 0, 0, 0)", "transparent")  # :target
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/", "/?q=网格", "CASE", "/places/", "/practices/"])
def test_no_horizontal_scroll_on_a_phone(live_server, browser, cases, path):
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(live_server.url + (cases[0].get_absolute_url() if path == "CASE" else path))
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
    finally:
        context.close()
