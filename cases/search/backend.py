"""The interface every database's search backend implements, and the choice of one per database."""

from __future__ import annotations

from contextlib import contextmanager

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import QuerySet

from .query import ParsedQuery


class SearchBackend:
    """Full-text search on one database: write a case's index entry, match and rank a queryset.

    ``title``, ``headings`` and ``body`` are the space-separated index tokens of each part
    (``query.index_tokens``); the title weighs most in ranking, then the mechanism headings.
    """

    vendor = ""

    def __init__(self, alias: str):
        self.alias = alias

    @property
    def connection(self):
        return connections[self.alias]

    def write(self, case, title: str, headings: str, body: str) -> None:
        """Store the index entry of a saved case (inside the loader's transaction)."""
        raise NotImplementedError

    def forget(self, case_id: int) -> None:
        """Remove the index entry of a deleted case, where it lives outside the case's row."""

    def matching(self, queryset: QuerySet, parsed: ParsedQuery) -> QuerySet:
        """The cases of ``queryset`` that contain every clause of ``parsed`` (``parsed`` is never empty)."""
        raise NotImplementedError

    def with_rank(self, matches: QuerySet, parsed: ParsedQuery) -> QuerySet:
        """``matches`` (already ``matching``) annotated with ``rank``: higher is better."""
        raise NotImplementedError

    @contextmanager
    def prefer_index(self):
        """Around every query of a search request: steer the planner to the full-text index, if it needs it."""
        yield

    @contextmanager
    def date_walk(self):
        """Inside ``prefer_index``: list a very common word's matches by walking the date index."""
        yield


def backend_class(vendor: str) -> type[SearchBackend]:
    from .postgresql import PostgreSQLBackend
    from .sqlite import SQLiteBackend

    for cls in (SQLiteBackend, PostgreSQLBackend):
        if cls.vendor == vendor:
            return cls
    raise ImproperlyConfigured(f"No search backend for the {vendor!r} database; SQLite and PostgreSQL have one.")


_chosen: dict[str, SearchBackend] = {}


def backend(alias: str) -> SearchBackend:
    """The search backend of database ``alias``, chosen by its vendor the first time it is asked for."""
    found = _chosen.get(alias)
    if found is None:
        found = _chosen[alias] = backend_class(connections[alias].vendor)(alias)
    return found
