"""Raw report bytes → a Report with a clean body and an Extraction. No Django here.

The order of the stages, and why:

1. decode: bytes → str (``original_text`` is kept as decoded);
2. repair: pinyin annotations and GBK text read one byte out of step. It works on
   the exact decoded characters, so it must come before any conversion;
3. normalise: OpenCC traditional → simplified and one punctuation convention. It
   runs before clean so that the chrome and metadata
   patterns of clean and extract are written once, in simplified script;
4. clean: each line's role from the line-role model (``roles.py``), then page chrome, captions
   and a repeated article set apart (a ``Layout``);
5. segment: jieba, once per report; the tokens are reused for keywords,
   extraction and the search index;
6. extract: metadata, place, mechanisms, metrics, practices, keywords;
7. what the writer stores of the body besides its text: the search index's tokens and the
   MinHash signature of dedupe, made here so that ``--jobs`` workers make them, not the writer.

``cases/loading.py`` (the one writer, in the app) turns the Report into database rows.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from . import clean, decode, dedupe, normalise, repair, segment, sources
from .extract import Taxonomy, extract
from .report import Report, ReportRejected
from .roles import RoleTagger

MAX_REPORT_BYTES = 5 * 1024 * 1024  # a report is tens of KB; anything this large is not one


def process(
    raw: bytes, source_name: str, taxonomy: Taxonomy | None = None, role_model: RoleTagger | str | Path | None = None
) -> Report:
    """Run every stage but load; raise ReportRejected (with a reason in Chinese) when it cannot be a case.

    ``taxonomy`` is the practice list to tag with, as (name, synonyms) pairs; the loader passes the
    database's current list, and without one the starting list in ``taxonomy.py`` is used.
    ``role_model`` is the line-role model clean uses: a ``roles.RoleTagger``, the path of a trained
    model (opened once per process), or None for the shipped ``ingest/data/roles.crfsuite``; an
    evaluation passes a model trained without the outlet it scores.
    """
    if len(raw) > MAX_REPORT_BYTES:
        raise ReportRejected(f"文件过大({len(raw) / 1024 / 1024:.1f} MB,上限 {MAX_REPORT_BYTES // 1024 // 1024} MB)")
    report = Report(source_name=source_name, raw=raw)

    decoded = decode.decode(raw, filename=source_name)
    report.encoding = decoded.encoding
    report.original_text = decoded.text
    report.flags.extend(decoded.flags)
    report.record(decoded.changes)

    text, changes = repair.repair(decoded.text)
    report.record(changes)

    report.script = normalise.detect_script(text)
    text, changes = normalise.normalise(text)
    report.record(changes)
    report.text = text

    layout, changes = clean.clean(text, role_model)
    report.record(changes)
    report.layout = layout
    report.body = layout.body
    if not clean.has_article(layout):
        raise ReportRejected("没有找到中文正文(文件只有网页框架、导航或非中文内容)")

    if taxonomy is not None:
        segment.use_practices(taxonomy)  # the curators' practices are words from this report on
    report.tokens = segment.cut(report.body)
    report.extraction = extract(report, taxonomy=taxonomy)
    report.index_tokens = segment.index_tokens(report.body, report.tokens)
    headings = "\n".join(m.heading for m in report.extraction.mechanisms)
    report.field_index_tokens = {text: segment.index_tokens(text) for text in (report.extraction.title, headings)}
    report.signature = dedupe.signature(report.body)
    return report


def process_file(path: str | Path, taxonomy: Taxonomy | None = None) -> Report:
    """``process`` on a file's bytes; ReportRejected when it is no regular file or too large."""
    path = Path(path)
    try:
        raw = sources.read_report(path, limit=MAX_REPORT_BYTES)
    except sources.SourceError as error:
        raise ReportRejected(str(error)) from None
    return process(raw, path.name, taxonomy=taxonomy)


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def process_for_pool(job: tuple[str, Taxonomy | None]) -> tuple[str, str, Report | None, str]:
    """A worker process's job: (path, taxonomy) → (file name, content hash, report or None, why rejected).

    The worker reads the file itself so that the parent never holds a large archive's bytes in memory.
    """
    path, taxonomy = Path(job[0]), job[1]
    try:
        raw = sources.read_report(path, limit=MAX_REPORT_BYTES)
    except sources.SourceError as error:
        return path.name, "", None, str(error)
    digest = content_hash(raw)
    try:
        report = process(raw, path.name, taxonomy=taxonomy)
        report.raw = b""  # the writer has the digest and never reads the bytes: they need not cross back
        return path.name, digest, report, ""
    except ReportRejected as rejected:
        return path.name, digest, None, str(rejected)
    except Exception as error:  # a pipeline bug must not stop the other reports of the run
        return path.name, digest, None, f"处理出错({type(error).__name__}: {error})"


def _number(value) -> int | float:
    value = value.normalize()
    return int(value) if value == value.to_integral() else float(value)


def export_dict(report: Report) -> dict:
    """The report as one entry of the JSON export (cases/export.py ``case_to_dict``), without a database.

    The same fields and truncation as ``load.apply_fields`` writes them and the export reads them
    back; for evaluating the pipeline on pages that are never loaded.
    """
    ex = report.extraction
    mechanisms = ex.mechanisms
    return {
        "source_file": report.source_name,
        "title": (ex.title or "")[:300] or clean.without_controls(report.source_name)[:300],
        "province": ex.province,
        "city": ex.city,
        "district": ex.district,
        "published_on": ex.published_on.isoformat() if ex.published_on else None,
        "source": (ex.source or "")[:200],
        "author_org": (ex.author_org or "")[:200],
        "kind": ex.kind,
        "script": report.script,
        "mechanisms": [
            {"heading": m.heading[:300], "slogan": (m.slogan or "")[:100], "order": order,
             "parent": mechanisms[m.parent].heading[:300] if m.parent is not None else None}
            for order, m in enumerate(mechanisms)
        ],
        "metrics": [
            {"value": _number(m.value), "unit": (m.unit or "")[:20], "qualifier": (m.qualifier or "")[:10],
             "subject": (m.subject or "")[:100], "text": m.text[:200], "start": m.start, "end": m.end}
            for m in ex.metrics
        ],
        "body": report.body,
    }
