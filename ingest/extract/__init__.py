"""extract: metadata, place, mechanisms, metrics, practices, keywords of one report.

The orchestrator only wires the extractors together, in the order their inputs
need: metadata first (its title and author unit are the best evidence of the
place), mechanisms before metrics (a figure is filed under the mechanism whose
section holds it) and before practices (a practice named in a heading counts more).
Keywords reuse the tokens the segment stage already cut.
"""

from __future__ import annotations

from collections.abc import Sequence

from .. import segment
from ..report import Extraction, Layout, MechanismData, MetricData, Report
from . import keywords, mechanisms, places, practices

Taxonomy = Sequence[tuple[str, Sequence[str]]]
TITLE_FALLBACK_CHARS = 30

try:  # written in parallel by the metadata owner; until it lands the title falls back to the layout's
    from . import metadata as _metadata
except ImportError:  # pragma: no cover - only while the module is missing
    _metadata = None

try:  # likewise for metrics
    from . import metrics as _metrics
except ImportError:  # pragma: no cover
    _metrics = None


def default_taxonomy() -> list[tuple[str, list[str]]]:
    from ..taxonomy import PRACTICES

    return [(name, list(synonyms)) for name, _slug, synonyms, _desc in PRACTICES]


def _fill_metadata(out: Extraction, layout: Layout, body: str) -> None:
    if _metadata is None:
        out.title = layout.title or body[:TITLE_FALLBACK_CHARS]
        return
    meta = _metadata.extract_metadata(layout)
    out.title = meta.title or ""
    out.published_on = meta.published_on
    out.source = meta.source or ""
    out.author_org = meta.author_org or ""
    out.summary = meta.summary or ""


def _find_metrics(body: str, found: list[MechanismData]) -> list[MetricData]:
    return _metrics.extract_metrics(body, found) if _metrics is not None else []


def extract(report: Report, taxonomy: Taxonomy | None = None) -> Extraction:
    layout, body = report.layout, report.body
    out = Extraction()
    _fill_metadata(out, layout, body)

    place = places.find_place(out.title or layout.title, layout.meta_lines, body, out.author_org)
    if place is not None:
        out.province, out.city, out.district, out.place_code = place.province, place.city, place.district, place.code

    out.mechanisms = mechanisms.extract_mechanisms(body)
    out.metrics = _find_metrics(body, out.mechanisms)
    tokens = report.tokens if report.tokens else segment.cut(body)
    chosen = taxonomy if taxonomy is not None else default_taxonomy()
    out.practices = practices.tag_practices(body, out.mechanisms, chosen, tokens=tokens)
    out.keywords = keywords.top_keywords(tokens)
    return out
