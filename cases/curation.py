"""What the curator's tools do, apart from the admin's pages: warnings, review aids, merge, restore, uploads.

The admin (``cases/admin.py``) only wires these into pages and actions, so
each rule here is tested on its own (``tests/test_curation.py``).
"""

from __future__ import annotations

import contextlib
import io
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from . import search
from .models import Case, Mechanism, MergedReport, Metric, sentence_bounds

# --------------------------------------------------------------------------- warnings


def _metrics_with_mismatched_span():
    # The body slice the figure claims, computed in the database (SQL SUBSTR is 1-based and counts
    # characters on both SQLite and PostgreSQL), so the changelist can filter on it.
    return Metric.objects.annotate(
        span_text=Substr("case__body", F("start") + 1, F("end") - F("start"))
    ).exclude(span_text=F("text"))


# key → (label, condition on Case). One table feeds the changelist filter and the change page.
WARNINGS: dict[str, tuple[str, object]] = {
    "no_place": (_("未识别地区"), lambda: Q(place__isnull=True)),
    # a non-case has no mechanisms by design (its headings are analysis, not practices)
    "no_mechanisms": (
        _("没有机制"),
        lambda: Q(kind=Case.Kind.CASE) & ~Exists(Mechanism.objects.filter(case=OuterRef("pk"))),
    ),
    "metric_without_unit": (
        _("指标缺少单位"),
        lambda: Exists(Metric.objects.filter(case=OuterRef("pk"), unit="")),
    ),
    "span_mismatch": (
        _("指标原文与正文不符"),
        lambda: Exists(_metrics_with_mismatched_span().filter(case=OuterRef("pk"))),
    ),
}


def with_warning(queryset: QuerySet, key: str) -> QuerySet:
    return queryset.filter(WARNINGS[key][1]())


def with_any_warning(queryset: QuerySet) -> QuerySet:
    condition = Q()
    for _label, make in WARNINGS.values():
        condition |= make()
    return queryset.filter(condition)


def case_warnings(case: Case) -> list[str]:
    """The warnings for one case, in words, with the figure each concerns (for the change page)."""
    found = []
    if case.place_id is None:
        found.append(str(WARNINGS["no_place"][0]))
    if case.kind == Case.Kind.CASE and not case.mechanisms.exists():
        found.append(str(WARNINGS["no_mechanisms"][0]))
    for metric in case.metrics.all():
        if not metric.unit:
            found.append(f"{WARNINGS['metric_without_unit'][0]}:{metric.text}")
        if case.body[metric.start : metric.end] != metric.text:
            found.append(f"{WARNINGS['span_mismatch'][0]}:{metric.text}")
    return found


# --------------------------------------------------------------------------- review aids


@dataclass(frozen=True)
class Mark:
    start: int
    end: int
    css: str
    anchor: str


def review_marks(case: Case) -> list[Mark]:
    """Ranges of the body to highlight: each figure's sentence and exact span, each mechanism's heading sentence."""
    body = case.body
    marks = []
    for metric in case.metrics.all():
        if not (0 <= metric.start < metric.end <= len(body)):
            continue  # a span outside the body: the warning says so; nothing to highlight
        left, right = sentence_bounds(body, metric.start, metric.end)
        marks.append(Mark(left, right, "rv-sentence", f"rv-fig-{metric.pk}"))
        marks.append(Mark(metric.start, metric.end, "rv-figure", ""))
    for mechanism in case.mechanisms.all():
        if mechanism.start is None or not (0 <= mechanism.start < len(body)):
            continue
        left, right = sentence_bounds(body, mechanism.start, mechanism.start + 1)
        marks.append(Mark(left, right, "rv-mechanism", f"rv-mech-{mechanism.pk}"))
    return marks


def highlighted_body(case: Case) -> SafeString:
    """The body as HTML (escaped), cut at every mark boundary, each piece wrapped in the marks covering it."""
    body = case.body
    marks = review_marks(case)
    cuts = sorted({0, len(body), *(m.start for m in marks), *(m.end for m in marks)})
    anchors = {}
    for mark in marks:
        if mark.anchor:
            anchors.setdefault(mark.start, []).append(mark.anchor)
    pieces = []
    for left, right in zip(cuts, cuts[1:], strict=False):
        for anchor in anchors.get(left, ()):
            pieces.append(format_html('<span class="rv-anchor" id="{}"></span>', anchor))
        text = body[left:right]
        classes = sorted({m.css for m in marks if m.start <= left and right <= m.end})
        if classes:
            pieces.append(format_html('<mark class="{}">{}</mark>', " ".join(classes), text))
        else:
            pieces.append(format_html("{}", text))
    return mark_safe("".join(pieces))  # every piece above was escaped by format_html


def repairs_html(case: Case) -> SafeString:
    rows = [
        (r.get("stage", ""), r.get("kind", ""), r.get("count", ""), "；".join(r.get("examples", [])))
        for r in case.repairs
        if isinstance(r, dict)
    ]
    return format_html_join("\n", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows)


# --------------------------------------------------------------------------- duplicates


def source_record(case: Case, user=None) -> dict:
    """What a merge keeps of the case it removes: enough to cite it, and to recognise its file again."""
    return {
        "title": case.title,
        "source": case.source,
        "author_org": case.author_org,
        "published_on": case.published_on.isoformat() if case.published_on else None,
        "source_file": case.source_file,
        "content_hash": case.content_hash,
        "slug": case.slug,
        "merged_at": timezone.now().isoformat(timespec="seconds"),
        "merged_by": user.get_username() if user else None,
    }


@transaction.atomic
def merge_duplicate(keep: Case, drop: Case, user=None) -> Case:
    """Keep one case, remove the other, and keep both sources: ``drop`` (and what it had merged) joins ``other_sources``."""
    if keep.pk == drop.pk:
        raise ValueError("cannot merge a case into itself")
    keep = Case.objects.select_for_update().get(pk=keep.pk)
    drop = Case.objects.select_for_update().get(pk=drop.pk)
    known = {s.get("content_hash") for s in keep.other_sources}
    for record in [*drop.other_sources, source_record(drop, user)]:
        if record.get("content_hash") not in known:
            keep.other_sources.append(record)
            known.add(record.get("content_hash"))
    keep.practices.add(*drop.practices.all())
    # Re-ingesting the removed report (or one it had absorbed) must find the case kept.
    MergedReport.objects.filter(case=drop).update(case=keep)
    MergedReport.objects.get_or_create(
        content_hash=drop.content_hash, defaults={"case": keep, "source_file": drop.source_file}
    )
    # Cases that pointed at the removed one now point at the one kept.
    Case.objects.filter(duplicate_of=drop).exclude(pk=keep.pk).update(duplicate_of=keep)
    if keep.duplicate_of_id == drop.pk:
        keep.duplicate_of = None
    keep.mark_curated("practices")
    keep._history_user = user
    keep.save()
    drop._history_user = user
    drop.delete()
    return keep


def duplicate_candidates(case: Case) -> list[Case]:
    """The cases this one may duplicate, either way round."""
    found = list(case.duplicates.all())
    if case.duplicate_of_id:
        found.insert(0, case.duplicate_of)
    return found


# --------------------------------------------------------------------------- history


RESTORABLE_FIELDS = [f for f in Case.CURATABLE_FIELDS if f != "practices"]  # practices have no history


def version_end(record):
    """When the case version ``record`` was superseded by the next save of the case (None: it is current).

    A version of a case covers its mechanisms and figures until then: the loader and the admin save
    the case row first and its inline rows just after, so a version's own figures come after its
    case record, and the next version's edits come after the next case record.
    """
    following = (
        type(record).objects.filter(id=record.id, history_date__gt=record.history_date).order_by("history_date").first()
    )
    return following.history_date if following else None


def snapshot(model, case: Case, record) -> list:
    """The case's mechanisms or metrics as they were in the version ``record``."""
    records = model.history.filter(case_id=case.pk)
    end = version_end(record)
    if end is not None:
        records = records.filter(history_date__lt=end)
    return [r.instance for r in records.latest_of_each() if r.history_type != "-"]


def version_differences(case: Case, record) -> list[tuple[str, object, object]]:
    """(field, current value, value in ``record``) for each restorable field that differs."""
    old = record.instance
    return [
        (name, getattr(case, name), getattr(old, name))
        for name in RESTORABLE_FIELDS
        if getattr(case, _attname(name)) != getattr(old, _attname(name))
    ]


# What else a version records about its own fields: restored with them, so the case is as it was.
RESTORED_STATE = ["curated_fields", "needs_review", "review_conflicts", "lead_fingerprint"]


@transaction.atomic
def restore_version(case: Case, record, user=None) -> Case:
    """Put the case, its mechanisms and its figures back as they were in ``record`` (a HistoricalCase).

    The old values come back and nothing else: the version's own curated fields and review flag,
    each mechanism and figure with its own ``curated`` mark (so a later re-ingest updates what the
    pipeline made then, as it would have). Only rows restore changes are written, with their
    history. The status is left alone: moving it is the workflow's business, not history's.
    """
    old = record.instance
    for name in [*RESTORABLE_FIELDS, *RESTORED_STATE]:
        setattr(case, _attname(name), getattr(old, _attname(name)))
    case._history_user = user
    case.save()

    mechanisms = snapshot(Mechanism, case, record)
    metrics = snapshot(Metric, case, record)
    case.metrics.exclude(pk__in=[m.pk for m in metrics]).delete()
    case.mechanisms.exclude(pk__in=[m.pk for m in mechanisms]).delete()
    current_mechanisms = {m.pk: m for m in case.mechanisms.all()}
    current_metrics = {m.pk: m for m in case.metrics.all()}
    saved: set[int] = set()
    pending = list(mechanisms)
    while pending:  # parents before children, so each parent row exists when its child is written
        ready = [m for m in pending if m.parent_id is None or m.parent_id in saved]
        if not ready:  # a parent missing from the snapshot: keep the mechanism, drop the link
            ready = pending[:1]
            ready[0].parent_id = None
        for mechanism in ready:
            _save_if_changed(mechanism, current_mechanisms.get(mechanism.pk), user)
            saved.add(mechanism.pk)
            pending.remove(mechanism)
    for metric in metrics:
        if metric.mechanism_id not in saved:
            metric.mechanism_id = None
        _save_if_changed(metric, current_metrics.get(metric.pk), user)
    search.index_case(case)  # the restored text and headings are what search should find
    return case


def _save_if_changed(restored, current, user) -> None:
    """Write a restored mechanism or figure unless the row is already so (no history row for nothing)."""
    fields = [f.attname for f in restored._meta.concrete_fields]
    if current is not None and all(getattr(restored, f) == getattr(current, f) for f in fields):
        return
    restored._history_user = user
    restored.save()


def _attname(field: str) -> str:
    return "place_id" if field == "place" else field


# --------------------------------------------------------------------------- uploads

REPORT_SUFFIXES = {".txt", ".htm", ".html", ""}


@dataclass(frozen=True)
class UploadedReport:
    """One report out of an upload: its bytes, or why it was refused before the pipeline.

    ``label`` is what the upload page shows (``reports.zip/锦州.txt``); ``source_name`` is the file's own
    name, which the loader uses as the case's source file, so a re-upload of a corrected file (alone
    or in another zip) updates the same case.
    """

    label: str
    raw: bytes = b""
    error: str = ""

    @property
    def source_name(self) -> str:
        return PurePosixPath(self.label).name


def upload_limits() -> dict:
    return {
        "max_files": settings.ADMIN_UPLOAD_MAX_FILES,
        "max_file_bytes": settings.ADMIN_UPLOAD_MAX_FILE_BYTES,
        "max_total_bytes": settings.ADMIN_UPLOAD_MAX_TOTAL_BYTES,
    }


def expand_upload(name: str, data: bytes) -> Iterator[UploadedReport]:
    """A plain file gives itself; a zip gives its report members, read safely.

    Zip-slip: a member's path is never used to write anything; only its last part is kept, as a
    display name. Zip bomb: the declared sizes are checked first, and each member is read with a
    hard cap (declared sizes can lie), and the whole archive has a total cap and a member cap.
    """
    limits = upload_limits()
    if not zipfile.is_zipfile(io.BytesIO(data)):
        yield _single(name, data, limits["max_file_bytes"])
        return
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        yield UploadedReport(name, error=str(_("压缩包无法读取:%(error)s") % {"error": exc}))
        return
    members = [m for m in members if not _is_junk(m.filename)]
    if len(members) > limits["max_files"]:
        yield UploadedReport(
            name, error=str(_("压缩包内文件过多(%(n)d 个,上限 %(max)d 个)") % {"n": len(members), "max": limits["max_files"]})
        )
        return
    total = 0
    with archive:
        for member in members:
            member_name = f"{name}/{_member_name(member)}"
            if member.flag_bits & 0x1:
                yield UploadedReport(member_name, error=str(_("加密文件,无法读取")))
                continue
            if member.file_size > limits["max_file_bytes"]:
                yield UploadedReport(member_name, error=_too_large(member.file_size, limits["max_file_bytes"]))
                continue
            try:
                with archive.open(member) as stream:
                    raw = stream.read(limits["max_file_bytes"] + 1)
            except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as exc:
                yield UploadedReport(member_name, error=str(_("无法解压:%(error)s") % {"error": exc}))
                continue
            total += len(raw)
            if total > limits["max_total_bytes"]:
                yield UploadedReport(member_name, error=str(_("解压后总大小超过上限,其余文件未读取")))
                return
            if zipfile.is_zipfile(io.BytesIO(raw)):
                yield UploadedReport(member_name, error=str(_("不支持嵌套的压缩包")))
                continue
            yield _single(member_name, raw, limits["max_file_bytes"])


def _single(name: str, raw: bytes, max_bytes: int) -> UploadedReport:
    if len(raw) > max_bytes:
        return UploadedReport(name, error=_too_large(len(raw), max_bytes))
    if not raw.strip():
        return UploadedReport(name, error=str(_("空文件")))
    if PurePosixPath(name).suffix.lower() not in REPORT_SUFFIXES:
        return UploadedReport(name, error=str(_("不支持的文件类型(只接受 .txt、.html 或 .zip)")))
    return UploadedReport(name, raw)


def _too_large(size: int, limit: int) -> str:
    return str(_("文件过大(%(size).1f MB,上限 %(limit).1f MB)") % {"size": size / 2**20, "limit": limit / 2**20})


def _member_name(member: zipfile.ZipInfo) -> str:
    name = member.filename
    if not member.flag_bits & 0x800:
        # Without the UTF-8 flag Python reads names as cp437; zips made on Chinese Windows use GBK.
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            name = name.encode("cp437").decode("gb18030")
    return PurePosixPath(name.replace("\\", "/")).name or "unnamed"


def _is_junk(filename: str) -> bool:
    parts = PurePosixPath(filename.replace("\\", "/")).parts
    # macOS resource forks and hidden files (.DS_Store); "." and ".." are path steps, not names.
    return any(p == "__MACOSX" or (p.startswith(".") and p not in {".", ".."}) for p in parts)


def store_upload(name: str, data: bytes) -> Path:
    """Keep an uploaded file under UPLOAD_ROOT, which no URL serves, with a name we made and no exec bit."""
    day = timezone.localdate().isoformat()
    folder = Path(settings.UPLOAD_ROOT) / day
    folder.mkdir(parents=True, exist_ok=True, mode=0o750)
    try:
        safe = get_valid_filename(PurePosixPath(name.replace("\\", "/")).name)
    except SuspiciousFileOperation:  # a name with nothing usable left, such as ".."
        safe = "upload"
    path = folder / f"{uuid.uuid4().hex}-{safe[-100:]}"
    with open(path, "xb") as out:  # "x": never overwrite, never follow an existing name
        out.write(data)
    path.chmod(0o640)
    return path
