"""The review workflow on its own: which moves exist, and who may make them (编辑 vs 审核发布)."""

from __future__ import annotations

import itertools

import pytest
from django.contrib.auth.models import Group, User

from cases import workflow
from cases.models import Case

pytestmark = pytest.mark.django_db

S = Case.Status
_counter = itertools.count()


def staff(group: str | None) -> User:
    user = User.objects.create_user(f"u{next(_counter)}", password="x", is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return User.objects.get(pk=user.pk)  # a fresh object: permissions are cached per instance


def case(status=S.DRAFT, **fields) -> Case:
    n = next(_counter)
    return Case.objects.create(
        slug=f"c{n}", title=f"案例{n}", body="正文。", content_hash=f"h{n}", source_file=f"f{n}.txt",
        status=status, **fields,
    )


@pytest.fixture
def editor():
    return staff("编辑")


@pytest.fixture
def publisher():
    return staff("审核发布")


def test_groups_from_the_migration_differ_only_in_publishing(editor, publisher):
    assert not workflow.can_publish(editor)
    assert workflow.can_publish(publisher)
    assert editor.has_perm("cases.change_case") and publisher.has_perm("cases.change_case")


@pytest.mark.parametrize(
    ("start", "target"),
    [(S.DRAFT, S.REVIEWED), (S.REVIEWED, S.DRAFT), (S.WITHDRAWN, S.DRAFT)],
)
def test_editor_may_review_and_send_back(editor, start, target):
    c = case(start)
    workflow.transition(editor, c, target)
    c.refresh_from_db()
    assert c.status == target


@pytest.mark.parametrize(
    ("start", "target"),
    [(S.DRAFT, S.PUBLISHED), (S.REVIEWED, S.PUBLISHED), (S.PUBLISHED, S.WITHDRAWN), (S.WITHDRAWN, S.PUBLISHED)],
)
def test_only_a_publisher_may_publish_or_withdraw(editor, publisher, start, target):
    c = case(start)
    with pytest.raises(workflow.TransitionNotAllowed, match="发布权限"):
        workflow.transition(editor, c, target)
    c.refresh_from_db()
    assert c.status == start
    workflow.transition(publisher, c, target)
    c.refresh_from_db()
    assert c.status == target


@pytest.mark.parametrize(
    ("start", "target"),
    [(S.PUBLISHED, S.DRAFT), (S.PUBLISHED, S.REVIEWED), (S.DRAFT, S.WITHDRAWN), (S.REVIEWED, S.WITHDRAWN)],
)
def test_moves_outside_the_graph_are_refused_even_for_a_superuser(start, target):
    root = User.objects.create_superuser("root", password="x")
    with pytest.raises(workflow.TransitionNotAllowed):
        workflow.check_transition(root, case(start), target)


def test_a_case_needing_review_cannot_be_published(publisher):
    c = case(S.REVIEWED, needs_review=True)
    with pytest.raises(workflow.TransitionNotAllowed, match="复核"):
        workflow.transition(publisher, c, S.PUBLISHED)
    c.needs_review = False
    c.save()
    workflow.transition(publisher, c, S.PUBLISHED)
    assert c.status == S.PUBLISHED


def test_allowed_targets_lists_current_first(editor, publisher):
    assert workflow.allowed_targets(editor, case(S.DRAFT)) == [S.DRAFT, S.REVIEWED]
    assert workflow.allowed_targets(publisher, case(S.DRAFT)) == [S.DRAFT, S.REVIEWED, S.PUBLISHED]
    assert workflow.allowed_targets(editor, case(S.PUBLISHED)) == [S.PUBLISHED]
    assert workflow.allowed_targets(publisher, case(S.PUBLISHED)) == [S.PUBLISHED, S.WITHDRAWN]


def test_bulk_transition_moves_what_it_may_and_reports_the_rest(publisher):
    draft, published, flagged = case(S.DRAFT), case(S.PUBLISHED), case(S.REVIEWED, needs_review=True)
    moved, refused = workflow.bulk_transition(publisher, [draft, published, flagged], S.PUBLISHED)
    assert moved == [draft]
    assert [c for c, _reason in refused] == [flagged]  # already published: nothing to do, no complaint


def test_a_transition_is_recorded_in_history_with_its_user(publisher):
    c = case(S.DRAFT)
    workflow.transition(publisher, c, S.PUBLISHED)
    latest = c.history.first()
    assert latest.status == S.PUBLISHED
    assert latest.history_user == publisher
    assert c.history.count() == 2


def test_an_inactive_publisher_cannot_publish(publisher):
    publisher.is_active = False
    assert not workflow.can_publish(publisher)
