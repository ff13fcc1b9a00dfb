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


def prepare(terms: Iterable[str]) -> list[str]:
    """Terms normalised, deduplicated, longest first: the order mentions are claimed in."""
    return sorted({norm(t) for t in terms if norm(t)}, key=len, reverse=True)


def _count(text: str, ordered: Sequence[str]) -> int:
    taken = [False] * len(text)
    count = 0
    for term in ordered:
        start = text.find(term)
        while start != -1:
            end = start + len(term)
            if not any(taken[start:end]):
                taken[start:end] = [True] * len(term)
                count += 1
            start = text.find(term, start + 1)
    return count


def count_mentions(text: str, terms: Iterable[str]) -> int:
    """Non-overlapping mentions of any of ``terms``, longest term first.

    >>> count_mentions("推行网格化管理,建强网格员队伍", ["网格化管理", "网格化", "网格员"])
    2
    """
    return _count(norm(text), prepare(terms))


def tag_practices(body: str, mechanisms: Sequence[MechanismData],
                  taxonomy: Sequence[tuple[str, Sequence[str]]]) -> list[str]:
    """Names of the practices the report speaks of, the most mentioned first (taxonomy order on ties).

    The score is the mentions in the body plus a bonus per mention in a mechanism heading.
    """
    text = norm(body)
    headings = [norm(m.heading) for m in mechanisms]
    scored = []
    for order, (name, synonyms) in enumerate(taxonomy):
        terms = prepare([name, *synonyms])
        if not any(t in text for t in terms):
            continue  # most practices are not mentioned at all
        s = _count(text, terms) + HEADING_BONUS * sum(_count(h, terms) for h in headings)
        if s >= MIN_SCORE:
            scored.append((-s, order, name))
    return [name for _s, _o, name in sorted(scored)]
