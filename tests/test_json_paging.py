"""/cases.json is paged: a total ``count``, ``next``/``previous`` links, at most JSON_PAGE_SIZE cases a
page (``?page_size=`` may ask for fewer), the list's filters and sort kept in the links."""

from __future__ import annotations

import json

import pytest

from cases.export import JSON_PAGE_SIZE
from tests.site_factories import make_case

pytestmark = pytest.mark.django_db


def get(client, url) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


@pytest.fixture
def many_cases():
    total = JSON_PAGE_SIZE * 2 + 3
    for i in range(total):
        make_case(f"网格案例{i:03d}", f"网格正文{i}。", place_code="210700", published_on="2020-01-01",
                  practices=("网格化管理",))
    make_case("草稿不导出", "正文。", status="draft")
    return total


def test_the_first_page_has_the_total_and_a_next_link(client, many_cases):
    data = get(client, "/cases.json")
    assert data["count"] == many_cases
    assert len(data["results"]) == JSON_PAGE_SIZE == data["page_size"]
    assert data["page"] == 1 and data["pages"] == 3
    assert data["previous"] is None
    assert data["next"] == "http://testserver/cases.json?page=2"


def test_following_next_walks_every_case_once(client, many_cases):
    url, seen = "/cases.json?sort=title", []
    while url:
        data = get(client, url)
        seen += [c["slug"] for c in data["results"]]
        url = data["next"]
    assert len(seen) == len(set(seen)) == many_cases
    titles = [c["title"] for c in get(client, "/cases.json?sort=title&page=3")["results"]]
    assert titles == sorted(titles) and len(titles) == 3
    last = get(client, "/cases.json?sort=title&page=3")
    assert last["next"] is None and last["previous"] == "http://testserver/cases.json?sort=title&page=2"


def test_links_keep_the_filters(client, many_cases):
    data = get(client, "/cases.json?practice=grid-management&page_size=10&page=2")
    assert data["count"] == many_cases and len(data["results"]) == 10
    assert data["next"] == "http://testserver/cases.json?practice=grid-management&page_size=10&page=3"
    assert data["previous"] == "http://testserver/cases.json?practice=grid-management&page_size=10&page=1"


@pytest.mark.parametrize(("query", "size"), [("page_size=100000", JSON_PAGE_SIZE), ("page_size=0", 1),
                                             ("page_size=abc", JSON_PAGE_SIZE), ("page_size=-5", 1)])
def test_the_page_size_is_capped(client, many_cases, query, size):
    data = get(client, f"/cases.json?{query}")
    assert data["page_size"] == size and len(data["results"]) == size


@pytest.mark.parametrize(("page", "number"), [("999", 3), ("abc", 1), ("0", 3), ("-1", 3)])
def test_a_page_out_of_range_gives_the_nearest_page(client, many_cases, page, number):
    assert get(client, f"/cases.json?page={page}")["page"] == number


def test_an_empty_list_is_one_empty_page(client):
    data = get(client, "/cases.json?q=没有这个词语")
    assert data == {"count": 0, "page": 1, "pages": 1, "page_size": JSON_PAGE_SIZE, "next": None,
                    "previous": None, "results": []}


def test_a_search_is_paged_too(client, many_cases):
    data = get(client, "/cases.json?q=网格&page_size=5")
    assert data["count"] == many_cases and len(data["results"]) == 5
    assert "q=%E7%BD%91%E6%A0%BC" in data["next"]


def test_the_home_page_format_json_is_the_same_page(client, many_cases):
    assert get(client, "/?format=json")["results"] == get(client, "/cases.json")["results"]
