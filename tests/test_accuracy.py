"""The pipeline held to what a careful reader extracts from the seeds (tests/fixtures/expected.json).

The scoring follows ../shared/tools/score-ingest exactly (tests/scoring.py restates its
rules, as a user's clone has no ../shared): metadata fields, top-level
mechanisms matched by heading (punctuation stripped, containment or a ratio of
at least 0.8), metrics matched on (value in base units, unit), qualifiers,
forbidden figures, and the body's text checks. Thresholds: metric F1 ≥ 0.9 with
nothing forbidden, mechanism F1 ≥ 0.9, fields ≥ 0.9, every text check.
"""

from __future__ import annotations

from collections import Counter

import pytest

from cases.export import case_to_dict, export_queryset
from cases.loading import ingest_paths
from cases.models import Case
from tests.scoring import GOLD, f1, match_metrics, match_texts, ratio

pytestmark = pytest.mark.django_db

def source_ok(got: str | None, want: str | None, also: list[str]) -> bool:
    got = got or ""
    if got and any(a in got for a in also):
        return True
    return (want is None and not got) or (want is not None and bool(got) and (want in got or got in want))


@pytest.fixture
def exported(seed_paths) -> dict[str, dict]:
    results = list(ingest_paths(seed_paths))
    assert all(r.ok for r in results), [r.line() for r in results if not r.ok]
    return {c.source_file: case_to_dict(c) for c in export_queryset(Case.objects.all())}


def score(exported: dict[str, dict]) -> tuple[Counter, list[str]]:
    tot, problems = Counter(), []
    for name, gold in GOLD.items():
        case = exported[name]
        fields = {
            "province": (case["province"] or None) == gold["province"],
            "city": (case["city"] or None) == gold["city"],
            "district": (case["district"] or None) == gold["district"],
            "date": (case["published_on"] or None) == gold["date"],
            "title": gold["title_contains"] is None or gold["title_contains"] in (case["title"] or ""),
            "source": source_ok(case["source"], gold["source"], gold.get("source_also", [])),
        }
        problems += [f"{name}: {field} wrong ({case.get(field)!r})" for field, ok in fields.items() if not ok]
        top = [m["heading"] for m in case["mechanisms"] if not m["parent"]]
        subs = [m["heading"] for m in case["mechanisms"] if m["parent"]]
        expected_subs = [s for group in gold.get("sub_mechanisms", {}).values() for s in group]
        mech_hits = match_texts(gold["mechanisms"], top)
        hits, extra, forbidden, qual_ok = match_metrics(gold, case["metrics"])
        body = case["body"]
        text_ok = sum(s in body for s in gold.get("must_contain", [])) + sum(
            s not in body for s in gold.get("must_not_contain", []))
        text_n = len(gold.get("must_contain", [])) + len(gold.get("must_not_contain", []))
        problems += [f"{name}: body lacks {s!r}" for s in gold.get("must_contain", []) if s not in body]
        problems += [f"{name}: body has {s!r}" for s in gold.get("must_not_contain", []) if s in body]
        if forbidden:
            problems.append(f"{name}: {forbidden} forbidden figure(s)")
        tot.update(
            fields_ok=sum(fields.values()), fields_n=len(fields), mech_hit=mech_hits, mech_exp=len(gold["mechanisms"]),
            mech_got=len(top), sub_hit=match_texts(expected_subs, subs), sub_exp=len(expected_subs), met_hit=hits,
            met_exp=len(gold["metrics"]), met_extra=extra, qual_ok=qual_ok, forbidden=forbidden, text_ok=text_ok,
            text_n=text_n,
        )
    return tot, problems


def test_seeds_meet_the_expected_extraction(exported):
    tot, problems = score(exported)
    mech_f1 = f1(ratio(tot["mech_hit"], tot["mech_got"]), ratio(tot["mech_hit"], tot["mech_exp"]))
    metric_p = ratio(tot["met_hit"], tot["met_hit"] + tot["met_extra"])
    metric_f1 = f1(metric_p, ratio(tot["met_hit"], tot["met_exp"]))
    fields = ratio(tot["fields_ok"], tot["fields_n"])
    summary = (f"fields {fields:.2f}, mechanisms F1 {mech_f1:.2f}, metrics F1 {metric_f1:.2f}, "
               f"forbidden {tot['forbidden']}, text {tot['text_ok']}/{tot['text_n']}; " + "; ".join(problems))
    assert fields >= 0.9, summary
    assert mech_f1 >= 0.9, summary
    assert metric_f1 >= 0.9 and tot["forbidden"] == 0, summary
    assert tot["text_ok"] == tot["text_n"], summary


def test_nested_mechanisms_are_found(exported):
    tot, _ = score(exported)
    assert ratio(tot["sub_hit"], tot["sub_exp"]) >= 0.8


def test_every_metric_span_is_its_text_in_the_body(exported):
    for case in exported.values():
        for metric in case["metrics"]:
            assert case["body"][metric["start"]:metric["end"]] == metric["text"]


def test_redacted_report_gets_no_place_and_no_figures(exported):
    redacted = exported["002_e3f147fd4aee9609.txt"]
    assert (redacted["province"], redacted["city"], redacted["district"]) == (None, None, None)
    assert redacted["metrics"] == []


def test_script_is_recorded(exported):
    for name, gold in GOLD.items():
        assert exported[name]["script"] == gold["script"], name
