"""The curator's tools on their own: warnings, highlighting, merge, restore, safe unpacking of uploads."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest

from cases import curation, history, merge, review, warnings
from cases.models import Case, Mechanism, Metric
from tests.test_admin import BODY, add_figure, make_case, make_user


@pytest.mark.django_db
class TestWarnings:
    def test_a_clean_case_has_none(self):
        case = make_case()
        assert warnings.in_words(case) == []
        assert not Case.objects.with_warning(warnings.ANY).exists()

    def test_each_warning_in_words_and_as_a_query(self):
        case = make_case(place=None, mechanisms=False)
        case.metrics.filter(text="120个").update(unit="")
        case.metrics.filter(text="超过3000名").update(start=0, end=6)
        words = warnings.in_words(case)
        assert words == ["未识别地区", "没有机制", "指标缺少单位:120个", "指标原文与正文不符:超过3000名"]
        for warning in warnings.GAPS:
            assert list(Case.objects.with_warning(warning.key)) == [case], warning.key

    def test_span_check_counts_characters_not_bytes(self):
        # Every character before the figure is 3 bytes in UTF-8: a byte-based SUBSTR would miss it.
        case = make_case()
        assert not Case.objects.with_warning("span_mismatch").exists()
        case.body = "新" + case.body  # the figures' spans now point one character too early
        case.save()
        assert list(Case.objects.with_warning("span_mismatch")) == [case]


    def test_the_change_page_and_the_filters_read_one_table(self):
        # Every warning, flags included, holds for exactly the cases its filter finds, and the
        # change page lists it for those cases and no other.
        clean = make_case(title="无警告")
        flagged = {
            "non_case": make_case(kind=Case.Kind.NON_CASE, mechanisms=False),
            "needs_review": make_case(needs_review=True),
            "no_place": make_case(place=None),
            "no_mechanisms": make_case(mechanisms=False),
        }
        original = make_case()
        flagged["duplicate"] = make_case(duplicate_of=original)
        flagged["metric_without_unit"] = make_case()
        flagged["metric_without_unit"].metrics.filter(text="120个").update(unit="")
        flagged["span_mismatch"] = make_case()
        flagged["span_mismatch"].metrics.filter(text="120个").update(start=0, end=4)
        assert set(flagged) == set(warnings.WARNINGS)
        for key, case in flagged.items():
            expected = {case.pk, original.pk} if key == "duplicate" else {case.pk}  # a duplicate both ways
            assert set(Case.objects.with_warning(key).values_list("pk", flat=True)) == expected, key
            assert [w.key for w, _figures in warnings.found(case)] == [key], key
        assert warnings.found(clean) == []
        assert warnings.in_words(flagged["span_mismatch"]) == ["指标原文与正文不符:120个"]
        assert warnings.in_words(flagged["non_case"])[0].startswith("非案例（论文、评论、讲话或范文）")
        gaps = {flagged[w.key].pk for w in warnings.GAPS}
        assert set(Case.objects.with_warning(warnings.ANY).values_list("pk", flat=True)) == gaps

    def test_an_unknown_warning_is_refused(self):
        with pytest.raises(KeyError):
            Case.objects.with_warning("nonsense")

    def test_the_review_list_leaves_out_what_has_its_own_box(self):
        case = make_case(place=None, needs_review=True)
        make_case(duplicate_of=case)
        assert review.aids(case)["review_warnings"] == ["未识别地区"]


@pytest.mark.django_db
class TestCorrections:
    """What counts as curated: the models' own rules, which the admin calls."""

    def test_only_curatable_fields_are_recorded(self):
        case = make_case()
        case.record_correction(["title", "slug", "status", "place", "title"])
        assert case.curated_fields == ["title", "place"]

    def test_clearing_the_review_flag_by_hand_drops_the_conflicts(self):
        case = make_case(needs_review=True, review_conflicts={"title": {"curated": "甲", "extracted": "乙"}})
        case.record_correction(["title"])
        assert case.needs_review and case.review_conflicts  # the flag was not touched: conflicts stay
        case.needs_review = False
        case.record_correction(["needs_review"])
        assert case.review_conflicts == {}
        case.save()
        case.refresh_from_db()
        assert (case.needs_review, case.review_conflicts, case.curated_fields) == (False, {}, ["title"])

    def test_a_corrected_row_is_saved_as_curated(self):
        case = make_case()
        metric, mechanism = case.metrics.get(text="120个"), case.mechanisms.get()
        metric.value = Decimal("121")
        for row in (metric, mechanism):
            row.record_correction()
            row.refresh_from_db()
            assert row.curated
        assert metric.value == Decimal("121")

    def test_taking_over_a_list_is_written_at_once(self):
        case = make_case()
        case.take_over("metrics")
        case.take_over("metrics")
        assert Case.objects.get(pk=case.pk).curated_fields == ["metrics"]
        with pytest.raises(ValueError):
            case.take_over("title")


@pytest.mark.django_db
class TestHighlighting:
    def test_figure_sentence_and_span_are_marked_and_text_is_escaped(self):
        case = make_case(body="<b>标题</b>\n共有党员3000名。其他。", figures=False, mechanisms=False)
        add_figure(case, "3000名", Decimal("3000"), "名")
        html = str(review.highlighted_body(case))
        assert "&lt;b&gt;标题&lt;/b&gt;" in html and "<b>" not in html
        assert '<mark class="rv-sentence">共有党员</mark>' in html
        assert '<mark class="rv-figure rv-sentence">3000名</mark>' in html
        assert '<mark class="rv-sentence">。</mark>其他。' in html

    def test_mechanism_heading_sentence_is_marked(self):
        case = make_case(figures=False)
        html = str(review.highlighted_body(case))
        mechanism = case.mechanisms.get()
        assert f'id="rv-mech-{mechanism.pk}"' in html
        assert '<mark class="rv-mechanism">下好“一盘棋”,建立新机制。</mark>' in html

    def test_a_span_outside_the_body_is_skipped_not_an_error(self):
        case = make_case(figures=False, mechanisms=False)
        Metric.objects.create(case=case, value=1, text="x", start=len(BODY) + 5, end=len(BODY) + 6)
        assert str(review.highlighted_body(case)).endswith("建立新机制。")


@pytest.mark.django_db
class TestMerge:
    def test_keeps_one_case_and_both_sources_and_repoints_other_duplicates(self):
        from cases.models import Practice

        user = make_user()
        keep = make_case(source="锦州日报")
        drop = make_case(source="辽宁日报", duplicate_of=keep)
        third = make_case(duplicate_of=drop)
        drop.practices.add(Practice.objects.get(name="网格化管理"))
        merged = merge.merge_duplicate(keep, drop, user)
        assert not Case.objects.filter(pk=drop.pk).exists()
        assert [s["source"] for s in merged.other_sources] == ["辽宁日报"]
        assert merged.other_sources[0]["content_hash"] == drop.content_hash
        assert merged.other_sources[0]["merged_by"] == user.username
        assert [p.name for p in merged.practices.all()] == ["网格化管理"]
        third.refresh_from_db()
        assert third.duplicate_of_id == keep.pk

    def test_sources_merged_earlier_travel_along(self):
        a, b, c = make_case(source="甲"), make_case(source="乙"), make_case(source="丙")
        merge.merge_duplicate(b, c)
        merge.merge_duplicate(a, b)
        a.refresh_from_db()
        assert [s["source"] for s in a.other_sources] == ["丙", "乙"]

    def test_a_case_cannot_be_merged_into_itself(self):
        case = make_case()
        with pytest.raises(ValueError):
            merge.merge_duplicate(case, case)


@pytest.mark.django_db
class TestRestore:
    def test_restores_fields_mechanisms_and_figures_as_they_were(self):
        case = make_case(title="原标题")
        version = case.history.earliest()
        case.title = "改后"
        case.save()
        case.metrics.get(text="120个").delete()
        case.mechanisms.get().delete()
        Mechanism.objects.create(case=case, heading="新机制")
        history.restore_version(case, version)
        case.refresh_from_db()
        assert case.title == "原标题" and case.curated_fields == []  # the version's own, not the title as a correction
        assert list(case.mechanisms.values_list("heading", flat=True)) == ["下好“一盘棋”"]
        assert sorted(case.metrics.values_list("text", flat=True)) == ["120个", "超过3000名"]
        assert not any(case.metrics.values_list("curated", flat=True))  # as they were in that version

    def test_brings_back_the_old_values_and_nothing_else(self):
        case = make_case(title="原标题")
        version = case.history.earliest()
        untouched = case.metrics.get(text="超过3000名")
        case.title = "改后"
        case.needs_review = True
        case.review_conflicts = {"title": {"curated": "改后", "extracted": "原标题"}}
        case.save()
        changed = case.metrics.get(text="120个")
        changed.value, changed.curated = Decimal("999"), True
        changed.save()
        case.mechanisms.update(curated=False)
        mark = Metric.history.order_by("-history_id").first().history_id
        history.restore_version(case, version)
        case.refresh_from_db()
        assert (case.title, case.needs_review, case.review_conflicts) == ("原标题", False, {})
        changed.refresh_from_db()
        assert (changed.value, changed.curated) == (Decimal("120"), False)
        untouched.refresh_from_db()
        assert not untouched.curated
        assert not case.mechanisms.filter(curated=True).exists()
        # history is written for the figure restore changed, not for the one it left as it was
        assert [r.id for r in Metric.history.filter(history_id__gt=mark)] == [changed.pk]

    def test_a_review_flag_the_version_had_is_brought_back_with_its_conflicts(self):
        case = make_case()
        case.needs_review, case.review_conflicts = True, {"title": {"curated": "甲", "extracted": "乙"}}
        case.save()
        version = case.history.latest()
        case.needs_review, case.review_conflicts, case.title = False, {}, "新标题"
        case.save()
        history.restore_version(case, version)
        case.refresh_from_db()
        assert case.needs_review and case.review_conflicts == {"title": {"curated": "甲", "extracted": "乙"}}

    def test_a_later_reingest_still_updates_the_figures_after_a_restore(self):
        from cases.loading import UPDATED, ingest_bytes
        from tests.test_load import SEED, seed_bytes

        case = ingest_bytes(SEED.name, seed_bytes()).case
        version = case.history.latest()
        text = seed_bytes().decode("utf-8")
        ingest_bytes(SEED.name, text.replace("党建融合体等59个", "党建融合体等61个", 1).encode("utf-8"))
        history.restore_version(case, version)
        assert case.metrics.filter(text="59个").exists()
        assert not case.metrics.filter(curated=True).exists()
        again = ingest_bytes(SEED.name, text.replace("党建融合体等59个", "党建融合体等62个", 1).encode("utf-8"))
        assert again.status == UPDATED
        assert case.metrics.filter(text="62个").exists() and not case.metrics.filter(text="59个").exists()

    def test_a_version_covers_the_figures_until_the_next_save_of_the_case(self):
        case = make_case()
        first = case.history.earliest()
        case.title = "第二版"
        case.save()
        add_figure(case, "100余个", Decimal("100"), "个")  # belongs to the second version
        assert sorted(m.text for m in history.snapshot(Metric, case, first)) == ["120个", "超过3000名"]
        assert len(history.snapshot(Metric, case, case.history.latest())) == 3


class TestExpandUpload:
    @pytest.fixture(autouse=True)
    def limits(self, settings):
        settings.ADMIN_UPLOAD_MAX_FILES = 5
        settings.ADMIN_UPLOAD_MAX_FILE_BYTES = 1000
        settings.ADMIN_UPLOAD_MAX_TOTAL_BYTES = 2500

    @staticmethod
    def zip_of(members: dict[str, bytes], **info) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in members.items():
                archive.writestr(zipfile.ZipInfo(name, **info) if info else name, data)
        return buffer.getvalue()

    def test_a_plain_file_is_itself(self):
        [report] = curation.expand_upload("a.txt", "正文".encode())
        assert (report.label, report.source_name, report.error) == ("a.txt", "a.txt", "")

    def test_members_keep_only_their_last_name_and_skip_junk(self):
        data = self.zip_of({"dir/a.txt": b"x1", "../../b.txt": b"x2", "__MACOSX/._a.txt": b"j", ".DS_Store": b"j"})
        reports = list(curation.expand_upload("r.zip", data))
        assert [(r.label, r.source_name) for r in reports] == [("r.zip/a.txt", "a.txt"), ("r.zip/b.txt", "b.txt")]

    def test_gbk_member_names_from_chinese_windows_are_read(self):
        class GbkName(zipfile.ZipInfo):
            # How zip tools on Chinese Windows write names: GBK bytes, without the UTF-8 flag.
            def _encodeFilenameFlags(self):
                return self.filename.encode("gbk"), self.flag_bits

        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(GbkName("报告/锦州.txt"), b"data")
        [report] = curation.expand_upload("r.zip", buffer.getvalue())
        assert report.source_name == "锦州.txt"

    def test_limits_per_member_total_count_and_nesting(self):
        inner = self.zip_of({"a.txt": b"x"})
        data = self.zip_of({"big.txt": b"0" * 5000, "a.txt": b"a" * 900, "b.txt": b"b" * 900, "n.zip": inner})
        reports = {r.label: r for r in curation.expand_upload("r.zip", data)}
        assert "文件过大" in reports["r.zip/big.txt"].error
        assert reports["r.zip/a.txt"].raw and reports["r.zip/b.txt"].raw
        assert "嵌套" in reports["r.zip/n.zip"].error
        many = self.zip_of({f"{i}.txt": b"x" for i in range(6)})
        [refused] = curation.expand_upload("many.zip", many)
        assert "过多" in refused.error
        total = self.zip_of({f"{i}.txt": b"y" * 900 for i in range(4)})
        reports = list(curation.expand_upload("t.zip", total))
        assert [bool(r.raw) for r in reports] == [True, True, False]
        assert "总大小" in reports[-1].error

    def test_a_member_larger_than_it_claims_is_cut_off(self):
        data = bytearray(self.zip_of({"liar.txt": b"z" * 5000}))
        # Forge the declared size in the central directory to 10 bytes: the read cap still holds.
        at = data.find(b"PK\x01\x02")
        data[at + 24 : at + 28] = (10).to_bytes(4, "little")
        [report] = curation.expand_upload("r.zip", bytes(data))
        assert report.error  # either refused as too large or as a bad archive: never 5000 bytes in memory
        assert not report.raw

    def test_a_broken_zip_is_a_failure_not_a_crash(self):
        data = self.zip_of({"a.txt": b"x" * 100})[:-30]
        reports = list(curation.expand_upload("bad.zip", data))
        assert reports and all(r.error or r.raw == b"" for r in reports)


def test_store_upload_keeps_files_under_upload_root_with_safe_names(settings, tmp_path):
    settings.UPLOAD_ROOT = tmp_path / "up"
    first = curation.store_upload("../../etc/passwd", b"a")
    second = curation.store_upload("..", b"b")
    for path in (first, second):
        assert settings.UPLOAD_ROOT in path.parents
        assert path.stat().st_mode & 0o111 == 0
    assert first.name.endswith("-passwd") and second.name.endswith("-upload")
