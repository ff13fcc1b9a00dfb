"""The loader: one transaction per report, idempotent, and curated values never overwritten."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models import Max

from cases import search
from cases.loading import CREATED, FAILED, UNCHANGED, UPDATED, ingest_bytes, ingest_paths
from cases.models import Case, Mechanism, Metric, sentence_bounds

pytestmark = pytest.mark.django_db

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED = SEEDS / "004_c00685ac888a8406.txt"
SEEDS_OTHER = SEEDS / "002_e3f147fd4aee9609.txt"


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
        assert case.review_conflicts["title"] == {"curated": "人工修订后的标题", "extracted": extracted_title,
                                                  "value": extracted_title}


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
    from cases.merge import merge_duplicate

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
    assert case.needs_review and case.review_conflicts["kind"] == {"curated": "non-case", "extracted": "case",
                                                                   "value": "case"}


def test_a_non_case_the_curator_published_stays_published_on_reingest():
    case = ingest_bytes("paper.txt", paper_bytes()).case
    Case.objects.filter(pk=case.pk).update(status=Case.Status.PUBLISHED)
    changed_paper = paper_bytes() + "四、结语\n必须久久为功。\n".encode()
    assert ingest_bytes("paper.txt", changed_paper, publish=True).status == UPDATED
    case.refresh_from_db()
    assert (case.kind, case.status) == (Case.Kind.NON_CASE, Case.Status.PUBLISHED)


# ---------------------------------------------------------------- identity: the source plus the content

OTHER_SEED = SEEDS / "003_b71aa84b4d782c3f.txt"


def test_two_reports_of_one_name_in_two_folders_are_two_cases(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "index.txt").write_bytes(seed_bytes())
    (tmp_path / "b" / "index.txt").write_bytes(OTHER_SEED.read_bytes())
    results = list(ingest_paths([tmp_path]))
    assert [(r.source_name, r.status) for r in results] == [("a/index.txt", CREATED), ("b/index.txt", CREATED)]
    assert Case.objects.count() == 2
    assert sorted(Case.objects.values_list("source_file", flat=True)) == ["a/index.txt", "b/index.txt"]
    assert len(set(Case.objects.values_list("slug", flat=True))) == 2


def test_an_upload_of_a_known_name_with_another_lead_is_a_new_case_not_an_overwrite():
    first = ingest_bytes("index.txt", seed_bytes()).case
    second = ingest_bytes("index.txt", OTHER_SEED.read_bytes())
    assert second.status == CREATED and second.case.pk != first.pk
    first.refresh_from_db()
    assert first.body == ingest_bytes("index.txt", seed_bytes()).case.body  # unchanged, and found again
    assert Case.objects.count() == 2


def test_a_changed_version_from_the_same_source_still_updates_its_case():
    first = ingest_bytes("index.txt", seed_bytes()).case
    ingest_bytes("index.txt", OTHER_SEED.read_bytes())
    again = ingest_bytes("index.txt", changed(seed_bytes()))
    assert again.status == UPDATED and again.case.pk == first.pk
    assert Case.objects.count() == 2


def test_the_same_report_under_another_name_is_a_new_case_and_a_candidate_duplicate():
    original = ingest_bytes("a/index.txt", seed_bytes()).case
    moved = ingest_bytes("b/index.txt", changed(seed_bytes()))
    assert moved.status == CREATED and moved.case.duplicate_of_id == original.pk


# ---------------------------------------------------------------- re-ingest: re-anchor what is kept, update the rest in place

INSERTED = "此外，全区还新建了一批社区党群服务站，方便居民就近议事。"


def inserted_before(raw: bytes, marker: str, sentence: str = INSERTED) -> bytes:
    text = raw.decode("utf-8")
    assert marker in text
    return text.replace(marker, sentence + marker, 1).encode("utf-8")


def history_mark(model) -> int:
    return model.history.aggregate(last=Max("history_id"))["last"] or 0


def rows(model, case) -> dict[int, tuple]:
    fields = ["start", "end", "order"] + (
        ["subject", "value", "unit", "qualifier", "text", "mechanism_id", "curated"]
        if model is Metric else ["heading", "slogan", "body", "parent_id", "curated"]
    )
    return {row[0]: row[1:] for row in model.objects.filter(case=case).values_list("pk", *fields)}


def test_reingest_reanchors_a_curated_figure_and_updates_the_rest_in_place():
    case = ingest_bytes(SEED.name, seed_bytes()).case
    figure = case.metrics.get(text="6.3万件")
    figure.subject, figure.curated = "群众诉求", True
    figure.save()
    metrics_before, mechanisms_before = rows(Metric, case), rows(Mechanism, case)
    marks = {Metric: history_mark(Metric), Mechanism: history_mark(Mechanism)}

    result = ingest_bytes(SEED.name, inserted_before(seed_bytes(), "2020年全年共受理"))
    assert result.status == UPDATED
    case.refresh_from_db()
    figure.refresh_from_db()
    assert INSERTED in case.body
    assert case.body[figure.start : figure.end] == "6.3万件" and figure.subject == "群众诉求" and figure.curated
    assert case.metrics.filter(text="6.3万件").count() == 1  # no second, uncurated copy
    assert all(m.span_matches_body for m in case.metrics.all())
    assert not case.needs_review

    for model, before in ((Metric, metrics_before), (Mechanism, mechanisms_before)):
        after = rows(model, case)
        assert set(after) == set(before), model  # the same rows, updated where they moved
        written = list(model.history.filter(history_id__gt=marks[model]))
        assert {r.history_type for r in written} <= {"~"}, model
        assert sorted(r.id for r in written) == sorted(pk for pk in before if before[pk] != after[pk]), model
    # the figures before the inserted sentence did not move and have no new history
    assert case.metrics.filter(text="59个").get().history.filter(history_id__gt=marks[Metric]).count() == 0


def test_a_curated_mechanism_is_reanchored_and_not_duplicated():
    case = ingest_bytes(SEED.name, seed_bytes()).case
    mechanism = case.mechanisms.get(heading__startswith="聚焦自治共治")
    old_span_text = case.body[mechanism.start : mechanism.end]
    mechanism.heading, mechanism.curated = "自治共治", True
    mechanism.save()
    ingest_bytes(SEED.name, inserted_before(seed_bytes(), "2020年全年共受理"))
    case.refresh_from_db()
    mechanism.refresh_from_db()
    assert case.body[mechanism.start : mechanism.end] == old_span_text
    assert case.mechanisms.count() == 3 and mechanism.heading == "自治共治"
    assert set(case.metrics.filter(text__in=["214个", "980余个"]).values_list("mechanism_id", flat=True)) == {
        mechanism.pk
    }


def test_a_kept_figure_whose_sentence_is_gone_flags_the_case_for_review():
    case = ingest_bytes(SEED.name, seed_bytes()).case
    figure = case.metrics.get(text="214个")
    figure.subject, figure.curated = "成型小区", True
    figure.save()
    text = seed_bytes().decode("utf-8").replace("聚焦在214个成型小区、", "聚焦在全部成型小区、", 1)
    assert ingest_bytes(SEED.name, text.encode("utf-8")).status == UPDATED
    case.refresh_from_db()
    assert Metric.objects.filter(pk=figure.pk, curated=True, subject="成型小区").exists()
    assert case.needs_review
    [conflict] = [c for c in case.review_conflicts.values() if figure.display_value in c["curated"]]
    assert conflict["extracted"] == "原句已不在正文中"
    figure.refresh_from_db()  # shown where its sentence was, in the sentence that replaced it
    left, right = sentence_bounds(case.body, figure.start, figure.end)
    assert "聚焦在全部成型小区" in case.body[left:right]
    assert case.metrics.filter(text="980余个").count() == 1


def test_a_figure_changed_at_source_is_updated_in_place_with_one_history_row():
    case = ingest_bytes(SEED.name, seed_bytes()).case
    figure = case.metrics.get(text="59个")
    mark = history_mark(Metric)
    text = seed_bytes().decode("utf-8").replace("党建融合体等59个", "党建融合体等61个", 1)
    ingest_bytes(SEED.name, text.encode("utf-8"))
    figure.refresh_from_db()
    assert (figure.text, figure.value) == ("61个", Decimal("61"))
    assert [(r.id, r.history_type) for r in Metric.history.filter(history_id__gt=mark)] == [(figure.pk, "~")]


# ---------------------------------------------------------------- one transaction per report


def bad_figure_report(raw: bytes):
    """The pipeline's output with one figure the database refuses (its span ends where it starts)."""
    from ingest.pipeline import content_hash, process

    report = process(raw, SEED.name)
    report.extraction.metrics[-1].end = report.extraction.metrics[-1].start
    return report, content_hash(raw)


def assert_nothing_written():
    from cases.models import MergedReport

    assert not Case.objects.exists() and not Case.history.exists()
    assert not Metric.objects.exists() and not Metric.history.exists()
    assert not Mechanism.objects.exists() and not Mechanism.history.exists()
    assert not MergedReport.objects.exists()
    assert not search.matching(Case.objects.all(), search.parse("融合党建")).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_error_after_the_case_row_is_written_leaves_no_row_at_all():
    from cases.loading import save_report

    report, digest = bad_figure_report(seed_bytes())
    result = save_report(report, digest)
    assert result.status == FAILED and "写入数据库出错" in result.reason and "IntegrityError" in result.reason
    assert_nothing_written()
    # and the database is usable: the good report loads afterwards
    assert ingest_bytes(SEED.name, seed_bytes()).status == CREATED


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_error_while_updating_leaves_the_case_as_it_was():
    from cases.loading import save_report

    case = ingest_bytes(SEED.name, seed_bytes()).case
    before = (rows(Metric, case), rows(Mechanism, case), Case.history.count(), Metric.history.count())
    body = case.body
    report, digest = bad_figure_report(inserted_before(seed_bytes(), "2020年全年共受理"))
    assert save_report(report, digest).status == FAILED
    case.refresh_from_db()
    assert case.body == body and case.content_hash != digest
    assert (rows(Metric, case), rows(Mechanism, case), Case.history.count(), Metric.history.count()) == before


def test_a_kept_mechanism_whose_heading_is_gone_flags_the_case_for_review():
    case = ingest_bytes(SEED.name, seed_bytes()).case
    mechanism = case.mechanisms.get(heading__startswith="聚焦自治共治")
    mechanism.slogan, mechanism.curated = "小区党支部", True
    mechanism.save()
    text = seed_bytes().decode("utf-8").replace("建强“小区党支部”", "建强“小区党组织”", 1)
    assert ingest_bytes(SEED.name, text.encode("utf-8")).status == UPDATED
    case.refresh_from_db()
    assert Mechanism.objects.filter(pk=mechanism.pk, curated=True).exists()
    assert case.needs_review
    assert [c["extracted"] for k, c in case.review_conflicts.items() if k.startswith("机制")] == ["原句已不在正文中"]


def test_moving_a_kept_figures_sentence_elsewhere_reanchors_it():
    case = ingest_bytes(SEED.name, seed_bytes()).case
    figure = case.metrics.get(text="59个")
    figure.subject, figure.curated = "党建联盟", True
    figure.save()
    text = seed_bytes().decode("utf-8")
    left = text.index("截至目前")
    sentence = text[left : text.index("大合唱”。", left) + len("大合唱”。")]
    assert "59个" in sentence
    moved = text.replace(sentence, "", 1).replace("2020年全年共受理", sentence + "2020年全年共受理", 1)
    ingest_bytes(SEED.name, moved.encode("utf-8"))
    case.refresh_from_db()
    figure.refresh_from_db()
    assert case.body[figure.start : figure.end] == "59个" and not case.needs_review
    assert case.metrics.filter(text="59个").count() == 1


@pytest.mark.parametrize(
    ("old", "new", "before", "text", "now_before"),
    [
        ("甲有3个。乙有5个。", "新句。甲有3个。乙有5个。", "甲有3个。乙有", "5个", "新句。甲有3个。乙有"),  # inserted before
        ("甲有3个。乙有5个。", "乙有5个。甲有3个。", "甲有", "3个", "乙有5个。甲有"),  # sentences swapped
        ("甲有3个。乙有5个。", "甲有3个，新增。乙有5个。", "甲有", "3个", "甲有"),  # its sentence edited around it
        ("甲有3个。乙有5个。", "甲有4个。乙有5个。", "甲有", "3个", None),  # the figure itself changed: gone
        ("有3个。有3个。有5个。", "新。有3个。有3个。有5个。", "有3个。有", "3个", "新。有3个。有"),  # the same of repeats
    ],
)
def test_body_map_finds_a_kept_span_in_the_new_body(old, new, before, text, now_before):
    from cases.loading import BodyMap

    assert old[len(before) :].startswith(text)
    span = BodyMap(old, new).find(len(before), len(before) + len(text), text)
    assert span == (None if now_before is None else (len(now_before), len(now_before) + len(text)))


def test_two_admin_uploads_of_one_name_with_different_reports_are_two_cases(client, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from tests.test_admin import editor

    settings.UPLOAD_ROOT = tmp_path / "uploads"
    client.force_login(editor())
    for raw in (seed_bytes(), OTHER_SEED.read_bytes()):
        response = client.post(reverse("admin:cases_case_upload"), {"files": [SimpleUploadedFile("index.txt", raw)]})
        assert [r["status"] for r in response.context["results"]] == [CREATED]
    assert Case.objects.filter(source_file="index.txt").count() == 2


def test_a_reprint_with_its_own_opening_is_a_candidate_duplicate():
    original = ingest_bytes(SEED.name, seed_bytes()).case
    text = seed_bytes().decode("utf-8")
    lines = text.split("\n")
    # another outlet: its own opening paragraph in place of the article's first, its own closing line
    first = next(n for n, line in enumerate(lines) if len(line) > 60)
    lines[first] = "编者按：下面这篇报道介绍了一地以党建引领基层治理的做法，值得各地借鉴，特此转载，供读者参考。"
    reprint = "\n".join([*lines, "（责任编辑：某某）"])
    copy = ingest_bytes("reprint-elsewhere.txt", reprint.encode("utf-8"))
    assert copy.status == CREATED
    assert copy.case.duplicate_of_id == original.pk


def test_another_report_of_the_same_campaign_is_no_duplicate():
    original = ingest_bytes(SEED.name, seed_bytes()).case
    other = ingest_bytes(SEEDS_OTHER.name, SEEDS_OTHER.read_bytes()).case
    assert other.duplicate_of_id is None
    assert original.duplicate_bands.count() == other.duplicate_bands.count() == 32


def test_a_conflict_is_settled_by_taking_the_new_value_or_keeping_the_curators(admin_client):
    case = ingest_bytes(SEED.name, seed_bytes()).case
    extracted = {"title": case.title, "published_on": case.published_on, "place": case.place}
    case.title, case.published_on, case.place = "人工标题", datetime.date(2001, 1, 1), None
    case.mark_curated("title", "published_on", "place")
    case.save()
    ingest_bytes(SEED.name, changed(seed_bytes()))
    case.refresh_from_db()
    assert set(case.review_conflicts) >= {"title", "published_on", "place"} and case.needs_review
    url = f"/admin/cases/case/{case.pk}/conflict/"
    # the change page offers both buttons for a field
    page = admin_client.get(f"/admin/cases/case/{case.pk}/change/").content.decode()
    assert f'formaction="{url}" name="take_extracted" value="title"' in page
    assert f'formaction="{url}" name="keep_curated" value="title"' in page
    # take the new title: the pipeline's again (no longer curated)
    assert admin_client.post(url, {"take_extracted": "title"}).status_code == 302
    case.refresh_from_db()
    assert case.title == extracted["title"] and "title" not in case.curated_fields
    assert "title" not in case.review_conflicts and case.needs_review  # others remain
    # a date and a place come back as themselves
    admin_client.post(url, {"take_extracted": "published_on"})
    admin_client.post(url, {"take_extracted": "place"})
    case.refresh_from_db()
    assert (case.published_on, case.place) == (extracted["published_on"], extracted["place"])
    # keep the curator's for whatever is left: the flag goes with the last conflict
    for key in list(case.review_conflicts):
        assert admin_client.post(url, {"keep_curated": key}).status_code == 302
    case.refresh_from_db()
    assert (case.review_conflicts, case.needs_review) == ({}, False)
    # the history says what was chosen
    assert case.history.filter(history_change_reason__startswith="采用新抽取值").count() == 3
    # a stale button or a GET changes nothing
    assert admin_client.post(url, {"take_extracted": "title"}).status_code == 302
    assert admin_client.get(url).status_code == 405
