"""kind: a case (a place telling what it did) or a non-case (paper, commentary, speech, how-to).

Short literal examples, table-driven, then every page of the development corpus against its gold.
The weights in ingest/extract/kind.py are set by hand, not fitted, so there is nothing to hold out
per outlet; the corpus test is the check that they hold on pages they were not tuned on.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.extract import kind
from ingest.pipeline import process
from ingest.report import Layout, ReportRejected

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "pages"

# A journal paper, written for these tests: its apparatus and an argument's headings.
PAPER = """城市基层党建引领社区治理的实践逻辑与优化路径
党建研究 2021年第3期
〔摘要〕城市社区治理是国家治理的基础。本文从组织、制度和资源三个维度，分析党建引领社区治理的内在逻辑，并提出优化路径。
〔关键词〕党建引领；社区治理；实践逻辑
〔中图分类号〕D267〔文献标识码〕A
一、问题的提出
党的十九大以来，基层治理被摆在更加突出的位置〔1〕。笔者认为，必须把党的组织优势转化为治理效能。
二、党建引领社区治理的内在逻辑
要坚持以人民为中心，要把资源下沉到社区，要不断完善共建共治共享的制度〔2〕。
三、优化路径
必须进一步健全组织体系，切实提升社区党组织的组织力。
参考文献
"""

# A case, written for these tests: a named place, what it did, and what came of it.
CASE = """青溪区：“红色物业”让老旧小区焕新颜
2021-05-17 来源：青溪日报
近年来，青溪区坚持把物业服务纳入党建引领基层治理，在全区127个老旧小区推行“红色物业”。
一、建强组织，把支部建在小区里
全区已建成物业党支部46个，选派党建指导员58名。
二、议事协商，让居民说了算
去年共解决加装电梯、停车难等问题300余件，居民满意度达到92.6%。
"""


def layout(title=None, paragraphs=(), roles=None, meta=(), bylines=()) -> Layout:
    paragraphs = list(paragraphs)
    return Layout(
        title=title, paragraphs=paragraphs, paragraph_roles=list(roles or ["body"] * len(paragraphs)),
        meta_lines=list(meta), bylines=list(bylines),
    )


EXAMPLES = [
    # (what it is, layout, named place found, kind)
    ("paper apparatus", layout("社区治理的内在逻辑与路径", ["〔摘要〕本文分析了社区治理。", "〔关键词〕社区治理；党建",
                                                     "〔中图分类号〕D267〔文献标识码〕A"]), None, "non-case"),
    ("english abstract", layout("嵌入式党建与居民参与", ["Abstract: This paper studies residents.", "Keywords: party building",
                                                  "收稿日期：2022年3月31日"]), True, "non-case"),
    ("speech salutation", layout(None, ["同志们：", "今天召开全区城市工作会议，主要任务是部署今年的工作。",
                                        "刚才，几位同志作了发言，讲得都很好。"]), None, "non-case"),
    ("speech title", layout("在全市基层治理推进会议上的讲话", ["今天我们召开这次会议，研究部署下一阶段工作。"]), None, "non-case"),
    ("commentary column", layout("建强城市基层战斗堡垒", ["编者的话", "基层是治理的根基。"]), None, "non-case"),
    ("commentary news hook", layout("把好事办到群众心坎上", ["日前，有关部门印发意见，要求抓好落实。（5月9日《某某日报》）",
                                                   "地基不牢，房屋就会摇晃。"]), None, "non-case"),
    ("template site", layout("社区党建工作总结范文", ["下面是小编为大家整理的社区党建工作总结，仅供参考。"]), None, "non-case"),
    ("how-to", layout("如何写好一篇调研报告", ["调研报告写得好坏，直接关系成效。", "动笔之前，先要把情况摸清。"]), None, "non-case"),
    ("template placeholders", layout(None, ["这一年，XX街道在区委领导下，圆满完成各项任务。", "XX社区共开展活动若干次。"],
                                     meta=["工作总结"]), False, "non-case"),
    ("news case", layout("青溪区推行“红色物业”", ["本报讯 近年来，青溪区坚持以党建引领物业服务，建成物业党支部46个。"]),
     True, "case"),
    ("case with figures", layout("南岸区：党员进网格", ["今年以来，南岸区推行网格化管理，划分网格312个，2400多名党员进网格。",
                                                 "全年收集居民诉求5600余条，办结率达到97%。"]), True, "case"),
    ("case with an abstract", layout("——北京以党建引领打通基层治理“最后一公里”",
                                     ["【摘要】北京推行“吹哨报到”改革。", "【关键词】党建引领 吹哨报到", "一、有关背景"],
                                     ["body", "body", "h1"]), True, "case"),
    ("a speech quoted in a news case", layout("健康路社区开展志愿服务", ["活动开始，社区党总支书记先致辞，欢迎志愿者。"]),
     True, "case"),
    ("nothing to go on", layout("社区新貌", ["社区里新修了一条步道。"]), None, "case"),
    ("lecture plan", layout(None, ["我们将从这项改革是什么、为什么、怎么改出发，对这一主题进行深入探讨。",
                                   "一、改革是什么"], ["body", "h1"]), True, "non-case"),
    ("policy paper title", layout("老城区社区物业管理的模式选择与政策建议",
                                  ["2008年初的一场雪灾，暴露了老城区物业服务的问题。", "调研发现，问卷调查显示多数居民不满意。"]),
     True, "non-case"),
]


@pytest.mark.parametrize(("what", "page", "named_place", "expected"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_kind_of_short_examples(what, page, named_place, expected):
    fired = {f.name: f.score for f in kind.explain(page, named_place)}
    assert kind.decide_kind(page, named_place) == expected, fired


def test_the_score_is_the_sum_of_what_fired_and_the_threshold_decides():
    page = layout("在全市会议上的讲话", ["同志们："])
    assert kind.score(page) == sum(f.score for f in kind.explain(page))
    assert kind.score(page) >= kind.THRESHOLD
    assert kind.score(layout("社区新貌", ["社区里新修了一条步道。"])) < kind.THRESHOLD


def test_no_place_found_counts_only_when_the_finder_was_asked():
    page = layout("社区新貌", ["社区里新修了一条步道。"])
    assert kind.score(page, named_place=False) == kind.score(page) + kind.NO_PLACE
    assert kind.score(page, named_place=True) == kind.score(page)


def test_a_paper_through_the_pipeline_is_a_non_case_without_mechanisms():
    report = process(PAPER.encode("utf-8"), "paper.txt")
    assert report.extraction.kind == "non-case"
    assert report.extraction.mechanisms == []


def test_a_papers_journal_does_not_place_it_but_a_local_paper_places_its_case():
    # the journal is named for a province; the paper studies no place of its own
    paper = process(PAPER.replace("党建研究 2021年第3期", "浙江党建研究 2021年第3期").encode("utf-8"), "paper.txt")
    assert (paper.extraction.kind, paper.extraction.source, paper.extraction.province) == ("non-case", "浙江党建研究", None)
    case = process(CASE.replace("青溪日报", "杭州日报").replace("青溪区", "某区").encode("utf-8"), "case.txt")
    assert (case.extraction.kind, case.extraction.source, case.extraction.city) == ("case", "杭州日报", "杭州市")


def test_a_case_through_the_pipeline_keeps_its_mechanisms():
    report = process(CASE.encode("utf-8"), "case.txt")
    assert report.extraction.kind == "case"
    assert [m.heading for m in report.extraction.mechanisms][:1] == ["建强组织，把支部建在小区里"]


# Known misses with the shipped line-role model, kept visible rather than out of the table: the
# essay's voice signals sit in lines the model now files as meta. strict: each must be taken off
# this list once it passes.
KNOWN_MISSES = {
    "jiceng-01.txt": "the submitted essay's signals fall in lines read as meta",
}
PAGES = [
    pytest.param(p, marks=pytest.mark.xfail(reason=KNOWN_MISSES[p.name], strict=True)) if p.name in KNOWN_MISSES else p
    for p in sorted(p for p in CORPUS.glob("*/*") if p.suffix in (".txt", ".html"))
]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_kind_of_every_corpus_page(page):
    gold = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    try:
        report = process(page.read_bytes(), page.name)
    except ReportRejected as rejected:
        pytest.fail(f"rejected: {rejected}")
    ex = report.extraction
    fired = {f.name: f.score for f in kind.explain(report.layout, ex.province is not None)}
    assert ex.kind == gold["kind"], fired
