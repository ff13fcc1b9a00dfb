"""practices: tags from the curated taxonomy, by name and synonym.

Precision first: a practice is tagged when the report speaks of it, not when a
generic synonym passes once (``社工`` in a list, ``宣讲`` in one sentence). The
score is the number of mentions in the body, plus one for a mention in a
mechanism heading (the report names it as one of its practices); two are needed.
Mentions are counted longest term first and never twice for one stretch of text,
so ``网格化管理`` is one mention, not also ``网格化``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ..report import MechanismData

MIN_SCORE = 2
HEADING_BONUS = 1

# quotes and spaces do not change a term: “两新”组织党建 is 两新组织党建
_IGNORED = re.compile(r"[\s\"'“”‘’「」『』]")


def norm(text: str) -> str:
    return _IGNORED.sub("", text)


def count_mentions(text: str, terms: Iterable[str]) -> int:
    """Non-overlapping mentions of any of ``terms``, longest term first.

    >>> count_mentions("推行网格化管理,建强网格员队伍", ["网格化管理", "网格化", "网格员"])
    2
    """
    taken = [False] * len(text)
    count = 0
    for term in sorted({norm(t) for t in terms if norm(t)}, key=len, reverse=True):
        start = text.find(term)
        while start != -1:
            end = start + len(term)
            if not any(taken[start:end]):
                taken[start:end] = [True] * len(term)
                count += 1
            start = text.find(term, start + 1)
    return count


def score(body: str, headings: Sequence[str], terms: Sequence[str]) -> int:
    in_headings = sum(count_mentions(norm(h), terms) for h in headings)
    return count_mentions(norm(body), terms) + HEADING_BONUS * in_headings


def tag_practices(body: str, mechanisms: Sequence[MechanismData],
                  taxonomy: Sequence[tuple[str, Sequence[str]]]) -> list[str]:
    """Names of the practices the report speaks of, the most mentioned first (taxonomy order on ties)."""
    headings = [m.heading for m in mechanisms]
    scored = []
    for order, (name, synonyms) in enumerate(taxonomy):
        s = score(body, headings, [name, *synonyms])
        if s >= MIN_SCORE:
            scored.append((-s, order, name))
    return [name for _s, _o, name in sorted(scored)]
