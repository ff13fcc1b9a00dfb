"""Indicators: a figure's subject and unit → the comparable quantity it counts (ingest/indicators.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest import indicators
from ingest.extract.numbers import UNITS

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "subject, unit, slug",
    [
        ("在职党员", "名", "reporting-members"),
        ("到社区报到的在职党员", "名", "reporting-members"),  # the head noun is last
        ("报名参与的在职报到党员", "人", "reporting-members"),
        ("党员", "名", "party-members"),
        ("党员志愿者", "名", "member-volunteers"),  # the longest synonym wins over 志愿者 and 党员
        ("城市社区党支部", "个", "community-party-organisations"),  # 社区党支部 before 党支部
        ("区属企业党支部", "个", "party-organisations"),
        ("小区党支部", "个", "residential-branches"),
        ("居民", "户", "households"),  # the unit decides between households and heads
        ("居民", "名", "residents"),
        ("党员", "人次", None),  # a head count's subject in visits: no indicator
        ("红色物业覆盖率", "%", "red-property-coverage"),
        ("“红色物业”覆盖率", "%", "red-property-coverage"),  # quotes do not hide the words
        ("党群服务中心", "处", "service-centres"),
        ("服务群众", "人次", "people-served"),
        ("乔灌木", "棵", None),  # nothing comparable
        ("", "个", None),
        ("党员", "", None),
        ("党员", "斤", None),  # not a unit the pipeline stores
    ],
)
def test_assign(subject, unit, slug):
    assert indicators.assign(subject, unit) == slug


def test_two_indicators_fitting_equally_leave_the_figure_unassigned():
    rows = [("甲指标", "a", "个", ["支部"]), ("乙指标", "b", "个", ["支部"])]
    assert indicators.assign("小区支部", "个", indicators.from_rows(rows)) is None
    assert indicators.assign("小区支部", "个", indicators.from_rows(rows[:1])) == "a"


def test_a_rows_name_is_one_of_its_synonyms():
    rows = [("楼道长人数", "stair-leaders", "人", ["楼道长"])]
    assert indicators.assign("楼道长人数", "名", indicators.from_rows(rows)) == "stair-leaders"


def test_the_starting_list_is_well_formed():
    slugs = [i.slug for i in indicators.INDICATORS]
    names = [i.name for i in indicators.INDICATORS]
    assert len(slugs) == len(set(slugs)) and len(names) == len(set(names))
    assert len(indicators.INDICATORS) >= 30
    stored = set(UNITS.values())
    for family, units in indicators.UNIT_FAMILIES.items():
        assert units <= stored, family
        assert family in indicators.FAMILY_LABELS
    for ind in indicators.INDICATORS:
        assert ind.family in indicators.UNIT_FAMILIES and ind.synonyms, ind.name


def test_the_starting_list_covers_most_figures_of_the_seeds_and_the_corpus():
    figures = [m for page in sorted((ROOT / "corpus" / "pages").glob("*/*.json"))
               for m in json.loads(page.read_text(encoding="utf-8")).get("metrics", [])]
    seeds = json.loads((ROOT / "tests" / "fixtures" / "expected.json").read_text(encoding="utf-8"))
    figures += [m for key, entry in seeds.items() if not key.startswith("_") for m in entry.get("metrics", [])]
    used = {indicators.assign(m.get("subject") or "", m.get("unit") or "") for m in figures} - {None}
    assigned = sum(1 for m in figures if indicators.assign(m.get("subject") or "", m.get("unit") or ""))
    # at least 30 indicators of the starting list are carried by real figures, and most figures find one
    assert len(used) >= 30
    assert assigned / len(figures) >= 0.6


def test_an_assigner_answers_as_assign_does_for_its_list():
    rows = [
        ("党支部数", "branches", "个", ["党支部"]),
        ("社区党支部数", "community-branches", "个", ["社区党支部"]),
        ("甲", "a", "人", ["“志愿者”"]),  # a synonym written in quotes counts without them
        ("乙", "b", "人", ["服务者"]),
        ("丙", "c", "人", ["服务者"]),
    ]
    assign = indicators.Assigner(indicators.from_rows(rows))
    assert assign("城市社区党支部", "个") == "community-branches"  # the longest synonym that ends it
    assert assign("企业党支部", "个") == "branches"
    assert assign("企业党支部", "名") is None  # 名 is not in the 个 family
    assert assign("党员志愿者", "名") == "a"
    assert assign("志愿服务者", "人") is None  # two indicators fit with synonyms of one length
    assert assign("", "个") is None
    assert assign("党支部", "斤") is None  # not a unit the pipeline stores
