"""Full-text search: one interface, one backend per database (``sqlite.py``: FTS5, ``postgresql.py``: tsvector).

The backend of a database is chosen by its vendor the first time it is used (``backend.backend``),
and every call goes to the backend of the database the case or queryset belongs to.

Index side (called by the loader inside its transaction, and by the admin after an edit):
``index_case(case)`` stores the index tokens of title, mechanism headings and body
(``query.index_tokens``); ``unindex_case(case_id)`` removes them; ``connect_signals()`` does so
whenever a case is deleted.

Query side: ``parse(query)`` normalises the query (traditional → simplified) and splits it into
terms; ``matching(qs, parsed)`` keeps the cases that contain every term; ``ranked(qs, parsed)``
orders them by a rank in which the title weighs most, then mechanism headings, then by date.
Counting or ranking every match of a very common word costs a pass over tens of thousands of
rows (DESIGN.md, "Search"), so past SEARCH_CAP matches the list is ordered by date alone (an
index walk) and counted only up to the cap (see ``facets.count_sets``). ``snippet(body, parsed)``
is an escaped extract of the body with the matches in ``<mark>``, ``highlight(title, marks)`` a whole
title so marked. ``Case.objects.search(q)`` and
``.by_relevance(q)`` are the same queries named on the QuerySet.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, router
from django.db.models import F, QuerySet

from .backend import SearchBackend, backend
from .query import MAX_CLAUSES, MAX_QUERY_LENGTH, Clause, ParsedQuery, index_tokens, parse
from .snippets import Highlighter, highlight, highlighter, snippet
from .sqlite import FTS5Entry  # the FTS5 table's model registers with the app when search is imported

__all__ = [
    "FTS5Entry", "MAX_CLAUSES", "MAX_QUERY_LENGTH", "SEARCH_CAP", "Clause", "Highlighter", "ParsedQuery", "SearchBackend",
    "backend", "connect_signals", "date_walk", "highlight", "highlighter", "index_case", "index_tokens", "matching", "parse",
    "prefer_index", "ranked", "snippet", "unindex_case", "warm_up",
]

# For a word most reports contain, ranking or counting every match costs 100–500 ms at 100,000
# cases (DESIGN.md, "Search"): a pass over the matches visits ~3 µs of heap per row. Up to
# SEARCH_CAP matches a search is counted exactly and ranked; past it, it is "very common": counted
# as "more than SEARCH_CAP" and listed newest first by walking the date index.
SEARCH_CAP = 5000


def warm_up() -> None:
    """Load the segmenter's dictionary and the script converter now (about 1.5 s), not in a reader's first search.

    Called once by a serving process as it starts (``config/wsgi.py``): a query is parsed
    (normalised) and its terms segmented for highlighting, and each loads its tables on first use.
    """
    highlighter(parse("党建引领"))


# ------------------------------------------------------------------------------------------- index


def index_case(case, body_tokens: list[str] | None = None, headings: list[str] | None = None,
               made: dict[str, list[str]] | None = None) -> None:
    """(Re)index one saved case with its mechanisms; called by the loader inside its transaction.

    ``body_tokens``: ``index_tokens(case.body)`` if the caller has them (the pipeline makes them);
    ``headings``: its mechanisms' headings in their order, if the caller has just written them;
    ``made``: {text: its index tokens} the caller has (the pipeline's, of a title and headings),
    used for a title or headings that are exactly such a text.
    """
    if headings is None:
        headings = list(case.mechanisms.order_by("order").values_list("heading", flat=True))
    headings = "\n".join(headings)
    made = made or {}
    title = " ".join(made[case.title] if case.title in made else index_tokens(case.title))
    heads = " ".join(made[headings] if headings in made else index_tokens(headings))
    body = " ".join(index_tokens(case.body) if body_tokens is None else body_tokens)
    alias = case._state.db or router.db_for_write(type(case), instance=case)
    backend(alias).write(case, title, heads, body)


def unindex_case(case_id: int, using: str = DEFAULT_DB_ALIAS) -> None:
    """Forget a case (on PostgreSQL the entry is a column of the row, so only SQLite has work to do)."""
    backend(using).forget(case_id)


def _on_case_deleted(sender, instance, using, **kwargs):
    unindex_case(instance.pk, using=using)


def connect_signals() -> None:
    """Keep the FTS5 table in step when a case is deleted (admin, shell, cascade); call from AppConfig.ready."""
    from django.db.models.signals import post_delete

    from ..models import Case

    post_delete.connect(_on_case_deleted, sender=Case, dispatch_uid="cases.search.unindex_on_delete")


# ------------------------------------------------------------------------------------------- query


def matching(queryset: QuerySet, parsed: ParsedQuery) -> QuerySet:
    """The cases of ``queryset`` that contain every term of the query (none for a query without terms)."""
    if not parsed:
        return queryset.none()
    return backend(queryset.db).matching(queryset, parsed)


def ranked(matches: QuerySet, parsed: ParsedQuery, very_common: bool = False) -> QuerySet:
    """``matches`` (already ``matching`` the query) annotated with ``rank``, best first, then newest.

    ``very_common``: more than SEARCH_CAP matches; they are ordered by date alone (``date_walk``),
    as ranking them all is the pass this module avoids. The match condition is not applied a
    second time: PostgreSQL would multiply its selectivity and plan as if almost nothing matched.
    """
    newest = F("published_on").desc(nulls_last=True)
    if not parsed or very_common:
        return matches.order_by(newest, "-pk")
    return backend(matches.db).with_rank(matches, parsed).order_by("-rank", newest, "-pk")


@contextmanager
def prefer_index(searching: bool, using: str = DEFAULT_DB_ALIAS):
    """Around the queries of a request: for a search, let the backend steer its planner to the index."""
    if not searching:
        yield
        return
    with backend(using).prefer_index():
        yield


def date_walk(using: str = DEFAULT_DB_ALIAS):
    """Inside ``prefer_index``: the page of a very common word, by walking the date index."""
    return backend(using).date_walk()
