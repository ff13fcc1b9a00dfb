"""The practice co-occurrence table (``PracticePair``) holds what counting the cases gives, after every kind
of change: the loader's writes, publishing and withdrawing, a curator's practices, deletions; the
command recounts it; a practice's page reads it and shows what it showed when it counted the cases."""

from __future__ import annotations

import random
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import Count

from cases import practice_insights, practice_pairs, workflow
from cases.loading import ingest_bytes
from cases.models import Case, Practice, PracticePair

from .site_factories import make_case

pytestmark = pytest.mark.django_db

PRACTICES = ("网格化管理", "党建联盟", "红色物业", "双报到", "吹哨报到")
REPORT = """青溪区：网格化管理与红色物业并进
2021-05-17 来源：青溪日报
近年来，青溪区推行网格化管理，发展红色物业，组织在职党员到社区双报到。
"""


def table() -> dict[tuple[int, int], int]:
    return {(p, o): n for p, o, n in PracticePair.objects.filter(cases__gt=0).values_list("practice_id", "other_id",
                                                                                            "cases")}


def counted_over_the_cases() -> dict[tuple[int, int], int]:
    """The pairs as the practice page counted them per request, for every practice."""
    through = Case.practices.through
    out = {}
    for practice in Practice.objects.all():
        cases = through.objects.filter(practice=practice, case__status=Case.Status.PUBLISHED).values("case_id")
        for other, n in (through.objects.filter(case_id__in=cases).exclude(practice=practice)
                         .values_list("practice_id").annotate(n=Count("case_id")).order_by()):
            out[practice.pk, other] = n
    return out


@pytest.fixture
def archive():
    rng = random.Random(3)
    for i in range(30):
        make_case(f"案例{i}", "正文。", place_code="210700", published_on="2020-01-01",
                  practices=tuple(rng.sample(PRACTICES, rng.randint(0, 4))),
                  status=Case.Status.DRAFT if i % 5 == 0 else Case.Status.PUBLISHED)


def test_the_table_follows_every_change(archive):
    assert table() == counted_over_the_cases() and table()
    publisher = User.objects.create_superuser("publisher", "p@example.com", "x")
    case = Case.objects.published().annotate(n=Count("practices")).filter(n__gte=2).first()
    draft = Case.objects.filter(status=Case.Status.DRAFT).annotate(n=Count("practices")).filter(n__gte=2).first()
    grid, league, red = (Practice.objects.get(name=name) for name in ("网格化管理", "党建联盟", "红色物业"))
    steps = [
        lambda: ingest_bytes("qingxi.txt", REPORT.encode(), publish=True),  # the loader's writer
        lambda: ingest_bytes("qingxi-draft.txt", REPORT.replace("青溪", "白沙").encode()),  # a draft counts nowhere
        lambda: ingest_bytes("qingxi.txt", REPORT.replace("发展红色物业，", "").encode(), publish=True),  # re-ingest
        lambda: workflow.transition(publisher, draft, Case.Status.PUBLISHED),
        lambda: workflow.transition(publisher, case, Case.Status.WITHDRAWN),
        lambda: case.practices.set([grid, league, red]),  # withdrawn: counts nowhere
        lambda: workflow.transition(publisher, case, Case.Status.PUBLISHED),
        lambda: case.practices.remove(league),
        lambda: case.practices.add(league),
        lambda: case.practices.clear(),
        lambda: case.practices.set([grid, red]),
        lambda: grid.cases.add(*Case.objects.published()[:5]),  # from the practice's side
        lambda: red.cases.remove(*Case.objects.published()[:3]),
        lambda: league.cases.clear(),
        lambda: case.delete(),
        lambda: red.delete(),
    ]
    for number, step in enumerate(steps):
        step()
        assert table() == counted_over_the_cases(), f"step {number}"
    assert table()


def test_the_command_recounts_what_was_changed_around_the_orm(archive):
    Case.objects.filter(status=Case.Status.DRAFT).update(status=Case.Status.PUBLISHED)  # no signal
    assert table() != counted_over_the_cases()
    out = StringIO()
    call_command("rebuild_practice_pairs", stdout=out)
    assert table() == counted_over_the_cases()
    assert f"{len(table())} 对" in out.getvalue()


def test_a_stale_pair_never_stops_a_writer(archive):
    PracticePair.objects.all().delete()  # as after a COPY: removals go below zero and are dropped
    case = Case.objects.published().annotate(n=Count("practices")).filter(n__gte=2).first()
    case.practices.clear()
    assert all(n > 0 for n in table().values())
    practice_pairs.rebuild()
    assert table() == counted_over_the_cases()


def test_the_practice_page_lists_what_counting_the_cases_listed(archive):
    for practice in Practice.objects.all():
        expected = sorted(((other, n) for (p, other), n in counted_over_the_cases().items() if p == practice.pk),
                          key=lambda item: (-item[1], item[0]))[:practice_insights.CO_OCCURRING_SHOWN]
        assert [(p.pk, n) for p, n in practice_insights.co_occurring(practice)] == expected
