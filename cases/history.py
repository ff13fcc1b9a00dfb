"""A case's history with its mechanisms and figures: what changed, a version as it was, and restoring it.

django-simple-history records each row on its own; a version of a case here is the
case record together with its mechanisms and figures as they were until the case
was next saved.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from difflib import SequenceMatcher

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import search
from .models import Case, Mechanism, Metric

RESTORABLE_FIELDS = [f for f in Case.CURATABLE_FIELDS if f != "practices"]  # practices have no history

# What else a version records about its own fields: restored with them, so the case is as it was.
RESTORED_STATE = ["curated_fields", "needs_review", "review_conflicts"]


# Bookkeeping a curator never reads: hashes, index vectors, timestamps, the raw decoded text.
HIDDEN_FIELDS = frozenset({"content_hash", "search_vector", "rank_vector", "minhash", "original_text", "created",
                           "updated", "id", "case", "history_id"})
ACTIONS = {"+": _("新增"), "~": _("修改"), "-": _("删除")}
EXCERPT = 24  # characters of context either side of a change in a long text
LONG_TEXT = 60


def readable(model, name: str, value) -> str:
    """A field's value as a curator reads it: names not ids, labels not codes, lists as 、-joined words."""
    if value is None or value == "" or value == [] or value == {}:
        return str(_("（空）"))
    field = model._meta.get_field(name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 120, not 120.0000
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y年%-m月%-d日 %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%Y年%-m月%-d日")
    if field.is_relation and isinstance(value, int):
        related = field.related_model.objects.filter(pk=value).first()
        return str(related) if related is not None else f"#{value}"
    if isinstance(value, dict):
        return "、".join(str(k) for k in value)
    if isinstance(value, list | tuple):
        return "、".join(str(v.get("title") or v.get("source") or v) if isinstance(v, dict) else str(v) for v in value)
    return str(value)


def text_change(old: str, new: str) -> tuple[str, str]:
    """For a long text: the first changed stretch of each, with a little context (…前文【旧】后文…)."""
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag != "equal":
            def cut(text, a, b):
                left, right = max(0, a - EXCERPT), min(len(text), b + EXCERPT)
                return f"{'…' if left else ''}{text[left:a]}【{text[a:b]}】{text[b:right]}{'…' if right < len(text) else ''}"
            return cut(old, i1, i2), cut(new, j1, j2)
    return old, new


def field_changes(model, old_instance, new_instance, skip: frozenset[str] = frozenset()) -> list[tuple[str, str, str]]:
    """(label, old, new) for every field a curator can read that differs between two versions."""
    out = []
    for field in model._meta.concrete_fields:
        if field.name in HIDDEN_FIELDS or field.name in skip:
            continue
        old, new = getattr(old_instance, field.attname), getattr(new_instance, field.attname)
        if old == new:
            continue
        label = str(field.verbose_name)
        if isinstance(old, str) and isinstance(new, str) and max(len(old), len(new)) > LONG_TEXT:
            out.append((label, *text_change(old, new)))
        else:
            out.append((label, readable(model, field.name, old), readable(model, field.name, new)))
    return out


def case_versions(case_id, limit: int = 100) -> list[dict]:
    """The case's saved versions, newest first: when, who, what (新增/修改), why, and its changes in words."""
    records = list(Case.history.filter(id=case_id).select_related("history_user").order_by("history_date", "history_id"))
    rows, previous = [], None
    for record in records:
        changes = field_changes(Case, previous.instance, record.instance) if previous is not None else []
        rows.append({"record": record, "action": ACTIONS.get(record.history_type, record.history_type),
                     "reason": record.history_change_reason or "", "changes": changes})
        previous = record
    rows.reverse()
    return rows[:limit]


def row_changes(case_id, limit: int = 300) -> list[dict]:
    """Changes of the case's mechanisms and figures, newest first: who, when, what, and old → new in words."""
    rows = []
    for model, kind in ((Mechanism, _("机制")), (Metric, _("数字"))):
        records = list(
            model.history.filter(case_id=case_id).select_related("history_user").order_by("history_date", "history_id")
        )
        previous = {}
        for record in records:
            before = previous.get(record.id)
            if before is not None and record.history_type == "~":
                changes = field_changes(model, before.instance, record.instance)
            else:
                changes = []
            previous[record.id] = record
            rows.append({"record": record, "kind": kind, "what": describe(record.instance),
                         "action": ACTIONS.get(record.history_type, record.history_type), "changes": changes})
    rows.sort(key=lambda r: r["record"].history_date, reverse=True)
    return rows[:limit]


def describe(row) -> str:
    """A mechanism by its heading, a figure as the text writes it with its subject."""
    if isinstance(row, Metric):
        return f"{row.subject} {row.display_value}".strip()
    return row.heading


def row_differences(current: list, version: list) -> dict[str, list[str]]:
    """What restoring ``version`` does to a list of mechanisms or figures: rows it adds back, removes, changes."""
    now = {r.pk: r for r in current}
    then = {r.pk: r for r in version}
    changed = []
    for pk in now.keys() & then.keys():
        diffs = field_changes(type(now[pk]), now[pk], then[pk], skip=frozenset({"order"}))
        if diffs:
            changed.append(f"{describe(now[pk])}：" + "；".join(f"{label} {old} → {new}" for label, old, new in diffs))
    return {
        "added": [describe(then[pk]) for pk in then.keys() - now.keys()],
        "removed": [describe(now[pk]) for pk in now.keys() - then.keys()],
        "changed": sorted(changed),
    }


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


def version_differences(case: Case, record) -> list[tuple[str, str, str]]:
    """(label, current value, value in ``record``) in words for each restorable field that differs; a long
    text shows the stretch that differs, not its opening (a body changed in its last paragraph)."""
    old = record.instance
    out = []
    for name in RESTORABLE_FIELDS:
        now, then = getattr(case, _attname(name)), getattr(old, _attname(name))
        if now == then:
            continue
        label = str(Case._meta.get_field(name).verbose_name)
        if isinstance(now, str) and isinstance(then, str) and max(len(now), len(then)) > LONG_TEXT:
            out.append((label, *text_change(now, then)))
        else:
            out.append((label, readable(Case, name, now), readable(Case, name, then)))
    return out


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
