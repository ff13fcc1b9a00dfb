"""The curator's work queue on the admin home: what waits, with counts and links, and the curator's own
recent edits. Every count is the same condition the changelist filter applies (``warnings.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Case, Metric
from .warnings import WARNINGS

RECENT_EDITS = 10


@dataclass
class QueueItem:
    label: str
    count: int
    url: str


def queue() -> list[QueueItem]:
    cases = reverse("admin:cases_case_changelist")
    items = [QueueItem(_("待审草稿"), Case.objects.filter(status=Case.Status.DRAFT).count(),
                       f"{cases}?status__exact={Case.Status.DRAFT}")]
    for key in ("needs_review", "duplicate", "non_case", "no_place", "no_mechanisms", "metric_without_unit",
                "span_mismatch"):
        warning = WARNINGS[key]
        items.append(QueueItem(warning.label, Case.objects.with_warning(key).count(), f"{cases}?warning={key}"))
    items.append(QueueItem(_("未归入比较指标的数字（已发布）"), Metric.objects.published().without_indicator().count(),
                           f"{reverse('admin:cases_indicator_changelist')}#unmatched"))
    return items


def recent_edits(user, limit: int = RECENT_EDITS) -> list:
    """The curator's latest saved versions of cases (django-simple-history), newest first."""
    return list(Case.history.filter(history_user=user).only("id", "title", "history_date", "history_type",
                                                             "history_change_reason").order_by("-history_date")[:limit])
