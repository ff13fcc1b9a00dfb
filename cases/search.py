"""Full-text search: keep the index in step with a case, turn a reader's query into a ranked queryset.

Index side (called by ingest/load.py inside its transaction): ``index_case(case)`` stores the
search tokens of title, mechanism headings and body; on PostgreSQL it writes ``search_vector``
(title A, headings B, body C, ``simple`` configuration, GIN-indexed by migration 0003), on
SQLite it replaces the row of the FTS5 table ``cases_case_fts`` (rowid = case id).
``unindex_case(case_id)`` removes it; ``connect_signals()`` does so whenever a case is deleted.

On PostgreSQL it also writes ``rank_vector``: title (A) and headings (B) only, a small vector
(~1 KB against ~19 KB) with its own GIN index, so ranking never unpacks the body's vector.

Query side: ``parse(query)`` normalises the query (traditional → simplified) and splits it into
terms; ``matching(qs, parsed)`` keeps the cases that contain every term; ``ranked(qs, parsed)``
orders them by a rank in which the title weighs most, then mechanism headings (on PostgreSQL
from ``rank_vector``, so the body does not count; on SQLite bm25 with column weights), then by
date. Counting or ranking every match of a very common word costs a pass over tens of thousands
of rows (DESIGN.md, "Search"), so past SEARCH_CAP matches the list is ordered by date alone (an
index walk) and counted only up to the cap (see ``filters.count_sets``). ``snippet(body, parsed)`` is an escaped extract of the body with the matches in ``<mark>``.

Why bigrams: a Chinese query word must match inside longer words (网格 in 网格化管理, 党建 in
基层党建), whatever jieba made of the surrounding text. So a term of two or more CJK characters
matches when every one of its character bigrams is indexed, and a one-character term matches any
token that starts with it (a prefix query). For that to find every occurrence, the index holds,
besides ``ingest.segment.search_tokens``, every bigram of each CJK run (also those that straddle
jieba's word boundaries) and the last character of each run.
"""

from __future__ import annotations

import html
import re
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import F, FloatField, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils.safestring import SafeString, mark_safe

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{CJK}]+")
# A term is a run of CJK characters or a run of other letters and digits (never punctuation).
_TERM = re.compile(f"[{CJK}]+|[^\\W_{CJK}]+")

MAX_QUERY_LENGTH = 200
MAX_CLAUSES = 40  # a pasted paragraph must not become a 500-operand query
# For a word most reports contain, ranking or counting every match costs 100–500 ms at 100,000
# cases (DESIGN.md, "Search"): a pass over the matches visits ~3 µs of heap per row. Up to
# SEARCH_CAP matches a search is counted exactly and ranked; past it, it is "very common": counted
# as "more than SEARCH_CAP" and listed newest first by walking the date index.
SEARCH_CAP = 5000
# ts_rank weights in PostgreSQL's order {D, C, B, A}: body C, headings B, title A.
PG_WEIGHTS = [0.0, 0.05, 0.5, 1.0]
# bm25 column weights in the FTS5 table's order: title, headings, body.
FTS5_WEIGHTS = (10.0, 5.0, 1.0)


# ------------------------------------------------------------------------------------------- index


def index_tokens(text: str, words: list[str] | None = None) -> list[str]:
    """Tokens to index ``text`` by: jieba search tokens, then every CJK bigram and run-final character.

    ``words`` are the text's jieba tokens when the caller has them already (the loader passes the
    body's, cut once by the pipeline), so the body is not segmented a second time.
    Every token is either all CJK or all letters/digits, lower case, so that FTS5's unicode61
    tokenizer and PostgreSQL's parser see exactly the tokens we made.
    """
    from ingest.segment import search_tokens, search_tokens_from_words

    tokens: list[str] = []
    for token in search_tokens(text) if words is None else search_tokens_from_words(words):
        tokens.extend(_TERM.findall(token.lower()))
    present = set(tokens)
    starts = {t[0] for t in tokens}
    for run in _CJK_RUN.findall(text):
        for i in range(len(run) - 1):
            pair = run[i : i + 2]
            if pair not in present:
                present.add(pair)
                starts.add(pair[0])
                tokens.append(pair)
        if run[-1] not in starts:
            starts.add(run[-1])
            tokens.append(run[-1])
    return tokens


def index_case(case, body_words: list[str] | None = None) -> None:
    """(Re)index one saved case with its mechanisms; called by the loader inside its transaction.

    ``body_words``: the jieba tokens of ``case.body`` if the caller has them (see ``index_tokens``).
    """
    from django.contrib.postgres.search import SearchVector

    headings = "\n".join(case.mechanisms.order_by("order").values_list("heading", flat=True))
    title, heads = " ".join(index_tokens(case.title)), " ".join(index_tokens(headings))
    body = " ".join(index_tokens(case.body, body_words))
    case.search_tokens = " ".join(part for part in (title, heads, body) if part)
    rows = type(case).objects.filter(pk=case.pk)
    if connection.vendor == "postgresql":
        rank_vector = (
            SearchVector(Value(title), config="simple", weight="A")
            + SearchVector(Value(heads), config="simple", weight="B")
        )
        vector = rank_vector + SearchVector(Value(body), config="simple", weight="C")
        rows.update(search_tokens=case.search_tokens, search_vector=vector, rank_vector=rank_vector)
        return
    rows.update(search_tokens=case.search_tokens)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM cases_case_fts WHERE rowid = %s", [case.pk])
            cursor.execute(
                "INSERT INTO cases_case_fts (rowid, title, headings, body) VALUES (%s, %s, %s, %s)",
                [case.pk, title, heads, body],
            )


def unindex_case(case_id: int) -> None:
    """Forget a case. On PostgreSQL the vector is a column of the row, so only SQLite has work to do."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM cases_case_fts WHERE rowid = %s", [case_id])


def _on_case_deleted(sender, instance, **kwargs):
    unindex_case(instance.pk)


def connect_signals() -> None:
    """Keep the FTS5 table in step when a case is deleted (admin, shell, cascade); call from AppConfig.ready."""
    from django.db.models.signals import post_delete

    from .models import Case

    post_delete.connect(_on_case_deleted, sender=Case, dispatch_uid="cases.search.unindex_on_delete")


# ------------------------------------------------------------------------------------------- query


@dataclass(frozen=True)
class Clause:
    token: str
    prefix: bool = False

    def fts5(self) -> str:
        return f'"{self.token}"' + ("*" if self.prefix else "")

    def tsquery(self) -> str:
        return f"'{self.token}'" + (":*" if self.prefix else "")


@dataclass
class ParsedQuery:
    """A reader's query after normalisation: its terms and the index clauses they require."""

    text: str
    terms: list[str] = field(default_factory=list)
    clauses: list[Clause] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.clauses)

    def fts5(self) -> str:
        return " AND ".join(c.fts5() for c in self.clauses)

    def tsquery(self) -> str:
        return " & ".join(c.tsquery() for c in self.clauses)


def parse(query: str) -> ParsedQuery:
    """网格化管理 → bigrams 网格 & 格化 & 化管 & 管理; 網 → prefix 网*; APP → app. Tokens are \\w only, never syntax."""
    from ingest.normalise import normalise

    text = normalise((query or "")[:MAX_QUERY_LENGTH])[0].lower()
    terms = list(dict.fromkeys(_TERM.findall(text)))
    clauses: list[Clause] = []
    for term in terms:
        if _CJK_RUN.fullmatch(term) and len(term) == 1:
            clauses.append(Clause(term, prefix=True))
        elif _CJK_RUN.fullmatch(term):
            clauses.extend(Clause(term[i : i + 2]) for i in range(len(term) - 1))
        else:
            clauses.append(Clause(term))
    return ParsedQuery(text=text, terms=terms, clauses=list(dict.fromkeys(clauses))[:MAX_CLAUSES])


@contextmanager
def prefer_index(searching: bool):
    """On PostgreSQL, make the queries of a search use the GIN index.

    The planner does not count the cost of detoasting a tsvector (~19 KB a case) for ``@@``, so
    for a word many cases contain it prefers a sequential scan that detoasts every row: 41 ms at
    3,000 cases, over a second at 100,000, against 2 ms for the GIN bitmap scan. With sequential
    scans off it falls back to an index scan on ``status`` that detoasts just as much (1.7 s for a
    word in 99% of 100,000 cases, 87 ms as a bitmap scan), so plain index scans go off too; bitmap
    and index-only scans remain. ``SET LOCAL`` confines this to the request's transaction.
    A disabled plan keeps a huge cost, which would also switch on JIT compilation (tens of ms
    per statement, even for the 34 provinces): JIT goes off too.
    """
    if not searching or connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute("SET LOCAL jit = off")
        yield


def _pg_query(parsed: ParsedQuery):
    from django.contrib.postgres.search import SearchQuery

    return SearchQuery(parsed.tsquery(), search_type="raw", config="simple")


def matching(queryset: QuerySet, parsed: ParsedQuery) -> QuerySet:
    """The cases of ``queryset`` that contain every term of the query (none for a query without terms)."""
    if not parsed:
        return queryset.none()
    if connection.vendor == "postgresql":
        return queryset.filter(search_vector=_pg_query(parsed))
    return queryset.filter(
        pk__in=RawSQL("SELECT rowid FROM cases_case_fts WHERE cases_case_fts MATCH %s", (parsed.fts5(),))
    )


@contextmanager
def date_walk():
    """Inside ``prefer_index``: let the planner walk the date index for a very common word's page.

    Index scans are off for a search (see ``prefer_index``), which leaves a bitmap scan of every
    match and a sort: a full pass for a word in half the cases. For such a word the newest 20
    matches are among the first few dozen rows of ``case_published_desc``, each checked with
    ``@@``; that walk is only right when the word is known to be common (past SEARCH_CAP), as a
    rare word would make it read the whole index.

    Explicit sorts go off meanwhile, so the only plan without a penalty is that walk. The planner
    multiplies the selectivities of a query's bigrams (党群 & 群服 & 服务 & 务中 & 中心) and expects
    a handful of matches where there are 30,000; left to itself it matches every one (by bitmap
    scan, or by an index scan on ``status`` that detoasts every vector) and sorts them: 130 ms to
    1.5 s, against ~2 ms for the walk. Past SEARCH_CAP at least 5% of the published cases match
    (whatever the other filters), so a page is found within about twenty times its rows.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_indexscan = on")
        cursor.execute("SET LOCAL enable_sort = off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute("SET LOCAL enable_sort = on")


def _score(parsed: ParsedQuery):
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchRank

        # rank_vector holds title and headings only: a hit there is what makes a case relevant,
        # and ranking it never detoasts the body's vector.
        return SearchRank(F("rank_vector"), _pg_query(parsed), weights=PG_WEIGHTS)
    # bm25 is lower for better matches; negate it so that every backend sorts rank descending.
    return RawSQL(
        "(SELECT -bm25(cases_case_fts, %s, %s, %s) FROM cases_case_fts"
        " WHERE cases_case_fts MATCH %s AND cases_case_fts.rowid = cases_case.id)",
        (*FTS5_WEIGHTS, parsed.fts5()),
        output_field=FloatField(),
    )


def ranked(matches: QuerySet, parsed: ParsedQuery, very_common: bool = False) -> QuerySet:
    """``matches`` (already ``matching`` the query) annotated with ``rank``, best first, then newest.

    ``very_common``: more than SEARCH_CAP matches; they are ordered by date alone (``date_walk``),
    as ranking them all is the pass this module avoids. The match condition is not applied a
    second time: PostgreSQL would multiply its selectivity and plan as if almost nothing matched.
    """
    newest = F("published_on").desc(nulls_last=True)
    if not parsed or very_common:
        return matches.order_by(newest, "-pk")
    return matches.annotate(rank=_score(parsed)).order_by("-rank", newest, "-pk")


# ------------------------------------------------------------------------------------------- snippets


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
    extract = body[start:end]
    parts, last = [], 0
    for match in marks.pieces.finditer(extract):
        parts.append(html.escape(extract[last : match.start()]))
        parts.append(f"<mark>{html.escape(match.group())}</mark>")
        last = match.end()
    parts.append(html.escape(extract[last:]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(body) else ""
    return mark_safe(prefix + "".join(parts).strip() + suffix)  # noqa: S308 (every piece escaped above)
