"""PostgreSQL: a weighted ``tsvector`` on the case's row, GIN-indexed, and a small one for ranking.

``search_vector`` holds title (A), mechanism headings (B) and body (C) in the ``simple``
configuration (GIN index by migration 0003). ``rank_vector`` holds title and headings only
(~1 KB against ~19 KB, its own GIN index, migration 0006), so ranking never unpacks the body's
vector.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorField
from django.db import transaction
from django.db.models import Case, F, Func, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Cast

from .backend import SearchBackend
from .query import ParsedQuery

# ts_rank weights in PostgreSQL's order {D, C, B, A}: body C, headings B, title A.
PG_WEIGHTS = [0.0, 0.05, 0.5, 1.0]
# a tsvector literal of one lexeme, a space: no query clause is one (see with_rank)
NO_QUERY_WORD = "' '"


class Length(Func):
    """``length(tsvector)``: the number of lexemes (Django's Length is a text's ``LENGTH``)."""

    function = "length"
    output_field = IntegerField()


def tsquery(parsed: ParsedQuery) -> SearchQuery:
    return SearchQuery(parsed.tsquery(), search_type="raw", config="simple")


class PostgreSQLBackend(SearchBackend):
    vendor = "postgresql"

    def write(self, case, title: str, headings: str, body: str) -> None:
        rank_vector = (
            SearchVector(Value(title), config="simple", weight="A")
            + SearchVector(Value(headings), config="simple", weight="B")
        )
        vector = rank_vector + SearchVector(Value(body), config="simple", weight="C")
        type(case).objects.using(self.alias).filter(pk=case.pk).update(
            search_vector=vector, rank_vector=rank_vector)

    def matching(self, queryset: QuerySet, parsed: ParsedQuery) -> QuerySet:
        return queryset.filter(search_vector=tsquery(parsed))

    def with_rank(self, matches: QuerySet, parsed: ParsedQuery) -> QuerySet:
        """Each match's ``ts_rank`` over ``rank_vector``, computed only where the vector holds a query word.

        rank_vector holds title and headings only: a hit there is what makes a case relevant, and
        ranking it never detoasts the body's vector. Most matches hold the words in their body
        alone, and ``ts_rank`` gives all of them one value, the rank of a vector holding none of the
        words (0, or 1e-20 for several words); ranking each (2.5 µs) was a third of a filtered
        search's statement. They get that value from a one-lexeme vector no clause can match (a
        clause is a ``\\w`` token, never a space). An empty vector ranks 0, so it is ranked itself.
        """
        query = tsquery(parsed)
        any_word = SearchQuery(" | ".join(c.tsquery() for c in parsed.clauses), search_type="raw", config="simple")
        no_word = Cast(Value(NO_QUERY_WORD), SearchVectorField())
        rank = Case(
            When(Q(rank_vector=any_word) | Q(rank_vector_length=0),
                 then=SearchRank(F("rank_vector"), query, weights=PG_WEIGHTS)),
            default=SearchRank(no_word, query, weights=PG_WEIGHTS),
        )
        return matches.alias(rank_vector_length=Length("rank_vector")).annotate(rank=rank)

    @contextmanager
    def prefer_index(self):
        """Make the queries of a search use the GIN index.

        The planner does not count the cost of detoasting a tsvector (~19 KB a case) for ``@@``, so
        for a word many cases contain it prefers a sequential scan that detoasts every row: 41 ms at
        3,000 cases, over a second at 100,000, against 2 ms for the GIN bitmap scan. With sequential
        scans off it falls back to an index scan on ``status`` that detoasts just as much (1.7 s for a
        word in 99% of 100,000 cases, 87 ms as a bitmap scan), so plain index scans go off too; bitmap
        and index-only scans remain. ``SET LOCAL`` confines this to the request's transaction.
        A disabled plan keeps a huge cost, which would also switch on JIT compilation (tens of ms
        per statement, even for the 34 provinces): JIT goes off too.

        So do parallel workers. A search's statements read a few thousand rows at most (SEARCH_CAP);
        workers started for them cost more than they share (a page of a very common word walked
        six to ten times the rows, each worker its own share of the date index), and they take
        the cores other requests are served by: 30–50% slower at 100,000 cases on two cores.
        """
        with transaction.atomic(using=self.alias):
            with self.connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute("SET LOCAL enable_indexscan = off")
                cursor.execute("SET LOCAL jit = off")
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            yield

    @contextmanager
    def date_walk(self):
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
        with self.connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_indexscan = on")
            cursor.execute("SET LOCAL enable_sort = off")
        try:
            yield
        finally:
            with self.connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_indexscan = off")
                cursor.execute("SET LOCAL enable_sort = on")
