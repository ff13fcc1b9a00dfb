"""Figures get the indicator their subject and unit fit, on load and whenever curators change the indicator
table; a curated figure keeps what the curator left; the unmatched subjects are listed for curators."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command

from cases.loading import ingest_bytes
from cases.models import Case, Indicator, Metric

pytestmark = pytest.mark.django_db

REPORT = """青溪区：把支部建在小区里
2021-05-17 来源：青溪日报
近年来，青溪区坚持把小区作为党建引领基层治理的基本单元，在全区127个小区推行“支部建在小区”。
一、建强组织，把支部建在小区里
全区已建成小区党支部46个，组织1200余名在职党员到社区报到，认领服务岗位，参与小区议事。
二、共建家园，让居民看得见变化
一年来，党员带领居民在小区空地种植乔灌木300余棵，改造晾晒区和停车场，居民满意度达到92.6%。
"""


def load(text: str = REPORT, name: str = "qingxi.txt") -> Case:
    result = ingest_bytes(name, text.encode("utf-8"), publish=True)
    assert result.case is not None, result.reason
    return result.case


def by_subject(case: Case) -> dict[str, str | None]:
    return {m.subject: (m.indicator.slug if m.indicator_id else None)
            for m in Metric.objects.filter(case=case).select_related("indicator")}


def test_loading_assigns_indicators():
    got = by_subject(load())
    assert got["小区党支部"] == "residential-branches"
    assert got["在职党员"] == "reporting-members"
    assert got["居民满意度"] == "satisfaction"
    assert got["小区"] == "residential-compounds"
    assert got["乔灌木"] is None  # nothing comparable


def test_a_new_synonym_in_the_admin_assigns_the_figures_it_fits(admin_client):
    case = load()
    trees = Indicator.objects.create(name="植树数", slug="trees", unit_family="个", synonyms=[])
    # 棵 is not in the 个 family: a synonym alone does not assign it
    page = admin_client.get("/admin/cases/indicator/")
    assert page.status_code == 200
    assert "乔灌木" in page.content.decode()  # listed among the unmatched subjects
    response = admin_client.post(f"/admin/cases/indicator/{trees.pk}/change/", {
        "name": "植树数", "slug": "trees", "unit_family": "个", "synonyms": '["乔灌木"]', "description": "",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert by_subject(case)["乔灌木"] is None
    Indicator.objects.filter(pk=trees.pk).update(unit_family="件")  # still not: 棵 is in no family
    assert Metric.objects.assign_indicators() == 0


def test_deleting_an_indicator_in_the_admin_unassigns_and_reassigns(admin_client):
    case = load()
    branches = Indicator.objects.get(slug="residential-branches")
    response = admin_client.post(f"/admin/cases/indicator/{branches.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    # 小区党支部 now falls to the next synonym it ends with: 党支部
    assert by_subject(case)["小区党支部"] == "party-organisations"


def test_a_curated_figure_keeps_its_indicator():
    case = load()
    figure = Metric.objects.get(case=case, subject="在职党员")
    figure.indicator = Indicator.objects.get(slug="party-members")
    figure.curated = True
    figure.save()
    Metric.objects.assign_indicators()
    figure.refresh_from_db()
    assert figure.indicator.slug == "party-members"


def test_unmatched_subjects_most_frequent_first():
    load()
    load(REPORT.replace("青溪", "白沙").replace("127", "128").replace("46", "47"), "baisha.txt")
    rows = list(Metric.objects.unmatched_subjects())
    assert rows[0]["subject"] == "乔灌木" and rows[0]["figures"] == 2 and rows[0]["cases"] == 2


def test_the_command_reassigns_and_lists_the_unmatched():
    case = load()
    Metric.objects.filter(case=case).update(indicator=None)
    out = io.StringIO()
    call_command("assign_indicators", "--unmatched", "5", stdout=out)
    text = out.getvalue()
    assert text.startswith("重新归入 ")
    assert "乔灌木（棵），1 个案例" in text
    assert by_subject(case)["小区党支部"] == "residential-branches"


def test_exports_carry_the_indicator(client):
    load()
    response = client.get("/figures.csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert {r["subject"]: r["indicator"] for r in rows}["小区党支部"] == "小区党支部数"
    out = io.StringIO()
    call_command("export", "--format", "json", stdout=out)
    figures = {m["subject"]: m["indicator"] for m in json.loads(out.getvalue())[0]["metrics"]}
    assert (figures["小区党支部"], figures["乔灌木"]) == ("小区党支部数", None)


def test_reassigning_by_subject_and_unit_gives_each_figure_what_the_assigner_gives_it(monkeypatch):
    """Every figure (not a curated one) ends with ``id_assigner(subject, unit)``, whatever it had; the count is
    of the figures that changed; a second run changes nothing."""
    from decimal import Decimal

    import cases.models

    case = load()
    rows = [("在职党员", "名"), ("在职党员", "人次"), ("小区党支部", "个"), ("小区", "个"), ("乔灌木", "棵"),
            ("居民满意度", "%"), ("党支部", "个"), ("", "个"), ("网格", "个"), ("网格", "名")]
    wrong = [None, *Indicator.objects.order_by("slug").values_list("pk", flat=True)[:4]]
    made = [Metric(case=case, subject=subject, unit=unit, value=Decimal(i), text="某", start=0, end=1, order=100 + i,
                   indicator_id=wrong[i % len(wrong)], curated=i % 7 == 6)
            for i, (subject, unit) in enumerate(rows * 4)]
    Metric.objects.bulk_create(made)
    assigner = Indicator.objects.id_assigner()
    before = {m.pk: (m.indicator_id, m.curated, assigner(m.subject, m.unit)) for m in Metric.objects.all()}
    expected_changes = sum(1 for had, curated, wanted in before.values() if not curated and had != wanted)
    assert expected_changes > 10
    monkeypatch.setattr(cases.models, "ASSIGN_BATCH", 3)  # several UPDATEs, as with many distinct subjects
    assert Metric.objects.assign_indicators() == expected_changes
    for pk, indicator_id in Metric.objects.values_list("pk", "indicator_id"):
        had, curated, wanted = before[pk]
        assert indicator_id == (had if curated else wanted), pk
    assert Metric.objects.assign_indicators() == 0


def test_the_assigner_reads_the_table_as_it_is_at_each_call():
    """Made again when the rows change, however they changed (an ``update()`` sends no signal), and
    the same one while they do not."""
    assigner = Indicator.objects.id_assigner()
    assert assigner("楼道长", "名") is None
    assert Indicator.objects.id_assigner() is assigner
    stairs = Indicator.objects.create(name="楼道长人数", slug="stair-leaders", unit_family="人", synonyms=["楼道长"])
    assert Indicator.objects.id_assigner()("楼道长", "名") == stairs.pk
    Indicator.objects.filter(pk=stairs.pk).update(synonyms=["楼组长"])
    assert Indicator.objects.id_assigner()("楼道长", "名") is None
    assert Indicator.objects.id_assigner()("楼组长", "名") == stairs.pk
