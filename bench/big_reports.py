"""Big-report benchmark: every pipeline stage on reports of 0.1–5 MB, in four worst-case shapes.

    DEBUG=1 .venv/bin/python bench/big_reports.py [--sizes 0.1 0.5 1 2 5] [--shapes one-line many-lines ...]

A real report is tens of KB, but the pipeline accepts up to ``pipeline.MAX_REPORT_BYTES`` (5 MB) and
a hostile or broken file reaches it. Each shape is built from the seeds' own paragraphs so every stage
has real work to do:

- ``one-line``: the whole report on one line (a page saved without line breaks);
- ``many-lines``: one short clause per line (tens of thousands of lines);
- ``many-quotes``: quoted names and titles (“五个一”, 《…》) on every few characters, figures among them;
- ``many-figures``: a figure every dozen characters, under numbered headings.

For each shape and size it prints the CPU seconds per MB of each stage (decode, repair, normalise,
clean's line roles and its layout, segment, extract), the CPU seconds of the whole run and the
elapsed ones. CPU time, because on a shared machine the elapsed time measures the neighbours too.
Every stage is meant to be linear in the report's length, so a column that grows with the size is a
stage that is not. Target: the 5 MB worst case under 10 s on one core.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SHAPES = ("one-line", "many-lines", "many-quotes", "many-figures")
STAGES = ("decode", "repair", "normalise", "clean-roles", "clean-layout", "segment", "extract")
HEAD = "某市以党建引领城市基层治理的实践与探索\n2021年6月1日 来源：某某日报\n"


def seed_paragraphs() -> list[str]:
    from ingest import clean, decode, normalise, repair

    paragraphs: list[str] = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        text, _ = repair.repair(decode.decode(path.read_bytes(), path.name).text)
        text, _ = normalise.normalise(text)
        paragraphs += [line for line in clean.page_lines(text) if len(line) >= 40]
    return paragraphs


def _fill(pieces: list[str], size: int, joiner: str) -> str:
    """Pieces drawn at random (a fixed seed) until the UTF-8 text reaches ``size`` bytes. Drawn, not
    cycled: a cycle is a report pasted over and over, which clean drops as repeated copies."""
    rng = random.Random(size)
    out, total = [HEAD], len(HEAD.encode())
    while total < size:
        piece = rng.choice(pieces).format(n=rng.randint(2, 9999))
        out.append(piece + joiner)
        total += len(piece.encode()) + len(joiner.encode())
    return "".join(out)


def _literal(texts: list[str]) -> list[str]:
    return [t.replace("{", "{{").replace("}", "}}") for t in texts]


def build(shape: str, size: int, paragraphs: list[str]) -> bytes:
    import re

    if shape == "one-line":
        text = _fill(_literal(paragraphs), size, "")
    elif shape == "many-lines":
        clauses = [c for p in paragraphs for c in re.split(r"(?<=[，。；])", p) if len(c) >= 4]
        text = _fill(_literal(clauses), size, "\n")
    elif shape == "many-quotes":
        quoted = [
            "推行“五个一”工作法，建成“1+6”体系{n}个，", "印发《关于加强城市基层党建工作的若干意见》，",
            "打造“红色物业”{n}家、“党群连心站”40个，", "开展“我为群众办实事”活动{n}余场，", "形成「三级联动」格局，",
            *_literal(paragraphs[:20]),
        ]
        text = _fill(quoted, size, "")
    elif shape == "many-figures":
        figures = [
            "一、建强组织体系\n", "全市建成党群服务中心{n}个、服务站3400个，覆盖率达95%以上，",
            "投入资金{n}万元，培训党员2.1万人次，", "近三年新增社区工作者不少于{n}名，走访群众5万余户。\n",
            "（{n}）建立网格{n}个，", "下辖三个镇、五个街道，",
        ]
        text = _fill(figures, size, "")
    else:
        raise ValueError(shape)
    return text.encode()


def run_stages(raw: bytes) -> dict[str, float]:
    """The pipeline's stages in its order (``pipeline.process`` without the size limit), timed one by one."""
    from ingest import clean, decode, normalise, repair, roles, segment
    from ingest.extract import extract
    from ingest.report import Report

    times: dict[str, float] = {}

    def timed(stage, call, *args):
        started = time.process_time()
        result = call(*args)
        times[stage] = times.get(stage, 0.0) + time.process_time() - started
        return result

    report = Report(source_name="big.txt", raw=raw)
    decoded = timed("decode", decode.decode, raw, "big.txt")
    text, _ = timed("repair", repair.repair, decoded.text)
    text, _ = timed("normalise", normalise.normalise, text)
    lines = timed("clean-roles", clean.page_lines, text)
    labels = timed("clean-roles", roles.tagger().tag, lines)
    layout, _ = timed("clean-layout", clean.layout_from_roles, lines, labels)
    report.layout, report.body, report.text = layout, layout.body, text
    report.tokens = timed("segment", segment.cut, report.body)
    timed("extract", extract, report)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[0.1, 0.5, 1, 2, 5], help="sizes in MB")
    parser.add_argument("--shapes", nargs="+", default=list(SHAPES), choices=SHAPES)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

    from ingest import roles, segment

    segment.tokenizer()  # dictionaries and the model loaded before any timing
    roles.tagger()
    paragraphs = seed_paragraphs()
    print("CPU seconds per MB by stage; total = CPU seconds for the whole report, wall = elapsed seconds")
    print(f"{'shape':13} {'MB':>5} " + " ".join(f"{s:>12}" for s in STAGES) + f" {'total':>8} {'wall':>8}")
    worst = 0.0
    for shape in args.shapes:
        for size in args.sizes:
            raw = build(shape, int(size * 1024 * 1024), paragraphs)
            megabytes = len(raw) / 1024 / 1024
            started = time.perf_counter()
            times = run_stages(raw)
            wall = time.perf_counter() - started
            total = sum(times.values())
            worst = max(worst, total)
            cells = " ".join(f"{times.get(s, 0.0) / megabytes:12.3f}" for s in STAGES)
            print(f"{shape:13} {megabytes:5.2f} {cells} {total:8.2f} {wall:8.2f}", flush=True)
    print(f"slowest report: {worst:.2f} CPU seconds (target: under 10 s for 5 MB); load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
