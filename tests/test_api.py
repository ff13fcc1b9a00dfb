"""The public JSON API (/api/): its answers, table-driven, and every operation against its own OpenAPI
schema with schemathesis (no 5xx, every response valid), on whichever database the run uses."""

from __future__ import annotations

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from cases.models import Case, Metric

from .site_factories import make_case

BODY_A = "锦州市推行网格化管理。一、建强网格党支部。全市建立网格党支部120个，在职党员1,120余名到社区报到。"
BODY_B = "宝鸡市深化双报到。共建协议300个，服务群众2.1万人次。"


@pytest.fixture
def archive(db):
    a = make_case("锦州网格化", BODY_A, place_code="210700", published_on="2019-06-12",
                  practices=("网格化管理",), mechanisms=("一、建强网格党支部",),
                  metrics=(("网格党支部120个", "120", "个", "", "网格党支部"),
                           ("在职党员1,120余名", "1120", "名", "余", "在职党员")), slug="jinzhou")
    b = make_case("宝鸡双报到", BODY_B, place_code="610300", published_on="2021-03-01", practices=("双报到",),
                  metrics=(("共建协议300个", "300", "个", "", "共建协议"),
                           ("服务群众2.1万人次", "21000", "人次", "", "服务群众")), slug="baoji")
    draft = make_case("草稿不应出现", BODY_A.replace("锦州", "盘锦"), place_code="211100", status=Case.Status.DRAFT,
                      metrics=(("网格党支部120个", "120", "个", "", "网格党支部"),), slug="draft")
    Metric.objects.assign_indicators()
    return a, b, draft


def get(client, url, **headers):
    response = client.get(url, **headers)
    return response, (json.loads(response.content) if response.content and response.status_code != 304 else None)


@pytest.mark.parametrize(
    "url, ids",
    [
        ("/api/cases/", ["baoji", "jinzhou"]),  # newest first, like the site; never the draft
        ("/api/cases/?province=210000", ["jinzhou"]),
        ("/api/cases/?city=610300", ["baoji"]),
        ("/api/cases/?practice=grid-management", ["jinzhou"]),
        ("/api/cases/?year_from=2020", ["baoji"]),
        ("/api/cases/?q=網格化", ["jinzhou"]),  # either script
        ("/api/cases/?sort=title", ["baoji", "jinzhou"]),
        ("/api/figures/?indicator=grid-branches", [None]),
        ("/api/figures/?sort=value&city=610300", ["baoji", "baoji"]),
        ("/api/figures/?qualifier=余", ["jinzhou"]),
        ("/api/figures/?qualifier=none&practice=grid-management", ["jinzhou"]),
    ],
)
def test_lists_filter_like_the_site(client, archive, url, ids):
    response, data = get(client, url)
    assert response.status_code == 200
    got = [row.get("case", row["id"]) for row in data["results"]]
    if ids == [None]:  # one figure, of the published case
        assert got == ["jinzhou"] and data["count"] == 1
    else:
        assert got == ids and data["count"] == len(ids)


def test_a_case_with_everything_and_absolute_links(client, archive):
    response, data = get(client, "/api/cases/jinzhou/")
    assert response.status_code == 200
    assert data["url"] == "http://testserver/api/cases/jinzhou/"
    assert data["html_url"] == "http://testserver/cases/jinzhou/"
    assert (data["province"]["code"], data["city"]["name"]) == ("210000", "锦州市")
    assert [p["id"] for p in data["practices"]] == ["grid-management"]
    assert [m["heading"] for m in data["mechanisms"]] == ["一、建强网格党支部"]
    figures = {f["subject"]: f for f in data["figures"]}
    assert figures["在职党员"]["display"] == "1,120余名" and figures["在职党员"]["value"] == 1120
    assert figures["在职党员"]["indicator"] == "reporting-members"
    assert figures["网格党支部"]["sentence_url"].startswith("http://testserver/cases/jinzhou/#f")
    assert data["sources"][0]["title"] == "锦州网格化"
    assert "review_conflicts" not in data and "source_file" not in data


@pytest.mark.parametrize("url", ["/api/cases/draft/", "/api/cases/nothing/", "/api/places/999999/",
                                 "/api/indicators/nothing/", "/api/cases/?page=9"])
def test_drafts_and_unknown_ids_are_not_found(client, archive, url):
    response, data = get(client, url)
    assert response.status_code == 404 and data["detail"]


@pytest.mark.parametrize("url, field", [("/api/cases/?province=abc", "province"),
                                        ("/api/cases/?year_from=1e9", "year_from"),
                                        ("/api/figures/?qualifier=%00", "qualifier"),
                                        ("/api/figures/?sort=sideways", "sort")])
def test_a_bad_parameter_is_a_400_that_names_it(client, archive, url, field):
    response, data = get(client, url)
    assert response.status_code == 400 and field in data


def test_counts_of_indicators_practices_and_places_see_published_cases_only(client, archive):
    _, places = get(client, "/api/places/?level=province&page_size=100")
    counts = {p["id"]: p["cases"] for p in places["results"]}
    assert (counts["210000"], counts["610300"[:2] + "0000"], counts["110000"]) == (1, 1, 0)
    _, district = get(client, "/api/places/?parent=210700&page_size=100")
    assert all(p["level"] == "district" for p in district["results"])
    _, branches = get(client, "/api/indicators/grid-branches/")
    assert branches["figures"] == 1  # the draft's figure is not counted
    _, grid = get(client, "/api/practices/grid-management/")
    assert grid["cases"] == 1 and grid["html_url"] == "http://testserver/practices/grid-management/"


def test_conditional_get_and_cors(client, archive):
    response, _ = get(client, "/api/cases/jinzhou/", HTTP_ORIGIN="https://elsewhere.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["ETag"] and response["Last-Modified"]
    again, _ = get(client, "/api/cases/jinzhou/", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    since, _ = get(client, "/api/cases/jinzhou/", HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert since.status_code == 304
    listed, _ = get(client, "/api/cases/")
    assert get(client, "/api/cases/", HTTP_IF_NONE_MATCH=listed["ETag"])[0].status_code == 304
    Case.objects.filter(slug="baoji").update(title="宝鸡双报到(修订)")
    assert get(client, "/api/cases/", HTTP_IF_NONE_MATCH=listed["ETag"])[0].status_code == 200
    assert client.post("/api/cases/").status_code == 405  # read-only


def test_the_schema_and_its_page(client, archive):
    response, schema = get(client, "/api/schema/")
    assert response.status_code == 200 and schema["openapi"].startswith("3.")
    assert {"/api/cases/", "/api/cases/{slug}/", "/api/figures/", "/api/indicators/", "/api/practices/",
            "/api/places/"} <= set(schema["paths"])
    names = {p["name"] for p in schema["paths"]["/api/cases/"]["get"]["parameters"]}
    assert {"q", "province", "city", "practice", "year_from", "year_to", "sort", "page", "page_size"} <= names
    page = client.get("/api/")
    html = page.content.decode()
    assert page.status_code == 200 and "GET /api/figures/" in html and "indicator" in html


def _api_schema():
    """The schema as the site serves it, read through the WSGI app (Django is set up before collection)."""
    from drf_spectacular.generators import SchemaGenerator

    from config.wsgi import application

    loaded = schemathesis.openapi.from_dict(json.loads(json.dumps(SchemaGenerator().get_schema(public=True))))
    loaded.app = application  # calls go through the app in-process, on the test database
    return loaded


schema = _api_schema()


@pytest.fixture
def in_test_transaction():
    """Calls through the WSGI app, like Django's test client, keep the test's connection: Django closes
    connections at the end of each request, which would drop the test's transaction on PostgreSQL."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=30, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_every_operation_conforms_to_the_schema(case, archive, in_test_transaction):
    # Every check but the rejection of schema-violating data: the API reads a malformed flag
    # (has_figures=null) as no filter, as the site does, and says so in the schema's descriptions.
    case.call_and_validate(excluded_checks=[schemathesis.checks.negative_data_rejection])
