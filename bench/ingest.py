"""Ingest benchmark: a corpus recombined from the seeds, ingested end to end into fresh SQLite files.

    DEBUG=1 .venv/bin/python bench/ingest.py [--reports 2000] [--jobs 1] [--rounds 2]
        [--baseline-commit 0d739e0 | --no-baseline] [--loader-reports 600] [--no-end-to-end] [--keep DIR]

Builds ``--reports`` reports by recombining seed paragraphs (half converted to
traditional script with OpenCC s2t, every fifth written as GB18030 bytes, some
with page chrome around them). Prints, each measured side by side in the same run:

- start-up: a fresh interpreter importing the pipeline and processing one report;
- the loader against its floor, CPU per report: the first ``--loader-reports`` reports
  processed beforehand, then written by ``cases.loading.save_report`` into a fresh
  database, with the curated tables read once a round as ``ingest_paths`` reads them once a run; then exactly the rows it wrote (every table, the FTS5 table included),
  inserted into another fresh copy of the same migrated database by a bare
  ``sqlite3`` ``executemany`` per table, one transaction a report, with the PRAGMAs
  of ``config/settings.py``. Rounds alternate loader and floor;
- end to end (``ingest_paths``, as ``manage.py ingest`` runs it, in a fresh
  interpreter and database each time): this tree's code and the baseline
  commit's, alternating, ``--rounds`` times; reports/s and the peak resident
  memory of the writing process and of its largest worker (``--jobs N``);
- the pipeline alone (no database), ms per report by stage.

The baseline is ``git archive``d into ``/tmp/ingest-baseline-<commit>`` and runs in
an environment of its own made there: a venv that sees this environment's
packages, with the baseline's dependencies this environment lacks installed into
it first (for 0d739e0, opencc-python-reimplemented, which installs a module of the
same name as the official opencc this tree uses and so must come first).

Targets (issue 11): loader within 2× the floor; end to end ≥ 2× the baseline's
reports/s; the parent of ``--jobs N`` under 400 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROME_HEAD = ["首页 > 党建 > 基层党建", "【字号 大 中 小】 打印本页 关闭窗口"]
CHROME_TAIL = ["(责编:张三、李四)", "上一篇 2023年1月29日", "下一篇 2023年2月3日", "版权所有 © 某某网站"]

# One end-to-end run in a fresh interpreter, started in the tree whose code it measures: this one's
# or the baseline's (whose loader was ``ingest.load``). Migrating is not timed.
RUN_INGEST = r"""
import glob, json, os, resource, sys, threading, time
import django

def peak_mb(pid="self"):
    # VmHWM, not ru_maxrss: the kernel keeps ru_maxrss across exec, so a process started from a
    # big one would report its parent's size
    try:
        with open(f"/proc/{pid}/status") as status:
            return next((int(line.split()[1]) / 1024 for line in status if line.startswith("VmHWM:")), 0.0)
    except OSError:
        return 0.0

workers = {}
def watch_workers():
    while True:
        for children in glob.glob(f"/proc/{os.getpid()}/task/*/children"):
            try:
                pids = open(children).read().split()
            except OSError:
                continue
            for pid in pids:
                workers[pid] = max(workers.get(pid, 0.0), peak_mb(pid))
        time.sleep(0.1)
threading.Thread(target=watch_workers, daemon=True).start()

django.setup()
from django.conf import settings
settings.DEBUG = False
from django.core.management import call_command
call_command("migrate", verbosity=0)
try:
    from cases.loading import ingest_paths
except ImportError:
    from ingest.load import ingest_paths
statuses = {}
started, cpu = time.perf_counter(), time.process_time()
for result in ingest_paths([sys.argv[1]], jobs=int(sys.argv[2])):
    statuses[result.status] = statuses.get(result.status, 0) + 1
workers_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({
    "seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu, "statuses": statuses,
    "workers_cpu": workers_cpu.ru_utime + workers_cpu.ru_stime,
    "parent_mb": peak_mb(), "worker_mb": max(list(workers.values()), default=0.0),
}))
"""


def seed_paragraphs() -> list[str]:
    from ingest import decode, normalise, repair

    paragraphs: list[str] = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        text, _ = repair.repair(decode.decode(path.read_bytes(), path.name).text)
        text, _ = normalise.normalise(text)
        paragraphs += [line.strip() for line in text.splitlines() if len(line.strip()) >= 40]
    return paragraphs


def build_corpus(folder: Path, count: int, seed: int = 7) -> int:
    """Write ``count`` reports into ``folder``; return their total size in bytes."""
    import opencc

    to_traditional = opencc.OpenCC("s2t")
    rng = random.Random(seed)
    paragraphs = seed_paragraphs()
    total = 0
    for n in range(count):
        body = rng.sample(paragraphs, k=min(len(paragraphs), rng.randint(6, 14)))
        title = f"某市第{n}号城市基层党建工作报告:{body[0][:18]}"
        lines = [title, "", f"2021年{rng.randint(1, 12)}月{rng.randint(1, 28)}日  来源:某某日报", "", *body]
        if n % 3 == 0:
            lines = CHROME_HEAD + lines + CHROME_TAIL
        text = "\n".join(lines)
        if n % 2 == 1:
            text = to_traditional.convert(text)
        raw = text.encode("gb18030") if n % 5 == 0 else text.encode("utf-8")
        (folder / f"bench_{n:05d}.txt").write_bytes(raw)
        total += len(raw)
    return total


def measure_startup() -> float:
    seed = sorted((ROOT / "seeds").glob("*.txt"))[-1]
    code = (
        "import time; t=time.perf_counter(); from ingest.pipeline import process_file; "
        f"process_file({str(seed)!r}); print(time.perf_counter()-t)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def pipeline_profile(folder: Path, sample: int = 200) -> dict[str, float]:
    """Milliseconds per report for each stage, on the first ``sample`` files, without a database."""
    from ingest import clean, decode, dedupe, normalise, repair, segment
    from ingest.extract import extract
    from ingest.report import Report, ReportRejected

    stages = {"decode": 0.0, "repair": 0.0, "normalise": 0.0, "clean": 0.0, "segment": 0.0, "extract": 0.0,
              "index": 0.0}  # index: the search index's tokens and the MinHash signature the writer stores
    done = 0
    for path in sorted(folder.iterdir())[:sample]:
        raw = path.read_bytes()
        try:
            t = time.perf_counter()
            decoded = decode.decode(raw, path.name)
            t1 = time.perf_counter()
            text, _ = repair.repair(decoded.text)
            t2 = time.perf_counter()
            text, _ = normalise.normalise(text)
            t3 = time.perf_counter()
            layout, _ = clean.clean(text)
            t4 = time.perf_counter()
            tokens = segment.cut(layout.body)
            t5 = time.perf_counter()
            report = Report(source_name=path.name, raw=raw, text=text, layout=layout, body=layout.body, tokens=tokens)
            extract(report)
            t6 = time.perf_counter()
            segment.index_tokens(layout.body, tokens)
            dedupe.signature(layout.body)
            t7 = time.perf_counter()
        except ReportRejected:
            continue
        for name, seconds in zip(stages, (t1 - t, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5, t7 - t6), strict=True):
            stages[name] += seconds
        done += 1
    return {name: 1000 * seconds / max(done, 1) for name, seconds in stages.items()}


# ------------------------------------------------------------------------------ loader and floor


def sqlite_pragmas() -> list[str]:
    """The statements every Django connection to SQLite runs first (config/settings.py, and Django's own)."""
    from django.conf import settings

    init = settings.DATABASES["default"].get("OPTIONS", {}).get("init_command", "")
    return ["PRAGMA foreign_keys = ON", "PRAGMA legacy_alter_table = OFF",
            *(s.strip() for s in init.split(";") if s.strip())]


def copy_database(source: Path, target: Path) -> None:
    """``target`` becomes a copy of ``source`` (SQLite's backup API: nothing left behind in a WAL)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _case_column(table: str, columns: list[str]) -> str | None:
    if table in ("cases_case", "cases_historicalcase"):
        return "id"
    if table == "cases_case_fts":
        return "rowid"
    return "case_id" if "case_id" in columns else None


def written_rows(database: Path, empty: Path) -> tuple[dict[int, list[tuple[str, list[tuple]]]], int]:
    """Every row the loader added to ``database`` (a copy of ``empty`` before), by case: {case id: [(INSERT, rows)]}.

    The FTS5 table is read through its columns (its shadow tables are SQLite's business, as they
    are when the loader inserts); a table the loader wrote that no case column ties to a case
    would be missed, so it stops the bench.
    """
    with sqlite3.connect(empty) as before:
        counts = dict(before.execute("SELECT name, 0 FROM sqlite_master WHERE type = 'table'").fetchall())
        for table in counts:
            counts[table] = before.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    before.close()
    by_case: dict[int, list[tuple[str, list[tuple]]]] = {}
    total = 0
    with sqlite3.connect(database) as db:
        tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        grown = [t for t in tables if not t.startswith("cases_case_fts_") and t != "sqlite_sequence"
                 and db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] > counts.get(t, 0)]
        grown.sort(key=lambda t: (t != "cases_case", t == "cases_case_fts", t))  # the case first, search last
        for table in grown:
            if table == "cases_case_fts":
                columns = ["rowid", "title", "headings", "body"]
            else:
                columns = [row[1] for row in db.execute(f'PRAGMA table_info("{table}")')]
            key = _case_column(table, columns)
            if key is None:
                raise SystemExit(f"the loader wrote to {table}, which no case column ties to a report")
            names = ", ".join(f'"{c}"' if c != "rowid" else c for c in columns)
            insert = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})'
            rows: dict[int, list[tuple]] = {}
            for row in db.execute(f'SELECT {names} FROM "{table}" ORDER BY {key}, rowid'):
                rows.setdefault(row[columns.index(key)], []).append(row)
                total += 1
            for case_id, case_rows in rows.items():
                by_case.setdefault(case_id, []).append((insert, case_rows))
    db.close()
    return dict(sorted(by_case.items())), total


def bare_executemany(database: Path, by_case: dict[int, list[tuple[str, list[tuple]]]]) -> float:
    """CPU seconds to insert the rows, one transaction a report, an ``executemany`` per table."""
    db = sqlite3.connect(database, isolation_level=None)
    for pragma in sqlite_pragmas():
        db.execute(pragma)
    cpu = time.process_time()
    for statements in by_case.values():
        db.execute("BEGIN IMMEDIATE")
        for insert, rows in statements:
            db.executemany(insert, rows)
        db.execute("COMMIT")
    seconds = time.process_time() - cpu
    db.close()
    return seconds


def loader_against_floor(corpus: Path, workdir: Path, count: int, rounds: int) -> None:
    """Print the loader's CPU per report and the bare executemany floor of the same rows, alternating."""
    from django.core.management import call_command
    from django.db import connection

    from cases.loading import References, current_taxonomy, save_report
    from ingest.pipeline import content_hash, process
    from ingest.report import ReportRejected

    database = Path(connection.settings_dict["NAME"])  # the loader writes where Django is connected
    empty, floor = workdir / "empty.sqlite3", workdir / "floor.sqlite3"
    call_command("migrate", verbosity=0)
    connection.close()
    copy_database(database, empty)
    taxonomy = current_taxonomy()
    connection.close()
    reports = []
    for path in sorted(corpus.iterdir())[:count]:
        raw = path.read_bytes()
        try:
            reports.append((process(raw, path.name, taxonomy=taxonomy), content_hash(raw), path.name))
        except ReportRejected:
            continue
    loader_ms, floor_ms = [], []
    for n in range(1, rounds + 1):
        copy_database(empty, database)
        cpu = time.process_time()
        references = References()  # read once a run, as ``ingest_paths`` reads them
        for report, digest, name in reports:
            save_report(report, digest, source=name, references=references)
        loader_ms.append(1000 * (time.process_time() - cpu) / len(reports))
        connection.close()
        by_case, total = written_rows(database, empty)
        copy_database(empty, floor)
        floor_ms.append(1000 * bare_executemany(floor, by_case) / len(by_case))
        print(f"  round {n}: loader {loader_ms[-1]:.2f} ms CPU a report, bare executemany of the same "
              f"{total / len(by_case):.1f} rows a report {floor_ms[-1]:.2f} ms: {loader_ms[-1] / floor_ms[-1]:.2f}×")
    ratios = sorted(a / b for a, b in zip(loader_ms, floor_ms, strict=True))
    print(f"loader against the executemany floor ({len(reports)} reports, {rounds} rounds): "
          f"loader {min(loader_ms):.2f} ms (min), floor {min(floor_ms):.2f} ms (min); ratio min {ratios[0]:.2f}×, "
          f"median {statistics.median(ratios):.2f}×   (target ≤ 2×)")


# ------------------------------------------------------------------------------ end to end


def baseline_tree(commit: str) -> tuple[Path, Path]:
    """The baseline commit's files and an interpreter with its dependencies: (folder, python)."""
    full = subprocess.run(["git", "rev-parse", "--short", commit], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()
    home = Path(tempfile.gettempdir()) / f"ingest-baseline-{full}"
    tree, venv = home / "tree", home / "venv"
    if not (tree / "manage.py").exists():
        tree.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys._base_executable, "-m", "venv", str(venv)], check=True)
        site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                              capture_output=True, text=True, check=True).stdout.strip()
        # this environment's packages, after the venv's own (a .pth line is appended to sys.path)
        ours = [p for p in sys.path if p.endswith("site-packages")]
        Path(site, "zz_ingest_bench_parent.pth").write_text("\n".join(ours) + "\n")
        missing = missing_requirements(tree / "pyproject.toml")
        if missing:
            subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", *missing], check=True)
    return tree, python


def missing_requirements(pyproject: Path) -> list[str]:
    """The baseline's dependencies that this environment has no distribution of."""
    from importlib import metadata

    missing = []
    for requirement in tomllib.loads(pyproject.read_text())["project"]["dependencies"]:
        name = re.match(r"[A-Za-z0-9._-]+", requirement).group()
        try:
            metadata.distribution(name)
        except metadata.PackageNotFoundError:
            missing.append(requirement)
    return missing


def run_end_to_end(tree: Path, python: str, corpus: Path, database: Path, jobs: int) -> dict:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{database}",
           "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(tree)}
    out = subprocess.run([str(python), "-c", RUN_INGEST, str(corpus), str(jobs)], cwd=tree, env=env,
                         capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"the ingest in {tree} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=1, help="worker processes for decode-to-extract")
    parser.add_argument("--rounds", type=int, default=2, help="alternations of each side-by-side measurement")
    parser.add_argument("--baseline-commit", default="0d739e0", help="the code to compare end to end with")
    parser.add_argument("--no-baseline", action="store_true", help="this tree's code alone end to end")
    parser.add_argument("--loader-reports", type=int, default=600, help="reports the loader and the floor write")
    parser.add_argument("--no-end-to-end", action="store_true", help="the loader, its floor and the stages only")
    parser.add_argument("--keep", help="build the corpus and the databases in this folder and keep them")
    args = parser.parse_args()

    workdir = Path(args.keep or tempfile.mkdtemp(prefix="bench-ingest-"))
    corpus = workdir / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    database = workdir / "bench.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} "
          f"on {os.cpu_count()} cores at the start")

    # the machine is shared: three fresh interpreters, the median and the spread
    startups = sorted(measure_startup() for _ in range(3))
    size = build_corpus(corpus, args.reports)
    print(f"corpus: {args.reports} reports, {size / 1024 / 1024:.1f} MB in {corpus}")
    print(f"start-up (fresh interpreter, first report): median {startups[1]:.2f} s of 3, "
          f"{startups[0]:.2f}–{startups[-1]:.2f} s   (target < 1.5 s)")

    import django

    django.setup()
    from django.conf import settings

    # DEBUG (needed here for settings without SECRET_KEY) would keep a log of the last 9,000 queries,
    # each with its body and tokens quoted into the SQL: ~2 ms a report and ~40 MB that production,
    # with DEBUG off, never spends. bench/web.py does the same.
    settings.DEBUG = False

    if args.loader_reports:
        loader_against_floor(corpus, workdir, args.loader_reports, args.rounds)

    sides = [] if args.no_end_to_end else [("this tree", ROOT, sys.executable)]
    if sides and not args.no_baseline:
        tree, python = baseline_tree(args.baseline_commit)
        sides.append((args.baseline_commit, tree, python))
    rates: dict[str, list[float]] = {label: [] for label, *_ in sides}
    # CPU a report (the writing process and its workers): the machine is shared, so wall time
    # depends on what else runs, CPU time much less
    cpu_ms: dict[str, list[float]] = {label: [] for label, *_ in sides}
    failed = 0
    for n in range(1, args.rounds + 1):
        for label, tree, python in sides:
            run = run_end_to_end(tree, python, corpus, workdir / "end-to-end.sqlite3", args.jobs)
            rates[label].append(args.reports / run["seconds"])
            cpu_ms[label].append(1000 * (run["cpu"] + run["workers_cpu"]) / args.reports)
            failed += run["statuses"].get("failed", 0) if label == "this tree" else 0
            print(f"  round {n}, {label:>9}: {rates[label][-1]:.1f} reports/s ({run['seconds']:.1f} s; CPU "
                  f"{cpu_ms[label][-1]:.1f} ms a report, {run['cpu']:.1f} s writing, {run['workers_cpu']:.1f} s "
                  f"in workers), peak memory {run['parent_mb']:.0f} MB"
                  + (f" writing, {run['worker_mb']:.0f} MB largest worker" if args.jobs > 1 else "")
                  + f"   {run['statuses']}")
    ours = rates.get("this tree")
    summary = (f"end to end into SQLite, --jobs {args.jobs}: this tree median {statistics.median(ours):.1f} reports/s"
               if ours else "end to end: not run (--no-end-to-end)")
    if len(sides) > 1:
        theirs = rates[args.baseline_commit]
        ratios = sorted(a / b for a, b in zip(ours, theirs, strict=True))
        summary += (f", {args.baseline_commit} median {statistics.median(theirs):.1f}; ratio min {ratios[0]:.2f}×,"
                    f" median {statistics.median(ratios):.2f}×   (target ≥ 2×)")
        cpu_ratios = sorted(b / a for a, b in zip(cpu_ms["this tree"], cpu_ms[args.baseline_commit], strict=True))
        summary += (f"\n  CPU a report: this tree median {statistics.median(cpu_ms['this tree']):.1f} ms, "
                    f"{args.baseline_commit} {statistics.median(cpu_ms[args.baseline_commit]):.1f} ms; "
                    f"{args.baseline_commit}'s over this tree's min {cpu_ratios[0]:.2f}×, "
                    f"median {statistics.median(cpu_ratios):.2f}×")
    print(summary)

    profile = pipeline_profile(corpus)
    print("pipeline alone, ms per report: " + "  ".join(f"{k} {v:.1f}" for k, v in profile.items())
          + f"  total {sum(profile.values()):.1f}")
    print(f"peak memory of this bench process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; "
          f"load average {os.getloadavg()[0]:.2f} at the end")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
