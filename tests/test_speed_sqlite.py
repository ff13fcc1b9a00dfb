"""What the faster list, search and case page rest on, checked for sameness (nothing here is timed: bench/web.py).

Each reshaped query is compared with the straightforward form it replaced, on cases built so
that ties, keyword overlaps and undated cases all occur: the same cases, the same order, the
same counts. On SQLite, the indexes the list and its counts read must survive every migration.
"""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import F

from cases import search
from cases.facets import count_sets
from cases.models import Case, Practice
from tests.site_factories import make_case

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent

PRACTICES = ("网格化管理", "党建联盟", "红色物业", "双报到")
PLACES = ("210200", "210700", "210702", "520100", None)
WORDS = ("一盘棋", "吹哨", "楼宇", "网格员")


@pytest.fixture
def archive():
    """40 published cases (and 3 drafts): practices, keywords, places, dates and 红色物业 in varied parts."""
    cases = []
    for n in range(43):
        practices = tuple(PRACTICES[i] for i in range(4) if (n >> i) % 3 == 0 or (n + i) % 5 == 0)
        keywords = tuple(WORDS[i] for i in range(4) if (n * 7 + i) % 3 == 0)
        title = f"第{n}号案例" + ("红色物业" if n % 4 == 0 else "")
        body = ("一、推行红色物业\n" if n % 6 == 0 else "") + "正文。" + "红色物业。" * (n % 5) + ("楼宇党建。" if n % 3 else "")
        cases.append(make_case(
            title, body, practices=practices, keywords=keywords, place_code=PLACES[n % 5],
            published_on=None if n % 9 == 0 else datetime.date(2015 + n % 7, 1 + n % 12, 1 + n % 27),
            mechanisms=("推行红色物业",) if n % 6 == 0 else (),
            status=Case.Status.DRAFT if n >= 40 else Case.Status.PUBLISHED,
        ))
    return cases


def related_by_building_every_candidate(queryset, case, limit=5):
    """``related_to`` as it was: every candidate built as a case, then sorted (the oracle)."""
    practice_ids = [p.pk for p in case.practices.all()]
    if not practice_ids:
        return []
    shared = Counter(Case.practices.through.objects.filter(practice_id__in=practice_ids).exclude(case_id=case.pk)
                     .values_list("case_id", flat=True))
    candidates = list(queryset.filter(pk__in=list(shared)))
    keywords = set(case.keywords)
    candidates.sort(key=lambda c: (-shared[c.pk], -len(keywords & set(c.keywords)), -c.pk))
    return candidates[:limit]


def test_related_cases_are_the_ones_every_candidate_gave(archive):
    for case in archive:
        for queryset in (Case.objects.published(), Case.objects.all()):
            expected = [c.pk for c in related_by_building_every_candidate(queryset, case)]
            assert [c.pk for c in queryset.related_to(case)] == expected, case.title
    shown = Case.objects.published().related_to(archive[1])
    assert shown and all(c.province_id is None or c.province.name for c in shown)


@pytest.mark.parametrize("query", ["红色物业", "紅色物業", "楼宇", "红色物业 楼宇", "案例"])
def test_a_ranked_search_lists_what_the_joined_rank_lists(archive, query):
    """The same cases, in the same order, as ranking through the join alone (the form before the rowid set)."""
    parsed = search.parse(query)
    ranked = list(Case.objects.published().search(query).by_relevance(query).values_list("pk", flat=True))
    if connection.vendor == "sqlite":
        from cases.search.sqlite import BM25

        joined = (Case.objects.published().filter(fts5_entry__document__match=parsed.fts5()).annotate(rank=-BM25())
                  .order_by("-rank", F("published_on").desc(nulls_last=True), "-pk"))
        assert ranked == list(joined.values_list("pk", flat=True))
    holding = {c.pk for c in archive if c.is_public and all(term in c.title + c.body for term in parsed.terms)}
    assert set(ranked) == holding
    assert len(ranked) == len(set(ranked))


def test_facet_counts_are_the_counts_of_the_cases(archive):
    """Province, city, year and practice counts (the year now read by SQL on SQLite) against Python's."""
    published = [c for c in archive if c.is_public]
    for queryset, cases in (
        (Case.objects.published(), published),
        (Case.objects.published().search("红色物业"), [c for c in published if "红色物业" in c.title + c.body]),
    ):
        counts = count_sets(queryset, ["province", "city", "year", "practice", "total"], cached=False)
        assert counts["total"] == len(cases)
        assert counts["province"] == dict(Counter(c.province_id for c in cases))
        assert counts["city"] == dict(Counter(c.city_id for c in cases))
        assert counts["year"] == dict(Counter(c.published_on.year if c.published_on else None for c in cases))
        practices = defaultdict(int)
        for case in cases:
            for pk in case.practices.values_list("pk", flat=True):
                practices[pk] += 1
        assert counts["practice"] == dict(practices)


def test_a_cached_list_builds_no_queryset_to_find_its_counts(client, archive, monkeypatch):
    """The second request of a filter state finds its counts by the filters' values, compiling nothing to key them."""
    from cases.filters import CaseFilter

    url = f"/?practice={Practice.objects.get(name='党建联盟').slug}&province=210000"
    first = client.get(url)
    built = []
    original = CaseFilter.without
    monkeypatch.setattr(CaseFilter, "without", lambda self, facet: built.append(facet) or original(self, facet))
    again = client.get(url + "&sort=title")
    assert built == []
    assert again.context["paginator"].count == first.context["paginator"].count > 0
    client.get("/?province=210000&source=日报")  # another state (one PostgreSQL's cells cannot answer): counted
    assert built


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the hand-made indexes are SQLite's")
def test_sqlite_keeps_the_list_indexes_after_every_migration():
    """Django rebuilds a SQLite table without hand-made indexes; migration 0017 makes them last, so check."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cases_case'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"case_facets_sqlite", "case_published_desc"} <= names


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query planner")
def test_sqlite_counts_a_search_from_the_covering_index(archive):
    """The counting statement of a search reads the index, never each matching row (whose body comes first)."""
    queryset = Case.objects.published().search("红色物业")
    base = queryset.order_by().values_list("pk", "province_id", "city_id", "published_on")
    sql, params = base.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " | ".join(row[-1] for row in cursor.fetchall())
    assert "COVERING INDEX case_facets_sqlite" in plan, plan


def test_sqlite_keeps_its_connections_like_postgresql():
    """A connection per request re-ran the PRAGMAs and emptied the page cache each time: CONN_MAX_AGE applies to SQLite."""
    code = ("import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings'); django.setup();"
            " from django.conf import settings; print(settings.DATABASES['default']['CONN_MAX_AGE'])")
    for env, expected in (({}, "60"), ({"CONN_MAX_AGE": "5"}, "5")):
        environ = {k: v for k, v in os.environ.items() if k != "CONN_MAX_AGE"}
        result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                                env={**environ, "DEBUG": "1", "DATABASE_URL": "sqlite:////tmp/conn-test.sqlite3", **env})
        assert result.stdout.strip() == expected, result.stderr


def test_a_list_shows_each_cases_practices_in_name_order(client, archive):
    response = client.get("/?sort=title")
    for case in response.context["cases"]:
        expected = list(case.practices.order_by("name").values_list("name", flat=True))
        assert [name for name, _slug in case.practice_tags] == expected
    html = response.content.decode()
    first = response.context["cases"][0]
    if first.practice_tags:
        assert "".join(f'<li><a href="/practices/{slug}/">{name}</a></li>' for name, slug in first.practice_tags) in html


def page_queries(client, url):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, len(queries)


@pytest.mark.parametrize("url", ["/", "case"])
def test_the_home_and_case_pages_are_kept_until_a_case_changes(client, archive, url):
    from cases.models import Metric

    case = next(c for c in archive if c.is_public and c.practices.exists())
    url = case.get_absolute_url() if url == "case" else url
    first, _ = page_queries(client, url)
    again, queries = page_queries(client, url)
    assert queries == 0 and again.content == first.content
    assert again["Content-Security-Policy"]  # the middleware's headers are made for every response
    # a figure added to the case (its own admin page saves only the figure) shows at once
    Metric.objects.create(case=case, subject="新增", value=7, unit="个", text="正文", start=0, end=2)
    changed, queries = page_queries(client, url)
    assert queries > 0
    case.status = Case.Status.WITHDRAWN
    case.save()
    assert client.get(case.get_absolute_url()).status_code == 404
    assert case.title not in client.get("/").content.decode()


def test_a_search_an_export_and_a_signed_in_reader_are_never_served_from_the_page_cache(client, archive,
                                                                                         django_user_model):
    """A page from the cache renders no template (the test client then has no context)."""
    assert client.get("/").context is not None
    assert client.get("/").context is None
    for url in ("/?q=红色物业", "/?q=红色物业&province=210000"):
        client.get(url)
        assert client.get(url).context is not None
    client.get("/?province=210000&format=csv")
    assert client.get("/?province=210000&format=csv")["Content-Type"].startswith("text/csv")
    user = django_user_model.objects.create_user("reader", password="a-long-password-1")
    client.force_login(user)
    assert client.get("/").context is not None
    assert client.get("/?province=210000").context is not None


def filtered_lists():
    slug = Practice.objects.get(name="党建联盟").slug
    return [f"/?province=210000&practice={slug}", f"/?practice={slug}&province=210000&sort=title&page=2",
            "/?province=210000&city=210200&year_from=2016&year_to=2019", "/?q=&province=520000&source=",
            "/?year_from=abc&province=210000"]  # an invalid value is reported on the page: kept as well


def test_a_filtered_list_from_the_cache_is_the_page_rendered_afresh(client, archive):
    """The second reader of a filter state gets the first one's HTML, which is what a fresh render gives."""
    from django.core.cache import cache

    for url in filtered_lists():
        first, queries = page_queries(client, url)
        assert first.status_code == 200 and first.context is not None and queries > 0
        again, queries = page_queries(client, url)
        assert again.context is None and queries == 0  # no template, no query
        assert again.content == first.content
        assert again["Content-Type"] == first["Content-Type"]
        assert again["Content-Security-Policy"]
        cache.clear()  # the counts, the facet block and the page all made again
        fresh = client.get(url)
        assert fresh.context is not None and fresh.content == first.content, url
    # the same parameters written otherwise (percent-encoded, a plus for a space) are one page
    cache.clear()
    first = client.get("/?source=%E4%BA%BA%E6%B0%91+%E6%97%A5%E6%8A%A5&province=210000")
    again = client.get("/?source=人民 日报&province=210000")
    assert again.context is None and again.content == first.content
    # the order of the parameters is the order of the page's links: another order is another page
    other = client.get("/?province=210000&source=人民 日报")
    assert other.context is not None


@pytest.mark.parametrize("change", ["figure", "case", "practice", "practices of a case"])
def test_a_cached_filtered_list_is_dropped_when_a_case_figure_or_practice_changes(client, archive, change):
    from cases.models import Metric

    slug = Practice.objects.get(name="党建联盟").slug
    url = f"/?practice={slug}&sort=title"
    first = client.get(url)
    assert client.get(url).context is None
    shown = first.context["cases"]
    case = Case.objects.get(pk=shown[0].pk)
    if change == "figure":
        Metric.objects.create(case=case, subject="新增", value=7, unit="个", text="正文", start=0, end=2)
    elif change == "case":
        case.title = "改过的标题"
        case.save()
    elif change == "practice":
        practice = Practice.objects.get(slug=slug)
        practice.name = "党建联盟(改)"
        practice.save()
    else:
        case.practices.remove(Practice.objects.get(slug=slug))
    again = client.get(url)
    assert again.context is not None  # rendered afresh
    html = again.content.decode()
    if change == "case":
        assert "改过的标题" in html and html != first.content.decode()
    elif change == "practice":
        assert "党建联盟(改)" in html
    elif change == "practices of a case":
        assert case.pk not in [c.pk for c in again.context["cases"]]
        assert again.context["paginator"].count == first.context["paginator"].count - 1


def test_ranked_pages_are_slices_of_one_ranking(client, archive, settings):
    """Every page of a ranked search lists what by_relevance lists there; the second page ranks nothing again."""
    from django.test.utils import CaptureQueriesContext

    settings.DEBUG = False
    expected = list(Case.objects.published().search("正文").by_relevance("正文").values_list("pk", flat=True))
    assert len(expected) == 40
    first = client.get("/?q=正文")
    with CaptureQueriesContext(connection) as queries:
        second = client.get("/?q=正文&page=2")
    assert [c.pk for c in first.context["cases"]] == expected[:20]
    assert [c.pk for c in second.context["cases"]] == expected[20:40]
    ranking = "bm25(" if connection.vendor == "sqlite" else "ts_rank"
    assert not [q for q in queries if ranking in q["sql"]]
    make_case("新的正文正文正文", "正文。" * 9, practices=("双报到",))  # a change: the next page ranks afresh
    again = client.get("/?q=正文")
    assert again.context["paginator"].count == 41
    assert [c.pk for c in again.context["cases"]] == list(
        Case.objects.published().search("正文").by_relevance("正文").values_list("pk", flat=True)[:20])
