"""Benchmark of the public site on PostgreSQL: synthetic cases, page latencies, HTML size, gunicorn + wrk.

Run from the project folder (PostgreSQL must be running; DATABASE_URL names the server, the
database name is replaced by --database):

    DEBUG=1 .venv/bin/python bench/web.py --cases 100000

What it does:

1. Builds two archives: ``--compare-cases`` cases (default 10,000) in database ``NAME_10000``, and
   ``--cases`` (default 100,000) in ``NAME`` (default ``bench_web``), which starts as a copy of the
   smaller one. Each is (re)created and migrated unless ``--keep`` finds it.
2. Generates published synthetic cases: the five seed reports are
   run through the pipeline once, then recombined (an opening paragraph, 3–5 of the seeds' mechanism
   headings each with 1–3 of their paragraphs, so every case has mechanisms and figures with correct
   offsets), placed in random cities and districts of every province of the real gazetteer, tagged
   with 1–4 real practices, dated 2012–2024. Rows go in by COPY into a staging table and one
   ``INSERT … SELECT`` that builds the weighted tsvector in the database; index tokens are computed
   once per seed paragraph with ``cases.search.index_tokens`` (the same function the loader uses) and
   concatenated, since a recombined body is made of those paragraphs. Each figure gets its indicator
   from ``Indicator.objects.id_assigner`` (the loader's lookup), once per distinct subject and unit.
   The GIN index is dropped while loading and rebuilt after; the practice co-occurrence table, which
   the COPY goes around, is recounted (``practice_pairs.rebuild``).
3. Serves the archive of ``--wrk-cases`` cases with gunicorn (2 workers, DEBUG off) and loads the
   list page (two filters and facet counts) with ``wrk -t2 -c16 -d10s --latency`` on 127.0.0.1;
   prints requests/s, p99, errors.
4. Measures, in-process with Django's test client, p50/p95 over ``--samples`` requests each of:
   the list with two filters and facets, a search (practice words and other typical words, in both
   scripts), a search for very common words (党建, 社区), a search within a province, a case page,
   the home page, and (issue 12) the figures explorer with two filters, compare for one indicator, a
   practice page, the map's data with one filter and a page of ``/api/cases/`` and ``/api/figures/``;
   the same URLs on both archives, which take turns every 10 requests (this machine
   is shared: a busy moment then falls on both), and the ratio of their p95; and the largest HTML
   of a 20-result list page.
5. With ``--replica DIR``: makes a streaming replica of the server (``pg_basebackup -R`` into the
   empty or new DIR), starts it on ``--replica-port`` (55433), waits until it has replayed the
   primary's WAL, and measures the list and the searches with DATABASE_REPLICA_URL routing them to
   it against the primary alone (``--rounds`` turns, default 3); then stops and removes it.

Options: --cases N (default 100000), --compare-cases N (10000; 0: one archive), --wrk-cases N (10000;
0 skips wrk), --database NAME (bench_web), --samples N (100), --seed N (random seed, 7), --keep
(reuse the databases: add cases only up to their sizes, then measure), --pages WORDS (only the pages
whose name holds one of these comma-separated words), --port N (gunicorn's port,
8765), --cold (clear Django's cache before every timed request: the facet counts are cached for a
minute, and the samples repeat URLs, so the default figures mix cache hits and misses; --cold gives
the cost of a first visit), --replica DIR, --replica-port N, --rounds N.
Targets (issue 11): at 100,000 cases, cache cleared, p95 ≤ 150 ms list with facets, search and
search + filter, ≤ 50 ms case page, ≤ 200 ms home page; every page's p95 within 1.5× of its p95 at
10,000; a 20-result list page < 60 KB; wrk: no failed request. Issue 12: p95 ≤ 150 ms figures
explorer, compare and practice page, ≤ 100 ms map data and API list pages.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TITLE_PATTERNS = [
    "{city}:以{practice}推动城市基层党建提质增效",
    "{city}创新{practice}机制 提升基层治理效能",
    "{city}深化{practice} 打造党建引领基层治理新格局",
    "党建引领 {practice}:{city}的探索与实践",
    "{city}推行{practice} 激活城市基层治理“神经末梢”",
]
SOURCES = ["人民网", "新华网", "共产党员网", "光明网", "中国组织人事报", "{province}组织工作网", "{city}日报"]
SEARCH_WORDS = ["网格化管理", "網格化管理", "红色物业", "紅色物業", "双报到", "党建联盟", "志愿服务", "社区减负",
                "吹哨报到", "党群服务中心", "共建协议", "一张网", "物业", "楼宇", "网格员", "区域化党建"]
COMMON_WORDS = ["党建", "社区", "基层治理"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--wrk-cases", type=int, default=10_000)
    parser.add_argument("--database", default="bench_web")
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--cold", action="store_true")
    parser.add_argument("--sqlite", metavar="PATH", help="SQLite mode: the archive file (see main_sqlite)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8, help="SQLite mode: seconds of each wrk run")
    parser.add_argument("--compare-cases", type=int, default=10_000)
    parser.add_argument("--replica", metavar="DIR")
    parser.add_argument("--replica-port", type=int, default=55433)
    parser.add_argument("--pages", default="", help="measure only the pages whose name contains one of these "
                        "comma-separated words (e.g. figures,compare)")
    return parser.parse_args()


def database_url(name: str) -> str:
    base = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:54329/postgres"
    if not base.startswith("postgres"):
        base = "postgres://postgres@127.0.0.1:54329/postgres"
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))


def recreate_database(url: str, name: str, template: str = "template0") -> None:
    import psycopg

    admin = urlunsplit((*urlsplit(url)[:2], "/postgres", "", ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" ENCODING UTF8')


def database_exists(url: str, name: str) -> bool:
    import psycopg

    admin = urlunsplit((*urlsplit(url)[:2], "/postgres", "", ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def use_database(name: str) -> None:
    """Point Django's default connection (and the gunicorn of ``run_wrk``) at database ``name``."""
    from django.core.cache import cache
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = name
    os.environ["DATABASE_URL"] = database_url(name)
    cache.clear()  # the facet cache's keys do not name the database


# ------------------------------------------------------------------------------------------- data


class Pool:
    """The seeds, cut into reusable pieces with their figures and their index tokens."""

    def __init__(self):
        from cases.search import index_tokens
        from ingest.pipeline import process

        self.intros: list[dict] = []
        self.sections: list[dict] = []  # {heading, paragraphs: [{text, metrics}]}
        for path in sorted((ROOT / "seeds").glob("*.txt")):
            report = process(path.read_bytes(), path.name)
            body, ex = report.body, report.extraction
            heads = sorted(ex.mechanisms, key=lambda m: m.start)
            paragraphs = self._paragraphs(body, ex.metrics)
            heading_spans = {(m.start, m.end) for m in heads}
            current = None
            for para in paragraphs:
                if any(a <= para["start"] and para["end"] <= b + 1 for a, b in heading_spans) or any(
                    para["text"].strip() == m.heading for m in heads
                ):
                    current = {"heading": para["text"], "paragraphs": []}
                    self.sections.append(current)
                elif current is None:
                    self.intros.append(para)
                else:
                    current["paragraphs"].append(para)
        self.sections = [s for s in self.sections if s["paragraphs"]]
        if not self.intros:
            self.intros = [p for s in self.sections for p in s["paragraphs"]][:3]
        self.tokens: dict[str, str] = {}
        for text in {p["text"] for p in self.intros} | {s["heading"] for s in self.sections} | {
            p["text"] for s in self.sections for p in s["paragraphs"]
        }:
            self.tokens[text] = " ".join(index_tokens(text))
        self._index_tokens = index_tokens
        self._title_tokens: dict[str, str] = {}

    @staticmethod
    def _paragraphs(body: str, metrics) -> list[dict]:
        out, offset = [], 0
        for line in body.split("\n"):
            start, end = offset, offset + len(line)
            offset = end + 1
            if not line.strip():
                continue
            inside = [m for m in metrics if start <= m.start and m.end <= end]
            out.append({
                "text": line, "start": start, "end": end,
                "metrics": [(m.start - start, m.end - start, m) for m in inside],
            })
        return out

    def title_tokens(self, title: str) -> str:
        if title not in self._title_tokens:
            self._title_tokens[title] = " ".join(self._index_tokens(title))
        return self._title_tokens[title]


def synthetic_case(pk: int, rng: random.Random, pool: Pool, places, practices, now) -> dict:
    """One published case recombined from the seeds: its row's values, mechanisms, figures, practices, tokens.

    ``places``: cities and districts (with ``parent__parent`` selected); ``practices``: (pk, name)
    pairs. Mechanism ids are left to the caller (``mechanisms`` in order; a figure's ``mechanism``
    is the index of its mechanism in that list, or None). ``tokens``: title, headings and body
    index tokens, space-separated.
    """
    place = rng.choice(places)
    lineage = place.lineage()
    province = lineage[0]
    city = next((p for p in lineage if p.level == "city"), None)
    chosen = rng.sample(practices, rng.randint(1, 4))
    city_name = (city or province).name
    title = rng.choice(TITLE_PATTERNS).format(city=place.name, practice=chosen[0][1])
    lines, mechanisms, figures = [], [], []
    offset = 0

    def add(text):
        nonlocal offset
        lines.append(text)
        at = offset
        offset += len(text) + 1
        return at

    intro = rng.choice(pool.intros)
    at = add(intro["text"])
    for s, e, m in intro["metrics"]:
        figures.append((at + s, at + e, m, None))
    body_tokens = [pool.tokens[intro["text"]]]
    head_tokens = []
    for order, section in enumerate(rng.sample(pool.sections, min(len(pool.sections), rng.randint(3, 5)))):
        at = add(section["heading"])
        mechanisms.append({"case_id": pk, "parent_id": None, "order": order, "heading": section["heading"][:300],
                           "slogan": "", "body": "", "start": at, "end": at + len(section["heading"]),
                           "curated": False})
        head_tokens.append(pool.tokens[section["heading"]])
        body_tokens.append(pool.tokens[section["heading"]])
        for para in rng.sample(section["paragraphs"], min(len(section["paragraphs"]), rng.randint(1, 3))):
            at = add(para["text"])
            body_tokens.append(pool.tokens[para["text"]])
            for s, e, m in para["metrics"]:
                figures.append((at + s, at + e, m, len(mechanisms) - 1))
    body = "\n".join(lines)
    day = datetime.date(2012, 1, 1) + datetime.timedelta(days=rng.randrange(13 * 365))
    source = rng.choice(SOURCES).format(province=province.name, city=city_name)
    case = {
        "id": pk, "slug": f"bench-{pk}", "title": title, "place_id": place.pk, "province_id": province.pk,
        "city_id": city.pk if city else None, "published_on": day, "source": source,
        "author_org": f"{city_name}委组织部", "summary": "", "body": body, "original_text": "",
        "script": "simplified", "encoding": "utf-8", "repairs": [], "captions": [],
        "keywords": [p[1] for p in chosen] + [place.name], "status": "published",
        "content_hash": hashlib.sha256(f"bench{pk}".encode()).hexdigest(),
        "source_file": f"bench/{pk}.txt", "search_tokens": "", "created": now, "updated": now,
    }
    metrics = [
        {"case_id": pk, "mechanism": mechanism, "subject": m.subject[:100], "value": m.value, "unit": m.unit,
         "qualifier": m.qualifier, "text": body[s:e][:200], "start": s, "end": e, "order": order,
         "curated": False}
        for order, (s, e, m, mechanism) in enumerate(figures)
    ]
    return {"case": case, "mechanisms": mechanisms, "metrics": metrics, "practices": [p[0] for p in chosen],
            "tokens": (pool.title_tokens(title), " ".join(head_tokens), " ".join(body_tokens))}


def synthetic_sources():
    """The places and practices ``synthetic_case`` draws from."""
    from cases.models import Place, Practice

    places = list(Place.objects.filter(level__in=["city", "district"]).select_related("parent__parent"))
    return places, list(Practice.objects.values_list("pk", "name"))


def generate(count: int, first_id: int, rng: random.Random, pool: Pool, connection) -> None:
    """COPY ``count`` published cases (ids from ``first_id``) with mechanisms, figures and practices."""
    from django.db.models import JSONField

    from cases.models import Case, Indicator, Mechanism, Metric

    places, practices = synthetic_sources()
    # the loader's own lookup (Indicator.objects.id_assigner), once per distinct subject and unit
    assigner = Indicator.objects.id_assigner()
    indicator_ids: dict[tuple[str, str], int | None] = {}
    case_cols = [f for f in Case._meta.concrete_fields if f.column not in ("search_vector", "rank_vector")]
    mech_cols = list(Mechanism._meta.concrete_fields)
    metric_cols = list(Metric._meta.concrete_fields)
    now = datetime.datetime.now(datetime.UTC)
    next_mech = _max_id(connection, Mechanism) + 1
    next_metric = _max_id(connection, Metric) + 1
    batch = 5000

    def row(fields, values):
        out = []
        for f in fields:
            value = values[f.attname] if f.attname in values else f.get_default()
            if isinstance(f, JSONField) and value is not None:
                value = json.dumps(value, ensure_ascii=False)
            out.append(value)
        return out

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_stage")
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_stage (LIKE cases_case INCLUDING DEFAULTS, t text, h text, b text)"
        )
        cursor.execute("ALTER TABLE bench_stage DROP COLUMN search_vector, DROP COLUMN rank_vector")
    case_names = [f.column for f in case_cols]
    raw = connection.connection  # psycopg's connection: COPY
    for start in range(0, count, batch):
        cases, mechs, metrics, links = [], [], [], []
        for i in range(start, min(count, start + batch)):
            pk = first_id + i
            made = synthetic_case(pk, rng, pool, places, practices, now)
            mech_ids = []
            for mechanism in made["mechanisms"]:
                mech_ids.append(next_mech)
                mechs.append(row(mech_cols, {"id": next_mech, **mechanism}))
                next_mech += 1
            cases.append(row(case_cols, made["case"]) + list(made["tokens"]))
            for metric in made["metrics"]:
                mechanism = metric.pop("mechanism")
                pair = (metric["subject"], metric["unit"])
                if pair not in indicator_ids:
                    indicator_ids[pair] = assigner(*pair)
                metric["indicator_id"] = indicator_ids[pair]
                metrics.append(row(metric_cols, {"id": next_metric, **metric,
                                                 "mechanism_id": None if mechanism is None else mech_ids[mechanism]}))
                next_metric += 1
            links.extend((pk, practice) for practice in made["practices"])
        with raw.cursor() as cur:
            with cur.copy(f"COPY bench_stage ({', '.join(case_names)}, t, h, b) FROM STDIN") as copy:
                for r in cases:
                    copy.write_row(r)
            cur.execute(
                f"INSERT INTO cases_case ({', '.join(case_names)}, search_vector, rank_vector) "
                f"SELECT {', '.join(case_names)}, setweight(to_tsvector('simple', t), 'A') || "
                "setweight(to_tsvector('simple', h), 'B') || setweight(to_tsvector('simple', b), 'C'), "
                "setweight(to_tsvector('simple', t), 'A') || setweight(to_tsvector('simple', h), 'B') "
                "FROM bench_stage"
            )
            cur.execute("TRUNCATE bench_stage")
            _copy(cur, Mechanism, mech_cols, mechs)
            _copy(cur, Metric, metric_cols, metrics)
            with cur.copy("COPY cases_case_practices (case_id, practice_id) FROM STDIN") as copy:
                for link in links:
                    copy.write_row(link)
        raw.commit()
        print(f"  {start + len(cases):,} / {count:,}", end="\r", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_stage")
        for model in (Case, Mechanism, Metric):
            table = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    print()


def _copy(cur, model, fields, rows):
    cols = ", ".join(f'"{f.column}"' for f in fields)
    with cur.copy(f"COPY {model._meta.db_table} ({cols}) FROM STDIN") as copy:
        for r in rows:
            copy.write_row(r)


def _max_id(connection, model) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {model._meta.db_table}")
        return cursor.fetchone()[0]


def load(target: int, rng, pool, connection) -> float:
    """Add cases until there are ``target``; return the seconds it took."""
    from cases.models import Case

    have = Case.objects.count()
    if have >= target:
        return 0.0
    started = time.perf_counter()
    # the GIN indexes as the migrations made them, dropped while the cases go in and built once after
    with connection.cursor() as cursor:
        cursor.execute("SELECT i.indexname, i.indexdef FROM pg_indexes i JOIN pg_class c ON c.relname = i.indexname"
                       " JOIN pg_am a ON a.oid = c.relam WHERE i.tablename = 'cases_case' AND a.amname = 'gin'")
        gin_indexes = cursor.fetchall()
        for name, _definition in gin_indexes:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    generate(target - have, _max_id(connection, Case) + 1, rng, pool, connection)
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for _name, definition in gin_indexes:
            cursor.execute(definition)
    from cases import practice_pairs

    practice_pairs.rebuild()  # the COPY went around the signals that keep the co-occurrence table
    with connection.cursor() as cursor:  # Django's connection is in autocommit: VACUUM may run
        cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


# ------------------------------------------------------------------------------------------- measuring


def sample_urls(rng, n: int) -> dict[str, list[str]]:
    from django.db.models import Count

    from cases.models import Case, Practice

    provinces = [p for p, c in Case.objects.values_list("province__code").annotate(c=Count("pk")) if p]
    cities = [p for p, c in Case.objects.values_list("city__code").annotate(c=Count("pk")) if p]
    practices = list(Practice.objects.values_list("slug", flat=True))
    ids = list(Case.objects.values_list("slug", flat=True)[:50_000])
    lists = []
    for i in range(n):
        if i % 2:
            lists.append("/?" + urlencode({"province": rng.choice(provinces), "practice": rng.choice(practices)}))
        else:
            lists.append("/?" + urlencode({"city": rng.choice(cities), "year_from": rng.randint(2012, 2022)}))
    return {
        "list, two filters + facets": lists,
        "search (typical words)": ["/?" + urlencode({"q": rng.choice(SEARCH_WORDS)}) for _ in range(n)],
        "search (very common words)": ["/?" + urlencode({"q": rng.choice(COMMON_WORDS)}) for _ in range(n)],
        "search + filter": ["/?" + urlencode({"q": rng.choice(SEARCH_WORDS), "province": rng.choice(provinces)})
                            for _ in range(n)],
        "case page": [f"/cases/{rng.choice(ids)}/" for _ in range(n)],
        "home page (no filter)": ["/"] * n,
        **figure_urls(rng, n, provinces, practices),
    }


def figure_urls(rng, n: int, provinces: list[str], practices: list[str]) -> dict[str, list[str]]:
    """The pages of figures, places and the API (issue 12): two filters, one indicator, a practice, one filter."""
    from django.db.models import Count

    from cases.models import Indicator

    indicators = [slug for slug, c in Indicator.objects.filter(metrics__isnull=False).values_list("slug")
                  .annotate(c=Count("metrics")) if c]
    if not indicators:
        return {}

    def explorer(i):
        if i % 2:
            return {"indicator": rng.choice(indicators), "province": rng.choice(provinces)}
        return {"indicator": rng.choice(indicators), "year_from": rng.randint(2012, 2022)}

    def map_filter(i):
        return {"practice": rng.choice(practices)} if i % 2 else {"year_from": rng.randint(2012, 2022)}

    return {
        "figures, two filters + facets": ["/figures/?" + urlencode(explorer(i)) for i in range(n)],
        "compare, one indicator": ["/compare/?" + urlencode({"indicator": rng.choice(indicators)}) for _ in range(n)],
        "practice page": [f"/practices/{rng.choice(practices)}/" for _ in range(n)],
        "map data, one filter": ["/map/data.json?" + urlencode(map_filter(i)) for i in range(n)],
        "API cases, a page": ["/api/cases/?" + urlencode({"province": rng.choice(provinces)}) if i % 2
                              else "/api/cases/" for i in range(n)],
        "API figures, a page": ["/api/figures/?" + urlencode({"indicator": rng.choice(indicators)}) if i % 2
                                else "/api/figures/" for i in range(n)],
    }


def measure(urls: dict[str, list[str]], databases: list[str], cold: bool = False,
            chunk: int = 10) -> tuple[dict, int]:
    """{database: {page: [ms of each request]}} and the largest 20-result list page in bytes.

    The databases take turns every ``chunk`` requests of a page (after one untimed request that
    reconnects and warms), so that a busy moment of this shared machine falls on all of them.
    """
    from django.core.cache import cache
    from django.test import Client

    client = Client()
    results: dict[str, dict[str, list[float]]] = {name: {} for name in databases}
    largest = 0
    for page, batch in urls.items():
        for start in range(0, len(batch), chunk):
            for database in databases:
                use_database(database)
                client.get(batch[start])  # connect, and warm what a first request warms
                times = results[database].setdefault(page, [])
                for url in batch[start:start + chunk]:
                    if cold:
                        cache.clear()
                    started = time.perf_counter()
                    response = client.get(url)
                    times.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, (url, response.status_code)
                    if response.content.count(b'<article class="result">') == 20:
                        largest = max(largest, len(response.content))
    return results, largest


def summary(times: list[float]) -> tuple[float, float, float]:
    """p50, p95 and max of request times."""
    times = sorted(times)
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)], times[-1]


def run_wrk(url_path: str, port: int, database: str) -> str:
    if not shutil.which("wrk"):
        return "wrk not installed"
    # gunicorn serves the primary alone (a --replica is made only later, for its own measurement)
    env = {**{k: v for k, v in os.environ.items() if k != "DATABASE_REPLICA_URL"}, "DEBUG": "0", "SECRET_KEY": "bench-only-not-secret", "ALLOWED_HOSTS": "127.0.0.1",
           "SECURE_SSL_REDIRECT": "0", "DATABASE_URL": database_url(database), "LOG_LEVEL": "ERROR"}
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    server = subprocess.Popen([gunicorn, "config.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
                              cwd=ROOT, env=env)
    try:
        import urllib.request

        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{url_path}", timeout=5).read()
                break
            except OSError:
                time.sleep(0.2)
        for _ in range(20):  # warm both workers
            urllib.request.urlopen(f"http://127.0.0.1:{port}{url_path}", timeout=5).read()
        out = subprocess.run(["wrk", "-t2", "-c16", "-d10s", "--latency", f"http://127.0.0.1:{port}{url_path}"],
                             capture_output=True, text=True, check=True).stdout
    finally:
        server.terminate()
        server.wait(10)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out)
    total = re.search(r"(\d+) requests in", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket = re.search(r"Socket errors: (.*)", out)
    return (f"{url_path}: {float(rps.group(1)):.0f} req/s, p99 {p99.group(1)}, {total.group(1)} requests, "
            f"non-2xx {errors.group(1) if errors else 0}, socket errors: {socket.group(1) if socket else 'none'}")


def build(name: str, target: int, keep: bool, rng, pool_box: list, template: str | None = None) -> list[str]:
    """Make database ``name`` hold ``target`` cases (a copy of ``template`` to start from, if given)."""
    from django.core.management import call_command
    from django.db import connection

    from cases.models import Case

    url = database_url(name)
    if not keep or not database_exists(url, name):
        connection.close()
        recreate_database(url, name, template or "template0")
    use_database(name)
    call_command("migrate", verbosity=0)
    if Case.objects.count() >= target:
        return []
    pool_box[:] = pool_box or [Pool()]
    seconds = load(target, rng, pool_box[0], connection)
    return [f"{name}: generated up to {Case.objects.count():,} cases in {seconds:.0f} s"]


def main() -> None:
    args = parse_args()
    if args.sqlite:
        main_sqlite(args)
        return
    sizes = {args.cases: args.database}  # cases → database, smaller first
    if args.compare_cases and args.compare_cases < args.cases:
        sizes = {args.compare_cases: f"{args.database}_{args.compare_cases}", **sizes}
    os.environ["DATABASE_URL"] = database_url(args.database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    if args.replica:  # the replica alias and its router exist from start-up; measured with and without
        parts = urlsplit(database_url(args.database))
        os.environ["DATABASE_REPLICA_URL"] = urlunsplit(
            (parts.scheme, f"{parts.username or 'postgres'}@127.0.0.1:{args.replica_port}", parts.path, "", ""))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import override_settings

    from cases.models import Case

    settings.DEBUG = False  # no per-request query log while measuring
    rng = random.Random(args.seed)
    pool_box: list = []
    report = [f"databases {', '.join(sizes.values())}"]
    previous = None
    for size, name in sizes.items():  # the larger archive starts as a copy of the smaller one
        report += build(name, size, args.keep, rng, pool_box, template=previous)
        previous = name
    # wrk measures at --wrk-cases: the database of that size (or the only one, if it holds no more).
    wrk_database = sizes.get(args.wrk_cases) or next(iter(sizes.values()))
    use_database(wrk_database)
    if args.wrk_cases and Case.objects.count() <= args.wrk_cases:
        province, practice = _busy_pair()
        for path in (f"/?province={province}&practice={practice}", "/"):
            line = run_wrk(path, args.port, wrk_database)
            print("wrk", line)
            report.append(f"wrk at {Case.objects.count():,} cases (gunicorn -w 2, wrk -t2 -c16 -d10s): {line}")
    # The same URLs on every archive: sampled from the smallest (the larger ones hold its cases).
    use_database(next(iter(sizes.values())))
    urls = sample_urls(rng, args.samples)
    if args.pages:
        wanted = [w.strip() for w in args.pages.split(",") if w.strip()]
        urls = {page: batch for page, batch in urls.items() if any(w in page for w in wanted)}
    primary_only = override_settings(DATABASE_ROUTERS=[])  # a configured replica waits for its own turn
    from config.worker import prepare

    prepare()  # as a gunicorn worker starts (config/wsgi.py): what is measured is what a worker serves
    with primary_only:
        results, largest = measure(urls, list(sizes.values()), cold=args.cold)
    times = {size: results[name] for size, name in sizes.items()}
    connection.close()
    report.append(f"latency, {args.samples} requests a page and archive, the archives taking turns every 10 "
                  f"(Django test client{', cache cleared before each request' if args.cold else ''}), ms:")
    header = "".join(f"{f'{size:,} cases p50':>18} {'p95':>7}" for size in sizes)
    report.append(f"  {'page':30}{header}" + ("   p95 ratio" if len(sizes) > 1 else ""))
    small, big_size = min(sizes), max(sizes)
    for page in urls:
        figures = {size: summary(times[size][page]) for size in sizes}
        line = "".join(f"{figures[size][0]:18.1f} {figures[size][1]:7.1f}" for size in sizes)
        if len(sizes) > 1:
            line += f"   {figures[big_size][1] / figures[small][1]:9.2f}×"
        report.append(f"  {page:30}{line}")
    report.append(f"largest 20-result list page: {largest / 1024:.1f} KB of HTML")
    if args.replica:
        report += measure_replica(args, sizes[big_size], urls)
    print("\n".join(report))


# ------------------------------------------------------------------------------------------- replica


def pg_command(name: str) -> list[str]:
    """A PostgreSQL server program, run as the postgres user when we are root (initdb and postgres refuse root)."""
    bindir = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))[-1]
    program = str(bindir / name)
    return ["runuser", "-u", "postgres", "--", program] if os.geteuid() == 0 else [program]


def start_replica(directory: Path, port: int) -> str:
    """A streaming replica of DATABASE_URL's server in ``directory`` (pg_basebackup -R), started on ``port``."""
    primary = urlsplit(database_url("postgres"))
    started = time.perf_counter()
    if directory.exists() and any(directory.iterdir()):
        raise SystemExit(f"--replica {directory}: not empty; the replica is made afresh and removed after")
    directory.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    directory.chmod(0o700)
    subprocess.run([*pg_command("pg_basebackup"), "-h", primary.hostname, "-p", str(primary.port or 5432),
                    "-U", primary.username or "postgres", "-D", str(directory), "-R", "-X", "stream",
                    "-c", "fast"], check=True)
    subprocess.run([*pg_command("pg_ctl"), "-D", str(directory), "-l", str(directory / "server.log"), "-w",
                    "-t", "120", "-o", f"-h 127.0.0.1 -p {port} -k /tmp -c hot_standby=on -c fsync=off", "start"],
                   check=True, stdout=subprocess.DEVNULL)
    return f"replica: pg_basebackup -R of {primary.hostname}:{primary.port} in {time.perf_counter() - started:.0f} s"


def wait_for_replay(replica_url: str, timeout: float = 120) -> str:
    """Wait until the replica has replayed everything the primary had written when we asked."""
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        target = conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(replica_url, autocommit=True) as conn:
                standby, caught_up = conn.execute(
                    "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() >= %s::pg_lsn", [str(target)]).fetchone()
            if caught_up:
                return f"replica in recovery (a hot standby): {standby}; replayed the primary's WAL up to {target}"
        except psycopg.OperationalError:
            pass  # still starting
        if time.monotonic() > deadline:
            raise SystemExit(f"the replica did not replay up to {target} within {timeout:.0f} s")
        time.sleep(0.5)


def stop_replica(directory: Path) -> None:
    """Stop the replica and remove its copy (a kept one would miss the WAL recycled meanwhile)."""
    subprocess.run([*pg_command("pg_ctl"), "-D", str(directory), "-m", "fast", "-w", "stop"], check=False,
                   stdout=subprocess.DEVNULL)
    shutil.rmtree(directory, ignore_errors=True)


def measure_replica(args, database: str, urls: dict[str, list[str]]) -> list[str]:
    """The list and search pages served from the primary and from a streaming replica, interleaved."""
    from django.db import connections
    from django.test import override_settings

    directory = Path(args.replica).resolve()
    report = [start_replica(directory, args.replica_port)]
    try:
        report.append(wait_for_replay(os.environ["DATABASE_REPLICA_URL"]))
        use_database(database)
        pages = {k: v for k, v in urls.items() if k.startswith(("list", "search"))}
        times: dict[str, dict[str, list[float]]] = {"primary": {}, "replica": {}}
        for _round in range(args.rounds):
            for where, routers in (("primary", []), ("replica", ["config.db_router.ReplicaRouter"])):
                with override_settings(DATABASE_ROUTERS=routers):
                    results, _ = measure(pages, [database], cold=args.cold)
                for page, batch in results[database].items():
                    times[where].setdefault(page, []).extend(batch)
        replica = connections["replica"]
        with replica.cursor() as cursor:  # the replica's connection served the pages: it is open now
            cursor.execute("SELECT pg_is_in_recovery()")
            report.append(f"the replica's connection answered, in recovery: {cursor.fetchone()[0]}")
        report.append(f"latency at {database} on the primary and on the replica (DATABASE_REPLICA_URL), ms:")
        report.append(f"  {'page':30}{'primary p50':>14} {'p95':>7}{'replica p50':>14} {'p95':>7}")
        for page in pages:
            (p50, p95, _), (r50, r95, _) = summary(times["primary"][page]), summary(times["replica"][page])
            report.append(f"  {page:30}{p50:14.1f} {p95:7.1f}{r50:14.1f} {r95:7.1f}")
    finally:
        connections["replica"].close()
        stop_replica(directory)
    return report


def _busy_pair() -> tuple[str, str]:
    """A province and a practice with at least 20 cases together, for a full list page under wrk."""
    from django.db.models import Count

    from cases.models import Case

    row = (Case.practices.through.objects.values("case__province__code", "practice__slug")
           .annotate(n=Count("case_id")).order_by("-n").first())
    return row["case__province__code"], row["practice__slug"]


# ------------------------------------------------------------------------------------------- SQLite and peers


def main_sqlite(args) -> None:
    """``--sqlite PATH``: our pages on a SQLite archive of ``--wrk-cases`` cases against their peers, by wrk.

    Builds the archive (``peers.build_sqlite``; ``--keep`` reuses the file), then serves side by side
    our site (gunicorn, 2 workers, DEBUG off), the bare 20-row page (``bench/bare_site.py``, the same
    settings and workers) and Datasette (its own virtualenv) on a copy of the file, and loads each
    URL in turn with wrk, ``--rounds`` rounds of ``--seconds`` s. Prints req/s, p99, the slowest
    request and the ratios of ours to the peers per round (min and median).
    """
    import peers

    peers.which_wrk()
    path = Path(args.sqlite).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not args.keep:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    from cases import search
    from cases.models import Case

    rng = random.Random(args.seed)
    have = Case.objects.count()
    if have < args.wrk_cases:
        started = time.perf_counter()
        pool = Pool()
        peers.build_sqlite(args.wrk_cases - have, lambda pk, *rest: synthetic_case(pk, rng, pool, *rest),
                           synthetic_sources())
        print(f"generated {args.wrk_cases - have:,} cases in {time.perf_counter() - started:.0f} s")
    total = Case.objects.published().count()
    matches = {word: Case.objects.published().search(word).count()
               for word in SEARCH_WORDS + COMMON_WORDS
               if not any(c.prefix for c in search.parse(word).clauses)}
    countable = {w: n for w, n in matches.items() if n <= search.SEARCH_CAP}
    near = {target: min(countable, key=lambda w: abs(countable[w] - target)) for target in (1000, 5000)}
    province, practice = _busy_pair()
    from cases.models import Place, Practice

    province_id = Place.objects.get(code=province).pk
    practice_id = Practice.objects.get(slug=practice).pk
    case = Case.objects.published().order_by("?").values_list("pk", "slug").first()
    connection.close()

    copy_dir = path.with_name(f"{path.stem}-datasette")
    copy_dir.mkdir(exist_ok=True)
    copy = peers.datasette_copy(path, copy_dir / f"{peers.DATASETTE_DB}.sqlite3")
    metadata = peers.datasette_metadata(copy_dir / "metadata.json")
    ours = peers.site_server(path, args.port)
    bare = peers.bare_server(path, args.port + 1)
    datasette = peers.datasette_server(copy, metadata, args.port + 2)
    facets = [("_facet", "province_id"), ("_facet", "city_id"), ("_facet", "year")]
    shown = [("_col", c) for c in ("title", "published_on", "province_id", "city_id", "source")]
    table = f"/{peers.DATASETTE_DB}/cases_case?"

    def peer_search(word):  # Datasette quotes each space-separated term: the same bigram clauses as ours
        terms = " ".join(c.token for c in search.parse(word).clauses)
        return table + urlencode([("_search", terms), ("status", "published"), ("_sort_desc", "published_on"),
                                  ("_size", "20"), *facets, *shown])

    urls: dict[str, str] = {}
    for target, word in near.items():
        label = f"~{target:,} ({word}, {matches[word]:,})"
        urls[f"search {label} ranked"] = ours.url("/?" + urlencode({"q": word}))
        urls[f"search {label} by date"] = ours.url("/?" + urlencode({"q": word, "sort": "newest"}))
        urls[f"datasette search {label}"] = datasette.url(peer_search(word))
    urls["list, province + practice"] = ours.url("/?" + urlencode({"province": province, "practice": practice}))
    urls["list, rendered afresh"] = urls["list, province + practice"]  # with fresh_query.lua: no page cache
    urls["datasette list, province + practice"] = datasette.url(table + urlencode([
        ("status", "published"), ("province_id", province_id),
        ("_through", json.dumps({"table": "cases_case_practices", "column": "practice_id", "value": practice_id})),
        ("_sort_desc", "published_on"), ("_size", "20"), *facets, *shown]))
    urls["home page (cached)"] = ours.url("/")
    urls["bare 20-row page"] = bare.url("/")
    urls["case page"] = ours.url(f"/cases/{case[1]}/")
    urls["datasette row page"] = datasette.url(f"/{peers.DATASETTE_DB}/cases_case/{case[0]}")

    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"SQLite archive {path} ({total:,} published cases); uptime before: {load}")
    servers = [ours, bare, datasette]
    try:
        for server in servers:
            server.start()
        first = {name: peers.slowest_alone(url, 1) for name, url in urls.items() if "search" in name}
        results = peers.rounds(urls, args.rounds, args.seconds, {"list, rendered afresh": "fresh_query.lua"})
        alone = {name: peers.slowest_alone(url) for name, url in urls.items() if "search" in name}
    finally:
        for server in servers:
            server.stop()
    print(f"uptime after: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    print(f"wrk -t2 -c16 -d{args.seconds}s, {args.rounds} rounds interleaved; gunicorn -w 2 (DEBUG off) for ours "
          "and the bare page; Datasette one process:")
    print("\n".join(peers.summary_lines(results, urls)))
    print("a search alone (ms): first request after start (cold caches) / slowest of 10 after the rounds")
    for name in first:
        print(f"  {name:38} {first[name]:7.0f} / {alone[name]:7.0f}")
    pairs = []
    for target, word in near.items():
        label = f"~{target:,} ({word}, {matches[word]:,})"
        pairs.append((f"search {label} ranked", f"datasette search {label}",
                      f"search {label}, ranked / Datasette", 1.5))
        pairs.append((f"search {label} ranked", f"search {label} by date",
                      f"search {label}, ranked / by date", 0.5))
    pairs += [("list, province + practice", "datasette list, province + practice", "list with facets / Datasette", 2.0),
              ("list, rendered afresh", "datasette list, province + practice",
               "the same list rendered afresh (no page cache) / Datasette", 1.0),
              ("home page (cached)", "bare 20-row page", "cached home page / bare page", 0.6),
              ("case page", "bare 20-row page", "case page / bare page", 0.5),
              ("case page", "datasette row page", "case page / Datasette's row page", 1.0)]
    print("ratios of requests/s, per round:")
    print("\n".join(peers.ratio_lines(results, pairs)))


if __name__ == "__main__":
    main()
