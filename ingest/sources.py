"""sources: the report files under the paths a run is given, and their bytes. No Django here.

A path given to a run is not always a file: a ``.txt`` may be a symbolic link to ``/dev/zero``
(endless bytes), a named pipe (a read waits for ever for a writer), a socket, or a folder whose
symbolic link points back up the tree (every file found again on each turn of the loop). So:

- only regular files are read, and at most the size limit plus one byte (to tell "too large");
  what a file is, is asked of the open file itself (``fstat``), so it cannot change between the
  question and the read, and it is opened without blocking, so a pipe cannot hold the run;
- a folder is entered once: a symbolic link to a folder already entered (a loop, or a second way
  to the same folder) is reported and not followed again;
- hidden entries (``.git``, ``.DS_Store``) are skipped; only report suffixes are collected.

Each problem is a (path, reason) pair, the reason in Chinese; the caller turns it into a failed result.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

REPORT_SUFFIXES = {".txt", ".text", ".html", ".htm"}


class SourceError(Exception):
    """A path that cannot be read as a report; the message says why, in Chinese."""


def collect_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Report files under the given paths, in order, and a (path, reason) for each that cannot be one."""
    files: list[Path] = []
    problems: list[tuple[str, str]] = []
    entered: set[tuple[int, int]] = set()
    for given in paths:
        path = Path(given)
        try:
            info = path.stat()
        except FileNotFoundError:
            # a dangling symbolic link exists as a link but not as a file
            problems.append((str(path), "符号链接指向的文件不存在" if path.is_symlink() else "路径不存在"))
            continue
        except OSError as error:
            problems.append((str(path), _os_reason(error, "无法读取该路径")))
            continue
        if stat.S_ISDIR(info.st_mode):
            _walk(path, files, problems, entered)
        else:
            files.append(path)  # named outright: read_report says what it is if not a regular file
    return files, problems


def _walk(folder: Path, files: list[Path], problems: list[tuple[str, str]], entered: set[tuple[int, int]]) -> None:
    try:
        info = folder.stat()
    except OSError as error:
        problems.append((str(folder), _os_reason(error, "无法读取文件夹")))
        return
    key = (info.st_dev, info.st_ino)
    if key in entered:
        problems.append((str(folder), "文件夹的符号链接指回已读过的文件夹(循环或重复),未再读取"))
        return
    entered.add(key)
    try:
        entries = sorted(folder.iterdir())
    except PermissionError:
        problems.append((str(folder), "没有读取该文件夹的权限"))
        return
    except OSError as error:
        problems.append((str(folder), _os_reason(error, "无法读取文件夹")))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            is_dir = entry.is_dir()  # follows a symbolic link: a linked folder is read (once)
        except OSError:
            is_dir = False
        if is_dir:
            _walk(entry, files, problems, entered)
        elif entry.suffix.lower() in REPORT_SUFFIXES:
            files.append(entry)


def read_report(path: str | Path, *, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (``pipeline.MAX_REPORT_BYTES``); raise
    ``SourceError`` for anything else."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise SourceError("符号链接指向的文件不存在" if os.path.islink(path) else "文件不存在") from None
    except PermissionError:
        raise SourceError("没有读取该文件的权限") from None
    except IsADirectoryError:
        raise SourceError("这是一个文件夹,不是报告文件") from None
    except OSError as error:
        raise SourceError(_os_reason(error, "无法读取文件")) from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SourceError(f"不是普通文件({_kind(info.st_mode)}),未读取")
        if info.st_size > limit:
            raise SourceError(_too_large(info.st_size, limit))
        try:
            raw = handle.read(limit + 1)  # a file that grows while it is read stops here too
        except OSError as error:
            raise SourceError(_os_reason(error, "无法读取文件")) from None
    if len(raw) > limit:
        raise SourceError(_too_large(len(raw), limit))
    return raw


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "文件夹"
    if stat.S_ISFIFO(mode):
        return "命名管道"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "设备文件"
    if stat.S_ISSOCK(mode):
        return "套接字"
    return "特殊文件"


def _too_large(size: int, limit: int) -> str:
    return f"文件过大({size / 1024 / 1024:.1f} MB,上限 {limit // 1024 // 1024} MB)"


def _os_reason(error: OSError, what: str) -> str:
    if error.errno is not None and error.errno == getattr(os, "ELOOP", -1):
        return "符号链接循环,无法打开"
    return f"{what}({error.strerror or error})"
