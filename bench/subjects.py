"""Subject accuracy of the figures: the pipeline on the seeds and the development corpus, held to their gold.

    DEBUG=1 .venv/bin/python bench/subjects.py [--wrong] [--only seeds|corpus] [--outlet ID]

Figures are matched as ../shared/tools/score-ingest matches them: on (value in base
units, unit), preferring among equal figures the one whose subject is right. A subject
is right when one names the other or the two are close (``subject_ok``, restated from
score-ingest). Prints, per set, metric precision/recall/F1 and subject accuracy over the
matched figures; ``--wrong`` lists every wrong or empty subject with its sentence.
No Django: ``ingest.pipeline.process`` only.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
import time
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PUNCT = re.compile(r"[\s\"'“”‘’「」『』《》〈〉()（）\[\]【】,，.。、;；:：!！?？·…—\-]+")


def norm(text: str | None) -> str:
    return PUNCT.sub("", text or "")


def subject_ok(got: str | None, want: str | None) -> bool:
    got, want = norm(got), norm(want)
    if not want:
        return True
    if not got:
        return False
    return want in got or got in want or difflib.SequenceMatcher(None, got, want).ratio() >= 0.5


def num(value) -> Decimal | None:
    try:
        return Decimal(str(value)).normalize()
    except (InvalidOperation, TypeError):
        return None


def score(gold: dict, got: list) -> tuple[Counter, list[tuple], list, list]:
    """Counts (hit, exp, extra, subj_ok, subj_empty), the wrong subjects as (want, got-metric),
    the extra figures and the missed gold figures."""
    keys = [(num(m.value), m.unit or "") for m in got]
    taken: set[int] = set()
    tot, wrong, missed = Counter(exp=len(gold["metrics"])), [], []
    for e in gold["metrics"]:
        for unit in [e.get("unit") or "", *e.get("unit_also", [])]:
            cands = [i for i, k in enumerate(keys) if i not in taken and k == (num(e["value"]), unit)]
            if not cands:
                continue
            i = next((i for i in cands if subject_ok(got[i].subject, e.get("subject"))), cands[0])
            taken.add(i)
            tot["hit"] += 1
            if subject_ok(got[i].subject, e.get("subject")):
                tot["subj_ok"] += 1
            else:
                tot["subj_empty"] += not got[i].subject
                wrong.append((e.get("subject"), got[i]))
            break
        else:
            missed.append(e)
    optional = Counter((num(o["value"]), o.get("unit") or "") for o in gold.get("optional", []))
    extra = []
    for i, k in enumerate(keys):
        if i in taken:
            continue
        if optional[k] > 0:
            optional[k] -= 1
        else:
            tot["extra"] += 1
            extra.append(got[i])
    return tot, wrong, extra, missed


def pages(only: str | None, outlet: str | None) -> list[tuple[str, Path, dict]]:
    out: list[tuple[str, Path, dict]] = []
    if only in (None, "seeds") and not outlet:
        expected = json.loads((ROOT / "tests" / "fixtures" / "expected.json").read_text(encoding="utf-8"))
        for name, gold in expected.items():
            if not name.startswith("_"):
                out.append(("seeds", ROOT / "seeds" / name, gold))
    if only in (None, "corpus"):
        for gold_path in sorted((ROOT / "corpus" / "pages").glob("*/*.json")):
            if outlet and gold_path.parent.name != outlet:
                continue
            page = next((p for p in (gold_path.with_suffix(".txt"), gold_path.with_suffix(".html")) if p.exists()), None)
            if page is None:
                continue
            try:
                gold = json.loads(gold_path.read_text(encoding="utf-8"))
            except json.JSONDecodeError:
                continue  # a gold file still being written
            if isinstance(gold, dict) and gold.get("metrics") is not None:
                out.append(("corpus", page, gold))
    return out


def sentence(body: str, start: int, end: int) -> str:
    left = max(body.rfind(c, 0, start) for c in "。;；\n") + 1
    rights = [i for i in (body.find(c, end) for c in "。;；\n") if i >= 0]
    return body[max(left, start - 40) : min(min(rights, default=len(body)), end + 40)]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--wrong", action="store_true", help="list every wrong or empty subject")
    ap.add_argument("--figures", action="store_true", help="list the extra and the missed figures too")
    ap.add_argument("--only", choices=("seeds", "corpus"))
    ap.add_argument("--outlet")
    a = ap.parse_args()

    from ingest.pipeline import process
    from ingest.report import ReportRejected

    totals: dict[str, Counter] = {}
    wrongs: list[tuple] = []
    figure_lines: list[str] = []
    rejected: list[str] = []
    elapsed = 0.0
    for group, path, gold in pages(a.only, a.outlet):
        t0 = time.perf_counter()
        try:
            report = process(path.read_bytes(), path.name)
        except ReportRejected as why:
            rejected.append(f"{path.name}: {why}")
            continue
        elapsed += time.perf_counter() - t0
        tot, wrong, extra, missed = score(gold, report.extraction.metrics)
        body = report.body
        figure_lines += [f"[{group}] {path.name}: extra {m.value} {m.unit} {m.subject!r} | {sentence(body, m.start, m.end)}"
                         for m in extra]
        figure_lines += [f"[{group}] {path.name}: missed {e['value']} {e.get('unit')} {e.get('subject')!r}" for e in missed]
        totals.setdefault(group, Counter()).update(tot)
        totals[group]["pages"] += 1
        wrongs += [(group, path.name, want, m, body) for want, m in wrong]

    if a.wrong:
        for group, name, want, m, body in wrongs:
            print(f"[{group}] {name}: {m.value} {m.unit} want {want!r} got {m.subject!r}  | {sentence(body, m.start, m.end)}")
        print()
    if a.figures:
        print("\n".join(figure_lines), end="\n\n")
    for line in rejected:
        print("rejected", line)
    for group, t in totals.items():
        p = t["hit"] / max(1, t["hit"] + t["extra"])
        r = t["hit"] / max(1, t["exp"])
        f1 = 0.0 if p + r == 0 else 2 * p * r / (p + r)
        print(
            f"{group:7} pages {t['pages']:3}  metrics P {p:.2f} R {r:.2f} F1 {f1:.2f}  "
            f"subjects {t['subj_ok']}/{t['hit']} = {t['subj_ok'] / max(1, t['hit']):.3f}  (empty {t['subj_empty']})"
        )
    print(f"pipeline {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
