"""manage.py ingest PATH [PATH ...]: load raw report files (or folders of them) into the archive."""

from __future__ import annotations

import dataclasses
import sys
import time
import unicodedata

from django.core.management.base import BaseCommand

from cases.loading import CREATED, FAILED, UNCHANGED, UPDATED, count_reports, ingest_paths
from cases.models import Case


class Command(BaseCommand):
    help = "把原始报告文件（或文件夹）导入案例库：每篇一行结果；全部成功时退出码为 0。"

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="报告文件或文件夹（.txt/.html/.htm，递归）")
        parser.add_argument(
            "--publish", action="store_true", help="新建的案例直接发布（默认为草稿）；非案例从不发布，保留为草稿"
        )
        parser.add_argument(
            "--jobs", type=int, default=1, help="用 N 个进程做解码到抽取，由本进程单独写库（默认 1)"
        )

    def handle(self, *args, paths, publish=False, jobs=1, **options):
        started = time.monotonic()
        show_progress = self.stderr.isatty()
        total = count_reports(paths) if show_progress else 0
        counts = {CREATED: 0, UPDATED: 0, UNCHANGED: 0, FAILED: 0}
        withheld = 0  # new non-cases --publish left as drafts
        for done, result in enumerate(ingest_paths(paths, publish=publish, jobs=max(1, jobs)), start=1):
            counts[result.status] += 1
            if publish and result.status == CREATED and result.case.kind == Case.Kind.NON_CASE:
                withheld += 1
            if show_progress:
                self.stderr.write("\r\033[K", ending="")
            style = self.style.ERROR if result.status == FAILED else (lambda s: s)
            self.stdout.write(style(terminal_line(result)))
            if show_progress:
                self.stderr.write(progress(done, total, time.monotonic() - started), ending="")
                self.stderr.flush()
        if show_progress:
            self.stderr.write("\r\033[K", ending="")
        elapsed = time.monotonic() - started
        done = sum(counts.values())
        self.stdout.write(
            f"共 {done} 篇，用时 {elapsed:.1f} 秒：新建 {counts[CREATED]}，更新 {counts[UPDATED]}，"
            f"未变 {counts[UNCHANGED]}，失败 {counts[FAILED]}"
            + (f"；其中非案例 {withheld} 篇未发布（保留为草稿）" if withheld else "")
        )
        if counts[FAILED]:
            sys.exit(1)


def progress(done: int, total: int, elapsed: float) -> str:
    rate = done / elapsed if elapsed > 0 else 0.0
    left = (total - done) / rate if rate > 0 and total >= done else 0.0
    return f"已处理 {done}/{total},{rate:.1f} 篇/秒，预计还需 {left:.0f} 秒"


ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """``text`` with every character a terminal would act on written as an escape, as ``repr`` does:
    a newline in a file name cannot start a forged result line, an ESC cannot recolour the screen.
    Backslashes are doubled, so an escape in the output always stands for a character of the name."""
    return "".join(_escaped(char) for char in text)


def _escaped(char: str) -> str:
    if char in ESCAPES:
        return ESCAPES[char]
    category = unicodedata.category(char)
    if category[0] != "C" and category not in ("Zl", "Zp"):
        return char
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def terminal_line(result) -> str:
    """``LoadResult.line`` with the file name and the detail (a reason, or a title from the database) escaped."""
    detail = result.reason or (result.case.title if result.case else "")
    return dataclasses.replace(result, source_name=printable(result.source_name), reason=printable(detail), case=None).line()
