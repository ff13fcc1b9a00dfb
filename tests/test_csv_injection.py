"""CSV formula injection (OWASP): a cell that starts with = + - @, a tab or a carriage return is read
as a formula by a spreadsheet. Every CSV the site writes (/cases.csv, /figures.csv, the admin's
export action) prefixes such a cell with a single quote; the JSON keeps the text as it is."""

from __future__ import annotations

import csv
import io
import json

import pytest

from cases.export import spreadsheet_safe
from tests import test_admin
from tests.site_factories import make_case

pytestmark = pytest.mark.django_db

HOSTILE = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


def _rows(response) -> list[dict]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("title", HOSTILE)
def test_public_case_csv_neutralises_a_formula_title(client, title):
    make_case(title, "正文。", source=title)
    row = _rows(client.get("/cases.csv"))[0]
    assert row["title"] == "'" + title
    assert row["source"] == "'" + title


@pytest.mark.parametrize("sentence", HOSTILE)
def test_figures_csv_neutralises_title_subject_and_sentence(client, sentence):
    body = f"{sentence}建立网格12个。"
    make_case(sentence, body, metrics=(("12个", "12", "个", "", sentence),))
    row = _rows(client.get("/figures.csv"))[0]
    assert row["case"] == "'" + sentence
    assert row["subject"] == "'" + sentence
    sentence_cell = body.strip()  # the export strips the sentence: a leading tab or CR is gone
    assert row["sentence"] == ("'" + sentence_cell if sentence_cell[0] in "=+-@" else sentence_cell)
    assert row["value"] == "12"  # numbers are not text: left alone


def test_figures_csv_sentence_starting_with_a_formula(client):
    make_case("案例", "=1+1建立网格12个。", metrics=(("12个", "12", "个", "", "网格"),))
    assert _rows(client.get("/figures.csv"))[0]["sentence"] == "'=1+1建立网格12个。"


def test_admin_csv_export_neutralises_a_formula_title(client):
    client.force_login(test_admin.editor())
    case = test_admin.make_case(title="=cmd|' /C calc'!A0", author_org="@公司")
    rows = _rows(test_admin.action(client, "export_csv", case))
    assert rows[0]["title"] == "'=cmd|' /C calc'!A0"
    assert rows[0]["author_org"] == "'@公司"


def test_ordinary_cells_and_the_json_are_unchanged(client):
    make_case("网格化管理的经验", "正文。", source="某某日报")
    row = _rows(client.get("/cases.csv"))[0]
    assert row["title"] == "网格化管理的经验" and row["source"] == "某某日报"
    make_case("=1+1", "正文。")
    data = json.loads(client.get("/cases.json").content)
    titles = [c["title"] for c in data["results"]]
    assert "=1+1" in titles


@pytest.mark.parametrize(("value", "safe"), [
    ("=1", "'=1"), ("+1", "'+1"), ("-1", "'-1"), ("@a", "'@a"), ("\t1", "'\t1"), ("\r1", "'\r1"),
    ("a=1", "a=1"), ("", ""), (12, 12), (None, None), ("'=1", "'=1"),
])
def test_spreadsheet_safe(value, safe):
    assert spreadsheet_safe(value) == safe
