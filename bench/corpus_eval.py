"""Leave-one-outlet-out evaluation of the pipeline on the development corpus (corpus/README.md).

    .venv/bin/python bench/corpus_eval.py [--fit] [--corpus DIR] [--outlet X] [--verbose] [--scorer PATH]

For each outlet: a line-role model is trained on the labelled pages of every other outlet and the
seeds, the pipeline runs on that outlet's pages with it, each Report becomes an entry of the JSON
export (``pipeline.export_dict``) and is scored against the page's gold with the rules of the
scoring tool (tests/scoring.py restates them; ``--scorer`` loads the tool itself, e.g.
/work/shared/tools/score-ingest). The seeds are an outlet too, scored against
tests/fixtures/expected.json. One row per outlet, then the totals:

- fields: share of metadata fields right (province, city, district, date, title, source, and
  author_org and kind where the gold states them);
- mechanisms and metrics: precision / recall / F1, as the tool counts them;
- subjects: matched figures whose subject is right; kind: pages whose case/non-case is right;
- roles: share of lines whose predicted role is the gold role (pages with a ``.roles`` file).

``--fit`` trains once on everything and scores everything (how well the model fits what it saw);
``--corpus DIR`` scores the pages of another folder of the same layout (the raw pages of
/work/corpus-raw, with their gold) while models are still trained on corpus/pages; ``--outlet``
scores one outlet; ``--verbose`` prints the wrong fields and mechanisms of each page.
"""

from __future__ import annotations

import argparse
import importlib.machinery
import importlib.util
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest import clean, pipeline, roles  # noqa: E402
from ingest.report import ReportRejected  # noqa: E402
from tests import scoring  # noqa: E402

SEEDS = "seeds"


# ---- the scoring rules ---------------------------------------------------------------------------------


class Rules:
    """The scoring tool's rules: tests/scoring.py, or the tool's own functions when given its path."""

    def __init__(self, tool: Path | None = None):
        module: ModuleType | None = None
        if tool is not None:
            loader = importlib.machinery.SourceFileLoader("score_ingest", str(tool))
            module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
            loader.exec_module(module)
        self.tool = module
        self.match_texts = module.match_texts if module else scoring.match_texts

    @staticmethod
    def _subject_ok(got: str | None, want: str | None) -> bool:
        # as the tool: one names the other, or they are close (社区 ~ 城市社区)
        got, want = scoring.norm(got), scoring.norm(want)
        if not want:
            return True
        if not got:
            return False
        return want in got or got in want or scoring.difflib.SequenceMatcher(None, got, want).ratio() >= 0.5

    def source_ok(self, got: str | None, want: str | None, also: list[str]) -> bool:
        if self.tool:
            return self.tool.source_ok(got, want, also)
        got = got or ""
        if got and any(a in got for a in also):
            return True
        return (want is None and not got) or (want is not None and bool(got) and (want in got or got in want))

    def match_metrics(self, gold: dict, got: list[dict]) -> tuple[int, int, int, int, int]:
        """(hits, extra, forbidden, qualifiers right, subjects right)."""
        if self.tool:
            return self.tool.match_metrics(gold["metrics"], gold.get("optional", []), gold.get("forbidden", []), got)
        hits, extra, forbidden, qual_ok = scoring.match_metrics(gold, got)
        # subjects: each expected figure takes the first unused figure of its (value, unit) whose subject fits
        taken: set[int] = set()
        subj_ok = 0
        pool = Counter((scoring.num(g.get("value")), g.get("unit") or "") for g in got)
        for e in gold["metrics"]:
            for unit in [e.get("unit") or "", *e.get("unit_also", [])]:
                key = (scoring.num(e["value"]), unit)
                if pool[key] > 0:
                    pool[key] -= 1
                    same = [i for i, g in enumerate(got) if i not in taken
                            and (scoring.num(g.get("value")), g.get("unit") or "") == key]
                    i = next((i for i in same if self._subject_ok(got[i].get("subject"), e.get("subject"))), same[0])
                    taken.add(i)
                    subj_ok += self._subject_ok(got[i].get("subject"), e.get("subject"))
                    break
        return hits, extra, forbidden, qual_ok, subj_ok


def score_page(rules: Rules, case: dict | None, gold: dict) -> tuple[Counter, list[str]]:
    """The tool's counts for one page, and what was wrong (for --verbose)."""
    tot: Counter = Counter(pages=1)
    sub_exp = [s for subs in gold.get("sub_mechanisms", {}).values() for s in subs]
    if case is None:
        tot.update(missing=1, mech_exp=len(gold["mechanisms"]), met_exp=len(gold["metrics"]), sub_exp=len(sub_exp),
                   fields_n=6 + ("author_org" in gold) + ("kind" in gold), kind_n="kind" in gold)
        return tot, ["rejected"]
    checks = {
        "province": (case["province"] or None) == gold["province"],
        "city": (case["city"] or None) == gold["city"],
        "district": (case["district"] or None) == gold["district"],
        "date": (case["published_on"] or None) == gold["date"],
        "title": gold["title_contains"] is None or gold["title_contains"] in (case["title"] or ""),
        "source": rules.source_ok(case["source"], gold["source"], gold.get("source_also", [])),
    }
    if "author_org" in gold:
        checks["author_org"] = rules.source_ok(case["author_org"], gold["author_org"], gold.get("author_org_also", []))
    if "kind" in gold:
        checks["kind"] = (case.get("kind") or "case") == gold["kind"]
        tot.update(kind_ok=checks["kind"], kind_n=1)
    top = [m["heading"] for m in case["mechanisms"] if not m["parent"]]
    subs = [m["heading"] for m in case["mechanisms"] if m["parent"]]
    hits, extra, forbidden, qual_ok, subj_ok = rules.match_metrics(gold, case["metrics"])
    mech_hit = rules.match_texts(gold["mechanisms"], top)
    tot.update(
        fields_ok=sum(checks.values()), fields_n=len(checks), mech_hit=mech_hit, mech_exp=len(gold["mechanisms"]),
        mech_got=len(top), sub_hit=rules.match_texts(sub_exp, subs), sub_exp=len(sub_exp), met_hit=hits,
        met_exp=len(gold["metrics"]), met_extra=extra, qual_ok=qual_ok, subj_ok=subj_ok, forbidden=forbidden,
    )
    got = {"date": case["published_on"]}
    want = {"date": gold["date"], "title": gold["title_contains"]}
    wrong = [f"{k}: {got.get(k, case.get(k))!r} (want {want.get(k, gold.get(k))!r})"
             for k, ok in checks.items() if not ok]
    if mech_hit < max(len(top), len(gold["mechanisms"])):
        missed = [e for e in gold["mechanisms"] if not rules.match_texts([e], top)]
        spurious = [g for g in top if not rules.match_texts([g], gold["mechanisms"])]
        wrong += [f"mechanism missed: {m}" for m in missed] + [f"mechanism extra: {m}" for m in spurious]
    return tot, wrong


# ---- pages, models, rows -----------------------------------------------------------------------------


def outlet_pages(folder: Path) -> list[tuple[Path, dict]]:
    """The pages of an outlet folder that have gold: (page, gold)."""
    pages = []
    for page in sorted(p for p in folder.iterdir() if p.suffix in (".txt", ".html")):
        gold_path = page.with_suffix(".json")
        if gold_path.exists():
            pages.append((page, json.loads(gold_path.read_text(encoding="utf-8"))))
    return pages


def seed_pages() -> list[tuple[Path, dict]]:
    return [(ROOT / "seeds" / name, gold) for name, gold in sorted(scoring.GOLD.items())]


def role_hits(report_text: str, page: Path, tagger: roles.RoleTagger) -> tuple[int, int]:
    """(lines whose predicted role is the gold role, lines) for a page with a .roles file, else (0, 0)."""
    roles_path = page.with_suffix(".roles")
    if not roles_path.exists():
        return 0, 0
    gold = roles.read_roles(roles_path)
    lines = clean.page_lines(report_text)
    if len(gold) != len(lines):
        return 0, 0
    return sum(p == g for p, g in zip(tagger.tag(lines), gold, strict=True)), len(gold)


def evaluate(pages: list[tuple[Path, dict]], tagger: roles.RoleTagger, rules: Rules, verbose: bool) -> Counter:
    tot: Counter = Counter()
    for page, gold in pages:
        try:
            report = pipeline.process(page.read_bytes(), page.name, role_model=tagger)
        except ReportRejected:
            report = None
        counts, wrong = score_page(rules, pipeline.export_dict(report) if report else None, gold)
        if report is not None:
            ok, n = role_hits(report.text, page, tagger)
            counts.update(role_ok=ok, role_n=n)
        tot.update(counts)
        if verbose and wrong:
            print(f"   {page.name}:")
            for w in wrong:
                print(f"      {w}")
    return tot


def fmt(row: str, t: Counter) -> str:
    r = scoring.ratio
    mp, mr = r(t["mech_hit"], t["mech_got"]), r(t["mech_hit"], t["mech_exp"])
    tp, tr = r(t["met_hit"], t["met_hit"] + t["met_extra"]), r(t["met_hit"], t["met_exp"])
    roles_acc = f"{t['role_ok'] / t['role_n']:5.2f}" if t["role_n"] else "    -"
    kind = f"{t['kind_ok']}/{t['kind_n']}" if t["kind_n"] else "-"
    return (
        f"{row:18} {t['pages']:>5} {r(t['fields_ok'], t['fields_n']):6.2f} "
        f"{mp:5.2f}/{mr:4.2f}/{scoring.f1(mp, mr):4.2f} {tp:5.2f}/{tr:4.2f}/{scoring.f1(tp, tr):4.2f} "
        f"{t['subj_ok']:>4}/{t['met_hit']:<4} {kind:>6} {roles_acc} {t['missing']:>4} {t['forbidden']:>4}"
    )


HEADER = (
    f"{'outlet':18} {'pages':>5} {'fields':>6} {'mech P/R/F1':>15} {'metric P/R/F1':>15} "
    f"{'subjects':>9} {'kind':>6} {'roles':>5} {'rej':>4} {'forb':>4}"
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=roles.CORPUS_DIR, help="folders of pages and gold to score")
    ap.add_argument("--fit", action="store_true", help="train on everything and score everything")
    ap.add_argument("--outlet", help="score this outlet only")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--scorer", type=Path, help="the scoring tool's script, to use its rules instead of tests/scoring.py")
    args = ap.parse_args(argv)

    rules = Rules(args.scorer)
    training = roles.labelled_pages(roles.CORPUS_DIR, roles.SEEDS_DIR)
    outlets = {d.name: outlet_pages(d) for d in sorted(args.corpus.iterdir()) if d.is_dir() and not d.name.startswith((".", "_"))}
    outlets = {name: pages for name, pages in outlets.items() if pages}
    outlets[SEEDS] = seed_pages()
    if args.outlet:
        outlets = {args.outlet: outlets[args.outlet]}

    started = time.perf_counter()
    print(("fit: trained on everything" if args.fit else "leave one outlet out") + f"; scoring {args.corpus}")
    print(HEADER)
    total: Counter = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        fitted = roles.RoleTagger(roles.train(training, Path(tmp) / "all.crfsuite")) if args.fit else None
        for name, pages in outlets.items():
            if fitted is not None:
                tagger = fitted
            else:
                model = roles.train([p for p in training if p.outlet != name], Path(tmp) / f"{name}.crfsuite")
                tagger = roles.RoleTagger(model)
            counts = evaluate(pages, tagger, rules, args.verbose)
            print(fmt(name, counts), flush=True)
            total.update(counts)
    print(fmt("totals", total))
    # the table rounds to two places; the target is a threshold, so the exact count is printed too
    print(f"fields right: {total['fields_ok']} of {total['fields_n']} ({scoring.ratio(total['fields_ok'], total['fields_n']):.4f})")
    print(f"({len(training)} labelled pages for training; {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
