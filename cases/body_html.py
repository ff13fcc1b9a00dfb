"""The case body as HTML: paragraphs, mechanism headings and the sentence of every figure as anchors.

``render_body`` escapes every character of the body and adds only its own tags, so the
result is safe to show. A figure's link in the figures table points at ``#s-<pk>``, the
sentence that holds it (several figures in one sentence share the first one's anchor);
CSS ``:target`` highlights it without JavaScript. The figure itself is ``#f<pk>``
(``Metric.anchor``: the address other pages and the API give a figure's sentence), and a
"返回数据表" link after its sentence leads back to its row, ``#row-f<pk>``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from django.utils.safestring import SafeString, mark_safe

from .models import sentence_bounds


@dataclass
class Rendered:
    html: SafeString
    anchors: set[str] = field(default_factory=set)  # ids present in the markup
    sentence_of: dict[int, str] = field(default_factory=dict)  # metric pk → id of its sentence


@dataclass
class _Mark:
    start: int
    end: int
    open: str
    close: str

    def crosses(self, other: _Mark) -> bool:
        disjoint = self.end <= other.start or other.end <= self.start
        nested = (self.start <= other.start and other.end <= self.end) or (
            other.start <= self.start and self.end <= other.end
        )
        return not (disjoint or nested)


def row_anchor(metric) -> str:
    """The id of the figure's row in the case page's figures table."""
    return f"row-{metric.anchor}"


def _heading_span(body: str, mechanism) -> tuple[int, int] | None:
    """Where the heading stands in the body: at its recorded start if it is still there, else where found."""
    heading = mechanism.heading
    if not heading:
        return None
    if mechanism.start is not None and body.startswith(heading, mechanism.start):
        return mechanism.start, mechanism.start + len(heading)
    found = body.find(heading)
    return (found, found + len(heading)) if found >= 0 else None


def render_body(body: str, mechanisms, metrics, back_label: str = "") -> Rendered:
    """The body's HTML; ``back_label``: the text of a link after each figure's sentence back to its table row."""
    lines: list[tuple[int, int]] = []
    offset = 0
    for line in body.split("\n"):
        if line.strip():
            lines.append((offset, offset + len(line)))
        offset += len(line) + 1

    def line_of(start: int, end: int) -> tuple[int, int] | None:
        return next(((a, b) for a, b in lines if a <= start and end <= b), None)

    rendered = Rendered(html=mark_safe(""))
    accepted: list[_Mark] = []
    whole_line_headings: dict[tuple[int, int], tuple[str, int]] = {}

    def accept(mark: _Mark) -> bool:
        if line_of(mark.start, mark.end) is None or any(mark.crosses(m) for m in accepted):
            return False  # marks never cross a paragraph or each other: the HTML stays well nested
        accepted.append(mark)
        return True

    # Headings first, so that a figure's sentence never splits one.
    for mechanism in mechanisms:
        span = _heading_span(body, mechanism)
        if span is None or mechanism.anchor in rendered.anchors:
            continue
        level = 4 if mechanism.parent_id else 3
        line = line_of(*span)
        if line is not None and body[line[0] : line[1]].strip() == body[span[0] : span[1]].strip():
            whole_line_headings[line] = (mechanism.anchor, level)
            rendered.anchors.add(mechanism.anchor)
            continue
        anchor = html.escape(mechanism.anchor)
        if accept(_Mark(span[0], span[1], f'<strong class="mech-heading" id="{anchor}">', "</strong>")):
            rendered.anchors.add(mechanism.anchor)

    sentences: dict[tuple[int, int], str] = {}
    for metric in metrics:
        if not (0 <= metric.start < metric.end <= len(body)):
            continue  # a span from before a curator edited the body: no anchor rather than a wrong one
        bounds = sentence_bounds(body, metric.start, metric.end)
        anchor = sentences.get(bounds)
        if anchor is None:
            candidate = f"s-{metric.pk}"
            close = "</span>"
            if back_label:  # shown by CSS only while the sentence is highlighted (its :target or the script's class)
                close += f'<a class="back-to-table" href="#{row_anchor(metric)}">{html.escape(back_label)}</a>'
            if accept(_Mark(bounds[0], bounds[1], f'<span class="sentence" id="{candidate}">', close)):
                sentences[bounds] = anchor = candidate
                rendered.anchors.add(candidate)
        if anchor is not None:
            rendered.sentence_of[metric.pk] = anchor
            accept(_Mark(metric.start, metric.end,
                         f'<span class="figure" id="{metric.anchor}" data-metric="{metric.pk}">', "</span>"))

    parts: list[str] = []
    for start, end in lines:
        inner = _emit(body, start, end, [m for m in accepted if start <= m.start and m.end <= end])
        heading = whole_line_headings.get((start, end))
        if heading:
            anchor, level = heading
            parts.append(f'<h{level} class="mech-heading" id="{html.escape(anchor)}">{inner.strip()}</h{level}>')
        else:
            parts.append(f"<p>{inner}</p>")
    rendered.html = mark_safe("\n".join(parts))  # noqa: S308 (text escaped by _emit, tags are ours)
    return rendered


def _emit(body: str, start: int, end: int, marks: list[_Mark]) -> str:
    """Escaped text of body[start:end] with the (well-nested) marks' tags around their spans."""
    out: list[str] = []
    stack: list[_Mark] = []
    pos = start
    for mark in sorted(marks, key=lambda m: (m.start, -m.end)):
        while stack and stack[-1].end <= mark.start:
            closing = stack.pop()
            out.append(html.escape(body[pos : closing.end]) + closing.close)
            pos = closing.end
        out.append(html.escape(body[pos : mark.start]) + mark.open)
        pos = mark.start
        stack.append(mark)
    while stack:
        closing = stack.pop()
        out.append(html.escape(body[pos : closing.end]) + closing.close)
        pos = closing.end
    out.append(html.escape(body[pos:end]))
    return "".join(out)
