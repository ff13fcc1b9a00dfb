"""The development corpus (corpus/README.md): every page, role file and gold file agree."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from ingest import decode, normalise, repair

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "pages"
ROLES = {"chrome", "title", "subtitle", "meta", "byline", "h1", "h2", "h3", "item", "caption", "body", "footer"}
CONTINUED = {"title", "h1", "h2", "h3"}  # roles that may run on to a second line (role+)
GOLD_KEYS = {
    "outlet", "kind", "province", "city", "district", "title_contains", "date", "source", "author_org",
    "script", "mechanisms", "sub_mechanisms", "metrics",
}  # fmt: skip

PAGES = sorted(p for p in CORPUS.glob("*/*") if p.suffix in (".txt", ".html"))
TEXT_PAGES = [p for p in PAGES if p.suffix == ".txt"]


def non_empty_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def read_roles(path: Path) -> list[tuple[str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        role, _, anchor = line.partition("\t")
        rows.append((role, anchor))
    return rows


@pytest.mark.parametrize("page", TEXT_PAGES, ids=lambda p: p.name)
def test_roles_label_every_line_of_the_page(page):
    lines = non_empty_lines(page.read_text(encoding="utf-8"))
    roles = read_roles(page.with_suffix(".roles"))
    assert len(roles) == len(lines), f"{len(roles)} roles for {len(lines)} lines"
    for n, ((role, anchor), line) in enumerate(zip(roles, lines, strict=True), 1):
        base = role.removesuffix("+")
        assert base in ROLES, f"line {n}: unknown role {role!r}"
        assert role == base or base in CONTINUED, f"line {n}: {role!r} cannot continue a line"
        assert line.startswith(anchor.strip()) and anchor.strip(), f"line {n}: anchor {anchor!r} is not {line[:20]!r}"


@pytest.mark.parametrize("page", TEXT_PAGES, ids=lambda p: p.name)
def test_repair_and_normalise_keep_the_lines_the_roles_describe(page):
    raw = page.read_bytes()
    text = decode.decode(raw, filename=page.name).text
    text, _ = repair.repair(text)
    text, _ = normalise.normalise(text)
    assert len(non_empty_lines(text)) == len(non_empty_lines(raw.decode("utf-8")))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_gold_has_every_field(page):
    gold = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    missing = GOLD_KEYS - gold.keys()
    assert not missing, f"missing {sorted(missing)}"
    assert gold["outlet"] == page.parent.name
    assert gold["kind"] in ("case", "non-case")
    if gold["kind"] == "non-case":
        assert gold["mechanisms"] == [] and not gold["sub_mechanisms"]
    for parent in gold["sub_mechanisms"]:
        assert parent in gold["mechanisms"], f"sub-mechanisms under {parent!r}, not a top-level mechanism"
    for metric in gold["metrics"]:
        assert {"value", "unit", "qualifier", "subject"} <= metric.keys(), metric
        assert metric["subject"], f"a figure without a subject: {metric}"


def test_file_names_are_unique_and_prefixed_by_their_outlet():
    names = Counter(p.name for p in PAGES)
    assert not [n for n, c in names.items() if c > 1]
    assert all(p.name.startswith(p.parent.name + "-") for p in PAGES)
