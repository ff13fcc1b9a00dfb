"""Running the admin's uploads: in the request when they are small, after the response when they are not.

A report takes the pipeline a fraction of a second, but an upload may hold fifty of them or one 5 MB
file, and a request that outlasts the server's timeout (gunicorn's 30 s) ends as a bare 500 with the
work half done. So an upload whose reports add up to more than ``ADMIN_UPLOAD_INLINE_BYTES`` becomes a
job: its files are stored first (they are the job's input), a thread of the serving process runs them
through the loader after the response, and the job's state and results are kept in a JSON file under
``UPLOAD_ROOT/jobs/`` that the result page reads, refreshing itself until the job is done.

Either way every report gives one result line, a failure never stops the others, and a stored upload
none of whose reports loaded is deleted (the archive keeps the sources of its cases, not refusals).
A job that stops writing progress for ``STALE_AFTER`` (its process restarted) is shown as interrupted,
with the results it had.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import threading
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext as _

from . import curation

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=15)
KEEP_JOBS = timedelta(days=7)
QUEUED, RUNNING, DONE = "queued", "running", "done"
# The pipeline's line-role tagger and tokenizer are shared by the whole process and are not made for
# two threads at once: an upload job and an upload in a request take turns, report by report.
_PIPELINE_LOCK = threading.Lock()
_threads: list[threading.Thread] = []


@dataclass(frozen=True)
class StoredUpload:
    """One uploaded file, kept under UPLOAD_ROOT: the name it came with and where it is."""

    name: str
    path: str


def work_bytes(name: str, data: bytes) -> int:
    """How much text the upload gives the pipeline: a zip's members that will be read (a member declared
    larger than a report may be is refused unread), else the file's size."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        return len(data)
    limit = settings.ADMIN_UPLOAD_MAX_FILE_BYTES
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            sizes = [member.file_size for member in archive.infolist() if member.file_size <= limit]
    except (zipfile.BadZipFile, OSError, ValueError):
        return len(data)
    return min(sum(sizes), settings.ADMIN_UPLOAD_MAX_TOTAL_BYTES)


def runs_inline(files: list[tuple[str, bytes]]) -> bool:
    return sum(work_bytes(name, data) for name, data in files) <= settings.ADMIN_UPLOAD_INLINE_BYTES


def store(files: list[tuple[str, bytes]]) -> tuple[list[StoredUpload], list[dict]]:
    """Keep each file under UPLOAD_ROOT; a file that cannot be kept is a failed result, and not loaded."""
    stored, failed = [], []
    for name, data in files:
        try:
            stored.append(StoredUpload(name, str(curation.store_upload(name, data))))
        except OSError as error:
            log.exception("could not store upload %s", name)
            reason = _("无法保存上传的文件（%(error)s），未导入") % {"error": error.strerror or error}
            failed.append(result_row(name, "failed", reason))
    return stored, failed


def result_row(name: str, status: str, reason: str = "", case=None) -> dict:
    """One line of an upload's results, as plain data (a job keeps it as JSON)."""
    return {
        "name": name, "status": status, "reason": str(reason),
        "case_id": case.pk if case is not None else None, "case_title": case.title if case is not None else "",
    }


def process(stored: list[StoredUpload], *, publish: bool, progress: Callable[[dict], None] | None = None) -> list[dict]:
    """Every report of the stored uploads through the loader; one result row each; refused uploads deleted."""
    from cases.loading import ingest_bytes

    results: list[dict] = []

    def add(row: dict) -> None:
        results.append(row)
        if progress:
            progress(row)

    for upload in stored:
        loaded = False
        try:
            data = Path(upload.path).read_bytes()
        except OSError as error:
            add(result_row(upload.name, "failed", _("无法读取保存的文件（%(error)s）") % {"error": error.strerror or error}))
            continue
        for report in curation.expand_upload(upload.name, data):
            if report.error:
                add(result_row(report.label, "failed", report.error))
                continue
            try:
                with _PIPELINE_LOCK:
                    result = ingest_bytes(report.source_name, report.raw, publish=publish)
            except Exception as error:  # the database went away mid-upload: this report fails, the others still try
                log.exception("upload of %s failed", report.label)
                add(result_row(report.label, "failed", _("处理出错（%(error)s）") % {"error": type(error).__name__}))
                continue
            loaded = loaded or result.ok
            add(result_row(report.label, result.status, result.reason, result.case))
        if not loaded:
            Path(upload.path).unlink(missing_ok=True)
    return results


# ---- jobs ------------------------------------------------------------------------------------------


def _jobs_folder() -> Path:
    return Path(settings.UPLOAD_ROOT) / "jobs"


def _job_path(job_id: str) -> Path:
    return _jobs_folder() / f"{uuid.UUID(str(job_id)).hex}.json"


def _write(job: dict) -> None:
    """Write the job's file whole, then rename it into place: a reader never sees half a file."""
    job["updated"] = timezone.now().isoformat()
    path = _job_path(job["id"])
    temporary = path.with_suffix(f".{threading.get_ident()}.tmp")
    temporary.write_text(json.dumps(job, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)


def load_job(job_id: str) -> dict | None:
    try:
        job = json.loads(_job_path(job_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if job["state"] != DONE and timezone.now() - datetime.fromisoformat(job["updated"]) > STALE_AFTER:
        job["interrupted"] = True
    return job


def create_job(stored: list[StoredUpload], failed: list[dict], *, publish: bool, user_id: int) -> dict:
    _jobs_folder().mkdir(parents=True, exist_ok=True, mode=0o750)
    _forget_old_jobs()
    job = {
        "id": str(uuid.uuid4()), "user_id": user_id, "publish": publish, "state": QUEUED,
        "files": [{"name": s.name, "path": s.path} for s in stored], "results": list(failed),
        "created": timezone.now().isoformat(),
    }
    _write(job)
    return job


def _forget_old_jobs() -> None:
    """A job's page is for following it; after KEEP_JOBS its results live on in the cases and their history."""
    oldest = (timezone.now() - KEEP_JOBS).timestamp()
    for path in _jobs_folder().glob("*.json"):
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < oldest:
                path.unlink()


def run_job(job_id: str) -> dict | None:
    """Process a queued job, writing its results as each report is done; never raises."""
    job = load_job(job_id)
    if job is None or job["state"] != QUEUED:
        return job
    job["state"] = RUNNING
    _write(job)

    def progress(row: dict) -> None:
        job["results"].append(row)
        _write(job)

    try:
        stored = [StoredUpload(f["name"], f["path"]) for f in job["files"]]
        process(stored, publish=job["publish"], progress=progress)
    except Exception as error:  # whatever happens, the page must say it, not spin for ever
        log.exception("upload job %s failed", job_id)
        job["error"] = _("处理中断（%(error)s）") % {"error": type(error).__name__}
    job["state"] = DONE
    _write(job)
    return job


def _run_in_thread(job_id: str) -> None:
    try:
        run_job(job_id)
    finally:
        connections.close_all()  # this thread's own connections: nothing is left open after it


def launch(job_id: str) -> None:
    """Run the job after the response, in a thread of this process."""
    thread = threading.Thread(target=_run_in_thread, args=(job_id,), name=f"upload-{job_id}", daemon=True)
    _threads.append(thread)
    thread.start()


def wait_for_jobs(timeout: float | None = None) -> None:
    """Wait for the job threads this process started (tests, and a clean shutdown)."""
    while _threads:
        _threads.pop().join(timeout)
