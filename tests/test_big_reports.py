"""Big reports: the work of each stage grows with the report's length, not with its square.

Nothing here is timed (bench/big_reports.py measures seconds per MB): each test counts the steps a
stage takes (comparisons, list reads) on inputs of two sizes, or against a bound linear in the input.
"""

from __future__ import annotations

import random

from ingest import clean, roles
from ingest.extract import metrics
from ingest.report import MechanismData


class CountingList(list):
    """A list that counts the items read from it, by index or by iteration."""

    reads = 0

    def __getitem__(self, index):
        item = super().__getitem__(index)
        type(self).reads += len(item) if isinstance(index, slice) else 1
        return item

    def __iter__(self):
        for item in super().__iter__():
            type(self).reads += 1
            yield item


def counting(monkeypatch, module, name):
    """Replace ``module.name`` with a wrapper that counts its calls; return the counter."""
    calls = [0]
    real = getattr(module, name)

    def wrapper(*args, **kwargs):
        calls[0] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


def distinct_lines(n: int) -> list[str]:
    # the same opening and end (the worst case for a lookup by them), a middle of its own
    rng = random.Random(n)

    def middle() -> str:
        return "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(16))

    return [f"社区党委书记带领{middle()}开展入户走访服务群众" for _ in range(n)]


def test_finding_a_pasted_copy_compares_each_line_with_a_bounded_number_of_earlier_ones(monkeypatch):
    counts = {}
    for n in (500, 2000):
        calls = counting(monkeypatch, clean, "_near")
        assert clean.repeated_items(distinct_lines(n)) == set()
        counts[n] = calls[0]
        monkeypatch.undo()
    assert counts[2000] <= 20 * 2000  # every pair would be two million
    assert counts[2000] <= 4.5 * counts[500]  # four times the lines, about four times the comparisons


def test_a_copy_is_still_found_after_many_lines_that_share_its_opening():
    lines = distinct_lines(300)
    report = [*lines[:3], *lines[3:300], *lines[:3]]
    assert clean.repeated_items(report) == {300, 301, 302}


def quoted_body(n: int) -> str:
    return "".join(f"推行“五个一”工作法，建成党群服务站{i + 2}个，" for i in range(n))


def test_checking_figures_against_quoted_names_reads_a_logarithmic_share_of_the_quotes(monkeypatch):
    reads = {}
    for n in (200, 800):
        body = quoted_body(n)
        spans = metrics.protected_spans(body)
        monkeypatch.setattr(metrics, "protected_spans", lambda _body, spans=spans: CountingList(spans))
        CountingList.reads = 0
        figures = metrics.find_figures(body)
        assert len(figures) == n  # the 一 inside the quotes is a name, the count after it a figure
        reads[n] = CountingList.reads
        monkeypatch.undo()
    # a scan of every quote per figure reads n² spans; a binary search about n log n
    assert reads[800] <= 40 * 800
    assert reads[800] <= 6 * reads[200]


def test_filing_figures_under_mechanisms_reads_each_mechanism_a_bounded_number_of_times():
    n = 300
    sections = [f"建立网格{i + 2}个，配备网格员{i + 3}名。" for i in range(n)]
    body = "".join(sections)
    mechanisms, start = CountingList(), 0
    for i, section in enumerate(sections):
        mechanisms.append(MechanismData(heading=section[:4], start=start, end=start + 4, level=1 + i % 2))
        start += len(section)
    CountingList.reads = 0
    found = metrics.extract_metrics(body, mechanisms)
    assert len(found) == 2 * n
    assert [m.mechanism for m in found[:4]] == [0, 0, 1, 1]  # each figure under its own section's heading
    assert CountingList.reads <= 20 * n  # every heading read for every figure would be 2n² = 180,000


def test_a_page_of_many_related_lists_scans_each_line_a_bounded_number_of_times(monkeypatch):
    n = 1500
    lines = [line for i in range(n) for line in ("相关阅读", f"社区党建新闻标题第{i}篇")]
    calls = counting(monkeypatch, clean, "cjk_count")
    roles.page_features(lines)
    # each line's own features count its characters a few times; rescanning to the page's end at
    # every head would count them n² times
    assert calls[0] <= 12 * len(lines)


def test_a_body_denser_in_figures_than_any_report_keeps_the_first_ones_and_says_so(monkeypatch):
    from ingest import pipeline

    monkeypatch.setattr(metrics, "MAX_FIGURES", 50)
    read = counting(monkeypatch, metrics, "attach_prefix")
    body = "".join(f"建立网格{i + 2}个，配备网格员{i + 3}名。" for i in range(200))
    found = metrics.extract_metrics(body, [])
    assert len(found) == 50 and found[0].text == "2个" and found[-1].text == "27名"
    assert read[0] <= 52  # the figures after the fiftieth are never looked at
    report = pipeline.process(f"某市党建引领基层治理工作报告\n{body}".encode(), "dense.txt")
    assert len(report.extraction.metrics) == 50
    capped = [c for c in report.changes if c.kind == "figures-capped"]
    assert capped and capped[0].stage == "extract" and capped[0].count == 50
