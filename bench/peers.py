"""Peers for ``bench/web.py --sqlite``: the servers our pages are compared with, and the load that measures them.

* ``build_sqlite``: a SQLite archive of synthetic cases (``web.synthetic_case``) written through
  the ORM (``bulk_create``) and ``executemany`` for the FTS5 entries, as SQLite has no COPY.
* ``Server``: a process serving HTTP on 127.0.0.1, started and stopped by the bench:
  ``site_server`` (our site under gunicorn), ``bare_server`` (``bench/bare_site.py``: the same
  settings and workers, one bare 20-row page), ``datasette_server`` (Datasette in its own
  virtualenv, ``ensure_datasette``, on a copy of the archive made by ``datasette_copy``).
* ``wrk``: one wrk run, parsed; ``rounds``: every URL in turn, three rounds, so that the peers
  share whatever else the machine is doing; ``ratio_lines``: min and median of per-round ratios.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATASETTE_VENV = Path(os.environ.get("DATASETTE_VENV", ROOT / "var" / "datasette-venv"))
DATASETTE_DB = "archive"  # the database's name in Datasette's URLs (the copy's file stem)


# ------------------------------------------------------------------------------------------- data


def build_sqlite(count: int, make_case, sources) -> None:
    """Add ``count`` published synthetic cases to Django's (SQLite) database, a transaction per batch.

    ``make_case(pk, places, practices, now)``: one case as ``web.synthetic_case`` makes it;
    ``sources``: the places and practices it draws from (``web.synthetic_sources()``).
    """
    import datetime

    from django.db import connection, transaction

    from cases.models import Case, Mechanism, Metric

    places, practices = sources
    now = datetime.datetime.now(datetime.UTC)
    case_fields = {f.attname for f in Case._meta.concrete_fields}
    first = (Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    batch = 2000
    for start in range(0, count, batch):
        made = [make_case(first + i, places, practices, now)
                for i in range(start, min(count, start + batch))]
        with transaction.atomic():
            Case.objects.bulk_create([Case(**{k: v for k, v in m["case"].items() if k in case_fields})
                                      for m in made])
            mechanisms = [[Mechanism(**row) for row in m["mechanisms"]] for m in made]
            Mechanism.objects.bulk_create([row for rows in mechanisms for row in rows])  # ids set on SQLite
            metrics = []
            for m, rows in zip(made, mechanisms, strict=True):
                for figure in m["metrics"]:
                    at = figure.pop("mechanism")
                    metrics.append(Metric(**figure, mechanism_id=None if at is None else rows[at].pk))
            Metric.objects.bulk_create(metrics)
            Case.practices.through.objects.bulk_create(
                [Case.practices.through(case_id=m["case"]["id"], practice_id=p) for m in made for p in m["practices"]])
            with connection.cursor() as cursor:
                cursor.executemany("INSERT INTO cases_case_fts (rowid, title, headings, body) VALUES (%s, %s, %s, %s)",
                                   [(m["case"]["id"], *m["tokens"]) for m in made])
        print(f"  {start + len(made):,} / {count:,}", end="\r", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print()


def datasette_copy(source: Path, target: Path) -> Path:
    """A copy of the archive for Datasette, with the one column its year facet needs.

    Datasette facets on columns, so the copy gets ``cases_case.year`` (from ``published_on``,
    indexed); its full-text search uses our own FTS5 table (the same index tokens), declared in
    the metadata (``datasette_metadata``). The archive itself is never written.
    """
    target.unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    with sqlite3.connect(target) as db:
        db.execute("PRAGMA journal_mode=DELETE")
        db.execute("ALTER TABLE cases_case ADD COLUMN year integer")
        db.execute("UPDATE cases_case SET year = CAST(strftime('%Y', published_on) AS integer)")
        db.execute("CREATE INDEX cases_case_year ON cases_case (year)")
        db.execute("ANALYZE")
    return target


def datasette_metadata(path: Path) -> Path:
    metadata = {"databases": {DATASETTE_DB: {"tables": {"cases_case": {"fts_table": "cases_case_fts",
                                                                       "fts_pk": "id"}}}}}
    path.write_text(json.dumps(metadata))
    return path


def ensure_datasette() -> Path:
    """Datasette in its own virtualenv (``DATASETTE_VENV``, default var/datasette-venv), made if missing.

    A separate environment, so that neither Datasette's dependencies nor ours change the other's.
    """
    binary = DATASETTE_VENV / "bin" / "datasette"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(DATASETTE_VENV)], check=True)
        subprocess.run([str(DATASETTE_VENV / "bin" / "pip"), "install", "--quiet", "datasette"], check=True)
    return binary


# ------------------------------------------------------------------------------------------- servers


@dataclass
class Server:
    name: str
    port: int
    command: list[str]
    env: dict = field(default_factory=dict)
    ready_path: str = "/"
    process: subprocess.Popen | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> Server:
        self.process = subprocess.Popen(self.command, cwd=ROOT, env={**os.environ, **self.env})
        for _ in range(300):
            try:
                urllib.request.urlopen(self.url(self.ready_path), timeout=30).read()
                return self
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited with {self.process.returncode}") from None
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer on port {self.port}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(15)


def django_env(database: Path, settings: str = "config.settings") -> dict:
    """The environment of a production-like server (DEBUG off) on the SQLite archive."""
    return {"DEBUG": "0", "SECRET_KEY": "bench-only-not-secret", "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0", "DATABASE_URL": f"sqlite:///{database}", "LOG_LEVEL": "ERROR",
            "DJANGO_SETTINGS_MODULE": settings}


def gunicorn(name: str, port: int, env: dict, workers: int = 2) -> Server:
    binary = str(Path(sys.executable).with_name("gunicorn"))
    return Server(name, port, [binary, "config.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{port}",
                               "--log-level", "warning", "--timeout", "60"],
                  env)


def site_server(database: Path, port: int) -> Server:
    env = django_env(database)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT,
                   env={**os.environ, **env}, check=True)
    return gunicorn("site", port, env)


def bare_server(database: Path, port: int) -> Server:
    # bench/ after the project (gunicorn puts the working directory first): its ingest.py is no package
    env = {**django_env(database, settings="bare_site"), "PYTHONPATH": str(ROOT / "bench")}
    return gunicorn("bare page", port, env)


def datasette_server(copy: Path, metadata: Path, port: int) -> Server:
    """Datasette as it ships (one process, its thread pool), read-only (``-i``), with its time limits raised
    so that facets and counts are computed rather than abandoned after 200 ms / 1 s."""
    return Server("datasette", port, [str(ensure_datasette()), "serve", "-i", str(copy), "-p", str(port),
                                      "-h", "127.0.0.1", "--metadata", str(metadata),
                                      "--setting", "sql_time_limit_ms", "10000",
                                      "--setting", "facet_time_limit_ms", "10000",
                                      "--setting", "suggest_facets", "off"],
                  ready_path=f"/{DATASETTE_DB}.json")


# ------------------------------------------------------------------------------------------- load


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


@dataclass
class Load:
    rps: float
    max_ms: float
    p99_ms: float
    requests: int
    failed: int  # non-2xx responses and socket errors (timeouts included)


def wrk(url: str, seconds: int, connections: int = 16, script: str | None = None) -> Load:
    """One wrk run on ``url``; ``script``: a wrk Lua script (e.g. ``fresh_query.lua``) that makes each request."""
    scripted = ["-s", str(Path(__file__).with_name(script))] if script else []
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "30s",
                          *scripted, url], capture_output=True, text=True, check=True).stdout
    latency = re.search(r"Latency\s+(\S+)\s+(\S+)\s+(\S+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failed = int(errors.group(1)) if errors else 0
    failed += sum(int(n) for n in sockets.groups()) if sockets else 0
    return Load(rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), max_ms=_ms(latency.group(3)),
                # the distribution's line, not a "+/- Stdev" column that happens to end in 99%
                p99_ms=_ms(re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE).group(1)),
                requests=int(re.search(r"(\d+) requests in", out).group(1)), failed=failed)


def slowest_alone(url: str, requests: int = 10) -> float:
    """The slowest of ``requests`` sequential requests (ms): a request's own time, without wrk's queue."""
    worst = 0.0
    for _ in range(requests):
        started = time.perf_counter()
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()
        worst = max(worst, (time.perf_counter() - started) * 1000)
    return worst


def rounds(targets: dict[str, str], count: int, seconds: int, scripts: dict[str, str] | None = None,
           ) -> dict[str, list[Load]]:
    """wrk on every target in turn, ``count`` rounds: peers measured side by side, interleaved.

    ``scripts``: a target's wrk Lua script, by the target's name.
    """
    results: dict[str, list[Load]] = {name: [] for name in targets}
    for number in range(1, count + 1):
        for name, url in targets.items():
            urllib.request.urlopen(url, timeout=60).read()  # warm
            load = wrk(url, seconds, script=(scripts or {}).get(name))
            results[name].append(load)
            print(f"  round {number} {name:38} {load.rps:7.1f} req/s  p99 {load.p99_ms:7.0f} ms  "
                  f"max {load.max_ms:7.0f} ms  failed {load.failed}", flush=True)
    return results


def ratio_lines(results: dict[str, list[Load]], pairs: list[tuple[str, str, str, float]]) -> list[str]:
    """``pairs``: (ours, peer, label, target); a ratio per round (ours / peer req/s), its min and median."""
    lines = []
    for ours, peer, label, target in pairs:
        ratios = [a.rps / b.rps if b.rps else float("inf")
                  for a, b in zip(results[ours], results[peer], strict=True)]
        verdict = "met" if min(ratios) >= target else ("median met" if statistics.median(ratios) >= target
                                                        else "NOT met")
        lines.append(f"  {label:58} min {min(ratios):5.2f}×  median {statistics.median(ratios):5.2f}×  "
                     f"(target ≥ {target}×: {verdict})")
    return lines


def summary_lines(results: dict[str, list[Load]], urls: dict[str, str]) -> list[str]:
    lines = []
    for name, loads in results.items():
        rps = [load.rps for load in loads]
        lines.append(f"  {name:38} req/s min {min(rps):7.1f} median {statistics.median(rps):7.1f}   "
                     f"worst p99 {max(x.p99_ms for x in loads):6.0f} ms  worst max {max(x.max_ms for x in loads):6.0f}"
                     f" ms  failed {sum(x.failed for x in loads)}   {urls[name]}")
    return lines


def which_wrk() -> str:
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    return found
