"""The data that flows through the pipeline, and the registry of what each stage changed.

Plain Python: nothing in ingest/ imports Django (the writer is ``cases/loading.py``).

Stages are small pure functions. A text fixer takes a string and returns a
``Fixed`` (the new text and a short list of what it changed); ``apply_fixers``
runs a list of them and records one ``Change`` per fixer that changed something,
the way ftfy's ``fix_and_explain`` does, so the case can show its provenance.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

MAX_EXAMPLES = 3


@dataclass(frozen=True)
class Change:
    """What one fixer did: stage, kind, how many times, a few ``before → after`` examples."""

    stage: str
    kind: str
    count: int
    examples: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {"stage": self.stage, "kind": self.kind, "count": self.count, "examples": list(self.examples)}


@dataclass(frozen=True)
class Fixed:
    text: str
    examples: tuple[str, ...] = ()  # one entry per change made, "before → after"; may be capped by the fixer
    count: int | None = None  # when the fixer capped its examples, the real number of changes

    @property
    def changes(self) -> int:
        return self.count if self.count is not None else len(self.examples)


Fixer = Callable[[str], Fixed]


@dataclass(frozen=True)
class RegisteredFixer:
    stage: str
    kind: str
    func: Fixer

    def __call__(self, text: str) -> Fixed:
        return self.func(text)


def fixer(stage: str, kind: str) -> Callable[[Fixer], RegisteredFixer]:
    """Decorator: register a text fixer under a stage and a kind (e.g. ``repair``/``pinyin``)."""

    def wrap(func: Fixer) -> RegisteredFixer:
        return RegisteredFixer(stage, kind, func)

    return wrap


def apply_fixers(text: str, fixers: Iterable[RegisteredFixer]) -> tuple[str, list[Change]]:
    """Run fixers in order; return the final text and one Change per fixer that changed something."""
    changes: list[Change] = []
    for fix in fixers:
        result = fix(text)
        if result.text != text and result.changes:
            changes.append(Change(fix.stage, fix.kind, result.changes, tuple(result.examples[:MAX_EXAMPLES])))
        text = result.text
    return text, changes


@dataclass
class Layout:
    """What the clean stage makes of a report: the article, and the page around it set apart."""

    title: str | None = None
    subtitle: str | None = None  # a kicker or sub-headline beside the title
    paragraphs: list[str] = field(default_factory=list)  # body paragraphs, headings included, in order
    # the role of each paragraph, parallel to ``paragraphs``: "h1"/"h2"/"h3" (a heading and its level
    # in the page's outline), "item" (a list entry) or "body"
    paragraph_roles: list[str] = field(default_factory=list)
    meta_lines: list[str] = field(default_factory=list)  # date / source / author / byline lines taken out
    bylines: list[str] = field(default_factory=list)  # of the meta lines, those that name who wrote it
    captions: list[str] = field(default_factory=list)  # photo captions, kept apart from the body
    dropped: list[str] = field(default_factory=list)  # page chrome removed

    @property
    def body(self) -> str:
        return "\n".join(self.paragraphs)


@dataclass
class MechanismData:
    heading: str
    slogan: str = ""
    level: int = 1  # 1 top-level, 2 nested under the nearest level-1 before it
    parent: int | None = None  # index into Extraction.mechanisms of the parent, or None
    start: int = 0  # span of the heading in the body
    end: int = 0
    body_end: int = 0  # end of the mechanism's section in the body (start of the next heading of same/higher level)


@dataclass
class MetricData:
    value: Decimal  # in base units: 万 and 亿 multiplied out
    unit: str
    qualifier: str
    subject: str
    text: str  # body[start:end]
    start: int
    end: int
    mechanism: int | None = None  # index into Extraction.mechanisms
    magnitude: str = ""  # the multiplier the text counts in (1101万平方米 → 万); value is already multiplied


@dataclass
class Extraction:
    title: str = ""
    published_on: date | None = None
    source: str = ""
    author_org: str = ""
    province: str | None = None  # full official names from the gazetteer, or None when the report names none
    city: str | None = None
    district: str | None = None
    place_code: str | None = None  # adcode of the most specific place found
    mechanisms: list[MechanismData] = field(default_factory=list)
    metrics: list[MetricData] = field(default_factory=list)
    practices: list[str] = field(default_factory=list)  # taxonomy names
    keywords: list[str] = field(default_factory=list)
    summary: str = ""
    kind: str = "case"  # "case", or "non-case" for a paper, commentary, speech or how-to


@dataclass
class Report:
    """One report as it goes through the pipeline."""

    source_name: str
    raw: bytes = b""
    encoding: str = ""
    original_text: str = ""  # as decoded, before any repair
    text: str = ""  # current text as the stages work on it
    script: str = "unknown"  # simplified / traditional / mixed / unknown, judged on the repaired text
    layout: Layout = field(default_factory=Layout)
    body: str = ""  # clean simplified body: the offsets of mechanisms and metrics refer to this
    tokens: list[str] = field(default_factory=list)  # jieba tokens of the body (accurate mode)
    # What the writer stores for this body, made here so that it is the workers' time, not the writer's:
    # the search index's tokens (segment.index_tokens) and the MinHash signature (dedupe.signature).
    # None when not made (a Report built by hand); the writer makes them for any other body.
    index_tokens: list[str] | None = None
    signature: array | None = None
    # the index tokens of the title and of the headings (one per line), by the text they were made of:
    # the writer takes them for a text that is still exactly that text, and makes its own for any other
    field_index_tokens: dict[str, list[str]] = field(default_factory=dict)
    extraction: Extraction = field(default_factory=Extraction)
    changes: list[Change] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # warnings that do not stop the report (e.g. undecodable bytes)

    def record(self, changes: Iterable[Change]) -> None:
        self.changes.extend(changes)


class ReportRejected(Exception):
    """The report cannot become a case (empty, not text, no Chinese article…); the message says why, in Chinese."""
