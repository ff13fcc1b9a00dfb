"""The one writer of pipeline output to the database.

Every report is written in its own transaction, so one bad report never loses
another. Loading is idempotent: the same bytes give the same case
(``content_hash``). A report's identity is its source (the path relative to the
folder given to ``ingest``, or the uploaded file's name) plus its content: a
changed file updates the case of the same source whose lead (opening) is the
same report's; a file of a known name whose lead differs is a new case.

What a curator corrected is never overwritten: a field listed in
``Case.curated_fields`` and a Mechanism or Metric marked ``curated`` are left as
they are, and moved to where their text now is in the new body; where the
pipeline now disagrees with a curated value, or a kept row's sentence is gone,
the case is flagged ``needs_review`` with both values in ``review_conflicts``.
The pipeline's own rows are updated in place, so history records only what
changed.

Writers never collide: on SQLite every transaction begins IMMEDIATE (see
``config/settings.py``); on PostgreSQL the loader's transactions take one
advisory lock. Either way a second writer waits and then sees what the first wrote.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_left, bisect_right
from collections import defaultdict, deque
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from difflib import SequenceMatcher
from functools import cache, lru_cache
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_update_with_history, get_change_reason_from_object

from ingest import clean, dedupe, sources
from ingest.pipeline import MAX_REPORT_BYTES, content_hash, process, process_for_pool
from ingest.report import Report, ReportRejected
from ingest.sources import REPORT_SUFFIXES  # noqa: F401  (the suffixes a run collects, read by tests)
from ingest.vocabulary import CJK

from . import search
from .models import (
    SENTENCE_END,
    Case,
    DuplicateBand,
    Indicator,
    Mechanism,
    MergedReport,
    Metric,
    Place,
    Practice,
    sentence_bounds,
)

log = logging.getLogger(__name__)

CREATED, UPDATED, UNCHANGED, FAILED = "created", "updated", "unchanged", "failed"
# Two bodies whose shingles are this similar (estimated Jaccard) are one report: a reprint with its
# own opening, dateline or closing line is still above it, two reports of one campaign are well below.
DUPLICATE_MIN_SIMILARITY = 0.7
DUPLICATE_MAX_CANDIDATES = 50  # the most recent cases sharing a band; a real archive has a handful
_CJK = re.compile(f"[{CJK}]")
LEAD_CHARACTERS = 200
# Two versions of one report open alike; another report of the same file name does not.
LEAD_MIN_RATIO = 0.8
# PostgreSQL advisory lock key every loader transaction takes ("case" in ASCII).
WRITER_LOCK = 0x63617365
GONE = "原句已不在正文中"


@dataclass
class LoadResult:
    source_name: str
    status: str
    reason: str = ""
    case: Case | None = None

    @property
    def ok(self) -> bool:
        return self.status != FAILED

    def line(self) -> str:
        """One line for a terminal or an upload page: status, file, and what happened."""
        detail = self.reason or (self.case.title if self.case else "")
        return f"{self.status:9} {self.source_name}" + (f"  {detail}" if detail else "")


def lead_text(body: str) -> str:
    """The first 200 Chinese characters of a body: what tells one report from another."""
    lead: list[str] = []
    for match in _CJK.finditer(body):
        lead.append(match.group())
        if len(lead) == LEAD_CHARACTERS:
            break
    return "".join(lead)


def same_report(lead: str, other_lead: str) -> bool:
    """Whether two leads open the same report (one may be a corrected version of the other)."""
    if lead == other_lead:
        return True
    return bool(lead and other_lead) and SequenceMatcher(None, lead, other_lead, autojunk=False).ratio() >= LEAD_MIN_RATIO


def _lookup(sql: str, params: Sequence) -> list[tuple]:
    """The rows of one of the loader's lookups, asked once a report or once a file.

    Written as SQL: compiling the ORM's query costs 10–20 times running it (a few hundred µs
    against tens), which at seventy rows a report was most of the writer's time.
    """
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def case_of_source(source: str, body: str, same_source: Sequence[tuple[int, str]] | None = None) -> Case | None:
    """The case this report is a version of: the same source and the same report (its lead).

    ``same_source``: the (id, body) of the cases of this source by id, if the caller has them (``identify``)."""
    if same_source is None:
        same_source = _lookup(f"SELECT id, body FROM {Case._meta.db_table} WHERE source_file = %s ORDER BY id", [source])
    lead = None  # a new source (nearly every report of a run) has no case to tell it from
    for pk, other_body in same_source:
        lead = lead_text(body) if lead is None else lead
        if same_report(lead, lead_text(other_body)):
            return Case.objects.select_for_update().get(pk=pk)
    return None


def known_case(digest: str) -> Case | None:
    """The case these bytes already are: loaded before, or merged into another case as its duplicate."""
    # Asked for every file of a run and nearly always "none": one small query for the id (both
    # columns are unique-indexed), and the case itself only when there is one.
    row = _lookup(
        f"SELECT id FROM {Case._meta.db_table} WHERE content_hash = %s UNION ALL "
        f"SELECT case_id FROM {MergedReport._meta.db_table} WHERE content_hash = %s LIMIT 1",
        [digest, digest],
    )
    return Case.objects.filter(pk=row[0][0]).first() if row else None


class Identity(NamedTuple):
    """What the database holds of a report about to be written (``identify``)."""

    known: int | None  # the case these bytes already are (``known_case``)
    same_source: list[tuple[int, str]]  # the cases of its source, (id, body) by id (``case_of_source``)
    slug_taken: bool  # whether the slug its source gives is a case's already (``unique_slug``)


def identify(digest: str, source: str, slug: str) -> Identity:
    """A report's three lookups in one statement: every report asks them and nearly every answer is
    "none", so one statement's cost (not three) is most of what they take."""
    case, merged = Case._meta.db_table, MergedReport._meta.db_table
    rows = _lookup(
        f"SELECT 0, id, body FROM {case} WHERE source_file = %s "
        f"UNION ALL SELECT 1, id, NULL FROM {case} WHERE content_hash = %s "
        f"UNION ALL SELECT 2, case_id, NULL FROM {merged} WHERE content_hash = %s "
        f"UNION ALL SELECT 3, id, NULL FROM {case} WHERE slug = %s ORDER BY 1, 2",
        [source, digest, digest, slug],
    )
    known = next((pk for what, pk, _body in rows if what in (1, 2)), None)
    return Identity(known, [(pk, body) for what, pk, body in rows if what == 0], any(what == 3 for what, *_ in rows))


def current_taxonomy() -> list[tuple[str, list[str]]]:
    """The practice taxonomy as staff have edited it in the admin."""
    return [(name, list(synonyms or [])) for name, synonyms in Practice.objects.values_list("name", "synonyms")]


class References:
    """The curated tables a run's reports are written against, read once a run, as the practice taxonomy
    the pipeline is given is (``ingest_paths``): the practices (the taxonomy, and their ids by name), the
    indicator assigner, and each place a report names, looked up the first time a report of the run names it.

    Read once a report, they were a quarter of the writer's statements. A curator's edit counts from the
    next run; a report loaded on its own (``ingest_bytes``, ``save_report``: an upload's) reads them afresh.
    A row deleted during a run fails the write of a report that names it; ``save_report`` then reads
    them again (``read``) and writes the report once more.
    """

    def __init__(self) -> None:
        self.read()

    def read(self) -> None:
        """Read the tables as they are now."""
        practices = list(Practice.objects.values_list("id", "name", "synonyms"))
        self.taxonomy = [(name, list(synonyms or [])) for _pk, name, synonyms in practices]
        self.practice_ids = {name: pk for pk, name, _synonyms in practices}
        # a run's figures share many subjects: the assigner's answer to each pair is kept for the run
        self.indicator_id = lru_cache(maxsize=8192)(Indicator.objects.id_assigner())
        self._places: dict[str, tuple | None] = {}

    def place(self, code: str) -> Place | None:
        """The place of this code with its parents (saving a case fills in its province and city from them)."""
        if code not in self._places:
            rows = _lookup(_place_lookup(connection.vendor)[1], [code])
            self._places[code] = rows[0] if rows else None
        row = self._places[code]
        if row is None:
            return None
        names = _place_lookup(connection.vendor)[0]
        width = len(names)
        # new rows each time: a case's place is its own, whatever another case of the run does with its own
        chain = [Place.from_db(connection.alias, names, row[n * width : (n + 1) * width]) for n in range(3)]
        for child, parent in zip(chain, chain[1:], strict=False):
            if child.parent_id is None:
                break
            child.parent = parent
        return chain[0]


# ---------------------------------------------------------------- entry points


def ingest_bytes(
    name: str, raw: bytes, *, publish: bool = False, references: References | None = None
) -> LoadResult:
    """Run the pipeline on one report's bytes and write it; never raises for a bad report.

    ``references``: the run's (``ingest_paths``); a report loaded on its own reads them afresh."""
    digest = content_hash(raw)
    existing = known_case(digest)
    if existing is not None:
        return LoadResult(name, UNCHANGED, "", existing)
    references = references if references is not None else References()
    try:
        report = process(raw, name, taxonomy=references.taxonomy)
    except ReportRejected as rejected:
        return LoadResult(name, FAILED, str(rejected))
    except Exception as error:  # a pipeline bug must not stop the other reports of the run
        log.exception("pipeline failed on %s", name)
        return LoadResult(name, FAILED, f"处理出错（{type(error).__name__}: {error}）")
    return save_report(report, digest, publish=publish, source=name, references=references)


def ingest_paths(
    paths: Iterable[str | Path], *, publish: bool = False, jobs: int = 1
) -> Iterator[LoadResult]:
    """Ingest files and folders (recursively); one result per report, failures included."""
    files, failures = collect_files(paths)
    yield from failures
    references = References()
    if jobs > 1 and len(files) > 1:
        yield from _ingest_parallel(files, publish=publish, jobs=jobs, references=references)
        return
    for path, name in files:
        raw, failure = read_report(path, name)
        yield failure or ingest_bytes(name, raw, publish=publish, references=references)


def count_reports(paths: Iterable[str | Path]) -> int:
    files, failures = collect_files(paths)
    return len(files) + len(failures)


# ---------------------------------------------------------------- files


class SourceFile(NamedTuple):
    """A report file and its source name: its path relative to the folder given (a file given alone: its name)."""

    path: Path
    name: str


def display_name(path: Path) -> str:
    return path.name


def collect_files(paths: Iterable[str | Path]) -> tuple[list[SourceFile], list[LoadResult]]:
    """Report files under the given paths with their source names, and a failure for each path that
    cannot be read (sources.py says which files are reports and why a path is not)."""
    files: list[SourceFile] = []
    failures: list[LoadResult] = []
    for given in paths:
        path = Path(given)
        found, problems = sources.collect_files([path])
        failures.extend(LoadResult(where, FAILED, reason) for where, reason in problems)
        if path.is_dir():
            files.extend(SourceFile(f, f.relative_to(path).as_posix()) for f in found)
        else:
            files.extend(SourceFile(f, display_name(f)) for f in found)
    return files, failures


def read_report(path: Path, name: str | None = None) -> tuple[bytes, LoadResult | None]:
    """A regular file's bytes, at most the size limit; or a failure saying why not (see sources.py)."""
    try:
        return sources.read_report(path, limit=MAX_REPORT_BYTES), None
    except sources.SourceError as error:
        return b"", LoadResult(name or display_name(path), FAILED, str(error))


# Reports processed ahead of the writer, per worker: enough that no worker waits for the writer to
# take a result, few enough that the writing process never holds more than a handful of reports
# (each with its text, tokens and extraction: a few hundred KB).
REPORTS_AHEAD_PER_WORKER = 2


def _ingest_parallel(files: list[SourceFile], *, publish: bool, jobs: int, references: References) -> Iterator[LoadResult]:
    """Decode-to-extract in ``jobs`` worker processes; this process alone writes to the database.

    Unchanged and unreadable files are settled here, so workers only see new work. Workers are
    spawned, not forked: they import only the Django-free pipeline and never share this process's
    database connection. At most ``jobs × REPORTS_AHEAD_PER_WORKER`` files are handed out and not
    yet written (``ahead_of_writer``), so the writer's memory does not grow with the archive when
    the workers outpace it; results come in the order of the files.
    """
    import multiprocessing

    def start(source: SourceFile):
        """A result for a file settled here, or the worker's job processing it."""
        raw, failure = read_report(source.path, source.name)
        if failure:
            return failure
        existing = known_case(content_hash(raw))
        if existing is not None:
            return LoadResult(source.name, UNCHANGED, "", existing)
        # the worker reads the file itself: the bytes are not sent
        return pool.apply_async(process_for_pool, ((str(source.path), references.taxonomy),))

    with multiprocessing.get_context("spawn").Pool(processes=jobs) as pool:
        for source, started in ahead_of_writer(files, start, jobs * REPORTS_AHEAD_PER_WORKER):
            if isinstance(started, LoadResult):
                yield started
                continue
            _file, digest, report, reason = started.get()
            yield (save_report(report, digest, publish=publish, source=source.name, references=references) if report
                   else LoadResult(source.name, FAILED, reason))


def ahead_of_writer(items: Iterable, start, limit: int) -> Iterator[tuple]:
    """Each item with what ``start(item)`` returned, in order; an item is started only when fewer
    than ``limit`` started ones wait to be taken, so at most ``limit`` are in flight at any time."""
    waiting: deque[tuple] = deque()
    for item in items:
        if len(waiting) >= limit:
            yield waiting.popleft()
        waiting.append((item, start(item)))
    while waiting:
        yield waiting.popleft()


# ---------------------------------------------------------------- writing


def save_report(report: Report, digest: str, *, publish: bool = False, source: str | None = None,
                references: References | None = None) -> LoadResult:
    """Write one processed report in one transaction: create its case or update the case it is a version of.

    ``source`` is where the report came from (see ``case_of_source``); the report's own name by default.
    ``publish`` publishes a new case, never a non-case: that one stays a draft and the result says so.
    ``references``: the run's curated tables (``References``); read here, afresh, if not given."""
    source = (source or report.source_name)[:255]
    try:
        try:
            return _write_report(report, digest, source, publish=publish, references=references)
        except IntegrityError as error:
            if references is None:
                raise
            # a row of the run's curated tables this report names was deleted meanwhile (its foreign key
            # failed): once more, with the tables read as they are now, which the rest of the run then uses
            log.warning("writing %s again with the curated tables read afresh (%s)", source, error)
            references.read()
            return _write_report(report, digest, source, publish=publish, references=references)
    except Exception as error:
        log.exception("could not save %s", source)
        return LoadResult(source, FAILED, f"写入数据库出错（{type(error).__name__}: {error}）")


def _write_report(report: Report, digest: str, source: str, *, publish: bool, references: References | None) -> LoadResult:
    withheld = False
    with transaction.atomic():
        serialise_writers()
        references = references if references is not None else References()
        slug = base_slug(source)
        known, same_source, slug_taken = identify(digest, source, slug)
        existing = Case.objects.filter(pk=known).first() if known is not None else None
        if existing is not None:  # another writer loaded these bytes while this one processed them
            return LoadResult(source, UNCHANGED, "", existing)
        case = case_of_source(source, report.body, same_source)
        created = case is None
        old_body = "" if created else case.body
        if created:
            case = Case(source_file=source, slug=unique_slug(source) if slug_taken else slug)
        conflicts = apply_fields(case, report, references)
        if created:
            # a non-case (paper, commentary, speech, how-to) stays a draft: publishing it is a curator's call
            withheld = publish and case.kind == Case.Kind.NON_CASE
            case.status = Case.Status.PUBLISHED if publish and not withheld else Case.Status.DRAFT
        case.content_hash = digest
        # the pipeline made the signature and the index tokens of its body; a curator's body is made here
        as_processed = case.body == report.body
        signature = report.signature if as_processed and report.signature is not None else dedupe.signature(case.body)
        case.minhash = dedupe.to_bytes(signature)
        keys = dedupe.band_keys(signature)
        if created:
            case.duplicate_of = find_duplicate(case, signature, keys)
        save_case(case, created)
        save_bands(case, signature, created, keys)
        conflicts.update(apply_practices(case, report, created, references))
        made, structure_conflicts = sync_structure(case, report, old_body, created, references)
        conflicts.update(structure_conflicts)
        if conflicts:
            case.needs_review = True
            case.review_conflicts = {**case.review_conflicts, **conflicts}
            Case.objects.filter(pk=case.pk).update(needs_review=True, review_conflicts=case.review_conflicts)
        # a new case's headings are the mechanisms just written, in their order
        search.index_case(case, body_tokens=report.index_tokens if as_processed else None,
                          headings=[m.heading for m in sorted(made.values(), key=lambda m: m.order)]
                          if created else None, made=report.field_index_tokens)
    note = "与人工修订不一致，已标记待复核：" + "、".join(sorted(conflicts)) if conflicts else ""
    if case.duplicate_of_id and created:
        note = (note + "；" if note else "") + f"疑似与“{case.duplicate_of.title}”重复"
    if withheld:
        note = (note + "；" if note else "") + "非案例，未发布（保留为草稿）"
    return LoadResult(source, CREATED if created else UPDATED, note, case)


def serialise_writers() -> None:
    """Let one loader transaction write at a time, so a second writer sees what the first wrote.

    SQLite needs nothing here: its transactions begin IMMEDIATE, which takes the database's write lock.
    On PostgreSQL two writers would otherwise both find no case for a new report and both insert it.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [WRITER_LOCK])


def base_slug(source_name: str) -> str:
    """The slug a source's case has unless another case has it already (then ``unique_slug`` numbers it)."""
    return slugify(Path(source_name).stem, allow_unicode=True)[:80] or "case"


def unique_slug(source_name: str) -> str:
    base = base_slug(source_name)
    slug, n = base, 2
    while _lookup(f"SELECT 1 FROM {Case._meta.db_table} WHERE slug = %s", [slug]):
        slug, n = f"{base}-{n}", n + 1
    return slug


def resolve_place(report: Report, references: References) -> Place | None:
    """The report's place with its parents (saving the case fills in its province and city from them)."""
    code = report.extraction.place_code
    return references.place(code) if code else None


@cache
def _place_lookup(vendor: str) -> tuple[list[str], str]:
    """A place's columns and the query for it with its parent and grandparent: a division has at most
    two levels above it (province, city, district), so one lookup gives all three."""
    names = [f.attname for f in Place._meta.concrete_fields]
    table = Place._meta.db_table
    columns = ", ".join(f"{alias}.{connection.ops.quote_name(name)}" for alias in "pab" for name in names)
    return names, (f"SELECT {columns} FROM {table} p LEFT JOIN {table} a ON a.id = p.parent_id "
                   f"LEFT JOIN {table} b ON b.id = a.parent_id WHERE p.code = %s")


def apply_fields(case: Case, report: Report, references: References) -> dict[str, dict]:
    """Set every pipeline field on the case, except those a curator changed; return the conflicts."""
    ex = report.extraction
    extracted = {
        "title": (ex.title or "")[:300] or clean.without_controls(report.source_name)[:300],
        "place": resolve_place(report, references),
        "published_on": ex.published_on,
        "source": (ex.source or "")[:200],
        "author_org": (ex.author_org or "")[:200],
        "summary": ex.summary or "",
        "body": report.body,
        "keywords": list(ex.keywords),
        "kind": ex.kind if ex.kind in Case.Kind.values else Case.Kind.CASE,
    }
    conflicts: dict[str, dict] = {}
    for field, new in extracted.items():
        if field in case.curated_fields:
            old = getattr(case, field)
            if old != new:
                # the extracted value itself too, so that a curator can take it with one click
                conflicts[field] = {"curated": _shown(old), "extracted": _shown(new), "value": _stored(new)}
            continue
        setattr(case, field, new)
    # Provenance is the pipeline's own and never curated.
    case.captions = list(report.layout.captions)
    case.original_text = report.original_text
    case.script = report.script if report.script in Case.Script.values else Case.Script.UNKNOWN
    case.encoding = report.encoding
    case.repairs = [c.as_dict() for c in report.changes] + [
        {"stage": "decode", "kind": flag, "count": 1, "examples": []} for flag in report.flags
    ]
    return conflicts


def _stored(value):
    """An extracted value as JSON keeps it: a place by its code, a date in ISO form."""
    if isinstance(value, Place):
        return value.code
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "、".join(map(str, value))
    text = str(value)
    return text if len(text) <= 200 else text[:200] + "…"


def apply_practices(case: Case, report: Report, created: bool, references: References) -> dict[str, dict]:
    names = list(report.extraction.practices)
    if created:  # a new case has none to compare with
        add_practices(case, {references.practice_ids[name] for name in names if name in references.practice_ids})
        return {}
    wanted = list(Practice.objects.filter(name__in=names)) if names else []
    if "practices" in case.curated_fields:
        current = sorted(case.practices.values_list("name", flat=True))
        if current != sorted(p.name for p in wanted):
            return {"practices": {"curated": _shown(current), "extracted": _shown(sorted(names))}}
        return {}
    case.practices.set(wanted)
    return {}


# ---------------------------------------------------------------- mechanisms and figures


_SENTENCE_CUT = re.compile(f"[{re.escape(SENTENCE_END)}]")


def _sentences(body: str) -> tuple[list[int], list[str]]:
    """The body cut after each sentence end (the cut ``sentence_bounds`` makes): starts and pieces."""
    starts, pieces, left = [], [], 0
    for match in _SENTENCE_CUT.finditer(body):
        starts.append(left)
        pieces.append(body[left : match.end()])
        left = match.end()
    if left < len(body):
        starts.append(left)
        pieces.append(body[left:])
    return starts, pieces


class BodyMap:
    """Where the text of an old body is in the new one.

    The two bodies' sentences are aligned (difflib over whole sentences, so the work grows with
    the number of sentences, not characters squared); an offset inside an unchanged sentence has
    an exact new offset, one inside a changed sentence an approximate one.
    """

    def __init__(self, old: str, new: str):
        self.old, self.new = old, new
        self.old_starts, old_pieces = _sentences(old)
        self.new_starts, new_pieces = _sentences(new)
        opcodes = _sentence_opcodes(old_pieces, new_pieces)
        # blocks that cover old sentences (an insertion covers none), by their first old sentence
        self.blocks = [op for op in opcodes if op[2] > op[1]]
        self.block_starts = [op[1] for op in self.blocks]

    def _new_start(self, j: int) -> int:
        return self.new_starts[j] if j < len(self.new_starts) else len(self.new)

    def _locate(self, offset: int):
        i = max(0, bisect_right(self.old_starts, offset) - 1)
        return i, self.blocks[max(0, bisect_right(self.block_starts, i) - 1)]

    def exact(self, offset: int) -> int | None:
        """The new offset of an old one inside an unchanged sentence; None inside a changed one."""
        if not self.blocks:
            return None
        i, (tag, i1, _i2, j1, _j2) = self._locate(offset)
        if tag != "equal":
            return None
        return self._new_start(j1 + i - i1) + offset - self.old_starts[i]

    def region(self, offset: int) -> tuple[int, int]:
        """The span of the new body that stands where the old sentence at ``offset`` stood."""
        if not self.blocks:
            return 0, len(self.new)
        i, (tag, i1, _i2, j1, j2) = self._locate(offset)
        if tag == "equal":
            j = j1 + i - i1
            return self._new_start(j), self._new_start(j + 1)
        return self._new_start(j1), self._new_start(j2)

    def approximate(self, offset: int) -> int:
        exact = self.exact(offset)
        if exact is not None:
            return exact
        if not self.blocks:
            return min(offset, len(self.new))
        lo, hi = self.region(offset)
        i, (_tag, i1, *_rest) = self._locate(offset)
        return min(lo + offset - self.old_starts[i1], hi)

    def find(self, start: int, end: int, text: str) -> tuple[int, int] | None:
        """The new span of ``text``, which stood at [start, end) of the old body; None if its sentence is gone.

        Found where its sentence now is (the sentence may have moved), else within the text that
        replaced its sentence (a sentence edited around the figure).
        """
        if not text:
            return None
        if self.old[start:end] == text:
            at = self.exact(start)
            if at is not None:
                return at, at + len(text)
            left, right = sentence_bounds(self.old, start, end)
            sentence_at = _nearest(self.new, self.old[left:right], self.approximate(left))
            if sentence_at is not None:
                return sentence_at + start - left, sentence_at + start - left + len(text)
        lo, hi = self.region(start)
        at = _nearest(self.new[lo:hi], text, self.approximate(start) - lo)
        return (lo + at, lo + at + len(text)) if at is not None else None


def _sentence_opcodes(old: list[str], new: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes for two lists of sentences, the common head and tail taken off first.

    A new version of a report mostly differs in a few places, so the head and tail (found in linear
    time) are most of it; difflib, whose worst case is quadratic, sees only the middle, and there it
    may ignore sentences that recur very often (a repeated line anchors nothing).
    """
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    opcodes = [("equal", 0, head, 0, head)] if head else []
    middle = SequenceMatcher(None, old[head : len(old) - tail], new[head : len(new) - tail])
    opcodes += [(tag, i1 + head, i2 + head, j1 + head, j2 + head) for tag, i1, i2, j1, j2 in middle.get_opcodes()
                if (i1, i2, j1, j2) != (0, 0, 0, 0)]
    if tail:
        opcodes.append(("equal", len(old) - tail, len(old), len(new) - tail, len(new)))
    return opcodes


def _nearest(haystack: str, needle: str, near: int) -> int | None:
    """The occurrence of ``needle`` in ``haystack`` nearest to ``near``."""
    best, at = None, haystack.find(needle)
    while at != -1:
        if best is None or abs(at - near) < abs(best - near):
            best = at
        elif at > near:
            break  # occurrences only get farther from here
        at = haystack.find(needle, at + 1)
    return best


def _overlaps(start, end, other_start, other_end) -> bool:
    return start is not None and other_start is not None and start < other_end and other_start < end


def _assign(row, values: dict) -> bool:
    """Set the values on the row; whether any differed (only then is the row written, with its history).

    A relation is given by its row (``mechanism``) or by its id (``indicator_id``)."""
    changed = False
    for name, value in values.items():
        field = row._meta.get_field(name)
        current = getattr(row, field.attname)
        new = value.pk if name != field.attname and field.is_relation and value is not None else value
        if current != new:
            setattr(row, name, value)
            changed = True
    return changed


def sync_structure(
    case: Case, report: Report, old_body: str, created: bool, references: References
) -> tuple[dict[int, Mechanism], dict[str, dict]]:
    """Bring the case's mechanisms and figures in line with the report; return its mechanisms and the conflicts.

    Kept rows (curated ones, or a whole list the curator took over) follow their text into the new
    body; the pipeline's own rows are matched to the new extraction and updated in place.
    """
    if "body" in case.curated_fields and case.body != report.body:
        # The new spans point into a body the curator has replaced: leave the structure for review.
        return {}, {}
    body_map = None if created or old_body == case.body else BodyMap(old_body, case.body)
    made, conflicts = sync_mechanisms(case, report, body_map, created)
    conflicts.update(sync_metrics(case, report, made, body_map, created, references))
    return made, conflicts


@cache
def _row_fields(model) -> tuple[tuple[str, str, bool, object], ...]:
    """Per concrete field of ``model``: its name, attname, whether it is a relation, and the field."""
    return tuple((f.name, f.attname, f.is_relation, f) for f in model._meta.concrete_fields)


def new_row(model, case: Case, values: dict):
    """An unsaved row of ``model`` belonging to ``case``, with ``values`` (field name → value, a relation
    given by its row or by its id, as ``_assign`` takes them) and the other fields' defaults.

    Made positionally, as the ORM makes a row it reads: given by keyword, each relation is set through
    its descriptor, which made a figure's row cost three times as much. The row holds its relations'
    ids; nothing here reads a new row's related rows.
    """
    by_attname = {"case_id": case.pk}
    for name, attname, is_relation, _field in _row_fields(model):
        if name in values:
            value = values[name]
            by_attname[attname] = value.pk if is_relation and value is not None else value
        elif attname in values:
            by_attname[attname] = values[attname]
    return model(*[by_attname[attname] if attname in by_attname else field.get_default()
                   for _name, attname, _is_relation, field in _row_fields(model)])


def _mapped_start(row, body_map: BodyMap | None) -> int | None:
    if row.start is None or body_map is None:
        return row.start
    return body_map.approximate(row.start)


MECHANISM_FIELDS = ["parent", "order", "heading", "slogan", "body", "start", "end"]


def sync_mechanisms(
    case: Case, report: Report, body_map: BodyMap | None, created: bool = False
) -> tuple[dict[int, Mechanism], dict[str, dict]]:
    """Mechanisms for the report's: index in extraction → Mechanism, and the conflicts."""
    extracted = report.extraction.mechanisms
    rows = [] if created else list(case.mechanisms.all())
    whole_list_kept = "mechanisms" in case.curated_fields
    kept = [m for m in rows if m.curated or whole_list_kept]
    free = [m for m in rows if not (m.curated or whole_list_kept)]
    changed: list[Mechanism] = []
    lost: set[int] = set()  # kept mechanisms whose heading's sentence is gone from the new body
    for mechanism in kept:
        if body_map is None or mechanism.start is None:
            continue
        span = body_map.find(mechanism.start, mechanism.end, body_map.old[mechanism.start : mechanism.end])
        if span is None:
            lost.add(mechanism.pk)
        elif span != (mechanism.start, mechanism.end):
            mechanism.start, mechanism.end = span
            changed.append(mechanism)

    made: dict[int, Mechanism] = {}
    claimed: set[int] = set()
    for index, data in enumerate(extracted):
        has_span = data.end > data.start
        match = next(
            (
                m for m in kept
                if m.pk not in claimed
                and (_overlaps(m.start, m.end, data.start, data.end)
                     if has_span and m.start is not None and m.pk not in lost else m.heading == data.heading)
            ),
            None,
        )
        if match is not None:
            made[index] = match
            claimed.add(match.pk)
            if match.pk in lost and has_span:  # its heading stands elsewhere now: it follows it
                lost.discard(match.pk)
                match.start, match.end = data.start, data.end
                changed.append(match)
    conflicts = {
        f"机制「{m.heading[:40]}」": {"curated": m.heading, "extracted": GONE} for m in kept if m.pk in lost
    }

    # The pipeline's own rows, by heading (nearest first), answer the extraction's; the rest are new.
    by_heading: dict[str, list[Mechanism]] = defaultdict(list)
    for mechanism in free:
        by_heading[mechanism.heading].append(mechanism)
    used: set[int] = set()
    if not whole_list_kept:
        for level_is_top in (True, False):  # parents first, so each child's parent has its id
            new_rows: list[Mechanism] = []
            for index, data in enumerate(extracted):
                if index in made or (data.parent is None) != level_is_top:
                    continue
                has_span = data.end > data.start
                values = {
                    "parent": made.get(data.parent) if data.parent is not None else None,
                    "order": index, "heading": data.heading[:300], "slogan": (data.slogan or "")[:100],
                    "body": report.body[data.end : data.body_end].strip() if data.body_end > data.end else "",
                    "start": data.start if has_span else None, "end": data.end if has_span else None,
                }
                candidates = [m for m in by_heading.get(values["heading"], ()) if m.pk not in used]
                row = min(
                    candidates, key=lambda m: abs((_mapped_start(m, body_map) or 0) - data.start), default=None
                )
                if row is None:
                    row = new_row(Mechanism, case, values)
                    new_rows.append(row)
                else:
                    used.add(row.pk)
                    if _assign(row, values):
                        changed.append(row)
                made[index] = row
            create_with_history(new_rows)
    gone = {m.pk for m in free if m.pk not in used}
    for mechanism in kept:  # a kept child of a removed parent stays, at the top level
        if mechanism.parent_id in gone:
            mechanism.parent = None
            changed.append(mechanism)
    if changed:
        bulk_update_with_history(list({id(m): m for m in changed}.values()), Mechanism, MECHANISM_FIELDS)
    if gone:
        Mechanism.objects.filter(pk__in=gone).delete()
    return made, conflicts


METRIC_FIELDS = ["mechanism", "subject", "indicator", "value", "unit", "qualifier", "magnitude", "text", "start", "end",
                 "order"]


def _figure_key(text, value, unit, qualifier) -> tuple:
    return text, value.normalize(), unit, qualifier


def sync_metrics(
    case: Case, report: Report, made: dict[int, Mechanism], body_map: BodyMap | None, created: bool,
    references: References,
) -> dict[str, dict]:
    """Figures for the pipeline's; a kept figure stays where its text now is, and a new value at its place is a conflict."""
    extracted = report.extraction.metrics
    indicator_id = references.indicator_id
    rows = [] if created else list(case.metrics.all())
    whole_list_kept = "metrics" in case.curated_fields
    kept = [m for m in rows if m.curated or whole_list_kept]
    free = [m for m in rows if not (m.curated or whole_list_kept)]
    conflicts: dict[str, dict] = {}
    changed: list[Metric] = []
    lost: list[Metric] = []  # kept figures whose sentence is gone from the new body
    for metric in kept:
        if body_map is None:
            continue
        span = body_map.find(metric.start, metric.end, metric.text)
        if span is None:
            lost.append(metric)
        elif span != (metric.start, metric.end):
            metric.start, metric.end = span
            changed.append(metric)
    lost_regions = {m.pk: body_map.region(m.start) for m in lost} if body_map else {}
    placed = sorted((m for m in kept if m not in lost), key=lambda m: m.start)
    placed_starts = [m.start for m in placed]

    # The pipeline's own figures in the order they now stand, per figure, to pair with the new extraction.
    queues: dict[tuple, deque[Metric]] = defaultdict(deque)
    for metric in sorted(free, key=lambda m: _mapped_start(m, body_map)):
        queues[_figure_key(metric.text, metric.value, metric.unit, metric.qualifier)].append(metric)
    unpaired: list[tuple[int, object, dict]] = []
    new_rows: list[Metric] = []
    used: set[int] = set()
    for order, data in enumerate(extracted):
        holder = _overlapping(placed, placed_starts, data.start, data.end)
        if holder is not None:
            if holder.curated and (holder.value, holder.unit, holder.qualifier) != (data.value, data.unit, data.qualifier):
                conflicts[f"指标@{data.start}"] = {
                    "curated": holder.display_value,
                    "extracted": f"{data.qualifier}{data.value.normalize():f}{data.unit}",
                }
            continue
        if whole_list_kept:
            continue
        values = {
            "mechanism": made.get(data.mechanism) if data.mechanism is not None else None,
            "subject": (data.subject or "")[:100], "indicator_id": indicator_id(data.subject, data.unit),
            "value": data.value, "unit": (data.unit or "")[:20],
            "qualifier": (data.qualifier or "")[:10], "magnitude": data.magnitude, "text": data.text[:200],
            "start": data.start,
            "end": data.end, "order": order,
        }
        queue = queues.get(_figure_key(values["text"], data.value, values["unit"], values["qualifier"])) if queues else None
        if queue:
            row = queue.popleft()
            used.add(row.pk)
            if _assign(row, values):
                changed.append(row)
        else:
            unpaired.append((order, data, values))
    # A kept figure whose sentence was rewritten stands for the new figure nearest its old place there.
    for metric in list(lost):
        lo, hi = lost_regions[metric.pk]
        near = body_map.approximate(metric.start)
        candidates = [item for item in unpaired if lo <= item[1].start < hi]
        if not candidates:
            continue
        item = min(candidates, key=lambda candidate: abs(candidate[1].start - near))
        unpaired.remove(item)
        lost.remove(metric)
        data = item[1]
        metric.start, metric.end = data.start, data.end
        changed.append(metric)
        conflicts[f"指标@{data.start}"] = {
            "curated": metric.display_value,
            "extracted": f"{data.qualifier}{data.value.normalize():f}{data.unit}",
        }
    # A figure changed at source (59个 → 61个) updates the row that stood in its place.
    leftover = sorted((m for m in free if m.pk not in used), key=lambda m: _mapped_start(m, body_map))
    leftover_starts = [_mapped_start(m, body_map) for m in leftover]
    for _order, data, values in unpaired:
        row = _overlapping(leftover, leftover_starts, data.start, data.end, taken=used)
        if row is None:
            new_rows.append(new_row(Metric, case, values))
            continue
        used.add(row.pk)
        if _assign(row, values):
            changed.append(row)
    for metric in lost:  # nothing stands in its place: the curator decides, shown where its sentence was
        conflicts[f"指标@{metric.start}"] = {"curated": f"{metric.display_value}({metric.text})", "extracted": GONE}
        lo, hi = lost_regions[metric.pk]
        length = metric.end - metric.start
        if hi - lo >= length:
            metric.start = max(lo, min(body_map.approximate(metric.start), hi - length))
            metric.end = metric.start + length
            changed.append(metric)
    if changed:
        bulk_update_with_history(list({id(m): m for m in changed}.values()), Metric, METRIC_FIELDS)
    create_with_history(new_rows)
    gone = [m.pk for m in free if m.pk not in used]
    if gone:
        Metric.objects.filter(pk__in=gone).delete()
    return conflicts


def _overlapping(rows, starts, start, end, taken=frozenset()):
    """A row among ``rows`` (sorted by ``starts``) whose span overlaps [start, end); spans are short and few overlap."""
    at = bisect_left(starts, end) - 1
    for index in range(at, max(-1, at - 8), -1):
        row = rows[index]
        if row.pk in taken:
            continue
        row_start = starts[index]
        if row_start is not None and row_start < end and start < row_start + (row.end - row.start):
            return row
    return None


def find_duplicate(case: Case, signature, keys: list[str]) -> Case | None:
    """An existing case whose body is nearly this one: the same report from another outlet.

    Candidates are the cases sharing at least MIN_SHARED_BANDS LSH bands of the body's MinHash
    signature (ingest.dedupe; ``keys``, its band keys), found by an indexed lookup however a reprint's
    opening differs, most shared first; the most similar candidate above DUPLICATE_MIN_SIMILARITY is
    the duplicate.
    """
    shared = _lookup(
        f"SELECT case_id FROM {DuplicateBand._meta.db_table} WHERE \"key\" IN ({', '.join(['%s'] * len(keys))})"
        + (" AND case_id <> %s" if case.pk is not None else "")
        + " GROUP BY case_id HAVING COUNT(*) >= %s ORDER BY COUNT(*) DESC, case_id DESC LIMIT %s",
        [*keys, *([case.pk] if case.pk is not None else []), dedupe.MIN_SHARED_BANDS, DUPLICATE_MAX_CANDIDATES],
    )
    if not shared:
        return None
    candidates = _lookup(
        f"SELECT id, minhash FROM {Case._meta.db_table} WHERE id IN ({', '.join(['%s'] * len(shared))})"
        " AND source_file <> %s ORDER BY id DESC",
        [*(pk for (pk,) in shared), case.source_file],
    )
    best, best_similarity = None, DUPLICATE_MIN_SIMILARITY
    for pk, minhash in candidates:
        similarity = dedupe.similarity_to_stored(signature, bytes(minhash)) if minhash else 0.0
        if similarity >= best_similarity:
            best, best_similarity = pk, similarity
    return Case.objects.only("pk", "title", "minhash").get(pk=best) if best is not None else None


def save_bands(case: Case, signature, created: bool, keys: list[str] | None = None) -> None:
    """The case's LSH bands (``keys``, if the caller has them), replacing those of its previous body."""
    if not created:
        DuplicateBand.objects.filter(case=case).delete()
    keys = dedupe.band_keys(signature) if keys is None else keys
    insert_values(DuplicateBand, ({"case_id": case.pk, "key": key} for key in keys))


# ---------------------------------------------------------------- new rows in few statements
#
# A report is one case row and some seventy small rows (bands, mechanisms, figures, their history,
# practices). Django's bulk_create compiles every value of every row into one statement each time;
# these write the same rows with a statement made once per model and the values prepared by each
# field (``get_db_prep_save``, as the ORM does): the loader's own cost comes close to SQLite's.


class _Insert(NamedTuple):
    """An INSERT of one model's rows: its fields, the statement's head and one row's placeholders, and how
    each field's values are prepared (``_preparation``)."""

    fields: list
    head: str
    row: str
    attnames: tuple[str, ...]
    kept_types: tuple[frozenset, ...]  # per field, the value types it writes as they are
    prepare: tuple  # per field, its ``get_db_prep_save``


# One value of each type a loaded row mostly holds (text, integers, figures, flags, no value), to find
# out once per field whether the field writes it as it is.
_PROBES = ("x", 1, Decimal("1.5"), True, None)


def _kept_types(field, db) -> frozenset:
    """The types whose values ``field.get_db_prep_save`` hands back unchanged on this connection.

    Asked once per field and database, so that a row's values are not each sent through the field's
    preparation (five calls a value, a third of the writer's Python): a text column keeps a str, and on
    SQLite an integer column an int and a decimal column a Decimal, while PostgreSQL's driver is given
    typed integers, a JSON or date column always converts, and a BooleanField turns 1 into True. Only
    Django's own fields are trusted this far: their preparation depends on a value's type, not on the value.
    """
    if not type(field).__module__.startswith("django."):
        return frozenset()
    kept = set()
    for probe in _PROBES:
        try:
            if field.get_db_prep_save(probe, db) is probe:
                kept.add(type(probe))
        except Exception:  # noqa: BLE001, S112  (a type the field refuses is simply not passed through)
            continue
    return frozenset(kept)


@cache
def _insert_of(model, vendor: str) -> _Insert:
    """Every concrete field but an automatic primary key, and the statement that writes them."""
    db = transaction.get_connection()
    quote = db.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and f.db_returning)]
    columns = ", ".join(quote(f.column) for f in fields)
    return _Insert(fields, f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ",
                   "(" + ", ".join(["%s"] * len(fields)) + ")", tuple(f.attname for f in fields),
                   tuple(_kept_types(f, db) for f in fields), tuple(f.get_db_prep_save for f in fields))


def _prepared(insert: _Insert, values: Iterable[Sequence], db, ready: Collection[str] = ()) -> list[tuple]:
    """Rows of values (in the order of ``insert.fields``) as the database is given them: what each field's
    ``get_db_prep_save`` makes of them, asked only of values of a type the field does not keep, and not
    of the columns named in ``ready``, whose values the caller prepared.

    Taken a column at a time: most columns hold only types their field keeps, which one pass over the
    column's types (in C) tells, so that only the others are looked at value by value."""
    columns = list(zip(*values, strict=True))
    if not columns:
        return []
    for index, (name, kept, prepare) in enumerate(zip(insert.attnames, insert.kept_types, insert.prepare, strict=True)):
        column = columns[index]
        if name not in ready and not kept.issuperset(map(type, column)):
            columns[index] = [value if type(value) in kept else prepare(value, db) for value in column]
    return list(zip(*columns, strict=True))


def _values_of(insert: _Insert, objs: Iterable) -> Iterator[tuple]:
    get = attrgetter(*insert.attnames)
    return map(get, objs) if len(insert.attnames) > 1 else ((get(obj),) for obj in objs)


def insert_rows(model, objs: list, *, return_ids: bool = False) -> None:
    """INSERT unsaved objects of ``model``; with ``return_ids``, one statement that sets each object's id.

    No signals are sent, as with ``bulk_create``; ``create_with_history`` writes their history.
    """
    if not objs:
        return
    db = transaction.get_connection()
    insert = _insert_of(model, db.vendor)
    rows = _prepared(insert, _values_of(insert, objs), db)
    if not return_ids:
        _execute_many(db, insert, rows)
        return
    pk = db.ops.quote_name(model._meta.pk.column)
    with db.cursor() as cursor:
        # a few hundred rows a statement keeps under every database's limit on parameters
        for start in range(0, len(objs), 500):
            batch = rows[start : start + 500]
            cursor.execute(f"{insert.head}{', '.join([insert.row] * len(batch))} RETURNING {pk}",
                           [value for row in batch for value in row])
            # both databases return the ids in the order of the VALUES (bulk_create relies on it too)
            for obj, (new_id,) in zip(objs[start : start + 500], cursor.fetchall(), strict=True):
                obj.pk = new_id
                obj._state.adding, obj._state.db = False, db.alias


def insert_values(model, rows: Iterable[dict]) -> None:
    """INSERT rows of ``model`` given as {attname: value}, one for every field but an automatic primary key,
    without making a model instance of each (a report's 32 duplicate bands, its practices)."""
    db = transaction.get_connection()
    insert = _insert_of(model, db.vendor)
    get = itemgetter(*insert.attnames)
    values = list(map(get, rows)) if len(insert.attnames) > 1 else [(get(row),) for row in rows]
    if values:
        _execute_many(db, insert, _prepared(insert, values, db))


def _execute_many(db, insert: _Insert, rows: list[tuple]) -> None:
    with db.cursor() as cursor:
        cursor.executemany(insert.head + insert.row, rows)


@cache
def _history_of(model):
    return model.history.model  # the descriptor builds a manager at every access


def create_with_history(objs: list) -> None:
    """Insert new mechanisms or figures and their history's creation records (``+``), in two statements.

    The history rows are those simple-history's ``bulk_create_with_history`` writes given a
    ``default_date``: the tracked values, one ``history_date`` for the statement's rows (prepared for
    the database once, not once a row), no change reason, the user of the request (an upload) or none.
    """
    if not objs:
        return
    insert_rows(type(objs[0]), objs, return_ids=True)
    _write_history(objs, "+", reason=lambda obj: None, date=timezone.now())


def save_case(case: Case, created: bool) -> None:
    """Save the case as ``case.save()`` would, with the history record simple-history's own signal would write
    (``+`` or ``~``, the instance's ``_history_date``, ``_change_reason`` and user), written by one prepared
    statement instead: the signal builds and saves a model through the ORM, a millisecond a report. No
    ``pre/post_create_historical_record`` signal is sent (nothing here listens).

    A new case is inserted by a prepared statement too (``insert_case``); a case updated is saved by
    ``case.save()``."""
    case.skip_history_when_saving = True  # simple-history's own switch for its signal
    try:
        prepared = insert_case(case) if created else None
        if not created:
            case.save()
    finally:
        del case.skip_history_when_saving
    _write_history([case], "+" if created else "~", reason=get_change_reason_from_object,
                   date=lambda obj: obj._history_date if hasattr(obj, "_history_date") else timezone.now(),
                   prepared=prepared)


def insert_case(case: Case) -> dict[str, object]:
    """What ``case.save()`` does for a new case, but its history (``save_case`` writes that): ``Case.save``'s
    own step (``sync_place_columns``), the ``pre_save`` and ``post_save`` signals (the facet caches listen),
    each field's ``pre_save`` (the creation and update times), and the INSERT, through the loader's
    prepared statement: the ORM compiles its INSERT anew for every case, half a millisecond a report.

    Returns the values the INSERT was given, by attname (its history record holds the same)."""
    db = transaction.get_connection()
    case.sync_place_columns()
    pre_save.send(sender=Case, instance=case, raw=False, using=db.alias, update_fields=None)
    insert = _insert_of(Case, db.vendor)
    values = _prepared(insert, [[field.pre_save(case, True) for field in insert.fields]], db)[0]
    with db.cursor() as cursor:
        cursor.execute(f"{insert.head}{insert.row} RETURNING {db.ops.quote_name(Case._meta.pk.column)}", values)
        case.pk = cursor.fetchone()[0]
    case._state.adding, case._state.db = False, db.alias
    post_save.send(sender=Case, instance=case, created=True, update_fields=None, raw=False, using=db.alias)
    return dict(zip(insert.attnames, values, strict=True))


def _write_history(objs: list, history_type: str, *, reason, date, prepared: dict | None = None) -> None:
    """History records of saved rows of one model, in one statement: their tracked values, ``history_type``,
    ``reason(obj)``, ``date(obj)`` (or ``date`` itself for every row, given a datetime), and the user
    simple-history would name (the request's, or none).

    ``prepared``: for one row, the values its own INSERT was just given by attname (``insert_case``), taken
    as they are rather than prepared again (a case's JSON fields, its dates)."""
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):  # as simple-history itself reads it
        return
    history = _history_of(type(objs[0]))
    user = history.get_default_history_user(objs[0])
    db = transaction.get_connection()
    ready = ()
    if isinstance(date, datetime):
        prepared_date = history._meta.get_field("history_date").get_db_prep_save(date, db)
        date, ready = (lambda obj: prepared_date), ("history_date",)
    special = {
        "history_change_reason": reason, "history_type": lambda obj: history_type,
        "history_date": date, "history_user_id": lambda obj: user.pk if user else None,
    }
    insert = _insert_of(history, db.vendor)
    tracked = [name for name in insert.attnames if name not in special]
    if prepared is None and len(tracked) > 1 and insert.attnames[: len(tracked)] == tuple(tracked):
        # the tracked values first, as simple-history has them: one attrgetter call a row for all of them
        own = attrgetter(*tracked)
        extra = [special[name] for name in insert.attnames[len(tracked) :]]
        rows = ((*own(obj), *(value(obj) for value in extra)) for obj in objs)
    else:
        given = {**special, **{name: (lambda obj, value=value: value) for name, value in (prepared or {}).items()}}
        values = [given.get(name) or attrgetter(name) for name in insert.attnames]
        rows = ([value(obj) for value in values] for obj in objs)
        ready = (*ready, *(prepared or ()))
    _execute_many(db, insert, _prepared(insert, rows, db, ready))


def add_practices(case: Case, ids: set[int]) -> None:
    """A new case's practices (their ids): its many-to-many rows, with the signals ``case.practices.add`` sends."""
    if not ids:
        return
    through = Case.practices.through
    signal = {"sender": through, "instance": case, "reverse": False, "model": Practice, "pk_set": ids,
              "using": connection.alias}
    m2m_changed.send(action="pre_add", **signal)
    insert_values(through, ({"case_id": case.pk, "practice_id": pk} for pk in sorted(ids)))
    m2m_changed.send(action="post_add", **signal)
