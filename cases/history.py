"""A case's history with its mechanisms and figures: what changed, a version as it was, and restoring it.

django-simple-history records each row on its own; a version of a case here is the
case record together with its mechanisms and figures as they were until the case
was next saved.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from . import search
from .models import Case, Mechanism, Metric

RESTORABLE_FIELDS = [f for f in Case.CURATABLE_FIELDS if f != "practices"]  # practices have no history

# What else a version records about its own fields: restored with them, so the case is as it was.
RESTORED_STATE = ["curated_fields", "needs_review", "review_conflicts"]


def row_changes(case_id, limit: int = 300) -> list[dict]:
    """Changes of the case's mechanisms and figures, newest first: who, when, field, old → new."""
    rows = []
    for model, kind in ((Mechanism, _("机制")), (Metric, _("指标"))):
        records = list(
            model.history.filter(case_id=case_id).select_related("history_user").order_by("history_date", "history_id")
        )
        previous = {}
        for record in records:
            before = previous.get(record.id)
            if before is not None and record.history_type == "~":
                changes = [(c.field, c.old, c.new) for c in record.diff_against(before).changes]
            else:
                changes = []
            previous[record.id] = record
            rows.append({"record": record, "kind": kind, "changes": changes})
    rows.sort(key=lambda r: r["record"].history_date, reverse=True)
    return rows[:limit]


def version_end(record):
    """When the case version ``record`` was superseded by the next save of the case (None: it is current).

    A version of a case covers its mechanisms and figures until then: the loader and the admin save
    the case row first and its inline rows just after, so a version's own figures come after its
    case record, and the next version's edits come after the next case record.
    """
    following = (
        type(record).objects.filter(id=record.id, history_date__gt=record.history_date).order_by("history_date").first()
    )
    return following.history_date if following else None


def snapshot(model, case: Case, record) -> list:
    """The case's mechanisms or metrics as they were in the version ``record``."""
    records = model.history.filter(case_id=case.pk)
    end = version_end(record)
    if end is not None:
        records = records.filter(history_date__lt=end)
    return [r.instance for r in records.latest_of_each() if r.history_type != "-"]


def version_differences(case: Case, record) -> list[tuple[str, object, object]]:
    """(field, current value, value in ``record``) for each restorable field that differs."""
    old = record.instance
    return [
        (name, getattr(case, name), getattr(old, name))
        for name in RESTORABLE_FIELDS
        if getattr(case, _attname(name)) != getattr(old, _attname(name))
    ]


@transaction.atomic
def restore_version(case: Case, record, user=None) -> Case:
    """Put the case, its mechanisms and its figures back as they were in ``record`` (a HistoricalCase).

    The old values come back and nothing else: the version's own curated fields and review flag,
    each mechanism and figure with its own ``curated`` mark (so a later re-ingest updates what the
    pipeline made then, as it would have). Only rows restore changes are written, with their
    history. The status stays: moving it is the workflow's business (``workflow.py``).
    """
    old = record.instance
    for name in [*RESTORABLE_FIELDS, *RESTORED_STATE]:
        setattr(case, _attname(name), getattr(old, _attname(name)))
    case._history_user = user
    case.save()

    mechanisms = snapshot(Mechanism, case, record)
    metrics = snapshot(Metric, case, record)
    case.metrics.exclude(pk__in=[m.pk for m in metrics]).delete()
    case.mechanisms.exclude(pk__in=[m.pk for m in mechanisms]).delete()
    current_mechanisms = {m.pk: m for m in case.mechanisms.all()}
    current_metrics = {m.pk: m for m in case.metrics.all()}
    saved: set[int] = set()
    pending = list(mechanisms)
    while pending:  # parents before children, so each parent row exists when its child is written
        ready = [m for m in pending if m.parent_id is None or m.parent_id in saved]
        if not ready:  # a parent missing from the snapshot: keep the mechanism, drop the link
            ready = pending[:1]
            ready[0].parent_id = None
        for mechanism in ready:
            _save_if_changed(mechanism, current_mechanisms.get(mechanism.pk), user)
            saved.add(mechanism.pk)
            pending.remove(mechanism)
    for metric in metrics:
        if metric.mechanism_id not in saved:
            metric.mechanism_id = None
        _save_if_changed(metric, current_metrics.get(metric.pk), user)
    search.index_case(case)  # the restored text and headings are what search should find
    return case


def _save_if_changed(restored, current, user) -> None:
    """Write a restored mechanism or figure unless the row is already so (no history row for nothing)."""
    fields = [f.attname for f in restored._meta.concrete_fields]
    if current is not None and all(getattr(restored, f) == getattr(current, f) for f in fields):
        return
    restored._history_user = user
    restored.save()


def _attname(field: str) -> str:
    return "place_id" if field == "place" else field
