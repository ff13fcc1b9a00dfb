"""practices: tags from the taxonomy by name and synonym, precision first."""

from __future__ import annotations

import pytest

from ingest.extract import default_taxonomy
from ingest.extract.practices import count_mentions, joined, norm, tag_practices
from ingest.report import MechanismData

TAXONOMY = [
    ("网格化管理", ["网格化", "网格管理", "网格党支部", "网格员"]),
    ("双报到", ["在职党员到社区报到", "党员到社区报到"]),
    ("“两新”组织党建", ["两新组织", "非公企业党建"]),
    ("三社联动", ["社工"]),
    ("在职党员进社区", ["在职党员", "进社区"]),
    ("讲习所", ["新时代讲习所", "宣讲"]),
]


@pytest.mark.parametrize(
    ("text", "terms", "expected"),
    [
        ("推行网格化管理,建强网格员队伍", ["网格化管理", "网格化", "网格员"], 2),
        ("网格化管理", ["网格化", "网格化管理"], 1),  # the longest term, once
        ("网格网格网格", ["网格"], 3),
        ("没有提到", ["网格"], 0),
        ("", ["网格"], 0),
        ("任何文本", [""], 0),
    ],
)
def test_count_mentions(text, terms, expected):
    assert count_mentions(text, terms) == expected


@pytest.mark.parametrize(("text", "expected"), [("“两新”组织党建", "两新组织党建"), ("党建 引领", "党建引领")])
def test_norm(text, expected):
    assert norm(text) == expected


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [
        (["推进", "社区", "“", "党建", "”"], ("推进社区党建", {0, 2, 4, 6})),
        (["党建", " "], ("党建", {0, 2})),
        ([], ("", {0})),
    ],
)
def test_joined(tokens, expected):
    assert joined(tokens) == expected


def test_tokens_given_are_used_instead_of_cutting_again():
    # tokens that put a boundary inside 网格化管理 (as no real cut would) prove they are the ones used
    assert tag_practices("网格化管理网格化管理", [], TAXONOMY, tokens=["网格化", "管理", "网格化", "管理"]) == ["网格化管理"]
    assert tag_practices("网格化管理网格化管理", [], TAXONOMY, tokens=["网", "格化管理网", "格化管理"]) == []


def heading(text: str) -> MechanismData:
    return MechanismData(heading=text)


@pytest.mark.parametrize(
    ("body", "headings", "expected"),
    [
        # two mentions tag
        ("全面推行网格化管理。全市设立网格党支部700余个。", [], ["网格化管理"]),
        # one passing mention of a generic synonym does not
        ("社工、志愿者共同参与。", [], []),
        ("开展宣讲5800余次。", [], []),
        # one mention in the body plus the same in a practice heading does
        ("建强网格员队伍。", ["基层治理网格化"], ["网格化管理"]),
        # names with quotes match without them, and the other way round
        ("加强两新组织党建,推动两新组织覆盖。", [], ["“两新”组织党建"]),
        # the most mentioned first
        ("在职党员到社区报到。党员到社区报到。双报到。网格化管理,网格员。", [], ["双报到", "网格化管理"]),
        # only on word boundaries: 推进|社区 holds no 进社区
        ("推进社区大党委建设。推进社区减负。", [], []),
        ("开展在职党员进社区活动。鼓励党员进社区。", [], ["在职党员进社区"]),
        ("", [], []),
    ],
)
def test_tag_practices(body, headings, expected):
    assert tag_practices(body, [heading(h) for h in headings], TAXONOMY) == expected


def test_default_taxonomy_is_name_and_synonym_pairs():
    pairs = default_taxonomy()
    assert ("双报到", ["在职党员到社区报到", "党员到社区报到", "双报到双服务", "报到服务"]) in pairs
    assert all(isinstance(name, str) and isinstance(syns, list) for name, syns in pairs)
