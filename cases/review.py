"""The change page's review aids: the body with every figure's and mechanism's sentence marked, the
warnings, the repairs the pipeline made, and the conflicts a re-ingest found."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from . import merge, warnings
from .models import Case, sentence_bounds

# Shown by boxes of their own on the change page (the conflicts, the duplicates with their merge
# buttons), so the list of warnings leaves them out.
SHOWN_APART = frozenset({"needs_review", "duplicate"})


def aids(case: Case) -> dict:
    """What the change page shows beside the form, by name (see templates/admin/cases/case/change_form.html)."""
    return {
        "review_body": highlighted_body(case),
        "review_metrics": list(case.metrics.select_related("mechanism")),
        "review_mechanisms": list(case.mechanisms.all()),
        "review_warnings": warnings.in_words(case, [w for w in warnings.WARNINGS.values() if w.key not in SHOWN_APART]),
        "review_repairs": repairs_html(case),
        "duplicate_candidates": merge.candidates(case),
    }


@dataclass(frozen=True)
class Mark:
    start: int
    end: int
    css: str
    anchor: str


def review_marks(case: Case) -> list[Mark]:
    """Ranges of the body to highlight: each figure's sentence and exact span, each mechanism's heading sentence."""
    body = case.body
    marks = []
    for metric in case.metrics.all():
        if not (0 <= metric.start < metric.end <= len(body)):
            continue  # a span outside the body: the warning says so; nothing to highlight
        left, right = sentence_bounds(body, metric.start, metric.end)
        marks.append(Mark(left, right, "rv-sentence", f"rv-fig-{metric.pk}"))
        marks.append(Mark(metric.start, metric.end, "rv-figure", ""))
    for mechanism in case.mechanisms.all():
        if mechanism.start is None or not (0 <= mechanism.start < len(body)):
            continue
        left, right = sentence_bounds(body, mechanism.start, mechanism.start + 1)
        marks.append(Mark(left, right, "rv-mechanism", f"rv-mech-{mechanism.pk}"))
    return marks


def highlighted_body(case: Case) -> SafeString:
    """The body as HTML (escaped), cut at every mark boundary, each piece wrapped in the marks covering it."""
    body = case.body
    marks = review_marks(case)
    cuts = sorted({0, len(body), *(m.start for m in marks), *(m.end for m in marks)})
    anchors = {}
    for mark in marks:
        if mark.anchor:
            anchors.setdefault(mark.start, []).append(mark.anchor)
    pieces = []
    for left, right in zip(cuts, cuts[1:], strict=False):
        for anchor in anchors.get(left, ()):
            pieces.append(format_html('<span class="rv-anchor" id="{}"></span>', anchor))
        text = body[left:right]
        classes = sorted({m.css for m in marks if m.start <= left and right <= m.end})
        if classes:
            pieces.append(format_html('<mark class="{}">{}</mark>', " ".join(classes), text))
        else:
            pieces.append(format_html("{}", text))
    return mark_safe("".join(pieces))  # every piece above was escaped by format_html


def repairs_html(case: Case) -> SafeString:
    rows = [
        (r.get("stage", ""), r.get("kind", ""), r.get("count", ""), "；".join(r.get("examples", [])))
        for r in case.repairs
        if isinstance(r, dict)
    ]
    return format_html_join("\n", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows)


def conflicts_html(case: Case) -> SafeString | str:
    """The values a re-ingest found against the curator's, as a table (field, curated, extracted), each with
    its buttons: take the new value (a field's) or keep the curator's. The buttons post to the conflict
    view from inside the change form (``formaction``), which reads only which conflict and which choice."""
    if not case.review_conflicts:
        return "—"
    url = reverse("admin:cases_case_conflict", args=[case.pk])
    rows = []
    for key, c in case.review_conflicts.items():
        label = Case.conflict_label(key)
        take = format_html('<button type="submit" class="button rv-take" formaction="{}" name="take_extracted" '
                           'value="{}">{}</button> ', url, key, _("采用新值")) if "value" in c else ""
        keep = format_html('<button type="submit" class="button rv-keep" formaction="{}" name="keep_curated" '
                           'value="{}">{}</button>', url, key, _("保留人工值"))
        rows.append((label, c.get("curated", ""), c.get("extracted", ""), take, keep))
    return format_html(
        '<table class="rv-conflicts"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>'
        "<tbody>{}</tbody></table>",
        _("字段"), _("人工值"), _("新抽取值"), _("处理"),
        format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}{}</td></tr>", rows),
    )
