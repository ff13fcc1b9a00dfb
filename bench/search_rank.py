"""Benchmark of ranked search on SQLite: the first page of a search at about 1,000 and 5,000 matches,
ranked through a join on the FTS5 table (``cases.search.sqlite``) and, side by side, through a
correlated bm25 subquery per row (the form the join replaced), on the same database.

    DEBUG=1 .venv/bin/python bench/search_rank.py [--cases 20000] [--repeat 5] [--database PATH]

It creates a fresh SQLite database (default a temporary file), migrates it, writes ``--cases``
published cases with FTS5 entries of ~300 tokens each (title, headings, body), in which one word
is in every 20th case and another in every 4th, and times the query the list page runs for a
search sorted by relevance: its 20 best cases. Both forms must list the same cases in the same
order; it prints the median and the worst of ``--repeat`` runs in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Filler words of the synthetic entries, and the searched words with the share of cases holding them.
VOCABULARY = [chr(0x4E00 + i) + chr(0x4E80 + j) for i in range(60) for j in range(40)]
SEARCHED = {"网格": 20, "物业": 4}  # 1 case in 20 (~1,000 of 20,000), 1 in 4 (~5,000)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database", help="SQLite file to create (default: a temporary file)")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


def populate(count: int, rng: random.Random) -> None:
    import datetime

    from django.db import connection, transaction

    from cases.models import Case

    with transaction.atomic():
        cases, entries = [], []
        for pk in range(1, count + 1):
            words = [w for w, every in SEARCHED.items() if pk % every == 0]
            title = " ".join(rng.sample(VOCABULARY, 8) + (words if rng.random() < 0.2 else []))
            headings = " ".join(rng.sample(VOCABULARY, 20) + (words if rng.random() < 0.3 else []))
            body = " ".join(rng.choices(VOCABULARY, k=rng.randint(150, 450)) + words * rng.randint(1, 5))
            cases.append(Case(
                pk=pk, slug=f"bench-{pk}", title=title[:300], body=body, status=Case.Status.PUBLISHED,
                published_on=datetime.date(2012, 1, 1) + datetime.timedelta(days=rng.randrange(13 * 365)),
                content_hash=f"{pk:064d}", source_file=f"bench/{pk}.txt",
            ))
            entries.append((pk, title, headings, body))
        Case.objects.bulk_create(cases, batch_size=2000)
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO cases_case_fts (rowid, title, headings, body) VALUES (%s, %s, %s, %s)", entries)


def correlated(parsed):
    """The search before the join: IN (matching rowids), and bm25 by a subquery per listed row."""
    from django.db.models import F, FloatField
    from django.db.models.expressions import RawSQL

    from cases.models import Case
    from cases.search.sqlite import FTS5_WEIGHTS

    score = RawSQL(
        "(SELECT -bm25(cases_case_fts, %s, %s, %s) FROM cases_case_fts"
        " WHERE cases_case_fts MATCH %s AND cases_case_fts.rowid = cases_case.id)",
        (*FTS5_WEIGHTS, parsed.fts5()), output_field=FloatField(),
    )
    matches = Case.objects.published().filter(
        pk__in=RawSQL("SELECT rowid FROM cases_case_fts WHERE cases_case_fts MATCH %s", (parsed.fts5(),)))
    return matches.annotate(rank=score).order_by("-rank", F("published_on").desc(nulls_last=True), "-pk")


def joined(parsed):
    """The search as the site runs it: a join on the FTS5 table, bm25 of the row the match found."""
    from cases.models import Case

    return Case.objects.published().search(parsed).by_relevance(parsed)


def timed(queryset, repeat: int) -> tuple[list[int], float, float]:
    times, page = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        page = list(queryset.values_list("pk", flat=True)[:20])
        times.append((time.perf_counter() - started) * 1000)
    return page, statistics.median(times), max(times)


def main() -> None:
    args = parse_args()
    scratch = None if args.database else tempfile.TemporaryDirectory()
    path = Path(args.database) if args.database else Path(scratch.name) / "search_rank.sqlite3"
    path.unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from cases import search
    from cases.models import Case

    settings.DEBUG = False  # no per-query log while measuring
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    populate(args.cases, random.Random(args.seed))
    print(f"SQLite {path}: {args.cases:,} cases written in {time.perf_counter() - started:.1f} s")
    print(f"first page (20 best) of a ranked search, median / worst of {args.repeat} runs:")
    for word in SEARCHED:
        parsed = search.parse(word)
        matches = search.matching(Case.objects.published(), parsed).count()
        before, before_median, before_worst = timed(correlated(parsed), args.repeat)
        after, after_median, after_worst = timed(joined(parsed), args.repeat)
        assert before == after, (word, before, after)  # the same cases in the same order
        print(f"  {matches:6,} matches   correlated subquery {before_median:8.1f} ms (worst {before_worst:8.1f})"
              f"   join {after_median:6.1f} ms (worst {after_worst:6.1f})")
    connection.close()
    if scratch is not None:
        scratch.cleanup()


if __name__ == "__main__":
    main()
