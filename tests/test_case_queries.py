"""The named queries of CaseQuerySet, and the search backend they reach, on the test database."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from cases import warnings
from cases.models import Case
from cases.search.backend import backend, backend_class
from tests.site_factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def ranking():
    body_only = make_case("社区治理经验", "这里多次提到红色物业。红色物业很好。红色物业。红色物业。红色物业。",
                          published_on="2022-01-01", place_code="210700")
    heading = make_case("小区治理经验", "一、推行红色物业\n内容。", mechanisms=("推行红色物业",),
                        published_on="2020-01-01", place_code="210702")
    title = make_case("红色物业的做法", "正文提到一次红色物业。", published_on="2018-01-01", place_code="210200")
    make_case("草稿红色物业", "红色物业。", status=Case.Status.DRAFT)
    return title, heading, body_only


def test_search_then_by_relevance_title_heading_body(ranking):
    found = Case.objects.published().search("紅色物業").by_relevance("紅色物業")
    assert list(found.values_list("slug", flat=True)) == [c.slug for c in ranking]
    assert not Case.objects.published().search("!!!").exists()  # no term: nothing, not everything


def test_by_relevance_of_a_very_common_word_is_newest_first(ranking):
    title, heading, body_only = ranking
    found = Case.objects.published().search("红色物业").by_relevance("红色物业", very_common=True)
    assert list(found.values_list("slug", flat=True)) == [body_only.slug, heading.slug, title.slug]


def test_a_ranked_search_matches_once_and_ranks_by_the_same_match(ranking):
    """The rank comes from the row the match found (a join on SQLite), not from a second full-text query per row.

    On SQLite the match is also a set of rowids (``id IN (SELECT rowid … MATCH …)``, run once, so
    that counts read a covering index); the rank is bm25 of the joined row, never a subquery per row.
    """
    sql = str(Case.objects.published().search("红色物业").by_relevance("红色物业").query)
    if connection.vendor == "sqlite":
        assert sql.count("MATCH") == 2 and sql.count("bm25(") == 1, sql
        rowids = sql.split('"cases_case"."id" IN (SELECT', 1)[1].split(")", 1)[0]
        assert "MATCH" in rowids and "cases_case\"." not in rowids.replace('"cases_case_fts"', ""), sql
        assert "INNER JOIN \"cases_case_fts\"" in sql, sql
    else:  # one match of the whole text; the rank looks for the words in title and headings alone
        assert sql.count('"search_vector" @@') == 1 and sql.count("@@") == 2, sql
        assert sql.count('"rank_vector" @@') == 1, sql


def test_the_backend_is_the_connections_and_chosen_once():
    chosen = backend(connection.alias)
    assert chosen.vendor == connection.vendor
    assert backend(connection.alias) is chosen
    with pytest.raises(ImproperlyConfigured, match="No search backend for the 'oracle' database"):
        backend_class("oracle")


def test_counts_by_place(ranking):
    make_case("无地区", "正文。")
    counts = Case.objects.published().counts_by_place()
    title, heading, body_only = ranking  # in 大连市, 古塔区 (锦州市), 锦州市: all three in 辽宁省
    liaoning, jinzhou, dalian = title.province_id, body_only.city_id, title.city_id
    assert heading.city_id == jinzhou
    assert counts.by_province == {liaoning: 3, None: 1}
    assert counts.by_city == {jinzhou: 2, dalian: 1}
    assert counts.total == 4
    assert Case.objects.none().counts_by_place().total == 0


def test_related_to_keeps_to_the_queryset(ranking):
    case = make_case("锦州市网格化", "正文。", practices=("网格化管理", "党建联盟"))
    both = make_case("大连市网格化与党建联盟", "正文。", practices=("网格化管理", "党建联盟"))
    one = make_case("宝鸡市党建联盟", "正文。", practices=("党建联盟",), keywords=("一盘棋",))
    draft = make_case("草稿", "正文。", practices=("网格化管理", "党建联盟"), status=Case.Status.DRAFT)
    assert [c.pk for c in Case.objects.published().related_to(case)] == [both.pk, one.pk]
    assert [c.pk for c in Case.objects.all().related_to(case)] == [draft.pk, both.pk, one.pk]
    assert Case.objects.published().related_to(case, limit=1) == [both]
    assert Case.objects.published().related_to(ranking[0]) == []  # no practice: nothing is related


def test_with_warning(ranking):
    unplaced = make_case("无地区", "正文。", mechanisms=())
    assert set(Case.objects.with_warning("no_place").values_list("pk", flat=True)) >= {unplaced.pk}
    assert ranking[0].pk not in set(Case.objects.with_warning("no_place").values_list("pk", flat=True))
    assert unplaced.pk in set(Case.objects.with_warning(warnings.ANY).values_list("pk", flat=True))
