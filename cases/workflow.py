"""The review workflow: which status a case may move to, and who may move it.

One place for the rules, so the admin's actions, its change form and any
hand-made POST all ask the same question and get the same answer::

    draft ──► reviewed ──► published ──► withdrawn
      ▲  ◄──────┘  │            ▲            │
      │            └────────────┘            │
      └──────────────────────────────────────┘

Publishing and withdrawing change what the public sees, so only users with
``cases.publish_case`` (the 审核发布 group) may do either; the 编辑 group
edits and reviews. A case flagged "needs review" (re-ingest found a value
that differs from a curator's correction) cannot be published until someone
has looked at the conflict.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .models import Case

Status = Case.Status
PUBLISH_PERMISSION = "cases.publish_case"

# Allowed moves. A publisher may publish a draft directly: publishing is itself a review.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.REVIEWED, Status.PUBLISHED}),
    Status.REVIEWED: frozenset({Status.DRAFT, Status.PUBLISHED}),
    Status.PUBLISHED: frozenset({Status.WITHDRAWN}),
    Status.WITHDRAWN: frozenset({Status.DRAFT, Status.PUBLISHED}),
}

# Moves into these states change the public site: they need the publish permission.
PUBLISHER_ONLY = frozenset({Status.PUBLISHED, Status.WITHDRAWN})


class TransitionNotAllowed(Exception):
    """A status change the workflow refuses; ``str(exc)`` is the reason in Chinese, for the curator."""


def can_publish(user) -> bool:
    return bool(user and user.is_active and user.has_perm(PUBLISH_PERMISSION))


def check_transition(user, case: Case, target: str) -> None:
    """Raise TransitionNotAllowed unless ``user`` may move ``case`` to ``target``; staying put is always fine."""
    current = case.status
    if target == current:
        return
    if target not in Status.values:
        raise TransitionNotAllowed(_("未知的状态：%(target)s") % {"target": target})
    if target not in TRANSITIONS[current]:
        raise TransitionNotAllowed(
            _("不能从“%(current)s”改为“%(target)s”。")
            % {"current": Status(current).label, "target": Status(target).label}
        )
    if target in PUBLISHER_ONLY and not can_publish(user):
        raise TransitionNotAllowed(_("只有具有发布权限的用户才能发布或撤回案例。"))
    if target == Status.PUBLISHED and case.needs_review:
        raise TransitionNotAllowed(_("该案例有待复核的冲突，请先处理后再发布。"))


def allowed_targets(user, case: Case) -> list[str]:
    """The statuses ``user`` may choose for ``case`` (its current one first), in workflow order."""
    targets = [case.status]
    for status in Status.values:
        if status == case.status:
            continue
        try:
            check_transition(user, case, status)
        except TransitionNotAllowed:
            continue
        targets.append(status)
    return targets


def transition(user, case: Case, target: str) -> Case:
    """Check and apply one status change, saved with only the status column (and the history row)."""
    check_transition(user, case, target)
    if case.status != target:
        with transaction.atomic():
            case.status = target
            case._history_user = user  # the history row names who moved it, also outside a request
            case.save(update_fields=["status", "updated"])
    return case


def bulk_transition(user, cases, target: str) -> tuple[list[Case], list[tuple[Case, str]]]:
    """Move each case that may move; return (moved, [(case, reason), …] for those refused)."""
    moved, refused = [], []
    for case in cases:
        if case.status == target:
            continue
        try:
            transition(user, case, target)
        except TransitionNotAllowed as exc:
            refused.append((case, str(exc)))
        else:
            moved.append(case)
    return moved, refused
