"""Hostile or malformed query strings give a normal page or a 400, never a 500, and never echo raw HTML."""

from __future__ import annotations

import pytest

from tests.site_factories import make_case

pytestmark = pytest.mark.django_db


PAYLOAD = '<script>alert("x")</script>'


@pytest.fixture(autouse=True)
def some_cases():
    for i in range(3):
        make_case(f"网格案例{i}", f"网格正文{i}。", place_code="210700", published_on="2020-01-01",
                  practices=("网格化管理",))


@pytest.mark.parametrize(
    "query",
    [
        "province=999999", "province=abc", "province=" + "9" * 500, "city=210000", "city=<b>",
        "practice=nope&practice=grid-management", "practice=" + "x" * 1000,
        "year_from=abc", "year_to=1e9", "year_from=99999999999999999999", "year_from=-5", "year_to=2020.5",
        "has_figures=maybe", "sort=" + PAYLOAD, "sort=relevance",
        "page=999999", "page=0", "page=-1", "page=abc", "page=1e3", "page=" + "9" * 400,
        "q=" + "网" * 10_000, "q=" + "a " * 5_000, "q=" + PAYLOAD, "q=" + "'; DROP TABLE cases_case; --",
        "q=%22%20OR%201%3D1%20--", "q=NEAR(a b)", "q=a*", "q=%00", "q=%E0%A4%A", "q=%ED%A0%80",
        "q=%F0%9F%98%80网格", "source=" + PAYLOAD, "source=%25%25", "source=\\", "q=&province=&city=",
        "format=../../etc/passwd",
        PAYLOAD + "=1",
    ],
)
def test_hostile_list_queries(client, query):
    response = client.get("/?" + query)
    assert response.status_code in (200, 400)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert PAYLOAD.encode() not in body
    assert b"<b>" not in body


@pytest.mark.parametrize("url", ["/cases.csv?q=" + "网" * 10_000, "/figures.csv?year_from=abc",
                                 "/cases.json?province=<b>&page=999999"])
def test_hostile_export_queries(client, url):
    response = client.get(url)
    assert response.status_code == 200
    b"".join(response.streaming_content) if response.streaming else response.content


def test_long_query_is_refused_politely_and_echoed_escaped(client):
    response = client.get("/", {"q": PAYLOAD + "网" * 300})
    html = response.content.decode()
    assert response.status_code == 200 and "以下条件无效" in html
    assert "&lt;script&gt;" in html and PAYLOAD not in html


def test_query_is_echoed_escaped_in_the_form_and_title(client):
    html = client.get("/", {"q": PAYLOAD}).content.decode()
    assert 'value="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"' in html
    assert PAYLOAD not in html


def test_out_of_range_page_gives_the_last_page(client):
    response = client.get("/?page=999999")
    assert response.status_code == 200 and len(response.context["cases"]) == 3


@pytest.mark.parametrize("url", ["/cases/<script>/", "/cases/" + "x" * 2000 + "/", "/cases/%00/",
                                 "/practices/<b>/", "/practices/?page=abc", "/places/?x=<b>",
                                 "/practices/grid-management/?page=999999", "/cases/case-1/?text=<b>"])
def test_other_pages(client, url):
    response = client.get(url)
    assert response.status_code in (200, 400, 404)
    assert b"<script>" not in response.content and b"<b>" not in response.content
