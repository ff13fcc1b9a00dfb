"""extract: metadata, place, mechanisms, metrics, practices, keywords. STUB: replaced by the extract helpers."""

from __future__ import annotations

from ..report import Extraction, Report


def extract(report: Report, taxonomy=None) -> Extraction:
    return Extraction(title=report.layout.title or report.body[:30])
