"""The whole curator path in Chromium: log in, upload a report, correct a figure in the new draft,
publish, find the corrected figure on the public site, upload a changed version, and the correction stands."""

from __future__ import annotations

from pathlib import Path

import pytest

from cases.models import Case, Metric
from tests.test_admin import changed_report, log_in_through_the_form, publisher

# Browser tests run against a live server; tests/conftest.py makes them transactional with serialized rollback,
# so the gazetteer, taxonomy and groups from the migrations survive the live server's flushes.
pytestmark = [pytest.mark.browser]

SEED = Path(__file__).resolve().parent.parent / "seeds" / "004_c00685ac888a8406.txt"


def upload(page, live_server, path: Path) -> None:
    page.goto(live_server.url + "/admin/cases/case/")
    page.get_by_role("link", name="上传报告").click()
    page.set_input_files('input[name="files"]', str(path))
    page.get_by_role("button", name="上传并导入").click()
    page.wait_for_selector("#upload-results")


def test_curator_uploads_corrects_publishes_and_the_correction_survives_reingest(live_server, page, settings, tmp_path):
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    user = publisher()

    log_in_through_the_form(page, live_server.url, user)

    # Upload the report: one line, "新建", linking to the new draft.
    upload(page, live_server, SEED)
    row = page.locator("#upload-results tr.upload-created")
    assert row.count() == 1
    assert SEED.name in row.inner_text()
    case = Case.objects.get(source_file=SEED.name)
    assert case.status == Case.Status.DRAFT

    # Open the draft and correct its first figure that has a unit.
    row.get_by_role("link").click()
    page.wait_for_selector("#rv-body")
    metric = case.metrics.exclude(unit="").order_by("order", "start").first()
    name = page.locator(f'input[name^="metrics-"][name$="-id"][value="{metric.pk}"]').get_attribute("name")
    prefix = name.removesuffix("-id")
    corrected = metric.value + 7
    page.fill(f'input[name="{prefix}-value"]', str(corrected))
    # The sentence of the figure is highlighted beside the list of figures.
    assert page.locator(f"#rv-fig-{metric.pk}").count() == 1

    # Publish in the same save: a publisher is offered the status.
    page.select_option("#id_status", "published")
    page.locator('input[name="_save"]').click()
    page.wait_for_selector(".messagelist .success")

    case.refresh_from_db()
    assert case.status == Case.Status.PUBLISHED
    assert case.curated_fields == []  # the browser's CRLF body was not taken for a correction
    saved = Metric.objects.get(pk=metric.pk)
    assert (saved.value, saved.curated) == (corrected, True)
    shown = saved.display_value

    # The public site shows the case with the corrected figure.
    page.goto(live_server.url + case.get_absolute_url())
    assert shown in page.locator("body").inner_text()

    # A changed version of the report arrives through the upload page: the case is updated ...
    changed = tmp_path / SEED.name
    changed.write_bytes(changed_report(SEED.read_bytes()))
    upload(page, live_server, changed)
    assert page.locator("#upload-results tr.upload-updated").count() == 1

    # ... and the correction stands, in the database and on the public page.
    assert Metric.objects.get(pk=metric.pk).value == corrected
    case.refresh_from_db()
    assert case.status == Case.Status.PUBLISHED
    assert "新建了一批社区党群服务站" in case.body
    page.goto(live_server.url + case.get_absolute_url())
    assert shown in page.locator("body").inner_text()
