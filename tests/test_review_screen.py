"""The one-case review screen through Django's test client: the text in offset-carrying pieces with every
figure and mechanism linked to its row, editing a row in place (plain form and script), adding a figure or
a mechanism from a selection, conflicts, duplicates and decisions taken there, the queue's next case,
permissions, and a number of queries that does not grow with the rows."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import work_queue
from cases.models import Case, Indicator, Mechanism, Metric
from tests.test_admin import BODY, add_figure, editor, make_case, make_user, publisher

pytestmark = pytest.mark.django_db

FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


def review_url(case) -> str:
    return reverse("admin:cases_case_review", args=[case.pk])


def row_url(case, row) -> str:
    kind = "figure" if isinstance(row, Metric) else "mechanism"
    return reverse("admin:cases_case_review_row", args=[case.pk, kind, row.pk])


def add_url(case) -> str:
    return reverse("admin:cases_case_review_add", args=[case.pk])


def pieces(page: str) -> list[tuple[int, int, str]]:
    text = page.split('id="rv-text"', 1)[1].split("</div>", 1)[0]
    return [(int(s), int(e), html.unescape(t))
            for s, e, t in re.findall(r'data-start="(\d+)" data-end="(\d+)">([^<]*)</', text)]


def figure_form(metric, **changes) -> dict:
    values = {"subject": metric.subject, "value": str(metric.value.normalize()), "unit": metric.unit,
              "qualifier": metric.qualifier, "indicator": metric.indicator_id or "", "reason": ""}
    values.update(changes)
    return {f"f{metric.pk}-{name}": value for name, value in values.items()}


@pytest.fixture
def curator(client):
    user = editor()
    client.force_login(user)
    client.user = user
    return client


# --------------------------------------------------------------------------- the screen


def test_the_text_is_cut_into_pieces_that_carry_their_offsets_and_link_to_rows(curator):
    case = make_case()
    page = curator.get(review_url(case)).content.decode()
    found = pieces(page)
    assert "".join(t for _, _, t in found) == case.body
    assert all(case.body[s:e] == t for s, e, t in found)
    for metric in case.metrics.all():
        assert f'href="#row-f{metric.pk}" draggable="false" data-row="f{metric.pk}" data-start="{metric.start}"' in page
        assert f'id="row-f{metric.pk}"' in page
    mechanism = case.mechanisms.get()
    assert f'data-row="m{mechanism.pk}"' in page and f'id="row-m{mechanism.pk}"' in page
    # values as the text counts them
    assert "超过3,000名" in page and "3000.0000" not in page
    assert 'src="/static/js/review.js"' in page and "<script>" not in page


def test_the_screen_is_linked_from_the_change_page_the_changelist_and_the_work_queue(curator):
    case = make_case()
    url = review_url(case)
    assert f'href="{url}"' in curator.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert f'href="{url}"' in curator.get(reverse("admin:cases_case_changelist")).content.decode()
    home = curator.get(reverse("admin:index")).content.decode()
    start = reverse("admin:cases_case_review_next") + "?queue=draft"
    assert f'href="{start}"' in home
    assert curator.get(start).url == url + "?queue=draft"


def test_a_figure_warning_flags_its_row_and_its_highlight(curator):
    case = make_case()
    metric = case.metrics.get(text="120个")
    Metric.objects.filter(pk=metric.pk).update(unit="")
    page = curator.get(review_url(case)).content.decode()
    row = re.search(rf'<li id="row-f{metric.pk}"[^>]*>(.*?)</li>', page, re.S)
    assert "data-flag" in row.group(0).split(">", 1)[0] and "指标缺少单位" in row.group(1)
    other = re.search(r'<li id="row-f\d+"[^>]*>', page.replace(row.group(0), ""))
    assert "data-flag" not in other.group(0)
    assert f'rv-hl-flagged" href="#row-f{metric.pk}"' in page


def test_a_span_outside_the_body_is_left_unmarked_and_the_text_is_whole(curator):
    case = make_case()
    Metric.objects.filter(case=case, text="120个").update(start=500, end=505)
    page = curator.get(review_url(case)).content.decode()
    assert "".join(t for _, _, t in pieces(page)) == case.body


# --------------------------------------------------------------------------- editing a row in place


def test_a_figure_edited_by_the_plain_form_is_the_curators_and_in_the_history_with_a_reason(curator):
    case = make_case()
    metric = case.metrics.get(text="120个")
    response = curator.post(row_url(case, metric), figure_form(metric, subject="党群服务站", reason="对象写错"))
    assert response.status_code == 302 and response.url == review_url(case) + f"#row-f{metric.pk}"
    metric.refresh_from_db()
    assert (metric.subject, metric.curated, metric.value) == ("党群服务站", True, Decimal("120"))
    record = metric.history.latest()
    assert (record.history_change_reason, record.history_user) == ("对象写错", curator.user)
    version = case.history.latest()
    assert (version.history_change_reason, version.history_user) == ("对象写错", curator.user)
    assert version.history_date < record.history_date  # the case's version, then its row, as a change page saves


def test_a_figure_saved_by_the_script_answers_with_the_changed_parts(curator):
    case = make_case()
    metric = case.metrics.get(text="120个")
    response = curator.post(row_url(case, metric), figure_form(metric, unit="座"), **FETCH)
    assert response.status_code == 200
    answer = response.json()
    assert answer["ok"] and answer["anchor"] == f"row-f{metric.pk}"
    assert "120座" in answer["html"]["rv-figures"] and "data-start" in answer["html"]["rv-text"]
    record = Metric.history.filter(id=metric.pk).latest()
    assert record.history_change_reason == "审核页修改数字“120个”的单位"


def test_the_value_is_typed_as_the_text_counts_it():
    case = make_case(body="全市发展党员1.2万名。", figures=False, mechanisms=False)
    metric = add_figure(case, "1.2万名", Decimal("12000"), "名", "党员")
    Metric.objects.filter(pk=metric.pk).update(magnitude="万")
    metric.refresh_from_db()
    from cases.forms import ReviewFigureForm

    form = ReviewFigureForm(instance=metric, prefix="f")
    assert form["value"].value() == "1.2"
    data = {f"f-{key.split('-', 1)[1]}": value for key, value in figure_form(metric, value="1.5").items()}
    bound = ReviewFigureForm(data, instance=metric, prefix="f")
    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data["value"] == Decimal("15000")


def test_a_bad_value_is_refused_with_a_message_and_nothing_saved(curator):
    case = make_case()
    metric = case.metrics.get(text="120个")
    answer = curator.post(row_url(case, metric), figure_form(metric, value="很多", subject="改了"), **FETCH)
    assert answer.status_code == 400 and "数值" in answer.json()["errors"][0]
    plain = curator.post(row_url(case, metric), figure_form(metric, value="很多", subject="改了"))
    assert plain.status_code == 400 and "数值" in plain.content.decode()
    metric.refresh_from_db()
    assert (metric.subject, metric.curated) == ("党群服务中心", False)


def test_an_unchanged_form_writes_nothing(curator):
    case = make_case()
    metric = case.metrics.get(text="120个")
    before = (Metric.history.count(), Case.history.count())
    assert curator.post(row_url(case, metric), figure_form(metric), **FETCH).json()["message"] == "没有修改。"
    assert (Metric.history.count(), Case.history.count()) == before


def test_the_indicator_follows_a_new_subject_unless_the_curator_chose_one(curator):
    case = make_case()
    metric = case.metrics.get(text="120个")
    grid = Indicator.objects.id_assigner()("网格", "个")
    assert grid is not None and metric.indicator_id != grid
    curator.post(row_url(case, metric), figure_form(metric, subject="网格"))
    metric.refresh_from_db()
    assert metric.indicator_id == grid
    other = Indicator.objects.exclude(pk=grid).first()
    curator.post(row_url(case, metric), figure_form(metric, indicator=other.pk))
    metric.refresh_from_db()
    assert metric.indicator == other


def test_a_row_of_another_case_is_not_found(curator):
    case, other = make_case(), make_case()
    metric = other.metrics.first()
    assert curator.post(row_url(case, metric), figure_form(metric, subject="x")).status_code == 404


def test_a_mechanism_takes_a_new_heading_and_a_parent_but_never_itself_or_one_below_it(curator):
    case = make_case()
    top = case.mechanisms.get()
    child = Mechanism.objects.create(case=case, order=1, heading="建立新机制", start=BODY.index("建立新"),
                                     end=BODY.index("建立新") + 5, parent=top)
    data = {f"m{child.pk}-heading": "建立新机制（修订）", f"m{child.pk}-parent": "", f"m{child.pk}-reason": ""}
    assert curator.post(row_url(case, child), data).status_code == 302
    child.refresh_from_db()
    assert (child.heading, child.parent_id, child.curated) == ("建立新机制（修订）", None, True)
    Mechanism.objects.filter(pk=child.pk).update(parent=top)
    refused = curator.post(row_url(case, top), {f"m{top.pk}-heading": top.heading, f"m{top.pk}-parent": child.pk},
                           **FETCH)
    assert refused.status_code == 400 and "上级机制" in refused.json()["errors"][0]
    top.refresh_from_db()
    assert top.parent_id is None


# --------------------------------------------------------------------------- adding from a selection


def test_a_figure_added_from_a_selection_is_read_by_the_pipelines_parser(curator):
    case = make_case()
    start = BODY.index("覆盖社区")
    end = BODY.index("个。", start) + 1
    Metric.objects.filter(case=case, text="超过3000名").delete()
    add_figure(case, "下好", Decimal("1"), "")  # a figure after the selection moves down one
    answer = curator.post(add_url(case), {"kind": "figure", "start": start, "end": end, "reason": ""}, **FETCH).json()
    assert answer["ok"], answer
    metric = case.metrics.get(start=start)
    assert (metric.text, metric.value, metric.unit, metric.qualifier) == ("覆盖社区100余个", Decimal("100"), "个", "余")
    assert metric.curated and metric.display_value == "100余个"
    assert metric.subject  # the pipeline's subject for the number
    assert metric.history.latest().history_change_reason == "审核页添加数字“覆盖社区100余个”"
    assert f'data-row="f{metric.pk}"' in answer["html"]["rv-text"]
    assert list(case.metrics.order_by("order").values_list("text", flat=True)) == ["120个", "覆盖社区100余个", "下好"]


def test_a_selection_without_a_number_adds_nothing_and_says_why(curator):
    case = make_case()
    start = BODY.index("建立新机制")
    answer = curator.post(add_url(case), {"kind": "figure", "start": start, "end": start + 5}, **FETCH)
    assert answer.status_code == 400 and "没有可读的数字" in answer.json()["errors"][0]
    plain = curator.post(add_url(case), {"kind": "figure", "start": 5, "end": 900})
    assert plain.status_code == 400 and "所选位置不在正文之内" in plain.content.decode()
    assert case.metrics.count() == 2


def test_a_mechanism_added_from_a_selection_takes_its_place_in_the_text(curator):
    case = make_case()
    start = BODY.index("锦州市建立")
    response = curator.post(add_url(case), {"kind": "mechanism", "start": start, "end": start + 9})
    assert response.status_code == 302
    headings = list(case.mechanisms.order_by("order").values_list("heading", "order", "curated"))
    assert headings == [("锦州市建立党群服务", 0, True), ("下好“一盘棋”", 1, False)]


# --------------------------------------------------------------------------- conflicts, duplicates, decisions


def test_a_conflict_accepted_on_the_screen_returns_to_it(curator):
    case = make_case(needs_review=True, review_conflicts={"title": {"curated": "甲", "extracted": "乙", "value": "乙"}})
    page = curator.get(review_url(case)).content.decode()
    assert 'name="take_extracted" value="title"' in page and 'name="back" value="review"' in page
    response = curator.post(reverse("admin:cases_case_conflict", args=[case.pk]),
                            {"take_extracted": "title", "back": "review"})
    assert response.url == review_url(case)
    case.refresh_from_db()
    assert (case.title, case.needs_review) == ("乙", False)
    # the history says which field in the curator's words, not the column's name
    assert case.history.first().history_change_reason == "采用新抽取值：标题"


def test_a_duplicate_merged_on_the_screen_leads_to_the_case_kept(client):
    client.force_login(publisher())
    original = make_case()
    duplicate = make_case(duplicate_of=original)
    page = client.get(review_url(duplicate)).content.decode()
    merge = reverse("admin:cases_case_merge", args=[original.pk, duplicate.pk])
    assert f'action="{merge}"' in page
    response = client.post(merge, {"back": "review"})
    assert response.url == review_url(original)
    assert not Case.objects.filter(pk=duplicate.pk).exists()


def test_decisions_are_the_changelists_actions_with_their_permissions(curator, client):
    case = make_case()
    decide = reverse("admin:cases_case_review_decide", args=[case.pk])
    page = curator.get(review_url(case)).content.decode()
    assert 'value="mark_non_case"' in page and 'value="publish"' not in page  # an editor may not publish
    assert curator.post(decide, {"action": "mark_non_case"}).url == review_url(case)
    case.refresh_from_db()
    assert case.kind == Case.Kind.NON_CASE and "kind" in case.curated_fields
    assert case.history.latest().history_change_reason == "改为“非案例”"
    page = curator.get(review_url(case)).content.decode()
    assert 'value="mark_case"' in page and 'value="mark_non_case"' not in page  # only the other way now
    assert curator.post(decide, {"action": "publish"}).status_code == 403
    assert curator.post(decide, {"action": "delete_selected"}).status_code == 403
    client.force_login(publisher())
    Case.objects.filter(pk=case.pk).update(needs_review=True)
    page = client.get(review_url(case)).content.decode()
    assert 'value="publish"' not in page and "处理完复核冲突后才能发布" in page
    Case.objects.filter(pk=case.pk).update(needs_review=False)
    assert 'value="publish"' in client.get(review_url(case)).content.decode()
    client.post(decide, {"action": "publish"})
    case.refresh_from_db()
    assert case.status == Case.Status.PUBLISHED


# --------------------------------------------------------------------------- the queue and permissions


def test_next_case_walks_the_queue_in_its_order():
    published = make_case(Case.Status.PUBLISHED)
    draft_a, draft_b = make_case(), make_case()
    flagged = make_case(Case.Status.PUBLISHED, needs_review=True)
    no_place = make_case(Case.Status.PUBLISHED, place=None)
    assert work_queue.next_case() == draft_a.pk
    assert work_queue.next_case(draft_a.pk) == draft_b.pk
    assert work_queue.next_case(draft_b.pk) == flagged.pk  # drafts first, then 待复核, …
    assert work_queue.next_case(flagged.pk) == no_place.pk
    assert work_queue.next_case(no_place.pk) is None
    assert work_queue.next_case(published.pk) == draft_a.pk  # a case out of the queue: from the start
    assert work_queue.next_case(None, "needs_review") == flagged.pk
    assert work_queue.next_case(flagged.pk, "needs_review") is None


def test_next_case_view_keeps_to_its_item_and_says_when_the_queue_is_done(curator):
    draft = make_case()
    flagged = make_case(Case.Status.PUBLISHED, needs_review=True)
    url = reverse("admin:cases_case_review_next")
    assert curator.get(url, {"queue": "needs_review"}).url == review_url(flagged) + "?queue=needs_review"
    assert curator.get(url, {"after": draft.pk}).url == review_url(flagged)
    done = curator.get(url, {"after": flagged.pk, "queue": "needs_review"}, follow=True)
    assert "队列中已没有下一个案例" in done.content.decode()
    assert curator.get(url, {"queue": "nonsense"}).status_code == 404
    assert curator.get(url, {"after": "abc"}).status_code == 404


def test_a_viewer_sees_the_screen_without_forms_and_cannot_post(client):
    from django.contrib.auth.models import Permission

    viewer = make_user()
    viewer.user_permissions.add(*Permission.objects.filter(codename__in=["view_case", "view_metric"]))
    client.force_login(viewer)
    case = make_case()
    metric = case.metrics.first()
    page = client.get(review_url(case)).content.decode()
    assert 'id="rv-text"' in page and 'class="rv-edit"' not in page and 'id="rv-add"' not in page
    assert client.post(row_url(case, metric), figure_form(metric, subject="x")).status_code == 403
    assert client.post(add_url(case), {"kind": "figure", "start": 0, "end": 5}).status_code == 403
    stranger = make_user()
    client.force_login(stranger)
    assert client.get(review_url(case)).status_code == 403


def test_a_get_to_an_edit_address_is_refused(curator):
    case = make_case()
    assert curator.get(add_url(case)).status_code == 405
    assert curator.get(row_url(case, case.metrics.first())).status_code == 405
    assert curator.get(reverse("admin:cases_case_review", args=["abc"])).status_code == 404


# --------------------------------------------------------------------------- bounded queries


def _case_with_rows(n: int) -> Case:
    sentences = [f"第{i}项工作建立站点{i + 10}个。" for i in range(n)]
    body = "\n".join(sentences)
    case = make_case(body=body, figures=False, mechanisms=False)
    parent = None
    for i in range(n):
        start = body.index(sentences[i])
        mechanism = Mechanism.objects.create(case=case, order=i, heading=f"第{i}项工作", start=start,
                                             end=start + len(f"第{i}项工作"), parent=parent)
        parent = parent or mechanism
        text = f"{i + 10}个"
        at = body.index(text, start)
        Metric.objects.create(case=case, mechanism=mechanism, text=text, start=at, end=at + len(text),
                              value=Decimal(i + 10), unit="个" if i % 2 else "", subject="站点", order=i)
    return case


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_screens_queries_do_not_grow_with_its_figures_and_mechanisms(curator):
    few, many = _case_with_rows(2), _case_with_rows(40)
    assert 5 < _queries(curator, review_url(few)) == _queries(curator, review_url(many)) <= 20


def test_a_saves_queries_do_not_grow_with_the_rows(curator):
    counts = []
    for case in (_case_with_rows(2), _case_with_rows(40)):
        metric = case.metrics.get(order=1)
        with CaptureQueriesContext(connection) as captured:
            assert curator.post(row_url(case, metric), figure_form(metric, subject="服务站"), **FETCH).json()["ok"]
        counts.append(len(captured))
    assert 5 < counts[0] == counts[1]
