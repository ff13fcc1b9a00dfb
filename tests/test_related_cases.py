"""``CaseQuerySet.related_to`` ranks only ids and keywords, then builds the few cases it keeps.

The reference below is the earlier form, which built every one of the 200 best candidates as a
case with its places before keeping five: both must choose the same cases in the same order.
"""

from __future__ import annotations

import random
from collections import defaultdict

import pytest

from cases import models
from cases.models import Case, Practice
from cases.templatetags.case_text import place_path
from tests.site_factories import make_case

pytestmark = pytest.mark.django_db

PRACTICES = ("网格化管理", "党建联盟", "红色物业", "双报到")
KEYWORDS = ("一盘棋", "网格员", "楼宇", "志愿服务", "吹哨报到", "共建")


def reference_related_to(queryset, case, limit=5):
    practice_ids = [p.pk for p in case.practices.all()]
    if not practice_ids:
        return []
    links = (Case.practices.through.objects.filter(practice_id__in=practice_ids).exclude(case_id=case.pk)
             .order_by("-case_id").values_list("case_id", flat=True)[:models.RELATED_POOL])
    shared = defaultdict(int)
    for case_id in links:
        shared[case_id] += 1
    best = sorted(shared, key=lambda pk: (-shared[pk], -pk))[:200]
    keywords = set(case.keywords)
    candidates = list(queryset.filter(pk__in=best))
    candidates.sort(key=lambda c: (-shared[c.pk], -len(keywords & set(c.keywords)), -c.pk))
    return candidates[:limit]


@pytest.fixture
def archive():
    rng = random.Random(11)
    assert Practice.objects.filter(name__in=PRACTICES).count() == len(PRACTICES)
    cases = []
    for i in range(60):
        cases.append(make_case(
            f"案例{i}", "正文。", practices=tuple(rng.sample(PRACTICES, rng.randint(0, 3))),
            keywords=tuple(rng.sample(KEYWORDS, rng.randint(0, 4))),
            status=Case.Status.DRAFT if i % 7 == 0 else Case.Status.PUBLISHED,
        ))
    return cases


@pytest.mark.parametrize("pool", [models.RELATED_POOL, 25])  # 25 links: the pool's cut decides too
def test_the_same_related_cases_in_the_same_order_as_building_every_candidate(archive, monkeypatch, pool):
    monkeypatch.setattr(models, "RELATED_POOL", pool)
    compared = 0
    for case in archive:
        for queryset in (Case.objects.published(), Case.objects.all()):
            for limit in (1, 5, 12):
                expected = [c.pk for c in reference_related_to(queryset, case, limit)]
                assert [c.pk for c in queryset.related_to(case, limit)] == expected, (case.title, limit)
                compared += bool(expected)
    assert compared > 200  # most cases have related ones: the comparison is not of empty lists


def test_related_cases_carry_what_the_case_page_shows(archive, django_assert_max_num_queries):
    case = next(c for c in archive if c.practices.exists() and c.status == Case.Status.PUBLISHED)
    with django_assert_max_num_queries(4):  # practices, links, ids and keywords, the kept cases
        related = Case.objects.published().related_to(case)
        shown = [(c.get_absolute_url(), c.title, place_path(c)) for c in related]
    assert len(shown) == 5
