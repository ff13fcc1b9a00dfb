"""What a curator is warned of about a case: one table of conditions, for the changelist and the change page.

Each warning is a condition on ``Case`` that the database evaluates, so the
changelist's filters (``Case.objects.with_warning(key)``) and the change page's
list (``found``) cannot disagree. A warning about figures also names each
figure it concerns, from a condition on ``Metric``.

Two groups: the *flags* a curator settles with a tool of their own (待复核 with
the conflicts table, 疑似重复 with merge, 非案例 with the kind field), each with a
filter of its own in the changelist; and the *gaps* extraction left, which the
changelist's 警告 filter offers one by one and as 任一警告.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Case, Mechanism, Metric


@dataclass(frozen=True)
class CaseWarning:
    key: str
    label: str | Promise
    # the condition on Case, built when asked (it refers to querysets)
    where: Callable[[], Q]
    # for a warning about figures: the condition on a Metric annotated by ``_figures()``
    figures: Callable[[], Q] | None = None
    # what the change page says, when the label alone would not tell the curator what to do
    note: str | Promise = ""


def _figures() -> QuerySet:
    # The body slice each figure claims, computed in the database (SQL SUBSTR is 1-based and counts
    # characters on both SQLite and PostgreSQL), so the changelist can filter on it.
    return Metric.objects.annotate(span_text=Substr("case__body", F("start") + 1, F("end") - F("start")))


def _about_figures(condition: Callable[[], Q]) -> Callable[[], Q]:
    return lambda: Q(Exists(_figures().filter(condition(), case=OuterRef("pk"))))


def _no_unit() -> Q:
    return Q(unit="")


def _span_mismatch() -> Q:
    return ~Q(span_text=F("text"))


FLAGS = (
    CaseWarning(
        "non_case", _("非案例"), lambda: Q(kind=Case.Kind.NON_CASE),
        note=_("非案例（论文、评论、讲话或范文）：导入时不发布，也不抽取机制；如判断有误，请把“类型”改为“案例”。"),
    ),
    CaseWarning("needs_review", _("待复核"), lambda: Q(needs_review=True)),
    CaseWarning(
        "duplicate", _("疑似重复"),
        lambda: Q(duplicate_of__isnull=False) | Q(Exists(Case.objects.filter(duplicate_of=OuterRef("pk")))),
    ),
)

GAPS = (
    CaseWarning("no_place", _("未识别地区"), lambda: Q(place__isnull=True)),
    # a non-case has no mechanisms by design (its headings are analysis, not practices)
    CaseWarning(
        "no_mechanisms", _("没有机制"),
        lambda: Q(kind=Case.Kind.CASE) & ~Q(Exists(Mechanism.objects.filter(case=OuterRef("pk")))),
    ),
    CaseWarning("metric_without_unit", _("指标缺少单位"), _about_figures(_no_unit), figures=_no_unit),
    CaseWarning("span_mismatch", _("指标原文与正文不符"), _about_figures(_span_mismatch), figures=_span_mismatch),
)

WARNINGS: dict[str, CaseWarning] = {w.key: w for w in (*FLAGS, *GAPS)}
FIGURE_WARNINGS = tuple(w for w in GAPS if w.figures is not None)
ANY = "any"  # any gap: the changelist's 任一警告


def condition(key: str) -> Q:
    """The condition on Case of one warning, or of ``ANY`` gap; KeyError for an unknown key."""
    if key == ANY:
        found = Q()
        for warning in GAPS:
            found |= warning.where()
        return found
    return WARNINGS[key].where()


def found(case: Case, warnings: Iterable[CaseWarning] | None = None) -> list[tuple[CaseWarning, list[str]]]:
    """The warnings that hold for one saved case, in table order, each with the text of the figures it concerns.

    One query evaluates every condition on the case's row; one more per figure warning that holds.
    """
    warnings = list(WARNINGS.values() if warnings is None else warnings)
    flags = (
        Case.objects.filter(pk=case.pk)
        .annotate(**{f"warns_{w.key}": ExpressionWrapper(w.where(), output_field=BooleanField()) for w in warnings})
        .values(*(f"warns_{w.key}" for w in warnings))
        .first()
    ) or {}
    result = []
    for warning in warnings:
        if not flags.get(f"warns_{warning.key}"):
            continue
        figures = []
        if warning.figures is not None:
            figures = list(
                _figures().filter(warning.figures(), case=case).order_by("order", "start").values_list("text", flat=True)
            )
        result.append((warning, figures))
    return result


def figures_warned(case: Case, warning: CaseWarning) -> list[int]:
    """The ids of the case's figures a figure warning concerns (one query)."""
    return list(_figures().filter(warning.figures(), case=case).values_list("pk", flat=True))


def in_words(case: Case, warnings: Iterable[CaseWarning] | None = None) -> list[str]:
    """``found`` as the change page lists it: the note (or label), once per figure a figure warning concerns."""
    words = []
    for warning, figures in found(case, warnings):
        if figures:
            words.extend(f"{warning.label}:{text}" for text in figures)
        else:
            words.append(str(warning.note or warning.label))
    return words
