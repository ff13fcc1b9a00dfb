"""extract: metadata, place, mechanisms, metrics, practices, keywords of one report.

The orchestrator only wires the extractors together, in the order their inputs
need: metadata first (its title and author unit are the best evidence of the
place), mechanisms before metrics (a figure is filed under the mechanism whose
section holds it) and before practices (a practice named in a heading counts more).
Keywords reuse the tokens the segment stage already cut. The kind (case or non-case) is
decided once the place is known; a non-case gets no mechanisms.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .. import segment
from ..report import Change, Extraction, Report
from . import keywords, kind, mechanisms, metadata, metrics, places, practices

REDACTED_PLACE_RE = re.compile(r"(?<![A-Za-z])[xX×]{1,3}(?:省|市|区|县|街道|镇|社区)")

Taxonomy = Sequence[tuple[str, Sequence[str]]]


def default_taxonomy() -> list[tuple[str, list[str]]]:
    from ..taxonomy import PRACTICES

    return [(name, list(synonyms)) for name, _slug, synonyms, _desc in PRACTICES]


def extract(report: Report, taxonomy: Taxonomy | None = None) -> Extraction:
    layout, body = report.layout, report.body
    meta = metadata.extract_metadata(layout)
    out = Extraction(
        title=meta.title or "", published_on=meta.published_on, source=meta.source or "",
        author_org=meta.author_org or "", summary=meta.summary or "",
    )

    def find_place(body_beyond_lead: bool = True) -> places.PlaceMatch | None:
        publisher, meta_lines = out.source, layout.meta_lines
        if not body_beyond_lead and publisher:
            # a paper's journal (某省党史与党建 2024年3期) is where it was printed, not what it studies
            meta_lines = [line for line in meta_lines if publisher not in line]
            publisher = ""
        return places.find_place(
            out.title or layout.title, meta_lines, body, out.author_org, publisher,
            "\n".join(layout.dropped), body_beyond_lead=body_beyond_lead,
        )

    place = find_place()
    # a redacted report (x区, xx市) names its place and hides it: that is not a report of no place
    named = place is not None or (any(x in body for x in "xX×") and bool(REDACTED_PLACE_RE.search(body)))
    out.kind = kind.decide_kind(layout, named_place=named)
    if out.kind != kind.CASE and place is not None:
        # a paper's or a speech's examples come from many places: only its headline, its apparatus
        # and its lead say where it is from
        place = find_place(body_beyond_lead=False)
    if place is not None:
        out.province, out.city, out.district, out.place_code = place.province, place.city, place.district, place.code
    # a paper's or a speech's headings are the parts of an argument, not practices a place runs
    out.mechanisms = mechanisms.extract_mechanisms(body, layout.paragraph_roles) if out.kind == kind.CASE else []
    out.metrics = metrics.extract_metrics(body, out.mechanisms)
    if len(out.metrics) >= metrics.MAX_FIGURES:
        report.record([Change("extract", "figures-capped", len(out.metrics), (f"只保留前 {metrics.MAX_FIGURES} 个数字",))])
    tokens = report.tokens if report.tokens else segment.cut(body)
    chosen = taxonomy if taxonomy is not None else default_taxonomy()
    out.practices = practices.tag_practices(body, out.mechanisms, chosen, tokens=tokens)
    out.keywords = keywords.top_keywords(tokens)
    return out
