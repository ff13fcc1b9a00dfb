"""The one-case review screen: the body cut into pieces that carry their offsets, every figure and
mechanism marked and linked to its row, the rows' warnings, and the edits the screen makes.

The pieces carry ``data-start``/``data-end`` (offsets in the body, in characters as Python counts
them), so the page's script turns a selection into body offsets from the piece it lies in, never by
measuring rendered text. A figure added from a selection is read by the pipeline's own figure parser
(``ingest.extract.metrics``); every edit is a curator's correction (``record_correction``) written to
the history with a reason, after a history record of the case, as the change page writes its saves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from ingest.extract.metrics import attach_prefix, iter_figures, mechanisms_of, subject_of
from ingest.report import MechanismData

from . import search, warnings
from .models import Case, Indicator, Mechanism, Metric, sentence_bounds


class ReviewError(ValueError):
    """An edit the screen refuses; ``str(error)`` tells the curator why, in Chinese."""


# --------------------------------------------------------------------------- the body


@dataclass
class Piece:
    start: int
    end: int
    figures: list[int] = field(default_factory=list)
    mechanisms: list[int] = field(default_factory=list)
    flagged: bool = False


def body_pieces(body: str, metrics: list[Metric], mechanisms: list[Mechanism], flagged: set[int]) -> list[Piece]:
    """The body cut at every figure's and mechanism's span boundary; each piece knows the rows covering it.

    A mechanism is marked on its heading's span (its sentence when it has no end); a figure or
    mechanism whose span lies outside the body is left unmarked (its row says so)."""
    spans: list[tuple[int, int, str, int]] = []
    for metric in metrics:
        if 0 <= metric.start < metric.end <= len(body):
            spans.append((metric.start, metric.end, "figure", metric.pk))
    for mechanism in mechanisms:
        start, end = mechanism.start, mechanism.end
        if start is None or not 0 <= start < len(body):
            continue
        if end is None or not start < end <= len(body):
            end = sentence_bounds(body, start, start + 1)[1]
        spans.append((start, end, "mechanism", mechanism.pk))
    cuts = sorted({0, len(body), *(s[0] for s in spans), *(s[1] for s in spans)})
    pieces = []
    # spans by start; a sweep keeps the ones open at each piece (a body has hundreds of rows at most)
    spans.sort()
    open_spans: list[tuple[int, int, str, int]] = []
    k = 0
    for left, right in zip(cuts, cuts[1:], strict=False):
        while k < len(spans) and spans[k][0] <= left:
            open_spans.append(spans[k])
            k += 1
        open_spans = [s for s in open_spans if s[1] > left]
        piece = Piece(left, right)
        for _start, _end, kind, pk in open_spans:
            (piece.figures if kind == "figure" else piece.mechanisms).append(pk)
        piece.flagged = any(pk in flagged for pk in piece.figures)
        pieces.append(piece)
    return pieces


def review_key(row: Metric | Mechanism) -> str:
    """A row's key on the screen (its form's prefix; ``row-<key>`` its element's id): a figure's anchor,
    ``f<id>``, as on the case page; a mechanism's ``m<id>`` (its own anchor goes by its order)."""
    return row.anchor if isinstance(row, Metric) else f"m{row.pk}"


def body_html(body: str, pieces: list[Piece]) -> SafeString:
    """The pieces as HTML: a plain piece a ``<span>``, a marked one a link to its row (a figure before a
    mechanism), each with its offsets; all text escaped."""
    out = []
    for piece in pieces:
        text = body[piece.start : piece.end]
        if piece.figures:
            kind, row = "figure", f"f{piece.figures[0]}"
        elif piece.mechanisms:
            kind, row = "mechanism", f"m{piece.mechanisms[0]}"
        else:
            out.append(format_html('<span class="rv-piece" data-start="{}" data-end="{}">{}</span>',
                                   piece.start, piece.end, text))
            continue
        css = f"rv-piece rv-hl rv-hl-{kind}" + (" rv-hl-in-mechanism" if piece.figures and piece.mechanisms else "")
        css += " rv-hl-flagged" if piece.flagged else ""
        out.append(format_html(
            '<a class="{}" href="#row-{}" draggable="false" data-row="{}" data-start="{}" data-end="{}">{}</a>',
            css, row, row, piece.start, piece.end, text,
        ))
    return mark_safe("".join(out))  # every piece escaped by format_html


# --------------------------------------------------------------------------- what is flagged


def figure_warnings(case: Case) -> dict[int, list[str]]:
    """{figure id: the labels of the figure warnings (``warnings.py``) that hold for it}: one query per
    figure warning, whatever the number of figures."""
    found: dict[int, list[str]] = {}
    for warning in warnings.FIGURE_WARNINGS:
        for pk in warnings.figures_warned(case, warning):
            found.setdefault(pk, []).append(str(warning.label))
    return found


# --------------------------------------------------------------------------- edits


def touch_case(case: Case, user, reason: str) -> None:
    """A history record of the case for an edit of one of its rows, with the reason; the row's own
    record follows it, as a change page save writes the case and then its rows."""
    case._history_user = user
    case._change_reason = reason
    case.save(update_fields=["updated"])


def _changes(form, model) -> tuple[list[str], str]:
    """The fields an edit form changed (its reason aside) and their labels, joined as a reason names them."""
    changed = [name for name in form.changed_data if name != "reason"]
    return changed, "、".join(str(model._meta.get_field(name).verbose_name) for name in changed)


def _save_row(case: Case, row, user, reason: str) -> None:
    touch_case(case, user, reason)
    row._history_user = user
    row._change_reason = reason
    row.record_correction()


@transaction.atomic
def save_figure(case: Case, form, user) -> bool:
    """Save a figure edited on the screen (a bound, valid ``ReviewFigureForm``); False when nothing changed."""
    changed, labels = _changes(form, Metric)
    if not changed:
        return False
    metric = form.save(commit=False)
    if "indicator" not in changed and {"subject", "unit"} & set(changed):
        # the indicator follows the subject, as on load, unless the curator chose one
        metric.indicator_id = Indicator.objects.id_assigner()(metric.subject, metric.unit)
    reason = form.cleaned_data.get("reason") or str(_("审核页修改数字“%(t)s”的%(f)s") % {"t": metric.text, "f": labels})
    _save_row(case, metric, user, reason)
    return True


@transaction.atomic
def save_mechanism(case: Case, form, user) -> bool:
    """Save a mechanism edited on the screen (a bound, valid ``ReviewMechanismForm``); False when nothing changed."""
    changed, labels = _changes(form, Mechanism)
    if not changed:
        return False
    mechanism = form.save(commit=False)
    reason = form.cleaned_data.get("reason") or str(
        _("审核页修改机制“%(t)s”的%(f)s") % {"t": mechanism.heading, "f": labels})
    _save_row(case, mechanism, user, reason)
    if "heading" in changed:
        search.index_case(case)  # headings are searched
    return True


def check_span(body: str, start: int, end: int, longest: int) -> None:
    if not 0 <= start < end <= len(body):
        raise ReviewError(_("所选位置不在正文之内（%(s)d–%(e)d，正文共 %(n)d 字）。") % {"s": start, "e": end, "n": len(body)})
    if end - start > longest:
        raise ReviewError(_("所选文字过长（%(n)d 字，最多 %(m)d 字）。") % {"n": end - start, "m": longest})
    if not body[start:end].strip():
        raise ReviewError(_("所选的只是空白。"))


def figure_in_span(body: str, start: int, end: int):
    """The pipeline's reading of the first number in ``body[start:end]`` (an ``ingest`` Figure, in body
    offsets), or None. Read in the whole body first, so the parser sees the number's context (a
    qualifier before it, 1,120 not 120); a number the pipeline passed over (inside quotes, say) is
    read from the selection alone."""
    for figure in iter_figures(body):
        if figure.start >= end:
            break
        if start <= figure.start and figure.end <= end:
            return attach_prefix(body, figure)
    for figure in iter_figures(body[start:end]):
        figure.start += start
        figure.end += start
        return attach_prefix(body, figure)
    return None


@transaction.atomic
def add_figure(case: Case, start: int, end: int, user, reason: str = "") -> Metric:
    """A figure the pipeline missed, from the selection ``body[start:end]``: its value, unit, qualifier and
    magnitude as the pipeline reads the number in it, its subject as the pipeline finds it, its
    mechanism the section it lies in; the span is the selection, its place in the order of the text."""
    body = case.body
    check_span(body, start, end, Metric._meta.get_field("text").max_length)
    figure = figure_in_span(body, start, end)
    if figure is None:
        raise ReviewError(_("所选文字“%(t)s”中没有可读的数字，未添加。") % {"t": body[start:end]})
    sentence_start = sentence_bounds(body, figure.start, figure.end)[0]
    subject = subject_of(body, figure, sentence_start)[: Metric._meta.get_field("subject").max_length]
    mechanisms = list(case.mechanisms.order_by("order"))
    order = _make_room(case.metrics, start)
    metric = Metric(
        case=case, start=start, end=end, text=body[start:end], value=figure.value, unit=figure.unit,
        qualifier=figure.qualifier[: Metric._meta.get_field("qualifier").max_length], magnitude=figure.magnitude,
        subject=subject, mechanism=_section_of(start, mechanisms, len(body)), order=order,
    )
    metric.indicator_id = Indicator.objects.id_assigner()(metric.subject, metric.unit)
    _save_row(case, metric, user, reason or str(_("审核页添加数字“%(t)s”") % {"t": metric.text}))
    return metric


def _make_room(rows, start: int) -> int:
    """The order a new row starting at ``start`` takes among a case's ``rows`` (its figures or mechanisms),
    the order of the text as the pipeline gives it; the rows from there on move down one."""
    order = rows.filter(start__lt=start).count()
    rows.filter(order__gte=order).update(order=F("order") + 1)
    return order


def _section_of(position: int, mechanisms: list[Mechanism], body_length: int) -> Mechanism | None:
    """The mechanism whose section holds ``position``, by the pipeline's rule (``mechanisms_of``)."""
    placed = [m for m in mechanisms if m.start is not None]
    data = [MechanismData(heading=m.heading, level=2 if m.parent_id else 1, start=m.start, end=m.end or m.start)
            for m in placed]
    index = mechanisms_of([position], data, body_length)[0]
    return placed[index] if index is not None else None


@transaction.atomic
def add_mechanism(case: Case, start: int, end: int, user, reason: str = "") -> Mechanism:
    """A mechanism the pipeline missed, its heading the selection; it takes its place in the order of the
    text (the mechanisms after it move down one)."""
    body = case.body
    check_span(body, start, end, Mechanism._meta.get_field("heading").max_length)
    heading = body[start:end].strip()
    order = _make_room(case.mechanisms, start)
    mechanism = Mechanism(case=case, heading=heading, start=start, end=end, order=order)
    _save_row(case, mechanism, user, reason or str(_("审核页添加机制“%(t)s”") % {"t": heading}))
    search.index_case(case)
    return mechanism


def plain_number(value: Decimal) -> str:
    """A number as a curator types it: 1120, 8.9, never 1120.0000 or 1.12E+3."""
    value = value.normalize()
    return format(value.quantize(Decimal(1)) if value == value.to_integral() else value, "f")
