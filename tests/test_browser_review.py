"""The curator's day on the review screen in Chromium: open the work queue, open a flagged case, fix a
figure's subject by clicking its highlight, add a missed figure by selecting its text with the mouse,
accept a conflict, read a mistaken edit in the history and restore the version before it, merge a
duplicate, publish, and go on to the next case with the keyboard; at 1280 px, then the screen at 375 px.
No Content-Security-Policy violation on the way.

Screenshots go to ``tmp_path``, or to ``SCREENSHOT_DIR`` (``docs/screenshots`` for the README's)."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from cases.models import Case
from tests.test_admin import BODY, log_in_through_the_form, make_case, publisher

pytestmark = [pytest.mark.browser]


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def day():
    flagged = make_case(title="锦州旧标题", needs_review=True, review_conflicts={
        "title": {"curated": "锦州旧标题", "extracted": "锦州市建设党群服务中心", "value": "锦州市建设党群服务中心"}})
    wrong = flagged.metrics.get(text="120个")
    wrong.subject = "建立党群"  # as the pipeline might have read it
    wrong.save()
    duplicate = make_case(title="锦州市建设党群服务中心（转载）", duplicate_of=flagged, source="某市日报")
    later = make_case(title="另一个待复核的案例", needs_review=True, review_conflicts={
        "source": {"curated": "甲", "extracted": "乙", "value": "乙"}})
    return flagged, duplicate, later


def log_in(page, live_server):
    log_in_through_the_form(page, live_server.url, publisher())


def select_with_mouse(page, start: int, end: int) -> None:
    """Drag the mouse over body[start:end] as a curator would: from the left edge of its first character to
    the right edge of its last (their boxes found from the pieces' offsets)."""
    first, last = page.evaluate(
        """([start, end]) => {
            const box = offset => {
              for (const piece of document.querySelectorAll('#rv-text [data-start]')) {
                const s = +piece.dataset.start, e = +piece.dataset.end;
                if (offset >= s && offset < e) {
                  const range = document.createRange();
                  range.setStart(piece.firstChild, offset - s); range.setEnd(piece.firstChild, offset - s + 1);
                  const r = range.getBoundingClientRect();
                  return [r.left, r.right, r.top + r.height / 2];
                }
              }
            };
            return [box(start), box(end - 1)];
        }""", [start, end])
    page.mouse.move(first[0] + 1, first[2])
    page.mouse.down()
    page.mouse.move(last[1] - 1, last[2], steps=8)
    page.mouse.up()


def test_the_curators_day_on_the_review_screen(live_server, page, day, shots):
    flagged, duplicate, later = day
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    log_in(page, live_server)

    # The work queue: 待复核 has two cases; 逐个审核 opens the first on the review screen.
    row = page.locator(".work-queue tr", has_text="待复核")
    assert row.locator("td.count").inner_text() == "2"
    page.screenshot(path=str(shots / "work-queue-1280.png"), full_page=True)
    row.get_by_role("link", name="逐个审核").click()
    page.wait_for_url(f"**/admin/cases/case/{flagged.pk}/review/?queue=needs_review")
    assert page.locator("#rv-conflicts").is_visible()

    # j walks the flagged items: the conflicts first.
    page.keyboard.press("j")
    assert "rv-current" in page.locator("#rv-conflicts").get_attribute("class")

    # Fix a figure's subject: click its highlight, the row's form opens focused, save in place.
    wrong = flagged.metrics.get(text="120个")
    page.locator(f'#rv-text a[data-row="f{wrong.pk}"]').first.click()
    subject = page.locator(f"#id_f{wrong.pk}-subject")
    subject.wait_for(state="visible")
    assert page.evaluate("document.activeElement.id") == f"id_f{wrong.pk}-subject"
    subject.fill("党群服务中心")
    page.locator(f"#row-f{wrong.pk} button[type=submit]").click()
    page.wait_for_selector(f"#row-f{wrong.pk} .rv-note:has-text('已保存')")
    assert page.url.endswith("?queue=needs_review")  # saved without leaving the page
    assert page.locator(f"#row-f{wrong.pk} .rv-subject").inner_text() == "党群服务中心"
    wrong.refresh_from_db()
    assert (wrong.subject, wrong.curated) == ("党群服务中心", True)

    # Add a missed figure: select its words with the mouse, 添加数据.
    start = BODY.index("覆盖社区")
    end = BODY.index("个。", start) + 1
    select_with_mouse(page, start, end)
    page.wait_for_function(f"document.querySelector('#rv-add [name=start]').value === '{start}'")
    assert page.locator("#rv-add [name=end]").input_value() == str(end)
    assert page.locator("#rv-selection q").inner_text() == "覆盖社区100余个"
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(shots / "review-1280.png"), full_page=False)
    page.get_by_role("button", name="添加数据").click()
    page.wait_for_selector("#rv-add .rv-status:has-text('已添加数字')")
    added = flagged.metrics.get(start=start)
    assert (added.text, added.value, added.unit, added.qualifier) == ("覆盖社区100余个", Decimal("100"), "个", "余")
    assert page.locator(f'#rv-text a[data-row="f{added.pk}"]').count() == 1
    assert "100余个" in page.locator(f"#row-f{added.pk}").inner_text()

    # Accept the conflict: the re-ingest's title.
    page.get_by_role("button", name="采用新值").click()
    page.wait_for_selector(".messagelist .success")
    assert page.locator("h1").inner_text() == "锦州市建设党群服务中心"
    assert page.locator("#rv-conflicts").count() == 0

    # A mistaken edit: 3000 typed as 30000 ...
    typo = flagged.metrics.get(text="超过3000名")
    page.locator(f'#rv-text a[data-row="f{typo.pk}"]').first.click()
    page.locator(f"#id_f{typo.pk}-value").fill("30000")
    page.locator(f"#row-f{typo.pk} button[type=submit]").click()
    page.wait_for_selector(f"#row-f{typo.pk} .rv-note:has-text('已保存')")
    assert "超过30,000名" in page.locator(f"#row-f{typo.pk}").inner_text()

    # ... read in the history, in words, with the reason; restore the version before it.
    page.get_by_role("link", name="历史").click()
    versions = page.locator("#change-history")
    assert "审核页修改数字“超过3000名”的数值" in versions.inner_text()
    assert "采用新抽取值：标题" in versions.inner_text()
    changes = page.locator("#related-history").inner_text()
    assert "3000 → 30000" in changes and "建立党群 → 党群服务中心" in changes
    page.screenshot(path=str(shots / "review-history-1280.png"), full_page=True)
    versions.get_by_role("link", name="预览并恢复").first.click()
    assert "30000 → 3000" in page.locator("#restore-rows").inner_text()
    page.screenshot(path=str(shots / "restore-preview-1280.png"), full_page=True)
    page.get_by_role("button", name="恢复到此版本").click()
    page.wait_for_selector(".messagelist .success")
    typo.refresh_from_db()
    assert typo.value == Decimal("3000")
    flagged.refresh_from_db()
    assert (flagged.title, flagged.needs_review) == ("锦州市建设党群服务中心", False)
    assert flagged.metrics.filter(pk=added.pk).exists()  # the version restored had the added figure

    # Merge the duplicate into this case, on the review screen.
    page.goto(f"{live_server.url}/admin/cases/case/{flagged.pk}/review/?queue=needs_review")
    page.get_by_role("link", name="并排比较").click()  # the two side by side first
    assert page.locator(".dup-text").is_visible()
    page.screenshot(path=str(shots / "duplicates-1280.png"), full_page=True)
    page.go_back()
    page.get_by_role("button", name="合并到本案例（保留两个来源）").click()
    page.wait_for_selector(".messagelist .success")
    assert not Case.objects.filter(pk=duplicate.pk).exists()
    assert page.locator("#rv-duplicates").count() == 0

    # Publish.
    page.get_by_role("button", name="发布").click()
    page.wait_for_selector(".messagelist .success")
    flagged.refresh_from_db()
    assert flagged.status == Case.Status.PUBLISHED
    assert "已发布" in page.locator("#rv-decisions").inner_text()

    # ] opens the next case of the queue.
    page.locator("#rv-text").click(position={"x": 5, "y": 5})
    page.keyboard.press("]")
    page.wait_for_url(f"**/admin/cases/case/{later.pk}/review/?queue=needs_review")
    assert [m for m in messages if "Content Security Policy" in m] == []


def test_the_review_screen_at_a_narrow_width(live_server, page, day, shots):
    flagged, _duplicate, _later = day
    log_in(page, live_server)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/admin/cases/case/{flagged.pk}/review/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    text, side = page.locator("#rv-text").bounding_box(), page.locator("#rv-decisions").bounding_box()
    assert text["width"] > 300 and side["y"] > text["y"]  # one column: the text, then the rest
    figure = flagged.metrics.get(text="120个")
    page.locator(f'#rv-text a[data-row="f{figure.pk}"]').first.click()
    form = page.locator(f"#row-f{figure.pk} form")
    form.wait_for(state="visible")
    box = form.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    page.screenshot(path=str(shots / "review-375.png"), full_page=False)
