"""The rules of ../shared/tools/score-ingest, in one place for the tests that hold the pipeline to the seeds.

A user's clone has no ../shared, so the rules are restated here: headings match after punctuation is
stripped, by containment or a similarity ratio of at least 0.8, greedily one to one; figures match on
(value in base units, unit), with optional ones free and forbidden ones counted.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path

EXPECTED = json.loads((Path(__file__).resolve().parent / "fixtures" / "expected.json").read_text(encoding="utf-8"))
GOLD = {name: entry for name, entry in EXPECTED.items() if not name.startswith("_")}
PUNCT = re.compile(r"[\s\"'“”‘’「」『』《》〈〉()（）\[\]【】,，.。、;；:：!！?？·…—\-]+")


def norm(text: str | None) -> str:
    return PUNCT.sub("", text or "")


def same_text(a: str, b: str) -> bool:
    a, b = norm(a), norm(b)
    if not a or not b:
        return False
    return a in b or b in a or difflib.SequenceMatcher(None, a, b).ratio() >= 0.8


def match_texts(expected: list[str], got: list[str]) -> int:
    """How many expected headings find a heading of their own among ``got``."""
    used, hits = set(), 0
    for e in expected:
        for i, g in enumerate(got):
            if i not in used and same_text(e, g):
                used.add(i)
                hits += 1
                break
    return hits


def num(value) -> Decimal | None:
    try:
        return Decimal(str(value)).normalize()
    except (InvalidOperation, TypeError):
        return None


def match_metrics(gold: dict, got: list[dict]) -> tuple[int, int, int, int]:
    """(hits, extra, forbidden, qualifiers right) for figures given as dicts with value, unit, qualifier."""
    def key(m: dict) -> tuple:
        return num(m.get("value")), m.get("unit") or ""

    pool = Counter(key(g) for g in got)
    hits = qual_ok = 0
    for e in gold["metrics"]:
        for unit in [e.get("unit") or "", *e.get("unit_also", [])]:
            wanted = (num(e["value"]), unit)
            if pool[wanted] > 0:
                pool[wanted] -= 1
                hits += 1
                first = next(g for g in got if key(g) == wanted)
                qual_ok += (first.get("qualifier") or "") == (e.get("qualifier") or "")
                break
    for o in gold.get("optional", []):
        if pool[key(o)] > 0:
            pool[key(o)] -= 1
    forbidden = sum(1 for f in gold.get("forbidden", []) for g in got if key(g) == key(f))
    return hits, sum(pool.values()), forbidden, qual_ok


def f1(p: float, r: float) -> float:
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def ratio(a: int, b: int) -> float:
    return 1.0 if b == 0 else a / b
