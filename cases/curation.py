"""Uploads of the curator's admin: an uploaded file or zip as the reports in it, read safely, and the file kept.

The other curator's tools have modules of their own: ``warnings.py``, ``review.py``,
``merge.py``, ``history.py`` and ``workflow.py``; the admin wires them into pages.
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
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from ingest import sources

# --------------------------------------------------------------------------- uploads

# the suffixes a run reads (ingest.sources), and a file with none: an upload names what it is
REPORT_SUFFIXES = {*sources.REPORT_SUFFIXES, ""}


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
        yield UploadedReport(name, error=str(_("压缩包无法读取：%(error)s") % {"error": exc}))
        return
    members = [m for m in members if not _is_junk(m.filename)]
    if len(members) > limits["max_files"]:
        yield UploadedReport(
            name, error=str(_("压缩包内文件过多（%(n)d 个，上限 %(max)d 个）") % {"n": len(members), "max": limits["max_files"]})
        )
        return
    total = 0
    with archive:
        for member in members:
            member_name = f"{name}/{_member_name(member)}"
            if member.flag_bits & 0x1:
                yield UploadedReport(member_name, error=str(_("加密文件，无法读取")))
                continue
            if member.file_size > limits["max_file_bytes"]:
                yield UploadedReport(member_name, error=_too_large(member.file_size, limits["max_file_bytes"]))
                continue
            try:
                with archive.open(member) as stream:
                    raw = stream.read(limits["max_file_bytes"] + 1)
            except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as exc:
                yield UploadedReport(member_name, error=str(_("无法解压：%(error)s") % {"error": exc}))
                continue
            total += len(raw)
            if total > limits["max_total_bytes"]:
                yield UploadedReport(member_name, error=str(_("解压后总大小超过上限，其余文件未读取")))
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
        return UploadedReport(name, error=str(_("不支持的文件类型（只接受 .txt、.html 或 .zip）")))
    return UploadedReport(name, raw)


def _too_large(size: int, limit: int) -> str:
    return str(_("文件过大（%(size).1f MB，上限 %(limit).1f MB）") % {"size": size / 2**20, "limit": limit / 2**20})


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
