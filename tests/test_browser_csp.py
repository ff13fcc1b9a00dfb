"""Under the Content-Security-Policy (default-src 'self') the pages raise no violation in Chromium: the
public list, a case with its figure links, and the admin's change form with its autocomplete widgets."""

from __future__ import annotations

import pytest

from tests.site_factories import make_case
from tests.test_admin import log_in_through_the_form, publisher

pytestmark = [pytest.mark.browser]


def violations(page, url: str) -> list[str]:
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return [m for m in messages if "Content Security Policy" in m]


def test_public_and_admin_pages_raise_no_csp_violation(live_server, page):
    case = make_case("网格案例", "全市建立网格1.2万个。\n社区建立议事会。",
                     metrics=(("1.2万个", "12000", "个", "", "网格"),), place_code="210700",
                     practices=("网格化管理",))
    assert violations(page, live_server.url + "/") == []
    assert violations(page, live_server.url + case.get_absolute_url()) == []
    page.locator(".figure-link").first.click()  # the figure's sentence is scrolled to by the site's script
    assert page.url.endswith("#" + page.locator(".figure-link").first.get_attribute("data-target"))

    log_in_through_the_form(page, live_server.url, publisher())
    assert violations(page, f"{live_server.url}/admin/cases/case/{case.pk}/change/") == []
    page.locator(".select2-selection").first.click()  # the place autocomplete opens and searches
    page.keyboard.type("锦州")
    page.wait_for_selector(".select2-results__option")
    assert violations(page, f"{live_server.url}/admin/cases/case/") == []
