"""practices: tags from the curated taxonomy, by name and synonym.

Precision first: a practice is tagged when the report speaks of it, not when a
generic synonym passes once (``社工`` in a list, ``宣讲`` in one sentence). The
score is the number of mentions in the body, plus one for a mention in a
mechanism heading (the report names it as one of its practices); two are needed.
Mentions are counted longest term first and never twice for one stretch of text,
so ``网格化管理`` is one mention, not also ``网格化``; and only on word boundaries
(the segment stage's tokens, whose dictionary holds every name and synonym), so
``推进社区`` is not a mention of ``进社区``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import accumulate

from .. import segment
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


def _count(text: str, ordered: Sequence[str], bounds: set[int] | None = None) -> int:
    taken = [False] * len(text)
    count = 0
    for term in ordered:
        start = text.find(term)
        while start != -1:
            end = start + len(term)
            on_words = bounds is None or (start in bounds and end in bounds)
            if on_words and not any(taken[start:end]):
                taken[start:end] = [True] * len(term)
                count += 1
            start = text.find(term, start + 1)
    return count


def count_mentions(text: str, terms: Iterable[str]) -> int:
    """Non-overlapping mentions of any of ``terms``, longest term first (no word boundaries).

    >>> count_mentions("推行网格化管理,建强网格员队伍", ["网格化管理", "网格化", "网格员"])
    2
    """
    return _count(norm(text), prepare(terms))


def joined(tokens: Iterable[str]) -> tuple[str, set[int]]:
    """The normalised text of ``tokens`` and the offsets where words meet in it.

    >>> joined(["推进", "社区", "“", "党建", "”"])
    ('推进社区党建', {0, 2, 4, 6})
    """
    parts = list(map(_norm_token, tokens))
    return "".join(parts), {0, *accumulate(map(len, parts))}


@lru_cache(maxsize=1 << 16)
def _norm_token(token: str) -> str:
    # a report's few thousand tokens are a few hundred distinct words: normalise each once
    return norm(token)


@lru_cache(maxsize=1024)
def _terms_of(name: str, synonyms: tuple[str, ...]) -> list[str]:
    """``prepare`` of a practice's name and synonyms, made once per practice (every report asks)."""
    return prepare([name, *synonyms])


def tag_practices(body: str, mechanisms: Sequence[MechanismData],
                  taxonomy: Sequence[tuple[str, Sequence[str]]], tokens: Sequence[str] | None = None) -> list[str]:
    """Names of the practices the report speaks of, the most mentioned first (taxonomy order on ties).

    The score is the mentions in the body plus a bonus per mention in a mechanism heading.
    ``tokens`` are the body's tokens when the caller has them already (the pipeline does).
    """
    text, bounds = joined(tokens if tokens is not None else segment.cut(body))
    headings = [joined(segment.cut(m.heading)) for m in mechanisms]
    scored = []
    for order, (name, synonyms) in enumerate(taxonomy):
        terms = _terms_of(name, tuple(synonyms))
        if not any(t in text for t in terms):
            continue  # most practices are not mentioned at all
        s = _count(text, terms, bounds) + HEADING_BONUS * sum(_count(h, terms, b) for h, b in headings)
        if s >= MIN_SCORE:
            scored.append((-s, order, name))
    return [name for _s, _o, name in sorted(scored)]
