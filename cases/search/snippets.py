"""Snippets of a matching body (an escaped extract around the first match) and marked titles: the query's words in ``<mark>``."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

from .query import ParsedQuery


@dataclass(frozen=True)
class Highlighter:
    whole: re.Pattern  # the query's terms as typed (after normalisation)
    pieces: re.Pattern  # the terms and their jieba words, longest first


def _alternation(words) -> re.Pattern:
    ordered = sorted({w for w in words if w}, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in ordered), re.IGNORECASE)


def highlighter(parsed: ParsedQuery) -> Highlighter | None:
    """Whole terms first; a term the text holds only in pieces is also highlighted by its jieba words."""
    from ingest.segment import search_tokens

    if not parsed or not parsed.terms:
        return None
    words = set(parsed.terms)
    for term in parsed.terms:
        words.update(w for w in search_tokens(term) if len(w) > 1)
    return Highlighter(whole=_alternation(parsed.terms), pieces=_alternation(words))


def snippet(body: str, parsed: ParsedQuery, width: int = 90, marks: Highlighter | None = None) -> SafeString:
    """An escaped extract of ``body`` around the first match (of a whole term if any), matches in ``<mark>``."""
    marks = marks or highlighter(parsed)
    first = (marks.whole.search(body) or marks.pieces.search(body)) if marks else None
    if first is None:
        extract = body[:width]
        return mark_safe(html.escape(extract) + ("…" if len(body) > width else ""))  # noqa: S308 (escaped)
    start = max(0, first.start() - width // 3)
    # start at a sentence or line boundary when one is close before the match
    boundary = max(body.rfind(mark, start, first.start()) for mark in "。！？；\n")
    if boundary >= 0:
        start = boundary + 1
    end = min(len(body), start + width)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(body) else ""
    return mark_safe(prefix + _marked(body[start:end], marks).strip() + suffix)  # noqa: S308 (escaped by _marked)


def highlight(text: str, marks: Highlighter | None) -> SafeString:
    """All of ``text`` (a title), escaped, with the query's words in ``<mark>`` as a snippet has them."""
    return mark_safe(_marked(text, marks) if marks else html.escape(text))  # noqa: S308 (escaped)


def _marked(text: str, marks: Highlighter) -> str:
    parts, last = [], 0
    for match in marks.pieces.finditer(text):
        parts.append(html.escape(text[last : match.start()]))
        parts.append(f"<mark>{html.escape(match.group())}</mark>")
        last = match.end()
    parts.append(html.escape(text[last:]))
    return "".join(parts)
