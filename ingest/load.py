"""The one writer of pipeline output to the database.

Every report is written in its own transaction, so one bad report never loses
another. Loading is idempotent: the same bytes give the same case
(``content_hash``), and a changed file updates the case of the same source file
name. What a curator corrected is never overwritten: a field listed in
``Case.curated_fields`` and a Mechanism or Metric marked ``curated`` are left as
they are; where the pipeline now disagrees with a curated value the case is
flagged ``needs_review`` with both values in ``review_conflicts``.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from cases import search
from cases.models import Case, Mechanism, MergedReport, Metric, Place, Practice

from . import clean, sources
from .pipeline import MAX_REPORT_BYTES, content_hash, process, process_for_pool
from .report import Report, ReportRejected
from .sources import REPORT_SUFFIXES  # noqa: F401  (the suffixes a run collects, read by tests)

log = logging.getLogger(__name__)

CREATED, UPDATED, UNCHANGED, FAILED = "created", "updated", "unchanged", "failed"
DUPLICATE_MIN_RATIO = 0.9
DUPLICATE_MAX_CANDIDATES = 50  # the most recent cases sharing a lead; a real archive has a handful
_SENTENCE_SPLIT = re.compile(r"[。！？!?\n]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


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


def lead_fingerprint(body: str) -> str:
    """The first 200 Chinese characters, hashed: the same article from two outlets shares it."""
    lead = "".join(_CJK.findall(body))[:200]
    return hashlib.sha1(lead.encode("utf-8")).hexdigest() if lead else ""


def known_case(digest: str) -> Case | None:
    """The case these bytes already are: loaded before, or merged into another case as its duplicate."""
    # Asked for every file of a run and nearly always "none": one small query for the id (both
    # columns are unique-indexed), and the case itself only when there is one.
    ids = Case.objects.filter(content_hash=digest).order_by().values_list("pk")
    merged_into = MergedReport.objects.filter(content_hash=digest).order_by().values_list("case_id")
    row = next(iter(ids.union(merged_into, all=True)[:1]), None)
    return Case.objects.filter(pk=row[0]).first() if row else None


def current_taxonomy() -> list[tuple[str, list[str]]]:
    """The practice taxonomy as staff have edited it in the admin."""
    return [(name, list(synonyms or [])) for name, synonyms in Practice.objects.values_list("name", "synonyms")]


# ---------------------------------------------------------------- entry points


def ingest_bytes(
    name: str, raw: bytes, *, publish: bool = False, taxonomy: Sequence | None = None
) -> LoadResult:
    """Run the pipeline on one report's bytes and write it; never raises for a bad report."""
    digest = content_hash(raw)
    existing = known_case(digest)
    if existing is not None:
        return LoadResult(name, UNCHANGED, "", existing)
    try:
        report = process(raw, name, taxonomy=taxonomy if taxonomy is not None else current_taxonomy())
    except ReportRejected as rejected:
        return LoadResult(name, FAILED, str(rejected))
    except Exception as error:  # a pipeline bug must not stop the other reports of the run
        log.exception("pipeline failed on %s", name)
        return LoadResult(name, FAILED, f"处理出错({type(error).__name__}: {error})")
    return save_report(report, digest, publish=publish)


def ingest_paths(
    paths: Iterable[str | Path], *, publish: bool = False, jobs: int = 1
) -> Iterator[LoadResult]:
    """Ingest files and folders (recursively); one result per report, failures included."""
    files, failures = collect_files(paths)
    yield from failures
    taxonomy = current_taxonomy()
    if jobs > 1 and len(files) > 1:
        yield from _ingest_parallel(files, publish=publish, jobs=jobs, taxonomy=taxonomy)
        return
    for path in files:
        raw, failure = read_report(path)
        yield failure or ingest_bytes(display_name(path), raw, publish=publish, taxonomy=taxonomy)


def count_reports(paths: Iterable[str | Path]) -> int:
    files, failures = collect_files(paths)
    return len(files) + len(failures)


# ---------------------------------------------------------------- files


def display_name(path: Path) -> str:
    return path.name


def collect_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[LoadResult]]:
    """Report files under the given paths, and a failure for each path that cannot be read (see sources.py)."""
    files, problems = sources.collect_files(paths)
    return files, [LoadResult(path, FAILED, reason) for path, reason in problems]


def read_report(path: Path) -> tuple[bytes, LoadResult | None]:
    """A regular file's bytes, at most the size limit; or a failure saying why not (see sources.py)."""
    try:
        return sources.read_report(path, limit=MAX_REPORT_BYTES), None
    except sources.SourceError as error:
        return b"", LoadResult(display_name(path), FAILED, str(error))


def _ingest_parallel(files: list[Path], *, publish: bool, jobs: int, taxonomy: Sequence) -> Iterator[LoadResult]:
    """Decode-to-extract in ``jobs`` worker processes; this process alone writes to the database.

    Unchanged and unreadable files are settled here first, so workers only see new work. Workers are
    spawned, not forked: they import only the Django-free pipeline and never share this process's
    database connection.
    """
    import multiprocessing

    pending: list[tuple[str, Sequence]] = []
    for path in files:
        raw, failure = read_report(path)
        if failure:
            yield failure
            continue
        existing = known_case(content_hash(raw))
        if existing is not None:
            yield LoadResult(display_name(path), UNCHANGED, "", existing)
            continue
        pending.append((str(path), taxonomy))
    with multiprocessing.get_context("spawn").Pool(processes=jobs) as pool:
        for name, digest, report, reason in pool.imap(process_for_pool, pending, chunksize=4):
            yield save_report(report, digest, publish=publish) if report else LoadResult(name, FAILED, reason)


# ---------------------------------------------------------------- writing


def save_report(report: Report, digest: str, *, publish: bool = False) -> LoadResult:
    """Write one processed report in one transaction: create its case or update the one from the same file.

    ``publish`` publishes a new case, never a non-case: that one stays a draft and the result says so."""
    withheld = False
    try:
        with transaction.atomic():
            case = Case.objects.select_for_update().filter(source_file=report.source_name).first()
            created = case is None
            if created:
                case = Case(source_file=report.source_name, slug=unique_slug(report.source_name))
            conflicts = apply_fields(case, report)
            if created:
                # a non-case (paper, commentary, speech, how-to) stays a draft: publishing it is a curator's call
                withheld = publish and case.kind == Case.Kind.NON_CASE
                case.status = Case.Status.PUBLISHED if publish and not withheld else Case.Status.DRAFT
            case.content_hash = digest
            case.lead_fingerprint = lead_fingerprint(case.body)
            if created:
                case.duplicate_of = find_duplicate(case)
            case.save()
            conflicts.update(apply_practices(case, report, created))
            conflicts.update(replace_structure(case, report, created))
            if conflicts:
                case.needs_review = True
                case.review_conflicts = {**case.review_conflicts, **conflicts}
                Case.objects.filter(pk=case.pk).update(needs_review=True, review_conflicts=case.review_conflicts)
            # the pipeline's tokens are the body's unless a curator replaced the body
            search.index_case(case, body_words=report.tokens if case.body == report.body else None)
    except Exception as error:
        log.exception("could not save %s", report.source_name)
        return LoadResult(report.source_name, FAILED, f"写入数据库出错({type(error).__name__}: {error})")
    note = "与人工修订不一致,已标记待复核: " + "、".join(sorted(conflicts)) if conflicts else ""
    if case.duplicate_of_id and created:
        note = (note + ";" if note else "") + f"疑似与“{case.duplicate_of.title}”重复"
    if withheld:
        note = (note + ";" if note else "") + "非案例,未发布(保留为草稿)"
    return LoadResult(report.source_name, CREATED if created else UPDATED, note, case)


def unique_slug(source_name: str) -> str:
    base = slugify(Path(source_name).stem, allow_unicode=True)[:80] or "case"
    slug, n = base, 2
    while Case.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def resolve_place(report: Report) -> Place | None:
    code = report.extraction.place_code
    # the parents come along: saving the case fills in its province and city from them
    return Place.objects.select_related("parent__parent").filter(code=code).first() if code else None


def apply_fields(case: Case, report: Report) -> dict[str, dict]:
    """Set every pipeline field on the case, except those a curator changed; return the conflicts."""
    ex = report.extraction
    extracted = {
        "title": (ex.title or "")[:300] or clean.without_controls(report.source_name)[:300],
        "place": resolve_place(report),
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
                conflicts[field] = {"curated": _shown(old), "extracted": _shown(new)}
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


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "、".join(map(str, value))
    text = str(value)
    return text if len(text) <= 200 else text[:200] + "…"


def apply_practices(case: Case, report: Report, created: bool) -> dict[str, dict]:
    names = list(report.extraction.practices)
    wanted = list(Practice.objects.filter(name__in=names)) if names else []
    if created:
        case.practices.add(*wanted)  # a new case has none to compare with
        return {}
    if "practices" in case.curated_fields:
        current = sorted(case.practices.values_list("name", flat=True))
        if current != sorted(p.name for p in wanted):
            return {"practices": {"curated": _shown(current), "extracted": _shown(sorted(names))}}
        return {}
    case.practices.set(wanted)
    return {}


def replace_structure(case: Case, report: Report, created: bool = False) -> dict[str, dict]:
    """Replace the pipeline's mechanisms and metrics; keep the curated ones and report where they now differ."""
    if "body" in case.curated_fields and case.body != report.body:
        # The new spans point into a body the curator has replaced: leave the structure for review.
        return {}
    if "mechanisms" in case.curated_fields:
        # The curator owns the list (they deleted a row of it); new figures still find their mechanism.
        existing = {m.heading: m for m in case.mechanisms.all()}
        made = {i: existing[d.heading] for i, d in enumerate(report.extraction.mechanisms) if d.heading in existing}
    else:
        made = replace_mechanisms(case, report, created)
    return {} if "metrics" in case.curated_fields else replace_metrics(case, report, made, created)


def replace_mechanisms(case: Case, report: Report, created: bool = False) -> dict[int, Mechanism]:
    """New mechanisms for the ones the pipeline made; curated ones stay. Index in extraction → Mechanism."""
    ex = report.extraction
    kept_mechanisms = [] if created else list(case.mechanisms.filter(curated=True))
    if not created:
        case.mechanisms.filter(curated=False).delete()
    made: dict[int, Mechanism] = {}
    first_order = max((m.order for m in kept_mechanisms), default=-1) + 1
    # Top level first, then the nested ones, so each level is one insert (with its history rows).
    for level_is_top in (True, False):
        batch: list[Mechanism] = []
        for index, data in enumerate(ex.mechanisms):
            if (data.parent is None) != level_is_top:
                continue
            match = next((m for m in kept_mechanisms if m.heading == data.heading), None)
            if match is not None:
                made[index] = match
                continue
            has_span = data.end > data.start
            made[index] = Mechanism(
                case=case, parent=made.get(data.parent) if data.parent is not None else None,
                order=first_order + index, heading=data.heading[:300], slogan=(data.slogan or "")[:100],
                body=report.body[data.end : data.body_end].strip() if data.body_end > data.end else "",
                start=data.start if has_span else None, end=data.end if has_span else None,
            )
            batch.append(made[index])
        bulk_create_with_history(batch, Mechanism)
    return made


def replace_metrics(
    case: Case, report: Report, made: dict[int, Mechanism], created: bool = False
) -> dict[str, dict]:
    """New figures for the pipeline's; a curated figure stays, and a new value at its place is a conflict."""
    ex = report.extraction
    conflicts: dict[str, dict] = {}
    kept_metrics = [] if created else list(case.metrics.filter(curated=True))
    if not created:
        case.metrics.filter(curated=False).delete()
    new_metrics = []
    for order, data in enumerate(ex.metrics):
        curated = next((m for m in kept_metrics if m.start < data.end and data.start < m.end), None)
        if curated is not None:
            if (curated.value, curated.unit, curated.qualifier) != (data.value, data.unit, data.qualifier):
                conflicts[f"指标@{data.start}"] = {
                    "curated": curated.display_value,
                    "extracted": f"{data.qualifier}{data.value.normalize():f}{data.unit}",
                }
            continue
        new_metrics.append(
            Metric(
                case=case, mechanism=made.get(data.mechanism) if data.mechanism is not None else None,
                subject=(data.subject or "")[:100], value=data.value, unit=(data.unit or "")[:20],
                qualifier=(data.qualifier or "")[:10], text=data.text[:200], start=data.start, end=data.end,
                order=order,
            )
        )
    bulk_create_with_history(new_metrics, Metric)
    return conflicts


def find_duplicate(case: Case) -> Case | None:
    """An existing case with the same lead whose body is near-identical: the same report from another outlet.

    Many reports open alike (the same lead paragraph of a campaign), so candidates first pass a cheap
    test, most of a sample of the new body's sentences found verbatim in theirs, before the costly
    character-level comparison.
    """
    if not case.lead_fingerprint:
        return None
    sample = sentence_sample(case.body)
    candidates = (
        Case.objects.filter(lead_fingerprint=case.lead_fingerprint)
        .exclude(source_file=case.source_file)
        .only("pk", "title", "body")
        .order_by("-pk")[:DUPLICATE_MAX_CANDIDATES]
    )
    for other in candidates:
        if sample and sum(sentence in other.body for sentence in sample) < DUPLICATE_MIN_RATIO * len(sample):
            continue
        matcher = SequenceMatcher(None, other.body, case.body, autojunk=False)
        if matcher.quick_ratio() >= DUPLICATE_MIN_RATIO and matcher.ratio() >= DUPLICATE_MIN_RATIO:
            return other
    return None


def sentence_sample(body: str, size: int = 12) -> list[str]:
    """Up to ``size`` sentences spread over the body (long enough to be telling)."""
    sentences = [s for s in _SENTENCE_SPLIT.split(body) if len(s) >= 12]
    return sentences[:: max(1, len(sentences) // size)][:size]
