"""The curator's work queue on the admin home: what waits, with counts and links, and the curator's own
recent edits. Every count is the same condition the changelist filter applies (``warnings.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case as Choose
from django.db.models import Q, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Case, Metric
from .warnings import WARNINGS, condition

RECENT_EDITS = 10


DRAFTS = "draft"
# The queue's items of cases, in the order the admin home lists them and the review screen walks them.
CASE_ITEMS = (DRAFTS, "needs_review", "duplicate", "non_case", "no_place", "no_mechanisms", "metric_without_unit",
              "span_mismatch")


@dataclass
class QueueItem:
    label: str
    count: int
    url: str
    key: str = ""  # an item of cases: the review screen walks them one by one


def item_condition(key: str) -> Q:
    """The condition on Case of one item of the queue (KeyError for an unknown key)."""
    return Q(status=Case.Status.DRAFT) if key == DRAFTS else condition(key)


def queue() -> list[QueueItem]:
    cases = reverse("admin:cases_case_changelist")
    items = [QueueItem(_("待审草稿"), Case.objects.filter(status=Case.Status.DRAFT).count(),
                       f"{cases}?status__exact={Case.Status.DRAFT}", DRAFTS)]
    for key in CASE_ITEMS[1:]:
        warning = WARNINGS[key]
        items.append(QueueItem(warning.label, Case.objects.with_warning(key).count(), f"{cases}?warning={key}", key))
    items.append(QueueItem(_("未归入比较指标的数字（已发布）"), Metric.objects.published().without_indicator().count(),
                           f"{reverse('admin:cases_indicator_changelist')}#unmatched"))
    return items


def recent_edits(user, limit: int = RECENT_EDITS) -> list:
    """The curator's latest saved versions of cases (django-simple-history), newest first."""
    return list(Case.history.filter(history_user=user).only("id", "title", "history_date", "history_type",
                                                             "history_change_reason").order_by("-history_date")[:limit])


def next_case(after: int | None = None, key: str | None = None) -> int | None:
    """The id of the case after case ``after`` in the queue (the first one without ``after``), or None.

    With ``key`` (an item of ``CASE_ITEMS``) the cases of that item, by id; without, every case the
    queue holds, item by item in the queue's order (a case under the first item it falls in), by id
    within an item. A case the curator has just settled has left its item: the next one is the
    first after it by id in the item it was in, or in the queue's order from its current place.
    """
    if key is not None:
        cases = Case.objects.filter(item_condition(key))
        if after is not None:
            cases = cases.filter(pk__gt=after)
        return cases.order_by("pk").values_list("pk", flat=True).first()
    ranked = Case.objects.annotate(
        queue_rank=Choose(*(When(item_condition(k), then=rank) for rank, k in enumerate(CASE_ITEMS)), default=None)
    )
    cases = ranked.filter(queue_rank__isnull=False)
    if after is not None:
        rank = ranked.filter(pk=after).values_list("queue_rank", flat=True).first()
        if rank is None:
            cases = cases.exclude(pk=after)
        else:
            cases = cases.filter(Q(queue_rank__gt=rank) | Q(queue_rank=rank, pk__gt=after))
    return cases.order_by("queue_rank", "pk").values_list("pk", flat=True).first()
