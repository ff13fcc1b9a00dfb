"""manage.py ingest / export: one line per report, bad input never stops the others, exit status tells."""

from __future__ import annotations

import json
import os
import shutil
import struct
import zlib
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from cases.models import Case

pytestmark = pytest.mark.django_db

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
GOOD_SEED = SEEDS / "003_b71aa84b4d782c3f.txt"


def run_ingest(*paths, publish=False) -> tuple[int, list[str]]:
    out = StringIO()
    try:
        call_command("ingest", *map(str, paths), publish=publish, stdout=out, stderr=StringIO())
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue().splitlines()


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + chunk(
        b"IEND", b"")


BAD_FILES = {
    "empty.txt": b"",
    "blank.txt": b" \n\r\n\t ",
    "photo.txt": png_bytes(),
    "chrome-only.txt": "首页 > 党建 > 基层党建\n【字号 大 中 小】 打印 分享到\n上一篇 2023年1月29日\n版权所有 © 2023\n".encode(),
    "english.txt": ("Party building in cities: a report. " * 40).encode(),
    "shift-jis.txt": ("これは日本語のテキストです。カタカナとひらがなだけで書かれています。" * 20).encode("shift_jis"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_file_fails_with_one_clear_line_and_the_good_one_still_loads(tmp_path, name):
    (tmp_path / name).write_bytes(BAD_FILES[name])
    shutil.copy(GOOD_SEED, tmp_path / GOOD_SEED.name)
    code, lines = run_ingest(tmp_path)
    failed = [line for line in lines if line.startswith("failed")]
    assert code == 1
    assert len(failed) == 1 and name in failed[0]
    assert len(failed[0].split(name, 1)[1].strip()) >= 2, "the line must give a reason"
    assert not any("Traceback" in line for line in lines)
    assert Case.objects.filter(source_file=GOOD_SEED.name).exists()


def test_a_30_mb_file_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "huge.txt"
    with big.open("wb") as handle:
        handle.truncate(30 * 1024 * 1024)
    shutil.copy(GOOD_SEED, tmp_path / GOOD_SEED.name)
    code, lines = run_ingest(tmp_path)
    assert code == 1
    assert any(line.startswith("failed") and "huge.txt" in line and "MB" in line for line in lines)
    assert Case.objects.count() == 1


def test_an_unreadable_folder_is_named_and_the_rest_loads(tmp_path, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "inside.txt").write_bytes(GOOD_SEED.read_bytes())
    os.chmod(locked, 0)
    if os.geteuid() == 0:
        # root reads any folder whatever its mode; make the operating system's refusal happen anyway
        real_iterdir = Path.iterdir

        def refusing_iterdir(self):
            if self == locked:
                raise PermissionError(13, "Permission denied", str(self))
            return real_iterdir(self)

        monkeypatch.setattr(Path, "iterdir", refusing_iterdir)
    shutil.copy(GOOD_SEED, tmp_path / GOOD_SEED.name)
    try:
        code, lines = run_ingest(tmp_path)
    finally:
        os.chmod(locked, 0o755)
    assert code == 1
    assert any(line.startswith("failed") and "locked" in line and "权限" in line for line in lines)
    assert Case.objects.filter(source_file=GOOD_SEED.name).exists()


def test_a_missing_path_is_reported(tmp_path):
    code, lines = run_ingest(tmp_path / "nope.txt", GOOD_SEED)
    assert code == 1
    assert lines[0].startswith("failed") and "nope.txt" in lines[0]
    assert Case.objects.count() == 1


def test_seeds_load_once_and_again_unchanged():
    code, lines = run_ingest(SEEDS, publish=True)
    assert code == 0, lines
    assert sum(line.startswith("created") for line in lines) == 5
    assert Case.objects.published().count() == 5
    code, lines = run_ingest(SEEDS)
    assert code == 0
    assert sum(line.startswith("unchanged") for line in lines) == 5
    assert Case.objects.count() == 5


def test_export_json_has_the_documented_shape(tmp_path):
    run_ingest(SEEDS)
    target = tmp_path / "export.json"
    call_command("export", format="json", output=str(target), stderr=StringIO())
    cases = json.loads(target.read_text(encoding="utf-8"))
    assert len(cases) == 5
    keys = {"source_file", "slug", "title", "province", "city", "district", "published_on", "source", "author_org",
            "script", "kind", "status", "practices", "keywords", "mechanisms", "metrics", "body"}
    assert keys <= set(cases[0])
    for case in cases:
        for metric in case["metrics"]:
            assert case["body"][metric["start"]:metric["end"]] == metric["text"]
        for mechanism in case["mechanisms"]:
            assert set(mechanism) >= {"heading", "slogan", "parent", "order"}


def test_export_csv_has_a_header_and_a_row_per_case():
    run_ingest(SEEDS)
    out = StringIO()
    call_command("export", format="csv", stdout=out)
    rows = out.getvalue().strip().splitlines()
    assert rows[0].startswith("source_file,slug,title")
    assert len(rows) == 6


def test_publish_leaves_a_non_case_a_draft_and_the_result_lines_say_so(tmp_path):
    from tests.test_kind import PAPER

    (tmp_path / "paper.txt").write_text(PAPER, encoding="utf-8")
    shutil.copy(GOOD_SEED, tmp_path / GOOD_SEED.name)
    code, lines = run_ingest(tmp_path, publish=True)
    assert code == 0, lines
    paper_line = next(line for line in lines if "paper.txt" in line)
    assert paper_line.startswith("created") and "非案例，未发布" in paper_line
    assert "其中非案例 1 篇未发布（保留为草稿）" in lines[-1]
    assert Case.objects.get(source_file="paper.txt").status == Case.Status.DRAFT
    assert Case.objects.get(source_file=GOOD_SEED.name).status == Case.Status.PUBLISHED


def test_exports_carry_the_kind(tmp_path):
    from tests.test_kind import PAPER

    (tmp_path / "paper.txt").write_text(PAPER, encoding="utf-8")
    run_ingest(tmp_path, GOOD_SEED)
    target = tmp_path / "export.json"
    call_command("export", format="json", output=str(target), stderr=StringIO())
    kinds = {c["source_file"]: c["kind"] for c in json.loads(target.read_text(encoding="utf-8"))}
    assert kinds == {"paper.txt": "non-case", GOOD_SEED.name: "case"}
    out = StringIO()
    call_command("export", format="csv", stdout=out)
    rows = out.getvalue().strip().splitlines()
    assert "kind" in rows[0].split(",")
    assert any(",non-case," in row for row in rows[1:])


def test_a_file_name_with_a_newline_cannot_forge_a_result_line(tmp_path):
    forged = "x.txt\nfailed    forged.txt  文件为空"
    (tmp_path / f"{forged}.txt").write_bytes(GOOD_SEED.read_bytes())
    code, lines = run_ingest(tmp_path)
    assert code == 0, lines
    assert len(lines) == 2  # one result line, then the summary
    assert lines[0].startswith("created") and "x.txt\\nfailed    forged.txt" in lines[0]
    assert not any(line.startswith("failed") for line in lines)


def test_control_characters_of_a_report_reach_neither_its_title_nor_the_terminal(tmp_path):
    from ingest.pipeline import process_file

    title = process_file(GOOD_SEED).extraction.title
    text = GOOD_SEED.read_text(encoding="utf-8")
    assert title[:6] in text
    marked = title[:2] + "\x1b[31m" + title[2:6] + "\x07\x1b[0m"  # inside the headline as the file writes it
    (tmp_path / "bell\x07.txt").write_text(text.replace(title[:6], marked, 1), encoding="utf-8")
    code, lines = run_ingest(tmp_path)
    assert code == 0, lines
    case = Case.objects.get()
    assert case.title == title
    assert not any(char in case.title for char in "\x1b\x07")
    assert "\x1b" not in "".join(lines) and "\x07" not in "".join(lines)
    assert "bell\\x07.txt" in lines[0]


def test_a_title_held_in_the_database_with_a_control_character_is_escaped_on_the_terminal():
    run_ingest(GOOD_SEED)
    Case.objects.update(title="标题\x1b]0;pwned\x07")
    code, lines = run_ingest(GOOD_SEED)
    assert code == 0
    assert lines[0].startswith("unchanged") and "标题\\x1b]0;pwned\\x07" in lines[0]
