"""Search: query → cases (either script, one- and two-character words), ranking, snippets, the index."""

from __future__ import annotations

import pytest
from django.db import connection

from cases import search
from cases.models import Case
from tests.site_factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases():
    return {
        "grid": make_case(
            "锦州市推行网格化管理", "锦州市全面推行网格化管理,把社区党建融入网格。全市划分网格1200个。",
            published_on="2020-01-01", mechanisms=(), metrics=(("网格1200个", "1200", "个", "", "网格"),),
        ),
        "worker": make_case(
            "宝鸡市建强社区工作者队伍", "宝鸡市选聘网格员,推动党建引领基层治理。开发党建APP服务居民。",
            published_on="2021-01-01",
        ),
        "property": make_case(
            "贵阳市小区治理", "成立业主委员会,引入物业服务企业。居民满意度明显提升。",
            published_on="2019-01-01",
        ),
        "hidden": make_case("草稿网格化管理", "草稿网格化管理。", status=Case.Status.DRAFT),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("网格化管理", {"grid"}),
        ("網格化管理", {"grid"}),  # traditional script finds the simplified case
        ("網格", {"grid", "worker"}),  # 网格 inside 网格员
        ("网格", {"grid", "worker"}),  # two characters
        ("党建", {"grid", "worker"}),  # inside 社区党建 and 党建引领
        ("社区", {"grid", "worker"}),  # in a title, and inside 社区党建
        ("网", {"grid", "worker"}),  # one character
        ("個", {"grid"}),  # one traditional character, the last of its run (1200个。)
        ("升", {"property"}),  # one character at the end of a sentence
        ("区党", {"grid"}),  # two characters across jieba's word boundary (社区|党建)
        ("物业服务", {"property"}),
        ("宝鸡 党建", {"worker"}),  # every term must match
        ("宝鸡 物业", set()),
        ("app", {"worker"}),  # Latin letters, any case
        ("APP", {"worker"}),
        ("1200", {"grid"}),
        ("火星基地", set()),
        ("!!! ;", set()),  # no term at all: nothing, rather than everything
        ("\"网格\" OR 1=1", set()),  # FTS/tsquery syntax is never passed through (1 is not in the text)
        ("網格 OR", set()),
    ],
)
def test_search(client, cases, query, expected):
    response = client.get("/", {"q": query})
    assert response.status_code == 200
    assert {c.slug for c in response.context["cases"]} == {cases[name].slug for name in expected}


@pytest.fixture
def ranking():
    body_only = make_case("社区治理经验", "这里多次提到红色物业。红色物业很好。红色物业。红色物业。红色物业。",
                          published_on="2022-01-01")
    heading = make_case("小区治理经验", "一、推行红色物业\n内容。", mechanisms=("推行红色物业",),
                        published_on="2020-01-01")
    title = make_case("红色物业的做法", "正文提到一次红色物业。", published_on="2018-01-01")
    return title, heading, body_only


@pytest.mark.parametrize("query", ["红色物业", "紅色物業"])
def test_title_then_mechanism_then_body(client, ranking, query):
    response = client.get("/", {"q": query})
    assert [c.slug for c in response.context["cases"]] == [c.slug for c in ranking]
    assert response.context["sort_key"] == "relevance"


def test_relevance_can_be_overridden_by_date(client, ranking):
    title, heading, body_only = ranking
    response = client.get("/", {"q": "红色物业", "sort": "newest"})
    assert [c.slug for c in response.context["cases"]] == [body_only.slug, heading.slug, title.slug]


def test_very_common_words_are_listed_by_date_and_counted_up_to_the_cap(client, ranking, monkeypatch):
    """Past SEARCH_CAP matches: newest first (no ranking pass), "more than" the cap, facets uncounted."""
    monkeypatch.setattr(search, "SEARCH_CAP", 2)
    title, heading, body_only = ranking
    response = client.get("/", {"q": "红色物业"})
    # newest first, and only the cap's worth are paged
    assert [c.slug for c in response.context["cases"]] == [body_only.slug, heading.slug]
    assert response.context["more_than_total"] is True
    assert response.context["paginator"].count == 2
    html = response.content.decode()
    assert "超过 2 个案例" in html
    practices = next(g for g in response.context["facets"] if g["name"] == "practice")
    assert all(o["count"] is None for o in practices["options"])


def test_searches_up_to_the_cap_are_counted_and_ranked(client, ranking, monkeypatch):
    monkeypatch.setattr(search, "SEARCH_CAP", 3)
    response = client.get("/", {"q": "红色物业"})
    assert [c.slug for c in response.context["cases"]] == [c.slug for c in ranking]
    assert response.context["more_than_total"] is False
    assert response.context["paginator"].count == 3


def test_snippet_highlights_and_escapes(client):
    make_case("一个案例", "<b>粗体</b>前言。推行网格化管理,<script>alert(1)</script>效果好。")
    html = client.get("/", {"q": "網格化管理"}).content.decode()
    assert "<mark>网格化管理</mark>" in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    ("body", "query", "expected"),
    [
        ("前言。推行网格化管理。", "网格化管理", "…推行<mark>网格化管理</mark>。"),  # from the sentence's start
        ("a<b>c。网格员&amp;", "网格", "…<mark>网格</mark>员&amp;amp;"),
        ("网格化管理" * 30, "网格", "<mark>网格</mark>化管理" + "<mark>网格</mark>化管理" * 17 + "…"),
        ("没有匹配的正文", "火星", "没有匹配的正文"),
    ],
)
def test_snippet(body, query, expected):
    assert search.snippet(body, search.parse(query)) == expected


def test_parse_normalises_and_never_passes_syntax():
    parsed = search.parse('網格化 "OR" 社区* NEAR(党建)')
    assert parsed.terms == ["网格化", "or", "社区", "near", "党建"]
    assert parsed.fts5() == '"网格" AND "格化" AND "or" AND "社区" AND "near" AND "党建"'
    assert parsed.tsquery() == "'网格' & '格化' & 'or' & '社区' & 'near' & '党建'"
    assert search.parse("网").tsquery() == "'网':*"
    assert not search.parse("……!!")


def test_index_tokens_cover_every_character():
    tokens = search.index_tokens("社区党建。提升")
    assert {"社区", "党建", "区党", "提升"} <= set(tokens)
    assert {t[0] for t in tokens} >= set("社区党建提升")


def test_reindex_after_edit(client, cases):
    case = cases["property"]
    case.body = "改为讲述楼宇党建。"
    case.save()
    search.index_case(case)
    assert {c.slug for c in client.get("/", {"q": "楼宇"}).context["cases"]} == {case.slug}
    assert not client.get("/", {"q": "业主委员会"}).context["cases"]
    if connection.vendor == "sqlite":  # the new entry replaced the old one
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM cases_case_fts WHERE rowid = %s", [case.pk])
            assert cursor.fetchone()[0] == 1


def test_deleted_case_leaves_the_index(cases):
    search.connect_signals()
    case = cases["grid"]
    pk = case.pk
    case.delete()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM cases_case_fts WHERE rowid = %s", [pk])
            assert cursor.fetchone()[0] == 0
    assert not search.matching(Case.objects.all(), search.parse("网格化管理")).filter(pk=pk).exists()


def test_index_case_writes_tokens_and_vector(cases):
    case = Case.objects.get(pk=cases["grid"].pk)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT title || ' ' || headings || ' ' || body FROM cases_case_fts WHERE rowid = %s", [case.pk])
            assert "网格化管理" in cursor.fetchone()[0].split()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT search_vector::text FROM cases_case WHERE id = %s", [case.pk])
            vector = cursor.fetchone()[0]
        assert "'锦州市':1A" in vector  # the title's tokens weigh A
        assert ":" in vector and "C" in vector


def test_date_walk_restores_the_planner_settings():
    """A very common word's page is planned as a date-index walk; the request's other queries are not."""
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("planner settings are PostgreSQL's")

    def show(name):
        with connection.cursor() as cursor:
            cursor.execute(f"SHOW {name}")
            return cursor.fetchone()[0]

    with search.prefer_index(True):
        assert show("max_parallel_workers_per_gather") == "0"  # a search's small reads run in one process
        with search.date_walk():
            assert (show("enable_indexscan"), show("enable_sort")) == ("on", "off")
        assert (show("enable_indexscan"), show("enable_sort")) == ("off", "on")
    with transaction.atomic():
        assert show("enable_sort") == "on"


@pytest.mark.parametrize("params", [{"q": "红色物业"}, {"q": "红色物业", "province": "210000"}, {"q": "治理"},
                                    {"q": "紅色物業", "year_from": "2019"}, {"q": "红色物业", "sort": "newest"}])
def test_a_ranked_search_is_ordered_once_with_the_same_order(client, ranking, params, monkeypatch):
    """On PostgreSQL the statement that counts a search's matches also ranks them; the page is the one the
    separate ranking query gives (same cases, same order, same counts)."""
    from django.core.cache import cache
    from django.test.utils import CaptureQueriesContext

    from cases.filters import CaseFilter

    for i in range(25):  # more than a page, ties in rank among them
        make_case(f"红色物业案例{i}", "推行红色物业。", place_code="210700" if i % 2 else "610300",
                  published_on=f"20{10 + i % 12}-01-01")
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        pages = [client.get("/", {**params, "page": page}).context for page in (1, 2)]
    ranked_in_count = connection.vendor == "postgresql" and params.get("sort") != "newest"
    assert any("row_number()" in q["sql"] for q in queries.captured_queries) == ranked_in_count
    cache.clear()
    monkeypatch.setattr(CaseFilter, "ranked_ids", None)
    from types import SimpleNamespace

    import cases.filters

    # the filters see another database: the ranking query of its own, as on SQLite
    monkeypatch.setattr(cases.filters, "connections", {"default": SimpleNamespace(vendor="other")})
    separately = [client.get("/", {**params, "page": page}).context for page in (1, 2)]
    monkeypatch.undo()
    for counted, alone in zip(pages, separately, strict=True):
        assert [c.slug for c in counted["cases"]] == [c.slug for c in alone["cases"]]
        assert counted["paginator"].count == alone["paginator"].count
        assert counted["facets_html"] == alone["facets_html"]



@pytest.mark.parametrize("place_filter", [{"province": "210000"}, {"city": "210700"}])
def test_a_search_within_a_place_can_find_the_place_in_the_search_index(place_filter):
    """The GIN index holds the province and city beside the words (migration 0025), so one index scan can
    match both instead of intersecting two bitmaps; btree_gin matches only a comparison of equal types,
    so the place is compared as the column's type (bigint), not as a bare literal (int4)."""
    from urllib.parse import urlencode

    from django.http import QueryDict

    from cases.filters import CaseFilter

    if connection.vendor != "postgresql":
        pytest.skip("the GIN index is PostgreSQL's")
    for i in range(30):
        make_case(f"红色物业案例{i}", "推行红色物业。", place_code=("210700", "610300", "110101")[i % 3])
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'cases_case_search_gin'")
        assert "gin (search_vector, province_id, city_id)" in cursor.fetchone()[0]
        cursor.execute("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                       "WHERE attrelid = 'cases_case'::regclass AND attname = %s", [next(iter(place_filter)) + "_id"])
        column_type = cursor.fetchone()[0]
    filtered = CaseFilter(QueryDict(urlencode({"q": "红色物业", **place_filter})),
                          queryset=Case.objects.published()).qs
    sql, params = filtered.query.sql_with_params()
    with connection.cursor() as cursor:
        statement = cursor.mogrify(sql, params)
    assert f'"{next(iter(place_filter))}_id" = ' in statement
    assert f"::{column_type})" in statement
    assert filtered.count() == 10


@pytest.mark.parametrize("query", ["红色物业", "物业", "网", "楼宇 党建", "app"])
def test_a_rank_computed_only_where_title_or_headings_hold_a_word_is_ts_rank(query):
    """``with_rank`` skips ``ts_rank`` for matches whose title and headings hold none of the words; every rank
    is still the one ``ts_rank`` gives (the body-only matches' shared value included)."""
    from django.contrib.postgres.search import SearchRank
    from django.db.models import F

    from cases.search.postgresql import PG_WEIGHTS, tsquery

    if connection.vendor != "postgresql":
        pytest.skip("ts_rank is PostgreSQL's")
    for title, heading, body in [
        ("红色物业进小区", "", "正文。"), ("某市案例", "推行红色物业", "正文。"), ("某区案例", "", "红色物业与楼宇党建。网格app"),
        ("物业服务", "楼宇党建", "红色物业"), ("", "", "红色物业，楼宇党建，网格，app"), ("网格app", "网格", "物业楼宇党建"),
    ]:
        make_case(title or "。", f"{heading}\n{body}" if heading else body, mechanisms=(heading,) if heading else ())
    parsed = search.parse(query)
    matches = search.matching(Case.objects.all(), parsed)
    assert matches.exists()
    ranked = dict(search.backend(connection.alias).with_rank(matches, parsed).values_list("pk", "rank"))
    plain = dict(matches.annotate(plain=SearchRank(F("rank_vector"), tsquery(parsed), weights=PG_WEIGHTS))
                 .values_list("pk", "plain"))
    assert ranked == plain


@pytest.mark.parametrize("kept", [5, 20, 25, 200])
def test_a_page_past_the_ids_the_count_ranked_is_ranked_by_itself(client, monkeypatch, kept):
    """The counting statement returns only the best RANKED_IDS_COUNTED ids; every page, within them or
    past them, lists what ranking every match lists there."""
    from django.core.cache import cache

    from cases import facets

    monkeypatch.setattr(facets, "RANKED_IDS_COUNTED", kept)
    for i in range(45):
        make_case(f"红色物业案例{i}" if i % 3 else f"案例{i}", "推行红色物业。" * (1 + i % 4),
                  published_on=f"20{10 + i % 12}-0{1 + i % 9}-01")
    expected = list(Case.objects.published().search("红色物业").by_relevance("红色物业").values_list("pk", flat=True))
    for page in (1, 2, 3):
        cache.clear()
        listed = client.get("/", {"q": "红色物业", "page": page}).context["cases"]
        assert [c.pk for c in listed] == expected[(page - 1) * 20 : page * 20]
