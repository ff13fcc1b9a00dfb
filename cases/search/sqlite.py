"""SQLite: the FTS5 table ``cases_case_fts`` (title, headings, body; rowid = case id; migration 0003).

The table is reached through an unmanaged model. A match is ``id IN (the FTS5 rowids)``, so that
a count reads the case columns from a covering index (migration 0017) rather than each matching
row, whose body lies before them; a rank is a column of a join with the table: bm25 is computed
once per matching row, where a correlated subquery per listed row ran the full-text query again
for each (``bench/search_rank.py`` measures both).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, FloatField, Func, Lookup, QuerySet, Value

from .backend import SearchBackend
from .query import ParsedQuery

# bm25 column weights in the FTS5 table's order: title, headings, body.
FTS5_WEIGHTS = (10.0, 5.0, 1.0)


class FTS5Entry(models.Model):
    """A case's row in ``cases_case_fts``; read through the join only (the table is written in SQL below)."""

    case = models.OneToOneField("cases.Case", primary_key=True, db_column="rowid", on_delete=models.DO_NOTHING,
                                db_constraint=False, related_name="fts5_entry")
    # the hidden column named after the table: the left side of MATCH, the first argument of bm25
    document = models.TextField(db_column="cases_case_fts")

    class Meta:
        managed = False  # created by migration 0003, on SQLite only
        db_table = "cases_case_fts"
        app_label = "cases"

    def __str__(self):
        return f"cases_case_fts {self.pk}"


class Match(Lookup):
    """``document__match=query``: the FTS5 rows holding every clause (a lookup, so the join is an inner one)."""

    lookup_name = "match"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]


FTS5Entry._meta.get_field("document").register_lookup(Match)


class BM25(Func):
    """FTS5's bm25 with column weights: lower is a better match."""

    function = "bm25"
    output_field = FloatField()

    def __init__(self, weights=FTS5_WEIGHTS):
        super().__init__(F("fts5_entry__document"), *(Value(w) for w in weights))


class SQLiteBackend(SearchBackend):
    vendor = "sqlite"

    def write(self, case, title: str, headings: str, body: str) -> None:
        # FTS5 takes REPLACE on the rowid: one statement whether the case was indexed before or not
        with self.connection.cursor() as cursor:
            cursor.execute(
                "REPLACE INTO cases_case_fts (rowid, title, headings, body) VALUES (%s, %s, %s, %s)",
                [case.pk, title, headings, body],
            )

    def forget(self, case_id: int) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("DELETE FROM cases_case_fts WHERE rowid = %s", [case_id])

    def matching(self, queryset: QuerySet, parsed: ParsedQuery) -> QuerySet:
        # A join on the FTS5 table made SQLite walk the covering index and run the full-text
        # query once per case (1.1 s for 4,660 matches of 10,000) or read every matching row for
        # its place and date (18 ms); the rowids as a set let it read the index alone.
        rowids = FTS5Entry.objects.using(queryset.db).filter(document__match=parsed.fts5()).values("case_id")
        return queryset.filter(pk__in=rowids)

    def with_rank(self, matches: QuerySet, parsed: ParsedQuery) -> QuerySet:
        # bm25 needs the row the MATCH found: the join, with the MATCH again (the rowid set above
        # costs well under a millisecond), negated so that every backend sorts rank descending
        return matches.filter(fts5_entry__document__match=parsed.fts5()).annotate(rank=-BM25())
