"""extract: the orchestrator, keywords, and the whole pipeline on the seeds against expected.json."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.extract import extract
from ingest.extract.keywords import idf_of, is_candidate, parse_idf, rank, top_keywords
from ingest.pipeline import process_file
from ingest.report import Layout, Report
from tests.scoring import GOLD as EXPECTED
from tests.scoring import match_texts, same_text

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))

# --- keywords ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("网格化管理", True),
        ("党建", True),
        ("党", False),  # single character
        ("2019", False),
        ("3.5%", False),
        ("三个", False),
        ("余个", False),  # the tail of 700余个
        ("万人", False),
        ("工作", False),  # a stop word of the genre
        ("，", False),
        ("ng", False),  # pinyin left by a damaged file
    ],
)
def test_is_candidate(token, expected):
    assert is_candidate(token) is expected


@pytest.mark.parametrize(
    ("tokens", "idf", "expected"),
    [
        # frequency × IDF; an unknown word gets the median
        (["社区", "社区", "网格化", "的"], {"社区": 2.0, "网格化": 5.0}, ["网格化", "社区"]),
        (["社区", "社区", "社区", "网格化"], {"社区": 2.0, "网格化": 5.0}, ["社区", "网格化"]),
        (["新词语", "社区"], {"社区": 2.0}, ["新词语", "社区"]),  # median 3.0 for 新词语
        # ties keep the order of first appearance
        (["甲乙", "丙丁"], {"甲乙": 1.0, "丙丁": 1.0}, ["甲乙", "丙丁"]),
        ([], {}, []),
    ],
)
def test_rank(tokens, idf, expected):
    assert rank(tokens, idf, median=3.0) == expected


def test_rank_top_k():
    assert rank(["甲乙", "丙丁", "戊己"], {}, 1.0, top_k=2) == ["甲乙", "丙丁"]


def test_parse_idf():
    assert parse_idf("党建 8.5\n网格 9.1\n\n坏行\n") == {"党建": 8.5, "网格": 9.1}


def test_idf_is_jiebas_table():
    found, median = idf_of(["的", "党建", "不存在的词语xyz"])
    assert 0 < found["的"] < found["党建"]
    assert "不存在的词语xyz" not in found and median > 0


def test_idf_cache_answers_as_the_table(monkeypatch):
    from ingest.extract import keywords

    words = ["的", "党建", "不存在的词语xyz", "网格化管理"]
    monkeypatch.setattr(keywords, "_known", {})
    first = idf_of(words)
    assert set(keywords._known) == set(words)  # the missing word is remembered as missing
    assert idf_of(reversed(words)) == first
    monkeypatch.setattr(keywords, "KNOWN_MAX", 2)
    assert idf_of(["党建", "社区"])[0].keys() == {"党建", "社区"}  # past the bound it starts afresh
    assert set(keywords._known) == {"党建", "社区"}


def test_top_keywords_from_tokens():
    tokens = ["推行", "网格化管理", "，", "网格化管理", "覆盖", "全市", "，", "设立", "网格", "党支部", "700", "余个"]
    keywords = top_keywords(tokens)
    assert keywords[0] == "网格化管理"
    assert not {"，", "700", "余个", "全市"} & set(keywords)


# --- the orchestrator -------------------------------------------------------------------------------

BODY = (
    "近年来,某市坚持以党建引领城市基层治理,推动各类组织和党员群众共同参与,形成了共建共治共享的良好格局。\n"
    "下好“一盘棋”,建立城市基层党建领导新机制。全面推行网格化管理,全市设立网格党支部700余个。\n"
    "织密“一张网”,提升城市基层治理新成效。推行网格化管理,网格员每周巡查不少于3次。"
)


def report(body: str = BODY, title: str = "辽宁锦州:深入实施“五个一”工程") -> Report:
    from ingest import segment

    layout = Layout(title=title, paragraphs=body.split("\n"))
    return Report(source_name="x.txt", layout=layout, body=layout.body, tokens=segment.cut(layout.body))


def test_extract_wires_every_part():
    out = extract(report())
    assert out.title
    assert (out.province, out.city, out.district, out.place_code) == ("辽宁省", "锦州市", None, "210700")
    assert [m.heading for m in out.mechanisms] == ["下好“一盘棋”,建立城市基层党建领导新机制", "织密“一张网”,提升城市基层治理新成效"]
    assert [m.slogan for m in out.mechanisms] == ["一盘棋", "一张网"]
    assert "网格化管理" in out.practices
    assert "网格化管理" in out.keywords


def test_extract_uses_the_taxonomy_given():
    out = extract(report(), taxonomy=[("网格管理新名", ["网格化管理"])])
    assert out.practices == ["网格管理新名"]


def test_extract_without_a_place():
    out = extract(report(title="关于x区党建引领基层治理的调研报告"))
    assert (out.province, out.city, out.district, out.place_code) == (None, None, None, None)


def test_extract_cuts_when_tokens_are_missing():
    r = report()
    r.tokens = []
    assert "网格化管理" in extract(r).keywords


# --- the seeds, through the whole pipeline, held to expected.json with the scorer's matching rule ---

@pytest.fixture(scope="module")
def seeds() -> dict[str, Report]:
    return {path.name: process_file(path) for path in SEEDS}


@pytest.mark.parametrize("name", [p.name for p in SEEDS])
def test_seed_mechanisms(seeds, name):
    gold, found = EXPECTED[name], seeds[name].extraction.mechanisms
    top = [m.heading for m in found if m.parent is None]
    assert match_texts(gold["mechanisms"], top) == len(gold["mechanisms"]) == len(top), top
    for i, m in enumerate(found):
        if m.parent is None:
            continue
        assert found[m.parent].parent is None and m.level == 2 and m.parent < i
    for parent, subs in gold["sub_mechanisms"].items():
        (index,) = [i for i, m in enumerate(found) if m.parent is None and same_text(parent, m.heading)]
        children = [m.heading for m in found if m.parent == index]
        assert match_texts(subs, children) == len(subs) == len(children), children
    if not gold["sub_mechanisms"]:
        assert all(m.parent is None for m in found)


@pytest.mark.parametrize("name", [p.name for p in SEEDS])
def test_seed_place(seeds, name):
    gold, out = EXPECTED[name], seeds[name].extraction
    assert (out.province, out.city, out.district) == (gold["province"], gold["city"], gold["district"])


@pytest.mark.parametrize("name", [p.name for p in SEEDS])
def test_seed_spans_and_slogans(seeds, name):
    r = seeds[name]
    for m in r.extraction.mechanisms:
        assert r.body[m.start : m.end] == m.heading
        assert m.slogan == "" or m.slogan in m.heading


def test_seed_keywords_and_practices(seeds):
    for r in seeds.values():
        assert 0 < len(r.extraction.keywords) <= 10
        assert all(len(k) >= 2 for k in r.extraction.keywords)
    assert "网格化管理" in seeds["001_2a0395a21e9b23bd.txt"].extraction.practices
    assert "一肩挑" in seeds["001_2a0395a21e9b23bd.txt"].extraction.practices
