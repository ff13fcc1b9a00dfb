"""The curator's admin through Django's test client: pages, curation recording, workflow, filters, export,
duplicates, history and the safe re-ingest path with the real loader."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from cases import search
from cases.models import Case, Mechanism, Metric, Place

pytestmark = pytest.mark.django_db

# --------------------------------------------------------------------------- helpers (also used by the other
# admin test modules): users in the curator groups, small cases, and a change form's POST data.
#
# ``change_form_data`` reads the form the admin rendered (from the response context) and turns it into
# what a browser would submit, inlines and management forms included, so a test changes one value and
# posts the rest unchanged, exactly as a curator does.

_counter = itertools.count()
PASSWORD = "a-long-test-password-9"  # noqa: S105


def make_user(group: str | None = None, *, staff: bool = True, superuser: bool = False) -> User:
    n = next(_counter)
    user = User.objects.create_user(
        f"user{n}", password=PASSWORD, is_staff=staff or superuser, is_superuser=superuser
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def editor() -> User:
    return make_user("编辑")


def publisher() -> User:
    return make_user("审核发布")


def log_in_through_the_form(page, base_url: str, user: User) -> None:
    """Log ``user`` in on the admin's login page in a browser (Playwright's ``page``)."""
    page.goto(base_url + "/admin/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector("#site-name")


BODY = "锦州市建立党群服务中心120个。\n全市发展党员超过3000名,覆盖社区100余个。\n下好“一盘棋”,建立新机制。"


def make_case(status=Case.Status.DRAFT, *, figures=True, mechanisms=True, **fields) -> Case:
    n = next(_counter)
    values = {
        "slug": f"case-{n}", "title": f"测试案例{n}", "body": BODY, "content_hash": f"hash-{n}",
        "source_file": f"report-{n}.txt", "status": status,
        "place": Place.objects.get(name="锦州市"),
    }
    values.update(fields)
    case = Case.objects.create(**values)
    if mechanisms:
        start = case.body.find("下好")
        Mechanism.objects.create(case=case, order=0, heading="下好“一盘棋”", slogan="一盘棋", start=start, end=start + 8)
    if figures:
        add_figure(case, "120个", Decimal("120"), "个", "党群服务中心")
        add_figure(case, "超过3000名", Decimal("3000"), "名", "发展党员", qualifier="超过")
    return case


def add_figure(case: Case, text: str, value, unit: str, subject: str = "", qualifier: str = "") -> Metric:
    start = case.body.index(text)
    return Metric.objects.create(
        case=case, text=text, start=start, end=start + len(text), value=value, unit=unit, subject=subject,
        qualifier=qualifier, order=case.metrics.count(),
    )


def change_url(case: Case) -> str:
    return reverse("admin:cases_case_change", args=[case.pk])


def changelist_url() -> str:
    return reverse("admin:cases_case_changelist")


def _serialise(value):
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _form_fields(form, data: dict) -> None:
    for name, field in form.fields.items():
        value = form[name].value()
        if field.show_hidden_initial:  # fields with a callable default render a hidden "initial-" twin
            data[form.add_initial_prefix(name)] = _serialise(value)
        if field.widget.input_type == "checkbox" if hasattr(field.widget, "input_type") else False:
            if value:
                data[form.add_prefix(name)] = "on"
            continue
        data[form.add_prefix(name)] = _serialise(value)


def change_form_data(response) -> dict:
    """What the rendered change form would submit unchanged: the case, every inline row, management forms."""
    data: dict = {}
    _form_fields(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = _serialise(management[name].value())
        for form in formset.forms:
            _form_fields(form, data)
    return data


def inline_prefix(data: dict, model, pk: int) -> str:
    """The form prefix (``metrics-1``) of an existing inline row."""
    prefix = {Mechanism: "mechanisms", Metric: "metrics"}[model]
    for key, value in data.items():
        if key.startswith(prefix + "-") and key.endswith("-id") and value == str(pk):
            return key[: -len("-id")]
    raise KeyError(pk)


SEED = Path(__file__).resolve().parent.parent / "seeds" / "004_c00685ac888a8406.txt"


@pytest.fixture
def as_editor(client):
    client.force_login(editor())
    return client


@pytest.fixture
def as_publisher(client):
    client.force_login(publisher())
    return client


def post_change(client, case, **changes):
    """Open the change form, change some values, submit it as a browser would."""
    data = change_form_data(client.get(change_url(case)))
    data.update(changes)
    return client.post(change_url(case), data)


def action(client, name, *cases):
    return client.post(
        changelist_url(), {"action": name, "_selected_action": [c.pk for c in cases], "index": 0}, follow=True
    )


# --------------------------------------------------------------------------- pages


class TestPages:
    def test_changelist_shows_cases_filters_and_facet_counts(self, as_editor):
        from cases.models import Practice

        make_case(title="锦州市全域党建").practices.add(Practice.objects.get(name="红色物业"))
        make_case(title="另一案例", place=None, status=Case.Status.PUBLISHED)
        response = as_editor.get(changelist_url())
        assert response.status_code == 200
        html = response.content.decode()
        assert "锦州市全域党建" in html
        assert "上传报告" in html
        specs = {str(f.title) for f in response.context["cl"].filter_specs}
        assert {"状态", "待复核", "警告", "疑似重复", "省份", "城市", "实践"} <= specs
        # facets: "草稿 (1)" style counts are rendered next to each choice
        assert "草稿 (1)" in html and "已发布 (1)" in html

    def test_search_finds_by_title_and_place(self, as_editor):
        make_case(title="红色物业的做法")
        make_case(title="别的", place=Place.objects.get(name="观山湖区"))
        assert [c.title for c in as_editor.get(changelist_url(), {"q": "红色物业"}).context["cl"].result_list] == [
            "红色物业的做法"
        ]
        assert [c.title for c in as_editor.get(changelist_url(), {"q": "观山湖"}).context["cl"].result_list] == ["别的"]

    def test_change_form_has_inlines_review_panel_and_read_only_provenance(self, as_editor):
        case = make_case(repairs=[{"stage": "repair", "kind": "pinyin", "count": 3, "examples": ["關(guān) → 關"]}])
        response = as_editor.get(change_url(case))
        assert response.status_code == 200
        form = response.context["adminform"].form
        for name in ("source_file", "content_hash", "original_text", "repairs", "curated_fields", "minhash"):
            assert name not in form.fields
        assert {"title", "place", "practices", "status"} <= set(form.fields)
        assert [f.formset.model for f in response.context["inline_admin_formsets"]] == [Mechanism, Metric]
        html = response.content.decode()
        assert 'id="rv-body"' in html and "關(guān) → 關" in html
        # each figure's sentence is highlighted and anchored for the list beside the text
        figure = case.metrics.get(text="120个")
        assert f'id="rv-fig-{figure.pk}"' in html and f'href="#rv-fig-{figure.pk}"' in html
        assert '<mark class="rv-figure rv-sentence">120个</mark>' in html

    def test_provenance_cannot_be_changed_by_post(self, as_editor):
        case = make_case()
        post_change(as_editor, case, source_file="evil.txt", content_hash="x", curated_fields='["body"]')
        case.refresh_from_db()
        assert case.source_file.startswith("report-") and case.content_hash.startswith("hash-")
        assert case.curated_fields == []

    def test_autocomplete_for_place_and_practices(self, as_editor):
        case = make_case()
        url = reverse("admin:autocomplete")
        common = {"app_label": "cases", "model_name": "case"}
        places = as_editor.get(url, {**common, "field_name": "place", "term": "锦州"}).json()
        assert "锦州市" in [r["text"] for r in places["results"]]
        practices = as_editor.get(url, {**common, "field_name": "practices", "term": "在职党员到社区报到"}).json()
        assert [r["text"] for r in practices["results"]] == ["双报到"]
        assert case.pk

    def test_place_and_practice_admins(self, as_editor):
        assert as_editor.get(reverse("admin:cases_place_changelist"), {"q": "锦州"}).status_code == 200
        assert as_editor.get(reverse("admin:cases_practice_changelist")).status_code == 200


# --------------------------------------------------------------------------- curation recording


class TestCurationRecording:
    def test_saving_unchanged_form_records_nothing_even_with_browser_line_ends(self, as_editor):
        case = make_case()
        data = change_form_data(as_editor.get(change_url(case)))
        data["body"] = data["body"].replace("\n", "\r\n")  # what a browser's textarea submits
        assert as_editor.post(change_url(case), data).status_code == 302
        case.refresh_from_db()
        assert case.curated_fields == []
        assert case.body == BODY
        assert not case.metrics.filter(curated=True).exists()

    def test_changed_fields_are_marked_curated(self, as_editor):
        case = make_case()
        response = post_change(
            as_editor, case, title="修订的标题", place=str(Place.objects.get(name="观山湖区").pk),
            practices=[str(p) for p in Place.objects.none()],
        )
        assert response.status_code == 302
        case.refresh_from_db()
        assert case.title == "修订的标题"
        assert sorted(case.curated_fields) == ["place", "title"]
        assert case.province.name == "贵州省"

    def test_changing_practices_marks_them_curated(self, as_editor):
        from cases.models import Practice

        case = make_case()
        post_change(as_editor, case, practices=[str(Practice.objects.get(name="红色物业").pk)])
        case.refresh_from_db()
        assert case.curated_fields == ["practices"]
        assert [p.name for p in case.practices.all()] == ["红色物业"]

    def test_changed_and_added_inline_rows_are_curated_untouched_ones_are_not(self, as_editor):
        case = make_case()
        changed = case.metrics.get(text="120个")
        untouched = case.metrics.get(text="超过3000名")
        data = change_form_data(as_editor.get(change_url(case)))
        data[inline_prefix(data, Metric, changed.pk) + "-value"] = "121"
        start = BODY.index("100余个")
        data.update({
            "metrics-TOTAL_FORMS": "3", "metrics-2-order": "2", "metrics-2-subject": "社区",
            "metrics-2-value": "100", "metrics-2-unit": "个", "metrics-2-qualifier": "余",
            "metrics-2-text": "100余个", "metrics-2-start": str(start), "metrics-2-end": str(start + 5),
            "metrics-2-case": str(case.pk),
        })
        response = as_editor.post(change_url(case), data)
        assert response.status_code == 302, response.context["errors"]
        changed.refresh_from_db()
        untouched.refresh_from_db()
        assert (changed.value, changed.curated) == (Decimal("121"), True)
        assert untouched.curated is False
        assert case.metrics.get(text="100余个").curated is True

    def test_mechanism_parent_must_be_of_the_same_case(self, as_editor):
        case, other = make_case(), make_case()
        foreign = other.mechanisms.first()
        data = change_form_data(as_editor.get(change_url(case)))
        mech = case.mechanisms.first()
        data[inline_prefix(data, Mechanism, mech.pk) + "-parent"] = str(foreign.pk)
        response = as_editor.post(change_url(case), data)
        assert response.status_code == 200  # the form comes back with an error
        mech.refresh_from_db()
        assert mech.parent_id is None
        # and the choices offered are this case's mechanisms only
        field = response.context["inline_admin_formsets"][0].formset.forms[0].fields["parent"]
        assert list(field.queryset) == [mech]

    def test_metric_mechanism_must_be_of_the_same_case(self, as_editor):
        case, other = make_case(), make_case()
        data = change_form_data(as_editor.get(change_url(case)))
        metric = case.metrics.first()
        data[inline_prefix(data, Metric, metric.pk) + "-mechanism"] = str(other.mechanisms.first().pk)
        assert as_editor.post(change_url(case), data).status_code == 200
        metric.refresh_from_db()
        assert metric.mechanism_id is None
        data[inline_prefix(data, Metric, metric.pk) + "-mechanism"] = str(case.mechanisms.first().pk)
        assert as_editor.post(change_url(case), data).status_code == 302
        metric.refresh_from_db()
        assert metric.mechanism == case.mechanisms.first()

    def test_a_correction_is_searchable_at_once(self, as_editor):
        case = make_case(title="第一版标题")
        search.index_case(case)
        post_change(as_editor, case, title="楼宇党建示范点")
        found = search.matching(Case.objects.all(), search.parse("楼宇党建示范"))
        assert list(found.values_list("pk", flat=True)) == [case.pk]
        assert not search.matching(Case.objects.all(), search.parse("第一版")).exists()

    def test_clearing_needs_review_clears_the_conflicts(self, as_editor):
        case = make_case(needs_review=True, review_conflicts={"title": {"curated": "甲", "extracted": "乙"}})
        html = as_editor.get(change_url(case)).content.decode()
        assert "甲" in html and "乙" in html and 'id="rv-needs-review"' in html
        data = change_form_data(as_editor.get(change_url(case)))
        del data["needs_review"]
        assert as_editor.post(change_url(case), data).status_code == 302
        case.refresh_from_db()
        assert (case.needs_review, case.review_conflicts) == (False, {})


# --------------------------------------------------------------------------- workflow in the admin


class TestWorkflowInAdmin:
    def test_editor_sees_no_publish_choice_or_action(self, as_editor):
        case = make_case()
        response = as_editor.get(change_url(case))
        assert [c for c, _label in response.context["adminform"].form.fields["status"].choices] == ["draft", "reviewed"]
        actions = [name for name, _label in response.context.get("action_choices", [])] or [
            c[0] for c in as_editor.get(changelist_url()).context["action_form"].fields["action"].choices
        ]
        assert "mark_reviewed" in actions
        assert "publish" not in actions and "withdraw" not in actions

    def test_editor_cannot_publish_by_posting_the_change_form(self, as_editor):
        case = make_case(Case.Status.REVIEWED)
        response = post_change(as_editor, case, status="published")
        assert response.status_code == 200
        assert "status" in response.context["adminform"].form.errors
        case.refresh_from_db()
        assert case.status == Case.Status.REVIEWED

    def test_editor_cannot_publish_or_withdraw_by_posting_the_action(self, as_editor):
        draft, published = make_case(), make_case(Case.Status.PUBLISHED)
        action(as_editor, "publish", draft)
        action(as_editor, "withdraw", published)
        draft.refresh_from_db()
        published.refresh_from_db()
        assert (draft.status, published.status) == (Case.Status.DRAFT, Case.Status.PUBLISHED)

    def test_editor_may_review(self, as_editor):
        case = make_case()
        action(as_editor, "mark_reviewed", case)
        case.refresh_from_db()
        assert case.status == Case.Status.REVIEWED

    def test_publisher_publishes_and_withdraws_by_action_and_form(self, as_publisher):
        a, b = make_case(Case.Status.REVIEWED), make_case()
        response = action(as_publisher, "publish", a, b)
        assert "2 个案例已改为“已发布”" in response.content.decode()
        a.refresh_from_db()
        assert a.status == Case.Status.PUBLISHED
        assert post_change(as_publisher, a, status="withdrawn").status_code == 302
        a.refresh_from_db()
        assert a.status == Case.Status.WITHDRAWN

    def test_publishing_a_case_needing_review_is_refused_with_a_message(self, as_publisher):
        case = make_case(needs_review=True)
        response = action(as_publisher, "publish", case)
        assert "待复核" in response.content.decode()
        case.refresh_from_db()
        assert case.status == Case.Status.DRAFT

    def test_editor_cannot_add_a_published_case(self, as_editor):
        response = as_editor.post(reverse("admin:cases_case_add"), {
            "title": "新", "slug": "new", "body": "正文。", "status": "published",
            "keywords": "[]", "captions": "[]", "initial-keywords": "[]", "initial-captions": "[]",
            "mechanisms-TOTAL_FORMS": "0", "mechanisms-INITIAL_FORMS": "0",
            "metrics-TOTAL_FORMS": "0", "metrics-INITIAL_FORMS": "0",
        })
        assert response.status_code == 200
        assert not Case.objects.filter(slug="new").exists()


def test_cases_can_be_added_by_hand(as_editor):
    for slug in ("hand-1", "hand-2"):
        response = as_editor.post(reverse("admin:cases_case_add"), {
            "title": "手工录入", "kind": "case", "slug": slug, "body": "正文。", "status": "draft",
            "keywords": "[]", "captions": "[]", "initial-keywords": "[]", "initial-captions": "[]",
            "mechanisms-TOTAL_FORMS": "0", "mechanisms-INITIAL_FORMS": "0",
            "metrics-TOTAL_FORMS": "0", "metrics-INITIAL_FORMS": "0",
        })
        assert response.status_code == 302
    assert Case.objects.filter(title="手工录入").count() == 2


# --------------------------------------------------------------------------- filters


class TestFilters:
    def titles(self, client, **params):
        return sorted(c.title for c in client.get(changelist_url(), params).context["cl"].result_list)

    def test_each_warning_filter(self, as_editor):
        make_case(title="好")
        make_case(title="无地区", place=None)
        make_case(title="无机制", mechanisms=False)
        make_case(title="非案例无机制", mechanisms=False, kind=Case.Kind.NON_CASE)  # by design: no warning
        no_unit = make_case(title="无单位")
        no_unit.metrics.filter(text="120个").update(unit="")
        moved = make_case(title="错位")
        moved.metrics.filter(text="120个").update(start=0, end=4)
        assert self.titles(as_editor, warning="no_place") == ["无地区"]
        assert self.titles(as_editor, warning="no_mechanisms") == ["无机制"]
        assert self.titles(as_editor, warning="metric_without_unit") == ["无单位"]
        assert self.titles(as_editor, warning="span_mismatch") == ["错位"]
        assert self.titles(as_editor, warning="any") == ["无单位", "无地区", "无机制", "错位"]
        html = as_editor.get(change_url(moved)).content.decode()
        assert "指标原文与正文不符:120个" in html

    def test_needs_review_and_duplicate_filters(self, as_editor):
        original = make_case(title="原")
        make_case(title="待复核", needs_review=True)
        make_case(title="重复", duplicate_of=original)
        assert self.titles(as_editor, needs_review__exact="1") == ["待复核"]
        assert self.titles(as_editor, duplicate="yes") == ["原", "重复"]


class TestKind:
    def test_a_non_case_is_flagged_in_the_list_and_filtered_by_kind(self, as_editor):
        make_case(title="案例甲")
        make_case(title="论文乙", kind=Case.Kind.NON_CASE)
        html = as_editor.get(changelist_url()).content.decode()
        assert re.search(r'<strong class="rv-non-case">非案例</strong>', html)
        titles = lambda **p: sorted(c.title for c in as_editor.get(changelist_url(), p).context["cl"].result_list)  # noqa: E731
        assert titles(kind__exact="non-case") == ["论文乙"]
        assert titles(kind__exact="case") == ["案例甲"]

    def test_the_change_page_warns_of_a_non_case_and_the_curator_can_correct_the_kind(self, as_editor):
        case = make_case(title="论文乙", kind=Case.Kind.NON_CASE)
        html = as_editor.get(change_url(case)).content.decode()
        assert "非案例（论文、评论、讲话或范文）" in html
        response = post_change(as_editor, case, kind="case")
        assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
        case.refresh_from_db()
        assert case.kind == Case.Kind.CASE
        assert "kind" in case.curated_fields  # re-ingest keeps the curator's call

    def test_the_kind_is_in_both_exports(self, as_editor):
        case = make_case(title="论文乙", kind=Case.Kind.NON_CASE)
        data = json.loads(action(as_editor, "export_json", case).content)
        assert data[0]["kind"] == "non-case"
        rows = list(csv.DictReader(io.StringIO(action(as_editor, "export_csv", case).content.decode("utf-8-sig"))))
        assert rows[0]["kind"] == "non-case"


# --------------------------------------------------------------------------- export


class TestExport:
    def test_json_export_of_selected_cases_has_the_export_command_shape(self, as_editor):
        from cases import export

        chosen, _other = make_case(title="选中"), make_case(title="未选")
        response = action(as_editor, "export_json", chosen)
        assert response["Content-Type"].startswith("application/json")
        assert "attachment" in response["Content-Disposition"]
        data = json.loads(response.content)
        assert data == json.loads(export.to_json(export.export_queryset(Case.objects.filter(pk=chosen.pk))))
        assert [d["title"] for d in data] == ["选中"]
        assert {m["text"] for m in data[0]["metrics"]} == {"120个", "超过3000名"}

    def test_csv_export(self, as_editor):
        a, b = make_case(title="甲"), make_case(title="乙")
        response = action(as_editor, "export_csv", a, b)
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert sorted(r["title"] for r in rows) == ["乙", "甲"]
        assert rows[0]["city"] == "锦州市" and rows[0]["metric_count"] == "2"


# --------------------------------------------------------------------------- duplicates


class TestDuplicates:
    def test_candidate_is_shown_and_merge_action_keeps_one_case_and_both_sources(self, as_publisher):
        original = make_case(title="原案例", source="锦州日报")
        copy = make_case(title="转载", source="辽宁日报", duplicate_of=original)
        html = as_publisher.get(change_url(copy)).content.decode()
        assert 'id="rv-duplicates"' in html and "原案例" in html
        assert "原案例" in as_publisher.get(change_url(original)).content.decode()  # shown both ways
        action(as_publisher, "merge_duplicates", copy)
        assert not Case.objects.filter(pk=copy.pk).exists()
        original.refresh_from_db()
        assert original.source == "锦州日报"
        assert [s["source"] for s in original.other_sources] == ["辽宁日报"]
        assert original.other_sources[0]["source_file"] == copy.source_file
        assert "辽宁日报" in as_publisher.get(change_url(original)).content.decode()

    def test_merge_button_on_change_page(self, as_publisher):
        original = make_case(title="原案例")
        copy = make_case(title="转载", duplicate_of=original)
        url = reverse("admin:cases_case_merge", args=[original.pk, copy.pk])
        assert as_publisher.get(url).status_code == 405
        assert as_publisher.post(url).status_code == 302
        assert list(Case.objects.values_list("title", flat=True)) == ["原案例"]

    def test_side_by_side_aligns_the_texts_and_merges_from_there(self, as_publisher, client):
        original = make_case(title="原案例", source="锦州日报", status=Case.Status.PUBLISHED)
        copy = make_case(title="转载", source="辽宁日报", body=BODY.replace("全市", "全锦州市", 1) + "转载者加的一句。",
                         duplicate_of=original, figures=False, mechanisms=False)
        change = as_publisher.get(change_url(copy)).content.decode()
        url = reverse("admin:cases_case_compare", args=[copy.pk, original.pk])
        assert f'href="{url}"' in change
        # the change page's merge button returns to the change page (no review screen to go back to)
        merge = reverse("admin:cases_case_merge", args=[original.pk, copy.pk])
        button = change[change.index(f'action="{merge}"'):]
        button = button[:button.index("</form>")]
        assert "合并到该案例（删除本案例，保留两个来源）" in button and 'name="back"' not in button
        html = as_publisher.get(url).content.decode()
        # the fields that differ are marked, the texts aligned: same sentences plain, the edits coloured
        assert re.search(r'<tr class="differ"><th scope="row">来源</th><td>辽宁日报</td><td>锦州日报</td>', html)
        assert '<tr class="dup-left-only"><td>转载者加的一句。</td><td></td></tr>' in html
        assert re.search(r'<tr class="dup-changed"><td>[^<]*全锦州市[^<]*</td><td>[^<]*全市', html)
        assert html.count('<tr class="dup-same">') >= 1
        # a status in words: 草稿 against 已发布, not draft against published
        assert re.search(r'<tr class="differ"><th scope="row">状态</th><td>草稿</td><td>已发布</td>', html)
        # merge from there: keep the original, the copy's source travels to it, the public page and exports
        assert as_publisher.post(reverse("admin:cases_case_merge", args=[original.pk, copy.pk])).status_code == 302
        original.refresh_from_db()
        page = client.get(original.get_absolute_url()).content.decode()
        assert "也见于" in page and "辽宁日报：《转载》" in page
        exported = json.loads(client.get("/cases.json").content)["results"][0]
        assert [s["source"] for s in exported["other_sources"]] == ["辽宁日报"]
        rows = list(csv.DictReader(io.StringIO(b"".join(client.get("/cases.csv").streaming_content).decode("utf-8-sig"))))
        assert rows[0]["other_sources"].startswith("辽宁日报《转载》")

    def test_side_by_side_only_for_candidates(self, as_publisher):
        a, b = make_case(), make_case()
        assert as_publisher.get(reverse("admin:cases_case_compare", args=[a.pk, b.pk])).status_code == 404

    def test_merging_unrelated_cases_is_refused(self, as_publisher):
        a, b = make_case(), make_case()
        assert as_publisher.post(reverse("admin:cases_case_merge", args=[a.pk, b.pk])).status_code == 404
        assert Case.objects.count() == 2

    def test_editor_cannot_merge(self, as_editor):
        original = make_case()
        copy = make_case(duplicate_of=original)
        action(as_editor, "merge_duplicates", copy)
        assert as_editor.post(reverse("admin:cases_case_merge", args=[original.pk, copy.pk])).status_code == 403
        assert Case.objects.filter(pk=copy.pk).exists()


# --------------------------------------------------------------------------- history


class TestHistory:
    def test_history_shows_who_when_and_old_and_new_values_with_figures(self, client):
        user = editor()
        client.force_login(user)
        case = make_case(title="旧标题")
        data = change_form_data(client.get(change_url(case)))
        metric = case.metrics.get(text="120个")
        data["title"] = "新标题"
        data[inline_prefix(data, Metric, metric.pk) + "-value"] = "125"
        client.post(change_url(case), data)
        response = client.get(reverse("admin:cases_case_history", args=[case.pk]))
        html = response.content.decode()
        assert user.username in html
        assert "旧标题" in html and "新标题" in html
        assert 'id="related-history"' in html
        # in words: Chinese labels, the figure's value as written, old → new
        assert "<strong>标题</strong>：旧标题 → 新标题" in html
        assert "<strong>数值</strong>：120 → 125" in html
        assert "120.0000" not in html
        # no bookkeeping, no Python reprs, no English
        for absent in ("内容指纹", "content_hash", "[{'", "None", "Changes", "Changed by", "curated"):
            assert absent not in html, absent

    def test_restore_preview_shows_where_the_versions_differ(self, as_editor):
        case = make_case(title="第一版")
        first = case.history.earliest()
        tail = "最后一段写了新的做法。"
        post_change(as_editor, case, title="第二版", body=case.body + tail)
        add_figure(case, "100余个", Decimal("100"), "个")
        html = as_editor.get(reverse("admin:cases_case_simple_history", args=[case.pk, first.history_id])).content.decode()
        # the body's difference is its changed end, not its unchanged opening
        assert f"【{tail}】" in html
        assert "第二版</td><td>第一版" in html
        assert "删除：" in html and "100余个" in html  # the figure added since would go
        assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2} 由", html)  # a date, not a raw timestamp

    def test_restore_an_earlier_version_with_its_figures(self, as_editor):
        case = make_case(title="第一版")
        first = case.history.earliest()
        post_change(as_editor, case, title="第二版")
        case.metrics.filter(text="120个").update(value=999)  # a later change of a figure
        Metric.objects.get(case=case, text="120个").save()  # recorded in history
        add_figure(case, "100余个", Decimal("100"), "个")
        url = reverse("admin:cases_case_simple_history", args=[case.pk, first.history_id])
        page = as_editor.get(url)
        assert page.status_code == 200 and "第一版" in page.content.decode()
        assert as_editor.post(url).status_code == 302
        case.refresh_from_db()
        assert case.title == "第一版"
        assert case.curated_fields == []  # as in that version: the title was the pipeline's then
        assert sorted(case.metrics.values_list("text", "value")) == [
            ("120个", Decimal("120")), ("超过3000名", Decimal("3000"))
        ]
        assert not any(case.metrics.values_list("curated", flat=True))
        assert search.matching(Case.objects.all(), search.parse("第一版")).exists()  # the restored title

    def test_restore_keeps_the_status(self, as_publisher):
        case = make_case()
        first = case.history.earliest()
        action(as_publisher, "publish", case)
        as_publisher.post(reverse("admin:cases_case_simple_history", args=[case.pk, first.history_id]))
        case.refresh_from_db()
        assert case.status == Case.Status.PUBLISHED


# --------------------------------------------------------------------------- the safe re-ingest path


def changed_report(raw: bytes, *, figure: str | None = None) -> bytes:
    """A later version of the report: one more paragraph, and optionally a figure changed at source."""
    text = raw.decode("utf-8")
    text = text.replace("聚焦平台融通", "此外,全区还新建了一批社区党群服务站。\n聚焦平台融通", 1)
    if figure:
        old, new = figure.split("→")
        assert old in text
        text = text.replace(old, new, 1)
    return text.encode("utf-8")


class TestSafeReingest:
    def test_corrections_made_in_the_admin_survive_reingest_and_conflicts_are_shown(self, as_editor):
        from cases.loading import UPDATED, ingest_bytes

        raw = SEED.read_bytes()
        case = ingest_bytes(SEED.name, raw).case
        metric = case.metrics.exclude(unit="").order_by("start").first()
        assert metric is not None, "the seed report should give figures"
        untouched = case.metrics.exclude(pk=metric.pk).order_by("start").first()

        # The curator corrects the title and one figure in the admin.
        data = change_form_data(as_editor.get(change_url(case)))
        data["title"] = "人工修订的标题"
        data[inline_prefix(data, Metric, metric.pk) + "-value"] = str(metric.value + 1)
        assert as_editor.post(change_url(case), data).status_code == 302

        # A changed version of the file arrives; it also changes the corrected figure's number at source.
        digits = re.search(r"\d+", metric.text).group()
        bumped = metric.text.replace(digits, str(int(digits) + 7), 1)
        result = ingest_bytes(SEED.name, changed_report(raw, figure=f"{metric.text}→{bumped}"))
        assert result.status == UPDATED

        case.refresh_from_db()
        assert case.title == "人工修订的标题"
        assert "新建了一批社区党群服务站" in case.body  # what nobody curated was updated
        corrected = Metric.objects.get(pk=metric.pk)
        assert corrected.value == metric.value + 1 and corrected.curated
        if untouched is not None:
            assert not case.metrics.filter(pk=untouched.pk, curated=True).exists()

        # The new extracted title differs from the curated one, so the case is flagged with both values.
        assert case.needs_review
        assert case.review_conflicts["title"]["curated"] == "人工修订的标题"
        figure_conflicts = [c for k, c in case.review_conflicts.items() if k.startswith("指标")]
        assert figure_conflicts and figure_conflicts[0]["curated"] == corrected.display_value
        html = as_editor.get(change_url(case)).content.decode()
        assert 'id="rv-needs-review"' in html
        assert "人工修订的标题" in html and case.review_conflicts["title"]["extracted"] in html
