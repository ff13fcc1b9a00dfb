"""The loader: one transaction per report, idempotent, and curated values never overwritten."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from cases.models import Case, Mechanism, Metric
from ingest.load import CREATED, FAILED, UNCHANGED, UPDATED, ingest_bytes, ingest_paths

pytestmark = pytest.mark.django_db

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED = SEEDS / "004_c00685ac888a8406.txt"


def seed_bytes() -> bytes:
    return SEED.read_bytes()


def changed(raw: bytes) -> bytes:
    """The same report with one more paragraph, as an updated version of the file would be."""
    text = raw.decode("utf-8")
    paragraph = "\n此外,全区还新建了一批社区党群服务站,方便居民就近参与议事协商。\n"
    marker = "聚焦平台融通"
    return text.replace(marker, paragraph.strip() + "\n" + marker, 1).encode("utf-8")


def test_same_bytes_twice_give_one_case():
    first = ingest_bytes(SEED.name, seed_bytes())
    second = ingest_bytes(SEED.name, seed_bytes())
    assert (first.status, second.status) == (CREATED, UNCHANGED)
    assert first.case.pk == second.case.pk
    assert Case.objects.count() == 1


def test_new_cases_are_drafts_unless_published():
    assert ingest_bytes(SEED.name, seed_bytes()).case.status == Case.Status.DRAFT
    other = SEEDS / "003_b71aa84b4d782c3f.txt"
    assert ingest_bytes(other.name, other.read_bytes(), publish=True).case.status == Case.Status.PUBLISHED


def test_a_changed_file_updates_its_case_and_keeps_slug_and_status():
    case = ingest_bytes(SEED.name, seed_bytes(), publish=True).case
    result = ingest_bytes(SEED.name, changed(seed_bytes()))
    assert result.status == UPDATED
    assert result.case.pk == case.pk
    case.refresh_from_db()
    assert "新建了一批社区党群服务站" in case.body
    assert case.status == Case.Status.PUBLISHED
    assert Case.objects.count() == 1


def test_metric_spans_point_into_the_body():
    case = ingest_bytes(SEED.name, seed_bytes()).case
    for metric in case.metrics.all():
        assert metric.span_matches_body, (metric.text, case.body[metric.start:metric.end])


def test_curated_fields_and_figures_survive_reingest_and_conflicts_are_flagged():
    case = ingest_bytes(SEED.name, seed_bytes()).case
    extracted_title = case.title
    case.title = "人工修订后的标题"
    case.mark_curated("title")
    case.save()
    curated_metric = Metric.objects.create(
        case=case, value=Decimal("12345"), unit="个", qualifier="", subject="人工指标", text=case.body[0:2],
        start=0, end=2, curated=True,
    )
    curated_mechanism = Mechanism.objects.create(case=case, heading="人工添加的机制", order=99, curated=True)

    result = ingest_bytes(SEED.name, changed(seed_bytes()))
    assert result.status == UPDATED
    case.refresh_from_db()
    assert case.title == "人工修订后的标题"
    assert "新建了一批社区党群服务站" in case.body  # what nobody curated is updated
    assert Metric.objects.filter(pk=curated_metric.pk, value=Decimal("12345")).exists()
    assert Mechanism.objects.filter(pk=curated_mechanism.pk).exists()
    if extracted_title != "人工修订后的标题":
        assert case.needs_review
        assert case.review_conflicts["title"] == {"curated": "人工修订后的标题", "extracted": extracted_title}


def test_a_rejected_report_leaves_nothing_behind():
    result = ingest_bytes("empty.txt", b"")
    assert result.status == FAILED and result.reason
    assert Case.objects.count() == 0


def test_parallel_workers_load_the_same_cases_as_one_process():
    results = list(ingest_paths([SEEDS], jobs=2))
    assert sorted(r.status for r in results) == [CREATED] * 5
    serial = {c.source_file: (c.title, c.body, c.metrics.count()) for c in Case.objects.all()}
    Case.objects.all().delete()
    list(ingest_paths([SEEDS], jobs=1))
    assert {c.source_file: (c.title, c.body, c.metrics.count()) for c in Case.objects.all()} == serial


def test_the_same_report_from_another_outlet_is_a_candidate_duplicate():
    original = ingest_bytes(SEED.name, seed_bytes()).case
    text = seed_bytes().decode("utf-8").replace("来源: 大连日报", "来源: 另一家网站")
    copy = ingest_bytes("copy-from-another-site.txt", text.encode("utf-8"))
    assert copy.status == CREATED
    assert copy.case.duplicate_of_id == original.pk
    assert "重复" in copy.reason


def test_a_list_the_curator_took_over_is_left_as_it_is():
    case = ingest_bytes(SEED.name, seed_bytes()).case
    deleted = case.metrics.first()
    deleted.delete()  # what the admin does when a curator deletes a figure, with the list marked curated
    case.mark_curated("metrics")
    case.save()
    remaining = set(case.metrics.values_list("pk", flat=True))
    ingest_bytes(SEED.name, changed(seed_bytes()))
    assert set(case.metrics.values_list("pk", flat=True)) == remaining
    assert not case.metrics.filter(start=deleted.start, value=deleted.value).exists()


def test_a_report_merged_into_another_case_stays_merged():
    kept = ingest_bytes(SEED.name, seed_bytes()).case
    text = seed_bytes().decode("utf-8").replace("来源: 大连日报", "来源: 另一家网站").encode("utf-8")
    from cases.curation import merge_duplicate

    merge_duplicate(kept, ingest_bytes("copy.txt", text).case)
    again = ingest_bytes("copy.txt", text)
    assert again.status == UNCHANGED and again.case.pk == kept.pk
    assert Case.objects.count() == 1


# ---------------------------------------------------------------- kind


def paper_bytes() -> bytes:
    from tests.test_kind import PAPER

    return PAPER.encode("utf-8")


def test_a_non_case_is_loaded_as_one_never_published_and_has_no_mechanisms():
    result = ingest_bytes("paper.txt", paper_bytes(), publish=True)
    assert result.status == CREATED
    case = result.case
    case.refresh_from_db()
    assert case.kind == Case.Kind.NON_CASE
    assert case.status == Case.Status.DRAFT
    assert not case.mechanisms.exists()
    assert "非案例" in result.reason and "未发布" in result.line()


def test_a_case_is_a_case_and_publish_still_publishes_it():
    case = ingest_bytes(SEED.name, seed_bytes(), publish=True).case
    case.refresh_from_db()
    assert (case.kind, case.status) == (Case.Kind.CASE, Case.Status.PUBLISHED)


def test_a_curators_kind_is_kept_on_reingest_and_a_disagreement_flagged():
    case = ingest_bytes(SEED.name, seed_bytes()).case
    case.kind = Case.Kind.NON_CASE
    case.mark_curated("kind")
    case.save()
    assert ingest_bytes(SEED.name, changed(seed_bytes())).status == UPDATED
    case.refresh_from_db()
    assert case.kind == Case.Kind.NON_CASE
    assert case.needs_review and case.review_conflicts["kind"] == {"curated": "non-case", "extracted": "case"}


def test_a_non_case_the_curator_published_stays_published_on_reingest():
    case = ingest_bytes("paper.txt", paper_bytes()).case
    Case.objects.filter(pk=case.pk).update(status=Case.Status.PUBLISHED)
    changed_paper = paper_bytes() + "四、结语\n必须久久为功。\n".encode()
    assert ingest_bytes("paper.txt", changed_paper, publish=True).status == UPDATED
    case.refresh_from_db()
    assert (case.kind, case.status) == (Case.Kind.NON_CASE, Case.Status.PUBLISHED)
