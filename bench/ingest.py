"""Ingest benchmark: a corpus recombined from the seeds, ingested end to end into a fresh SQLite file.

    DEBUG=1 .venv/bin/python bench/ingest.py [--reports 2000] [--jobs 1] [--keep DIR]

Builds ``--reports`` reports by recombining seed paragraphs (half converted to
traditional script with OpenCC s2t, every fifth written as GB18030 bytes, some
with page chrome around them), migrates a new SQLite database, and ingests the
folder through ``cases.loading.ingest_paths`` as ``manage.py ingest`` does. Prints:

- start-up: a fresh interpreter importing the pipeline and processing one report
  (dictionaries and converter loaded), in seconds;
- end-to-end rate in reports per second (pipeline + database writes + search index);
- the pipeline alone (no database), per report, by stage;
- peak resident memory of the ingesting process.

Targets (issue 3, one core): start-up < 1.5 s, ≥ 25 reports/s, peak memory < 400 MB.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROME_HEAD = ["首页 > 党建 > 基层党建", "【字号 大 中 小】 打印本页 关闭窗口"]
CHROME_TAIL = ["(责编:张三、李四)", "上一篇 2023年1月29日", "下一篇 2023年2月3日", "版权所有 © 某某网站"]


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
    from ingest import clean, decode, normalise, repair, segment
    from ingest.extract import extract
    from ingest.report import Report, ReportRejected

    stages = {"decode": 0.0, "repair": 0.0, "normalise": 0.0, "clean": 0.0, "segment": 0.0, "extract": 0.0}
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
        except ReportRejected:
            continue
        for name, seconds in zip(stages, (t1 - t, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5), strict=True):
            stages[name] += seconds
        done += 1
    return {name: 1000 * seconds / max(done, 1) for name, seconds in stages.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=1, help="worker processes for decode-to-extract")
    parser.add_argument("--keep", help="build the corpus and the database in this folder and keep them")
    args = parser.parse_args()

    workdir = Path(args.keep or tempfile.mkdtemp(prefix="bench-ingest-"))
    corpus = workdir / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    database = workdir / "bench.sqlite3"
    database.unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

    # the machine is shared: three fresh interpreters, the median and the spread
    startups = sorted(measure_startup() for _ in range(3))
    startup = startups[1]
    size = build_corpus(corpus, args.reports)
    print(f"corpus: {args.reports} reports, {size / 1024 / 1024:.1f} MB in {corpus}")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # DEBUG (needed here for settings without SECRET_KEY) would keep a log of the last 9,000 queries,
    # each with its body and tokens quoted into the SQL: ~2 ms a report and ~40 MB that production,
    # with DEBUG off, never spends. bench/web.py does the same.
    settings.DEBUG = False

    call_command("migrate", verbosity=0)
    from cases.loading import ingest_paths

    started = time.perf_counter()
    statuses: dict[str, int] = {}
    for result in ingest_paths([corpus], jobs=args.jobs):
        statuses[result.status] = statuses.get(result.status, 0) + 1
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    profile = pipeline_profile(corpus)
    loaded = statuses.get("created", 0)
    print(f"start-up (fresh interpreter, first report): median {startup:.2f} s of 3, "
          f"{startups[0]:.2f}–{startups[-1]:.2f} s   (target < 1.5 s)")
    print(f"end to end into SQLite, --jobs {args.jobs}: {loaded} created of {args.reports} in {elapsed:.1f} s"
          f" = {args.reports / elapsed:.1f} reports/s   (target >= 25/s on one core)   {statuses}")
    print("pipeline alone, ms per report: " + "  ".join(f"{k} {v:.1f}" for k, v in profile.items())
          + f"  total {sum(profile.values()):.1f}")
    print(f"peak memory: {peak_mb:.0f} MB (ingesting process)" + (f", {children_mb:.0f} MB (largest worker)"
                                                                 if args.jobs > 1 else "")
          + "   (target < 400 MB)")
    return 0 if statuses.get("failed", 0) == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
