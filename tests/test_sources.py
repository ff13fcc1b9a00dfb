"""Files that are not files: device links, named pipes, folder loops. Only regular files are read, at most
the size limit plus one byte; a folder is entered once and a loop is reported. Real links and pipes in tmp_path."""

from __future__ import annotations

import os
import shutil
import signal
from contextlib import contextmanager
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from cases.models import Case
from ingest import sources
from ingest.pipeline import MAX_REPORT_BYTES

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
GOOD_SEED = SEEDS / "003_b71aa84b4d782c3f.txt"


@contextmanager
def watchdog(seconds: int = 60):
    """A read that blocks for ever fails the test instead of hanging the suite (no timing is asserted)."""

    def hung(_signum, _frame):
        raise AssertionError("the run blocked reading a file")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run_ingest(*paths) -> tuple[int, list[str]]:
    out = StringIO()
    try:
        with watchdog():
            call_command("ingest", *map(str, paths), stdout=out, stderr=StringIO())
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue().splitlines()


def test_a_txt_link_to_dev_zero_is_refused_without_being_read(tmp_path):
    zero = tmp_path / "zero.txt"
    zero.symlink_to("/dev/zero")
    with pytest.raises(sources.SourceError, match="不是普通文件"):
        sources.read_report(zero, limit=MAX_REPORT_BYTES)


def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path):
    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)
    with watchdog(), pytest.raises(sources.SourceError, match="命名管道"):
        sources.read_report(pipe, limit=MAX_REPORT_BYTES)


def test_a_regular_file_is_read_up_to_the_limit_and_one_byte_more_is_refused(tmp_path):
    report = tmp_path / "r.txt"
    report.write_bytes(b"x" * 100)
    assert sources.read_report(report, limit=100) == b"x" * 100
    with pytest.raises(sources.SourceError, match="文件过大"):
        sources.read_report(report, limit=99)


def test_a_folder_loop_is_followed_once_and_reported(tmp_path):
    inner = tmp_path / "a" / "b"
    inner.mkdir(parents=True)
    (inner / "report.txt").write_text("报告", encoding="utf-8")
    (inner / "up").symlink_to(tmp_path / "a")  # a/b/up → a: a loop
    files, problems = sources.collect_files([tmp_path])
    assert files == [inner / "report.txt"]
    assert len(problems) == 1 and problems[0][0].endswith("up") and "循环" in problems[0][1]


def test_a_link_to_a_folder_elsewhere_is_followed(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "report.txt").write_text("报告", encoding="utf-8")
    given = tmp_path / "given"
    given.mkdir()
    (given / "linked").symlink_to(elsewhere)
    files, problems = sources.collect_files([given])
    assert files == [given / "linked" / "report.txt"] and problems == []


def test_a_dangling_link_is_named(tmp_path):
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    files, _ = sources.collect_files([tmp_path])
    with pytest.raises(sources.SourceError, match="不存在"):
        sources.read_report(files[0], limit=MAX_REPORT_BYTES)


@pytest.mark.django_db
def test_a_run_over_a_folder_of_non_files_loads_the_report_once_and_names_each_problem(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copy(GOOD_SEED, folder / GOOD_SEED.name)
    (folder / "zero.txt").symlink_to("/dev/zero")
    os.mkfifo(folder / "pipe.txt")
    (folder / "loop").symlink_to(folder)
    code, lines = run_ingest(folder)
    assert code == 1
    assert sum(GOOD_SEED.name in line for line in lines) == 1  # not once per turn of the loop
    assert Case.objects.filter(source_file=GOOD_SEED.name).count() == 1
    failed = {line.split()[1]: line for line in lines if line.startswith("failed")}
    assert "不是普通文件" in failed["zero.txt"] and "命名管道" in failed["pipe.txt"]
    assert any("loop" in name and "循环" in line for name, line in failed.items())
    assert "失败 3" in lines[-1]
